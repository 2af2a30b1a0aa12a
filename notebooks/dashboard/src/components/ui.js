// Small helpers shared by the pages: number formats, headline numbers and plain HTML tables (every row in the DOM,
// so the browser test can read them). Elements carry data-metric / data-table / data-key for the test.

export function pct(x, digits = 1) {
  return x == null ? "n/a" : `${(x * 100).toFixed(digits)}%`;
}

export function num(x, digits = 0) {
  return x == null ? "n/a" : x.toLocaleString("en-US", {minimumFractionDigits: digits, maximumFractionDigits: digits});
}

export function kpi(metric, label, text, detail = "", {small = false} = {}) {
  const card = document.createElement("div");
  card.className = "card kpi";
  const title = document.createElement("h2");
  title.textContent = label;
  const value = document.createElement("span");
  value.className = "big";
  if (small) Object.assign(value.style, {fontSize: "1.3rem", overflowWrap: "anywhere"});
  value.dataset.metric = metric;
  value.textContent = text;
  card.append(title, value);
  if (detail) {
    const small = document.createElement("div");
    small.className = "muted";
    small.textContent = detail;
    card.append(small);
  }
  return card;
}

export function kpis(...cards) {
  const grid = document.createElement("div");
  grid.className = "grid grid-cols-4";
  grid.append(...cards);
  return grid;
}

// columns: [[header, row => text], ...]; key: row => the row's data-key.
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
    for (const [header, cell] of columns) {
      const td = tr.insertCell();
      td.dataset.column = header;
      td.textContent = cell(row);
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
