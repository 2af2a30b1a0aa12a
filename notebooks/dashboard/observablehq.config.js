// The callqa dashboard (Observable Framework). `make bi` builds it from the serving copy of the warehouse
// (CALLQA_SERVING_WAREHOUSE) into CALLQA_DASHBOARD_OUT (default reports/dashboard/site). Everything the pages need
// is in the build: no CDN, no fonts from the web, no DuckDB in the browser.
import {resolve} from "node:path";

export default {
  title: "callqa",
  root: "src",
  output: process.env.CALLQA_DASHBOARD_OUT ?? resolve("../../reports/dashboard/site"),
  // Data loaders run with the project's Python (make bi runs the build under `uv run`, so `python` is the venv's).
  interpreters: {".py": [process.env.CALLQA_PYTHON ?? "python"]},
  pages: [
    {name: "First contact resolution", path: "/fcr"},
    {name: "Service level", path: "/service-level"},
    {name: "Forecast accuracy", path: "/forecast"},
    {name: "Hiring and training", path: "/people"},
    {name: "Quality assurance", path: "/qa"},
    {name: "Satisfaction drivers", path: "/drivers"},
    {name: "Survey dimensions", path: "/survey-dimensions"}
  ],
  // The default theme links Google Fonts; the site must work offline.
  globalStylesheets: [],
  // No favicon request (a 404 would show as a console error in the browser test). Opened from disk (file://),
  // the browser refuses the pages' module scripts and data files and would show a blank page with no error: say
  // what to do instead (a classic inline script still runs there).
  head: `<link rel="icon" href="data:,">
<script>if (location.protocol === "file:") addEventListener("DOMContentLoaded", () => document.body.insertAdjacentHTML("afterbegin",
  '<div id="served-from-disk" style="padding:1rem;margin:1rem;border:2px solid #c62828;font:16px sans-serif">' +
  'This dashboard must be opened through a web server, not from disk: the browser blocks its scripts and data ' +
  'under file://. Run <code>make bi-serve</code> and open <a href="http://localhost:8000/">http://localhost:8000/</a>.</div>'));</script>`,
  footer: "callqa dashboard, built from the serving copy of the warehouse.",
  search: false,
  // Links end in .html, so the built site works from any static file server (python -m http.server included).
  preserveExtension: true
};
