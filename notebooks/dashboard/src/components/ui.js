// Small helpers shared by the pages: number formats, human labels, target colours (red / amber / green), headline
// cards, plain HTML tables (every row in the DOM, so the browser test can read them), filters, the "last refreshed"
// line and collision-free point labels. Elements carry data-metric / data-table / data-key / data-rag for the test.

export function pct(x, digits = 1) {
  return x == null ? "n/a" : `${(x * 100).toFixed(digits)}%`;
}

export function signedPct(x, digits = 1) {
  return x == null ? "n/a" : `${x > 0 ? "+" : x < 0 ? "−" : ""}${Math.abs(x * 100).toFixed(digits)}%`;
}

export function points(x, digits = 1) {
  return x == null ? "n/a" : `${x > 0 ? "+" : x < 0 ? "−" : ""}${Math.abs(x * 100).toFixed(digits)} pts`;
}

export function num(x, digits = 0) {
  return x == null ? "n/a" : x.toLocaleString("en-US", {minimumFractionDigits: digits, maximumFractionDigits: digits});
}

export function ratio(numerator, denominator) {
  return numerator == null || !denominator ? null : numerator / denominator;
}

// ---------------------------------------------------------------------------------------------------------------
// Human labels: the one map from the warehouse's codes to what a person reads. A queue code takes the seeds' queue
// name (reference.queues, shipped by every loader as queue_names); any other unknown code is shown with its
// underscores as spaces, never silently dropped.
export const LABELS = {
  // channels
  voice: "Voice", chat: "Chat", email: "E-mail", messaging: "Messaging", bot: "Bot",
  no_queue: "(no queue)", unassigned: "Unassigned",
  // forecast measures and horizon buckets
  contacts: "Contacts", aht: "Handle time (AHT)", shrinkage: "Shrinkage",
  same_day: "Same day", "0_days": "Same day", "1_6_days": "1 to 6 days ahead", "1_2_weeks": "1 to 2 weeks ahead",
  over_2_weeks: "More than 2 weeks ahead",
  // QA error classes
  customer_critical: "Customer-critical", business_critical: "Business-critical",
  compliance_critical: "Compliance-critical", non_critical: "Non-critical",
  // hire sources
  job_board: "Job board", agency: "Agency", internal: "Internal move", referral: "Employee referral",
  campus: "Campus", "(not recorded)": "(not recorded)",
  // why a number is missing
  censored: "too recent to judge", not_observed: "not observed", no_graduates: "no graduates",
  insufficient_data: "too little data",
  // target directions
  higher_is_better: "higher is better", lower_is_better: "lower is better", tolerance: "within a tolerance"
};

export function labeller(queueNames = {}) {
  return (code) => {
    if (code == null) return "n/a";
    if (Object.hasOwn(LABELS, code)) return LABELS[code];
    if (queueNames && Object.hasOwn(queueNames, code)) return queueNames[code];
    const text = String(code).replaceAll("_", " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  };
}

export const label = labeller();

// The quadrant of a driver or a survey dimension (the four names of lib/drivers/importance.py QUADRANTS, as the
// analysis tables publish them), one colour each on every page: an ordinal scale without a fixed domain would
// colour "concentrate here" by the order of the quadrants a chart happens to show.
export const QUADRANT_COLOURS = {
  "concentrate here": "#c62828",
  "keep up the good work": "#1a7f37",
  "low priority": "#9e9e9e",
  "possible overkill": "#1f6feb"
};
export const quadrantColor = {legend: true, domain: Object.keys(QUADRANT_COLOURS), range: Object.values(QUADRANT_COLOURS)};

// ---------------------------------------------------------------------------------------------------------------
// Targets in colour. green: the target is met (boundary included); amber: missed, but by at most AMBER_BAND (10 %)
// of the target, i.e. the value would meet a target moved a tenth of itself toward the wrong side; red: missed by
// more. tolerance targets compare |value| with the target. No value or no target: no colour ("none").
// docs/decisions.md, "Dashboard for people who run a center".
export const RAG_COLOURS = {green: "#1a7f37", amber: "#d4a000", red: "#c62828"};
export const RAG_WORDS = {green: "on target", amber: "near target", red: "off target"};
export const AMBER_BAND = 0.1;

export function targetMet(value, target, direction) {
  if (value == null || target == null) return null;
  if (direction === "higher_is_better") return value >= target;
  if (direction === "lower_is_better") return value <= target;
  if (direction === "tolerance") return Math.abs(value) <= target;
  return null;
}

// met: the mart's own target_met where it has one (rpt_headlines); otherwise computed by the same comparison.
export function rag(value, target, direction, met = undefined) {
  const isMet = met ?? targetMet(value, target, direction);
  if (isMet == null) return "none";
  if (isMet) return "green";
  const near = targetMet(value, direction === "higher_is_better" ? target * (1 - AMBER_BAND) : target * (1 + AMBER_BAND), direction);
  return near ? "amber" : "red";
}

export function targetText(target, direction, format) {
  if (target == null) return "";
  if (direction === "higher_is_better") return `target ≥ ${format(target)}`;
  if (direction === "lower_is_better") return `target ≤ ${format(target)}`;
  if (direction === "tolerance") return `target within ±${format(target)}`;
  return "";
}

function paint(element, status) {
  element.dataset.rag = status;
  if (status in RAG_COLOURS) {
    element.style.borderLeft = `6px solid ${RAG_COLOURS[status]}`;
    if (element.tagName === "TD") element.style.paddingLeft = "0.5em";
    element.title = RAG_WORDS[status];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Cards and tables.
// status: "green" / "amber" / "red" / "none" (a number with a target but no value) or undefined (no target at all).
export function kpi(metric, title, text, detail = "", {small = false, status, target = ""} = {}) {
  const card = document.createElement("div");
  card.className = "card kpi";
  const heading = document.createElement("h2");
  heading.textContent = title;
  const value = document.createElement("span");
  value.className = "big";
  if (small) Object.assign(value.style, {fontSize: "1.3rem", overflowWrap: "anywhere"});
  value.dataset.metric = metric;
  value.textContent = text;
  card.append(heading, value);
  if (status !== undefined) {
    paint(card, status);
    card.dataset.ragFor = metric;
    const word = document.createElement("div");
    word.className = "rag-word";
    word.style.fontWeight = "600";
    if (status in RAG_COLOURS) word.style.color = RAG_COLOURS[status];
    word.textContent = [RAG_WORDS[status] ?? "no value", target].filter(Boolean).join("; ");
    card.append(word);
  }
  if (detail) {
    const line = document.createElement("div");
    line.className = "muted";
    line.append(detail); // text, or a node (e.g. with data-metric spans of its own)
    card.append(line);
  }
  return card;
}

// A text with numbers the browser test can read: metricText("actual ", ["shrinkage_actual", "16.0%"], " planned").
export function metricText(...parts) {
  const span = document.createElement("span");
  for (const part of parts) {
    if (typeof part === "string") { span.append(part); continue; }
    const value = document.createElement("span");
    [value.dataset.metric, value.textContent] = part;
    span.append(value);
  }
  return span;
}

export function kpis(...cards) {
  const grid = document.createElement("div");
  grid.className = "grid grid-cols-4";
  grid.append(...cards);
  return grid;
}

// columns: [[header, row => text, row => status (optional)], ...]; key: row => the row's data-key.
export function table(name, rows, columns, key) {
  const element = document.createElement("table");
  element.dataset.table = name;
  const head = element.createTHead().insertRow();
  for (const [header] of columns) {
    const th = document.createElement("th");
    th.textContent = header;
    head.append(th);
  }
  const body = element.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    tr.dataset.key = key(row);
    for (const [header, cell, status] of columns) {
      const td = tr.insertCell();
      td.dataset.column = header;
      td.textContent = cell(row);
      if (status) paint(td, status(row));
    }
  }
  return element;
}

export function notBuilt(data) {
  const note = document.createElement("div");
  note.className = "note";
  note.dataset.status = "not-built";
  note.textContent = `Not built yet: ${data.missing.join(", ")} is missing from the serving copy. `
    + "Run the whole pipeline (make demo) and rebuild the dashboard (make bi).";
  return note;
}

// "Last refreshed": when the serving copy the site was built from was published (callqa_published).
export function refreshed(data) {
  const line = document.createElement("p");
  line.className = "muted";
  const when = document.createElement("span");
  when.dataset.metric = "published_at";
  when.textContent = data.published_at ? data.published_at.replace("T", " ").replace("Z", " UTC") : "unknown";
  line.append("Last refreshed: ", when, ` (serving copy version ${data.version ?? "unknown"}).`);
  return line;
}

// A legend of the target colours, shown once per page.
export function ragLegend() {
  const line = document.createElement("p");
  line.className = "muted";
  line.append("Targets: ");
  for (const [status, colour] of Object.entries(RAG_COLOURS)) {
    const swatch = document.createElement("span");
    Object.assign(swatch.style, {display: "inline-block", width: "0.8em", height: "0.8em", background: colour, margin: "0 0.3em 0 0.8em"});
    line.append(swatch, RAG_WORDS[status]);
  }
  line.append(` (missed by at most ${AMBER_BAND * 100} % of the target), with the seeds' targets (metric_targets).`);
  return line;
}

// ---------------------------------------------------------------------------------------------------------------
// Filters: a plain form (no Inputs library: it would be fetched from a CDN) whose value is {from, to, queue,
// channel}; use it with Framework's view(). "" = all.
export function filters({dates = [], queues = null, channels = null}, name = label) {
  const form = document.createElement("form");
  form.dataset.filters = "";
  Object.assign(form.style, {display: "flex", gap: "1.5rem", flexWrap: "wrap", alignItems: "end", margin: "1rem 0"});
  const field = (text, input) => {
    const wrap = document.createElement("label");
    Object.assign(wrap.style, {display: "flex", flexDirection: "column", fontSize: "0.85rem"});
    wrap.append(text, input);
    form.append(wrap);
    return input;
  };
  const sorted = [...dates].sort();
  const [first, last] = [sorted[0] ?? "", sorted[sorted.length - 1] ?? ""];
  const date = (value, role) => {
    const input = document.createElement("input");
    Object.assign(input, {type: "date", value, min: first, max: last, name: role});
    return input;
  };
  const select = (values, role) => {
    const input = document.createElement("select");
    input.name = role;
    input.append(new Option("all", ""));
    for (const v of values) input.append(new Option(name(v), v));
    return input;
  };
  const inputs = {from: field("from", date(first, "from")), to: field("to", date(last, "to"))};
  if (queues) inputs.queue = field("queue", select(queues, "queue"));
  if (channels) inputs.channel = field("channel", select(channels, "channel"));
  const read = () => Object.fromEntries(Object.entries(inputs).map(([k, input]) => [k, input.value]));
  form.value = read();
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("input", () => { form.value = read(); });
  return form;
}

// The rows the filter keeps: date within [from, to] (ISO strings compare as dates), queue and channel equal.
export function keep(f, {date, queue, channel} = {}) {
  return (f.from === "" || date == null || date >= f.from) && (f.to === "" || date == null || date <= f.to)
    && (!f.queue || queue === f.queue) && (!f.channel || channel === f.channel);
}

export function sum(rows, ...fields) {
  const total = Object.fromEntries(fields.map((f) => [f, 0]));
  for (const row of rows) for (const f of fields) total[f] += row[f] ?? 0;
  return total;
}

export function distinct(rows, field) {
  return [...new Set(rows.map((r) => r[field]))].filter((v) => v != null).sort();
}

// ---------------------------------------------------------------------------------------------------------------
// Point labels that never overlap: after Plot has drawn a scatter, place each label (most important first) at the
// first spot around its point that overlaps no dot, no label placed before and stays inside the chart; a label
// moved away from its dot gets a thin leader line. The labels are a <g aria-label="point labels"> of <text>.
export function placeLabels(plot, points, {x, y, text, r = 6, fontSize = 10, width, height}) {
  const sx = plot.scale("x"), sy = plot.scale("y");
  const context = document.createElement("canvas").getContext("2d");
  context.font = `${fontSize}px system-ui, sans-serif`;
  const pad = 2, lineHeight = fontSize + 4;
  const at = points.map((d) => ({d, px: sx.apply(x(d)), py: sy.apply(y(d))}));
  const overlaps = (a, b) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
  const taken = at.map(({px, py}) => ({x0: px - r - 1, x1: px + r + 1, y0: py - r - 1, y1: py + r + 1}));
  const directions = [[1, 0], [-1, 0], [1, -1], [1, 1], [0, -1], [0, 1], [-1, -1], [-1, 1]];
  const g = document.createElementNS("http://www.w3.org/2000/svg", "g");
  g.setAttribute("aria-label", "point labels");
  g.setAttribute("font-size", fontSize);
  g.setAttribute("text-anchor", "start"); // Plot's <svg> centres text by default
  for (const {d, px, py} of at) {
    const content = text(d);
    const w = context.measureText(content).width + 2 * pad, h = lineHeight;
    let chosen = null;
    for (const distance of [r + 3, r + 12, r + 24, r + 40, r + 60, r + 85, r + 115]) {
      for (const [dx, dy] of directions) {
        const cx = px + dx * distance, cy = py + dy * (distance * 0.7 + (dy ? h / 2 : 0));
        const x0 = dx > 0 ? cx : dx < 0 ? cx - w : cx - w / 2;
        const box = {x0, x1: x0 + w, y0: cy - h / 2, y1: cy + h / 2};
        if (box.x0 < 1 || box.x1 > width - 1 || box.y0 < 1 || box.y1 > height - 1) continue;
        if (taken.some((t) => overlaps(t, box))) continue;
        chosen = {box, distance, dx, dy};
        break;
      }
      if (chosen) break;
    }
    if (!chosen) continue; // nowhere free: the point keeps its tooltip and its row in the table below
    taken.push(chosen.box);
    const {box} = chosen;
    if (chosen.distance > r + 3) {
      const line = document.createElementNS("http://www.w3.org/2000/svg", "line");
      const tx = Math.min(Math.max(px, box.x0), box.x1), ty = Math.min(Math.max(py, box.y0), box.y1);
      Object.entries({x1: px, y1: py, x2: tx, y2: ty, stroke: "#888", "stroke-width": 0.8}).forEach(([k, v]) => line.setAttribute(k, v));
      g.append(line);
    }
    const label = document.createElementNS("http://www.w3.org/2000/svg", "text");
    Object.entries({x: box.x0 + pad, y: (box.y0 + box.y1) / 2, "dominant-baseline": "central", fill: "currentColor"})
      .forEach(([k, v]) => label.setAttribute(k, v));
    label.textContent = content;
    g.append(label);
  }
  // Plot returns the <svg> itself, or a <figure> (title, legend) whose last <svg> is the chart.
  (plot.tagName.toLowerCase() === "svg" ? plot : [...plot.querySelectorAll("svg")].at(-1)).append(g);
  return plot;
}

// A headline number of marts.rpt_headlines as shown, by its unit.
export function formatByUnit(value, unit) {
  if (unit === "share") return pct(value);
  if (unit === "signed_share") return signedPct(value);
  if (unit === "points") return points(value);
  if (unit === "seconds") return value == null ? "n/a" : `${num(value, 1)} s`;
  if (unit === "kappa") return num(value, 2);
  return num(value);
}
