// Open the pre-brief page of one customer (GET /ui/customers/{id} of `callqa serve`) in headless Debian Chromium
// (playwright-core, no browser download), save a screenshot and print what it shows as JSON on stdout: each timeline
// entry (contact id, expected csat, pain point codes, text), the marks of the window strip, the pain point count,
// whether the timeline is visible, and console errors / failed requests. tests/e2e/test_prebrief_api.py compares it
// with the API's journey.
// usage: node e2e/inspect_prebrief.mjs <page url> <screenshot file>
import {launchChromium} from "./chromium.mjs";

const [url, shot] = process.argv.slice(2);
const {context, close} = await launchChromium({width: 1100, height: 900});
try {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("requestfailed", (r) => errors.push(`failed request ${r.url()}`));
  await page.goto(url, {waitUntil: "load"});
  await page.waitForSelector("#timeline", {timeout: 20000});
  const shown = await page.evaluate(() => {
    const timeline = document.querySelector("#timeline");
    const box = timeline.getBoundingClientRect();
    return {
      contacts: [...document.querySelectorAll("#timeline .contact")].map((li) => ({
        contact_id: li.dataset.contactId,
        expected_csat: li.dataset.expectedCsat,
        pain_points: [...li.querySelectorAll(".pain-point")].map((p) => p.dataset.code),
        text: li.innerText,
      })),
      marks: document.querySelectorAll("#window circle").length,
      pain_count: document.querySelector("#pain-count").textContent,
      visible: box.width > 0 && box.height > 0,
    };
  });
  await page.screenshot({path: shot, fullPage: true});
  process.stdout.write(JSON.stringify({...shown, errors}));
} finally {
  await close();
}
