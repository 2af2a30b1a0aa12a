// Open each dashboard page in headless Debian Chromium (playwright-core, no browser download), wait until its charts
// and tables have rendered, save a full-page screenshot and print what each page shows as JSON on stdout:
// headline numbers (data-metric), table cells (data-table / data-key / data-column), SVG marks per Plot mark type,
// "not built" notes, console errors and failed requests. tests/e2e/test_dashboard.py compares it with the marts.
// usage: node e2e/inspect_pages.mjs <base url> <screenshot dir> <page> [<page> ...]
import {chromium} from "playwright-core";
import {mkdtempSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";

const [base, shots, ...pages] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), "callqa-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  viewport: {width: 1280, height: 900},
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"]
});
const results = {};
try {
  for (const name of pages) {
    const page = await context.newPage();
    const errors = [], failed = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("requestfailed", (r) => failed.push(r.url()));
    const started = Date.now();
    await page.goto(`${base}/${name}.html`, {waitUntil: "load"});
    // Rendered = a headline number or a "not built" note is in the DOM, and every cell has settled.
    await page.waitForSelector("[data-metric], [data-status=not-built]", {timeout: 20000});
    await page.waitForFunction(() => !document.querySelector(".observablehq--running"), null, {timeout: 20000});
    const shown = await page.evaluate(() => {
      const metrics = {};
      for (const e of document.querySelectorAll("[data-metric]")) metrics[e.dataset.metric] = e.textContent;
      const tables = {};
      for (const t of document.querySelectorAll("table[data-table]")) {
        const rows = {};
        for (const tr of t.querySelectorAll("tbody tr")) {
          const cells = {};
          for (const td of tr.querySelectorAll("td")) cells[td.dataset.column] = td.textContent;
          rows[tr.dataset.key] = cells;
        }
        tables[t.dataset.table] = rows;
      }
      // Observable Plot charts: <svg class="plot-…"> (legends are other elements or carry a "-ramp" class).
      const charts = [...document.querySelectorAll("svg[class^=plot]")].filter((svg) => !/ramp/.test(svg.getAttribute("class")));
      const marks = {};
      for (const svg of charts) {
        for (const g of svg.querySelectorAll("g[aria-label]")) {
          const label = g.getAttribute("aria-label");
          if (/axis|tick|grid|label/.test(label) && !/^tick$/.test(label)) continue;
          marks[label] = (marks[label] ?? 0) + g.querySelectorAll("rect, circle, path, line, text").length;
        }
      }
      const texts = {};
      for (const svg of charts) {
        for (const g of svg.querySelectorAll('g[aria-label="text"]')) {
          texts.text = [...(texts.text ?? []), ...[...g.querySelectorAll("text")].map((t) => t.textContent)];
        }
      }
      return {
        title: document.title,
        metrics, tables, charts: charts.length, marks, chart_texts: texts.text ?? [],
        not_built: [...document.querySelectorAll("[data-status=not-built]")].map((e) => e.textContent),
        cell_errors: [...document.querySelectorAll(".observablehq--error")].map((e) => e.textContent)
      };
    });
    await page.screenshot({path: join(shots, `${name}.png`), fullPage: true});
    results[name] = {...shown, errors, failed_requests: failed, load_ms: Date.now() - started};
    await page.close();
  }
} finally {
  await context.close();
  rmSync(profile, {recursive: true, force: true});
}
process.stdout.write(JSON.stringify(results));
