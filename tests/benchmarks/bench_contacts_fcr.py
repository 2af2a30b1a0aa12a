"""Benchmark (not a test): the contacts and FCR models against DuckDB reading the same raw rows once.

    uv run python tests/benchmarks/bench_contacts_fcr.py --warehouse data/demo/callqa.duckdb [--repeats 3]

The warehouse must have been built (`make demo`, or `callqa run`). Baseline, in the same process and run:
one full read of raw.calls and raw.digital_contacts (every column hashed, so nothing is skipped). Measured:
`dbt run --full-refresh` of the staging parents and the contacts/FCR models, and the models alone. Medians.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

MODELS = "int_contacts_unioned int_contacts_repeats int_callbacks_kept fct_contacts rpt_fcr_daily"
STAGING = "stg_landing__calls stg_landing__digital_contacts stg_landing__surveys stg_landing__agents"


def _dbt(args: list[str]) -> float:
    """dbt in a subprocess (in process, dbt-duckdb keeps the warehouse open with its own configuration)."""
    from dagster_project.settings import DBT_PROJECT_DIR

    dbt = Path(sys.executable).parent / "dbt"
    start = time.perf_counter()
    result = subprocess.run(
        [str(dbt), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), "--quiet"],
        capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"dbt {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warehouse", required=True, type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    os.environ["CALLQA_WAREHOUSE"] = str(args.warehouse.resolve())
    from dagster_project.settings import Settings

    Settings.from_env().export()

    def read_raw_once() -> tuple[float, int]:
        con = duckdb.connect(str(args.warehouse), read_only=True)
        start = time.perf_counter()
        rows = 0
        for table in ("calls", "digital_contacts"):
            n, _ = con.execute(f"select count(*), sum(hash(columns(*))) from raw.{table}").fetchall()[0][:2]
            rows += n
        elapsed = time.perf_counter() - start
        con.close()
        return elapsed, rows

    baseline, models_only, with_staging = [], [], []
    for _ in range(args.repeats):
        seconds, rows = read_raw_once()
        baseline.append(seconds)
        with_staging.append(_dbt(["run", "--full-refresh", "--select", *STAGING.split(), *MODELS.split()]))
        models_only.append(_dbt(["run", "--full-refresh", "--select", *MODELS.split()]))
    con = duckdb.connect(str(args.warehouse), read_only=True)
    contacts = con.execute("select count(*) from marts.fct_contacts").fetchall()[0][0]
    con.close()
    base, only, staged = (statistics.median(t) for t in (baseline, models_only, with_staging))
    print(f"raw call + digital rows: {rows:,}; contacts in fct_contacts: {contacts:,}; median of {args.repeats}")
    print(f"baseline, DuckDB reads the raw rows once:        {base:.2f} s")
    print(f"contacts + FCR models (dbt run, full refresh):   {only:.1f} s = {only / base:.0f} x baseline")
    print(f"  with their staging parents:                    {staged:.1f} s = {staged / base:.0f} x baseline")


if __name__ == "__main__":
    main()
