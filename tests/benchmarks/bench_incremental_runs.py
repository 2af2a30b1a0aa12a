"""Benchmark (not a test): what a run costs when little or nothing arrived (issue 14). A generated center delivered
day by day (`--file-period day`): the first `--days - 1` days in one build, then `callqa run` with no new files
(a no-op), then the last day (one increment), then a full refresh of the same warehouse; each `callqa run` in this
process, timed, with the warehouse file size after it. Ratios are against the full refresh in the same process
(the machines are shared: read the ratios, not the seconds). One sample each: runs are minutes long.

    uv run python tests/benchmarks/bench_incremental_runs.py [--days 8] [--contacts-per-day 300] [--dirty]
        [--work DIR]

The no-op should cost Dagster's start-up and the ledger's hashing of the landing files only, and leave the file
size unchanged; the increment's growth is printed beside it.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # tests.e2e.pipeline_env, when run as a script
TZ = "America/New_York"
START = date(2026, 3, 2)


def _size(path: Path) -> str:
    return f"{path.stat().st_size / 2**20:.1f} MiB"


def _free_share(path: Path) -> float:
    con = duckdb.connect(str(path), read_only=True)
    try:
        total, free = con.execute("select total_blocks, free_blocks from pragma_database_size()").fetchall()[0]
    finally:
        con.close()
    return free / total if total else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=8)
    parser.add_argument("--contacts-per-day", type=int, default=300)
    parser.add_argument("--dirty", action="store_true")
    parser.add_argument("--work", type=Path, default=None, help="a folder to work in (default: a temporary one)")
    args = parser.parse_args()

    from dagster_project.lib.synth import generate
    from tests.e2e.pipeline_env import pipeline_env

    work = args.work or Path(tempfile.mkdtemp(prefix="callqa_bench_incremental_"))
    generated, landing = work / "generated", work / "landing"
    generate(generated, days=args.days, contacts_per_day=args.contacts_per_day, seed=7, dirty=args.dirty,
             start_date=START, timezone=TZ, file_period="day")
    last_day = date.fromordinal(START.toordinal() + args.days - 1).isoformat()
    files = [p for p in generated.rglob("*") if p.is_file()]
    held_back = [p for p in files if f"_{last_day}" in p.name and p.parent.name not in ("agents",)]
    for path in files:
        if path not in held_back:
            target = landing / path.relative_to(generated)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)

    rows = []
    warehouse = work / "callqa.duckdb"
    with pipeline_env(work, landing, TZ) as (run, _connect):
        def timed(label, full_refresh=False):
            started = time.perf_counter()
            outcome = run(full_refresh=full_refresh)
            seconds = time.perf_counter() - started
            rows.append((label, seconds, _size(warehouse), _free_share(warehouse), outcome.skipped or ""))
            print(f"{label}: {seconds:.1f} s, {rows[-1][2]}, exit {outcome.exit_code}", flush=True)

        timed(f"build of {args.days - 1} days")
        timed("no-op rerun")
        for path in held_back:
            target = landing / path.relative_to(generated)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        timed(f"one more day ({len(held_back)} files)")
        timed("no-op rerun after it")
        timed("full refresh", full_refresh=True)

    full = rows[-1][1]
    print(f"\n{args.days} days x {args.contacts_per_day} contacts/day{' (dirty)' if args.dirty else ''}, work {work}")
    print("| run | seconds | / full refresh | warehouse file | free blocks | skipped |")
    print("|---|---|---|---|---|---|")
    for label, seconds, size, free, skipped in rows:
        print(f"| {label} | {seconds:.1f} | {seconds / full:.2f} | {size} | {free:.0%} | {'yes' if skipped else ''} |")


if __name__ == "__main__":
    main()
