"""What the warehouse holds, per source: files, rows delivered / staged / rejected by reason, last load."""
from __future__ import annotations

from dagster_project.lib.warehouse import table_exists


def _scalar(con, sql: str, params=()):
    return con.execute(sql, list(params)).fetchall()[0][0]


def source_status(con, sources: list[str]) -> list[dict]:
    has_ledger = table_exists(con, "raw", "_ingest_ledger")
    has_rejects = table_exists(con, "audit", "rejected_rows")
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
        entry["rows_delivered"] = (
            _scalar(con, f'SELECT count(*) FROM raw."{source}"') if table_exists(con, "raw", source) else 0
        )
        staged = f"stg_landing__{source}"
        entry["rows_staged"] = (
            _scalar(con, f"SELECT count(*) FROM staging.{staged}") if table_exists(con, "staging", staged) else None
        )
        if has_rejects:
            entry["rows_rejected"] = dict(
                con.execute(
                    "SELECT reason, count(*) FROM audit.rejected_rows WHERE source = ? GROUP BY reason ORDER BY reason",
                    [source],
                ).fetchall()
            )
        else:
            entry["rows_rejected"] = {}
        report.append(entry)
    return report


def format_status(report: list[dict]) -> str:
    header = f"{'source':<22}{'files':>7}{'refused':>9}{'delivered':>11}{'staged':>10}{'rejected':>10}  last load (UTC)"
    lines = [header, "-" * len(header)]
    for e in report:
        files = e.get("files", {})
        rejected = sum(e["rows_rejected"].values())
        staged = "-" if e["rows_staged"] is None else e["rows_staged"]
        last = (e.get("last_load_at") or "-")[:19]
        lines.append(
            f"{e['source']:<22}{files.get('loaded', 0) + files.get('empty', 0):>7}{files.get('refused', 0):>9}"
            f"{e['rows_delivered']:>11}{staged:>10}{rejected:>10}  {last}"
        )
    reasons: dict[str, int] = {}
    for e in report:
        for reason, n in e["rows_rejected"].items():
            reasons[reason] = reasons.get(reason, 0) + n
    if reasons:
        lines.append("")
        lines.append("rejected rows by reason: " + ", ".join(f"{r} {n}" for r, n in sorted(reasons.items())))
    refused = [f for e in report for f in e.get("refused_files", [])]
    for f in refused:
        lines.append(f"REFUSED {f['error']}")
    return "\n".join(lines)
