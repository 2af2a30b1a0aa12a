"""A reader of the serving copy, run as its own process during a pipeline run (tests/e2e/test_pipeline.py).

mode `loop`: open the serving copy read-only, verify every table against its publication manifest, close;
again and again until the stop file appears. mode `hold`: open once and keep the connection for the whole run,
verifying through it each time. Writes {"versions": [...], "reads": n, "errors": [...]} to the result file."""
import json
import sys
import time
from pathlib import Path

import duckdb


def _verify(con) -> str:
    manifest = con.execute("select table_schema, table_name, row_count, version from main.callqa_published").fetchall()
    versions = {row[3] for row in manifest}
    assert len(versions) == 1, f"one version per copy, got {versions}"
    for schema, table, rows, _ in manifest:
        (actual,) = con.execute(f'select count(*) from "{schema}"."{table}"').fetchall()[0]
        assert actual == rows, f"{schema}.{table}: {actual} rows, manifest {rows}"
    return versions.pop()


def main(mode: str, serving: str, stop_file: str, result_file: str) -> None:
    seen, errors, reads = [], [], 0
    held = duckdb.connect(serving, read_only=True) if mode == "hold" else None
    Path(result_file + ".ready").write_text("ready")
    while not Path(stop_file).exists():
        try:
            con = held or duckdb.connect(serving, read_only=True)
            try:
                version = _verify(con)
            finally:
                if held is None:
                    con.close()
            reads += 1
            if not seen or seen[-1] != version:
                seen.append(version)
        except Exception as exc:  # every failure is a finding: record it, keep reading
            errors.append(f"{type(exc).__name__}: {exc}")
        time.sleep(0.05)
    if held is not None:
        held.close()
    Path(result_file).write_text(json.dumps({"versions": seen, "reads": reads, "errors": errors}))


if __name__ == "__main__":
    main(*sys.argv[1:5])
