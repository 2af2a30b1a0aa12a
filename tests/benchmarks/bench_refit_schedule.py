"""Benchmark (not a test): a refit of the satisfaction analysis against a score-only run (lib/drivers/schedule.py).

    uv run python tests/benchmarks/bench_refit_schedule.py [--contacts 100000] [--days 365] [--survey-rate 0.1]
                                                           [--repeats 3] [--warehouse PATH]

A simulated modelling table (lib/drivers/simulate.py), or with --warehouse the marts.fct_contact_drivers of a
warehouse a `callqa run` built (read only, copied), is written to a DuckDB warehouse of its own, with the real
seeds metric_targets. Then, `repeats` times each, what the asset does after reading the table:

- refit: run_driver_analysis (default method settings: 999 bootstrap draws per continuous driver) and
  write_analysis with the model to store;
- score only: refit_decision (reads the stored model and its fitting rows, hashes the fitting rows now) on the
  same table plus one new day of unsurveyed contacts, then score_only and write_scores.

Prints the median and every sample of each, the read of the modelling table, and the load average before and after.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--survey-rate", type=float, default=0.1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--warehouse", type=Path, default=None)
    args = parser.parse_args()

    from dagster_project.lib.drivers import store
    from dagster_project.lib.drivers.analysis import AnalysisSettings, run_driver_analysis
    from dagster_project.lib.drivers.schedule import RefitPolicy, scored_reason
    from dagster_project.lib.drivers.simulate import simulate_modelling_table
    from dagster_project.settings import SEEDS_DIR

    print(f"load average before: {os.getloadavg()}")
    if args.warehouse is None:
        frame = simulate_modelling_table(n_contacts=args.contacts, days=args.days, survey_rate=args.survey_rate,
                                         seed=7)
    else:
        source = duckdb.connect(str(args.warehouse), read_only=True)
        frame = store.read_modelling_table(source)
        source.close()
        args.contacts, args.days = len(frame), int(pd.to_datetime(frame["local_date"]).dt.normalize().nunique())
    unsurveyed = frame.loc[frame["csat"].isna()].head(args.contacts // args.days).copy()
    unsurveyed["contact_id"] = "new-" + unsurveyed["contact_id"].astype(str)
    unsurveyed["local_date"] = pd.to_datetime(frame["local_date"]).max() + pd.Timedelta(days=1)
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "bench.duckdb"))
        con.execute("create schema marts")
        con.execute("create schema reference")
        con.register("frame", frame)
        con.execute("create table marts.fct_contact_drivers as select * from frame")
        con.unregister("frame")
        con.execute(f"create table reference.metric_targets as select * from read_csv('{SEEDS_DIR / 'metric_targets.csv'}', "
                    "header = true, all_varchar = true)")
        con.execute("alter table reference.metric_targets alter target type double")
        settings = store.read_settings(con, AnalysisSettings())
        start = time.perf_counter()
        table = store.read_modelling_table(con)
        read_seconds = time.perf_counter() - start
        n_fit = None
        refits, scores = [], []
        for _ in range(args.repeats):
            start = time.perf_counter()
            analysis = run_driver_analysis(table, settings)
            store.write_analysis(con, analysis, "bench-fit", store.stored_model(analysis, table, settings, "bench-fit"))
            refits.append(time.perf_counter() - start)
            n_fit = int(analysis.scores["used_in_fit"].sum())
        grown = pd.concat([table, unsurveyed[table.columns]], ignore_index=True)
        policy = RefitPolicy()
        for _ in range(args.repeats):
            start = time.perf_counter()
            decision = store.refit_decision(con, grown, settings, policy, False)
            assert not decision.refit, decision.reasons
            scored = store.score_only(grown, decision.stored)
            store.write_scores(con, scored, "bench-score", scored_reason(decision.stored.record, policy))
            scores.append(time.perf_counter() - start)
        con.close()
    print(f"{args.contacts:,} contacts over {args.days} days, {n_fit:,} fitting rows; score-only run: "
          f"{len(grown):,} contacts ({len(unsurveyed):,} new)")
    print(f"read marts.fct_contact_drivers: {read_seconds:.2f} s")
    print(f"refit (analysis + write, model stored): median {statistics.median(refits):.2f} s, samples "
          f"{[round(s, 2) for s in refits]}")
    print(f"score only (decision + scores + write): median {statistics.median(scores):.2f} s, samples "
          f"{[round(s, 2) for s in scores]}")
    print(f"ratio: {statistics.median(refits) / statistics.median(scores):.1f} x")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
