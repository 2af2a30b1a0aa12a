// Open each dashboard page in headless Debian Chromium (playwright-core, no browser download), wait until its charts
// and tables have rendered, save a full-page screenshot and print what each page shows as JSON on stdout:
// headline numbers (data-metric), table cells (data-table / data-key / data-column), SVG marks per Plot mark type,
// "not built" notes, console errors and failed requests; every element coloured against a target (data-rag) with the
// colour the browser actually rendered; every pair of overlapping text boxes (and text over a dot) in each chart; and
// what the headline numbers become after a filter is set (the first queue, the last 14 days).
// tests/e2e/test_dashboard.py compares it with the marts.
// usage: node e2e/inspect_pages.mjs <base url> <screenshot dir> <page> [<page> ...]
import {join} from "node:path";
import {launchChromium} from "./chromium.mjs";

const [base, shots, ...pages] = process.argv.slice(2);
const {context, close} = await launchChromium({width: 1280, height: 900});
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
      // Where an element is painted with its target colour: a card or a cell by its left border, a heatmap cell or
      // a dot by its fill.
      const rendered = (e) => e instanceof SVGElement ? getComputedStyle(e).fill : getComputedStyle(e).borderLeftColor;
      const ragged = [];
      for (const e of document.querySelectorAll("[data-rag]")) {
        const id = e.dataset.ragFor ?? (e.tagName === "TD"
          ? `${e.closest("table").dataset.table}|${e.closest("tr").dataset.key}|${e.dataset.column}`
          : `heatmap|${e.dataset.key}`);
        ragged.push({id, rag: e.dataset.rag, colour: rendered(e)});
      }
      // Readable labels: no two text boxes of a chart overlap, and no text covers a dot (tolerance 0.5 px).
      const overlaps = [];
      const box = (e) => e.getBoundingClientRect();
      const hit = (a, b) => a.left + 0.5 < b.right && b.left + 0.5 < a.right && a.top + 0.5 < b.bottom && b.top + 0.5 < a.bottom;
      for (const svg of document.querySelectorAll("svg[class^=plot]")) {
        const texts = [...svg.querySelectorAll("text")].filter((t) => t.textContent.trim() && box(t).width > 0);
        const dots = [...svg.querySelectorAll('g[aria-label="dot"] circle')];
        for (let i = 0; i < texts.length; i++) {
          for (let j = i + 1; j < texts.length; j++) {
            if (hit(box(texts[i]), box(texts[j]))) overlaps.push(`${texts[i].textContent} / ${texts[j].textContent}`);
          }
          if (texts[i].closest('g[aria-label="point labels"]')) {
            for (const dot of dots) if (hit(box(texts[i]), box(dot))) overlaps.push(`${texts[i].textContent} / a dot`);
          }
        }
      }
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
        metrics, tables, charts: charts.length, marks, chart_texts: texts.text ?? [], rag: ragged, overlaps,
        point_labels: [...document.querySelectorAll('g[aria-label="point labels"] text')].map((t) => t.textContent),
        not_built: [...document.querySelectorAll("[data-status=not-built]")].map((e) => e.textContent),
        cell_errors: [...document.querySelectorAll(".observablehq--error")].map((e) => e.textContent)
      };
    });
    await page.screenshot({path: join(shots, `${name}.png`), fullPage: true});
    // A page with filters: choose its first queue and the last 14 days, and read the headline numbers again.
    let filtered = null;
    if (await page.$("form[data-filters] select[name=queue]")) {
      const choice = await page.evaluate(() => {
        const form = document.querySelector("form[data-filters]");
        const queue = form.querySelector("select[name=queue]");
        const to = form.querySelector("input[name=to]"), from = form.querySelector("input[name=from]");
        const last = new Date(to.max + "T00:00:00Z");
        last.setUTCDate(last.getUTCDate() - 13);
        const value = {queue: queue.options[1].value, from: last.toISOString().slice(0, 10), to: to.max};
        queue.value = value.queue; from.value = value.from;
        for (const input of [queue, from]) input.dispatchEvent(new Event("input", {bubbles: true}));
        return value;
      });
      await page.waitForTimeout(500);
      await page.waitForFunction(() => !document.querySelector(".observablehq--running"), null, {timeout: 20000});
      const metrics = await page.evaluate(() => Object.fromEntries(
        [...document.querySelectorAll("[data-metric]")].map((e) => [e.dataset.metric, e.textContent])));
      await page.screenshot({path: join(shots, `${name}-filtered.png`), fullPage: true});
      filtered = {...choice, metrics};
    }
    results[name] = {...shown, filtered, errors, failed_requests: failed, load_ms: Date.now() - started};
    await page.close();
  }
} finally {
  await close();
}
process.stdout.write(JSON.stringify(results));
