"""Benchmark (not a test): synthetic generation and raw ingestion speed, as ratios against a baseline measured
in the same process, with medians, because the machines are shared and noisy.

    uv run python tests/benchmarks/bench_generate_ingest.py [--contacts 1000000] [--repeats 3]

Baseline: DuckDB reading the generated call CSVs once (read_csv, all_varchar), i.e. the cost of just touching
the same bytes. Reported: generator seconds per million contacts; ingestion seconds and its ratio to the baseline.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from dagster_project.lib.contract import load_contract
    from dagster_project.lib.ingest import ingest_source
    from dagster_project.lib.synth import generate

    per_day = max(1, args.contacts // args.days)
    generate_times, ingest_times, baseline_times = [], [], []
    for repeat in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            landing = Path(tmp) / "landing"
            generate_times.append(
                _timed(lambda: generate(landing, days=args.days, contacts_per_day=per_day, seed=repeat,
                                        start_date=date(2026, 2, 2), timezone="America/New_York"))
            )
            calls = sorted(str(p) for p in (landing / "calls").rglob("*.csv*"))
            baseline_times.append(
                _timed(lambda: duckdb.connect().execute(
                    "select count(*) from read_csv(?, all_varchar = true)", [calls]).fetchall())
            )
            con = duckdb.connect(str(Path(tmp) / "w.duckdb"))
            ingest_times.append(
                _timed(lambda: ingest_source(con, landing, load_contract()["calls"], key=b"bench"))
            )
            rows = con.execute("select count(*) from raw.calls").fetchall()[0][0]
            con.close()
    gen, ing, base = (statistics.median(t) for t in (generate_times, ingest_times, baseline_times))
    print(f"contacts requested: {args.contacts:,} ({args.days} days x {per_day:,}/day); calls ingested: {rows:,}")
    print(f"generate (all sources), median of {args.repeats}: {gen:.1f} s")
    print(f"baseline: DuckDB read_csv of the call files: {base:.2f} s")
    print(f"ingest calls (parse, hash, mask, ledger, insert): {ing:.2f} s = {ing / base:.1f} x baseline")


if __name__ == "__main__":
    main()
