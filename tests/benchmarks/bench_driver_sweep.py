"""Sweep (not a test): does the satisfaction analysis fit, and does every run publish, across seeds and sizes?

    uv run python tests/benchmarks/bench_driver_sweep.py [--cases 11:14:450,5:28:1000,7:365:2750] [--keep DIR]

Each case (seed:days:contacts per day) generates a synthetic center in America/New_York, runs the whole pipeline
into a warehouse of its own and reports: the exit code, whether the serving copy was published, the analysis status
(current / stale / empty) with its reason, the fitted terms and the top three drivers by importance, and the
tipping points. The default cases are the three that refused to fit and stopped publishing before issue 11
(seed 11 at 14 x 450, seed 5 at 28 x 1,000, seed 7 at a year of 2,750 a day: that one takes most of an hour here).
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

DEFAULT_CASES = "11:14:450,5:28:1000,3:28:1000,8:42:700,7:365:2750"


def run_case(base: Path, seed: int, days: int, per_day: int) -> dict:
    from dagster_project.lib.synth import generate
    from tests.e2e.pipeline_env import pipeline_env

    landing = base / "landing"
    tz = "America/New_York"
    start = time.perf_counter()
    generate(landing, days=days, contacts_per_day=per_day, seed=seed, start_date=date(2026, 2, 2), timezone=tz)
    with pipeline_env(base, landing, tz) as (run, _):
        outcome = run()
    elapsed = time.perf_counter() - start
    row = {"case": f"seed {seed}, {days} d x {per_day}", "exit": outcome.exit_code,
           "published": (base / "callqa_serving.duckdb").exists(), "seconds": round(elapsed)}
    con = duckdb.connect(str(base / "callqa.duckdb"), read_only=True)
    try:
        row["status"] = con.execute("select status || coalesce(': ' || reason, '') from analysis.analysis_status "
                                    "where analysis = 'satisfaction_drivers'").fetchall()[0][0]
        row["top"] = con.execute(
            "select string_agg(driver || ' ' || printf('%.0f', 100 * importance) || '%', ', ' order by importance desc)"
            " from (select * from analysis.satisfaction_drivers where importance is not null "
            "order by importance desc limit 3)").fetchall()[0][0]
        row["tipping"] = con.execute(
            "select string_agg(driver || ' ' || printf('%.0f', threshold) || ' [' || printf('%.0f', threshold_ci_low)"
            " || ', ' || printf('%.0f', threshold_ci_high) || ']', '; ') from analysis.satisfaction_thresholds "
            "where is_tipping_point").fetchall()[0][0]
    finally:
        con.close()
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", default=DEFAULT_CASES)
    parser.add_argument("--keep", type=Path, default=None, help="keep each case's folder under this directory")
    args = parser.parse_args()
    for case in args.cases.split(","):
        seed, days, per_day = (int(v) for v in case.split(":"))
        base = Path(tempfile.mkdtemp(prefix=f"sweep_{seed}_{days}_{per_day}_", dir=args.keep))
        try:
            row = run_case(base, seed, days, per_day)
        finally:
            if args.keep is None:
                shutil.rmtree(base, ignore_errors=True)
        print(" | ".join(f"{k}: {v}" for k, v in row.items()), flush=True)


if __name__ == "__main__":
    main()
