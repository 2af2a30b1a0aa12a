"""What the warehouse holds, per source: files, rows delivered / staged / rejected by reason, last load."""
from __future__ import annotations

from dagster_project.lib.warehouse import table_exists


def _scalar(con, sql: str, params=()):
    return con.execute(sql, list(params)).fetchall()[0][0]


def _reconciliation(con) -> dict[str, dict]:
    """audit.layer_reconciliation by source / adapter name (empty before the first dbt build)."""
    if not table_exists(con, "audit", "layer_reconciliation"):
        return {}
    cursor = con.execute("SELECT * FROM audit.layer_reconciliation")
    names = [d[0] for d in cursor.description]
    return {row["source"]: row for row in (dict(zip(names, r)) for r in cursor.fetchall())}


def source_status(con, sources: list[str]) -> list[dict]:
    """Per contract source or adapter: files (from the ledger) and rows. The row counts are audit.layer_reconciliation's
    (the layers' one account): delivered = raw rows + rows adapters mapped into the source (for an adapter: its raw
    rows), staged, history (earlier versions of event-shaped exports) and rejected by reason. Before the first build
    (no audit yet) only the raw rows are known."""
    has_ledger = table_exists(con, "raw", "_ingest_ledger")
    reconciled = _reconciliation(con)
    report = []
    for source in sources:
        entry: dict = {"source": source}
        if has_ledger:
            ledger = dict(
                con.execute(
                    "SELECT status, count(*) FROM raw._ingest_ledger WHERE source = ? GROUP BY status", [source]
                ).fetchall()
            )
            entry["files"] = {status: ledger.get(status, 0) for status in ("loaded", "empty", "duplicate", "refused")}
            entry["refused_files"] = [
                {"file": f, "error": e}
                for f, e in con.execute(
                    "SELECT file, error FROM raw._ingest_ledger WHERE source = ? AND status = 'refused' ORDER BY load_id",
                    [source],
                ).fetchall()
            ]
            last = _scalar(con, "SELECT max(loaded_at) FROM raw._ingest_ledger WHERE source = ?", [source])
            entry["last_load_at"] = last.isoformat() if last is not None else None
        row = reconciled.get(source)
        if row is None:
            entry["kind"] = "source"
            entry["rows_delivered"] = (
                _scalar(con, f'SELECT count(*) FROM raw."{source}"') if table_exists(con, "raw", source) else 0
            )
            entry["rows_staged"] = None
            entry["rows_history"] = 0
            entry["rows_rejected"] = {}
        else:
            entry["kind"] = row["kind"]
            entry["rows_delivered"] = row["raw_rows"] + row["adapter_rows"]
            entry["rows_staged"] = row["staged_rows"]
            entry["rows_history"] = row["history_rows"]
            entry["rows_rejected"] = {
                name.removeprefix("rejected_"): value for name, value in row.items()
                if name.startswith("rejected_") and name != "rejected_rows" and value
            }
        report.append(entry)
    return report


# A row superseded by a later delivery of the same key is history, not an error: counted apart wherever rows are
# summed (status, run summary), never in "rejected".
SUPERSEDED_REASON = "duplicate_superseded"


def split_rejects(rows_rejected: dict[str, int]) -> tuple[int, int]:
    """(superseded, rejected for an error) from a {reason: rows} dict."""
    superseded = rows_rejected.get(SUPERSEDED_REASON, 0)
    return superseded, sum(rows_rejected.values()) - superseded


def format_status(report: list[dict]) -> str:
    header = (f"{'source':<28}{'files':>7}{'refused':>9}{'delivered':>11}{'staged':>10}{'history':>9}"
              f"{'superseded':>12}{'rejected':>10}  last load (UTC)")
    lines = [header, "-" * len(header)]
    for e in report:
        files = e.get("files", {})
        superseded, rejected = split_rejects(e["rows_rejected"])
        staged = "-" if e["rows_staged"] is None else e["rows_staged"]
        last = (e.get("last_load_at") or "-")[:19]
        lines.append(
            f"{e['source']:<28}{files.get('loaded', 0) + files.get('empty', 0):>7}{files.get('refused', 0):>9}"
            f"{e['rows_delivered']:>11}{staged:>10}{e.get('rows_history', 0):>9}{superseded:>12}{rejected:>10}  {last}"
        )
    reasons: dict[str, int] = {}
    for e in report:
        if e.get("kind") == "adapter":  # its rejects are counted in the sources it feeds already
            continue
        for reason, n in e["rows_rejected"].items():
            if reason != SUPERSEDED_REASON:
                reasons[reason] = reasons.get(reason, 0) + n
    if reasons:
        lines.append("")
        lines.append("rejected rows by reason: " + ", ".join(f"{r} {n}" for r, n in sorted(reasons.items()))
                     + " (`callqa rejects` lists them)")
    refused = [f for e in report for f in e.get("refused_files", [])]
    for f in refused:
        lines.append(f"REFUSED {f['error']}")
    return "\n".join(lines)


REJECT_COLUMNS = ["source", "file", "line", "record_key", "reason", "detail", "loaded_at"]


def rejected_rows(con, source: str | None = None, reason: str | None = None, include_superseded: bool = False,
                  limit: int | None = 50) -> list[dict]:
    """Rows of audit.rejected_rows (which raw row, why), newest load first; superseded re-deliveries only when
    asked. Parameters are bound, never spliced."""
    if not table_exists(con, "audit", "rejected_rows"):
        return []
    where, params = [], []
    if source:
        where.append("source = ?")
        params.append(source)
    if reason:
        where.append("reason = ?")
        params.append(reason)
    elif not include_superseded:
        where.append("reason <> ?")
        params.append(SUPERSEDED_REASON)
    sql = (f"SELECT {', '.join(REJECT_COLUMNS)} FROM audit.rejected_rows"
           + (f" WHERE {' AND '.join(where)}" if where else "")
           + " ORDER BY load_id DESC, source, file, line" + (" LIMIT ?" if limit else ""))
    rows = con.execute(sql, params + ([limit] if limit else [])).fetchall()
    return [dict(zip(REJECT_COLUMNS, r)) for r in rows]
