"""Benchmark (not a test): the dbt build of one landing folder on Spark (a local Spark, the `spark` target) against
the same build on DuckDB (the `duckdb` target), in the same run: issue 18 item 5.

    CALLQA_SPARK_DIR=$PWD/data/benchspark/spark nice -n 15 uv run python tests/benchmarks/bench_spark_build.py \
        --landing data/bench1m/landing --work data/benchspark [--log data/benchspark/run.log]

The 1 M-contact year of issue 14: `callqa generate --out data/bench1m/landing --days 365 --contacts-per-day 2750
--seed 7 --file-period day`. Steps, each timed as its own process (as a user runs them), its process tree's resident
memory sampled every 0.5 s (the peak is the largest sum over the tree), every output line kept in `--log`:

1. ingestion of the landing folder into a fresh DuckDB warehouse `<work>/callqa.duckdb` (lib/ingest.py, as the
   pipeline's raw assets do). Both engines build from this raw layer: it is timed once and is in neither ratio.
2. DuckDB: `dbt build --exclude-resource-type unit_test` on the `duckdb` target: the baseline.
3. Spark: `callqa load-spark` (the raw layer as a Parquet lake under $CALLQA_SPARK_DIR, registered as raw.*), then
   the same `dbt build --exclude-resource-type unit_test` on the `spark` target (README "Scale out").

Reported: seconds and peak memory of each step (for dbt also its own seconds and node counts), the Spark/DuckDB ratio of the dbt build and of load-spark + build,
the load average after each step, and every dbt exit code: a failed build's time is not a measurement (the script
exits 1). One build per engine (a Spark build of the 1 M year takes too long for a median of three): the machines
are shared, read the ratio, not the seconds. `<work>` and $CALLQA_SPARK_DIR must not exist yet; they are left in
place for a look afterwards (delete them: they are large).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
BIN = Path(sys.executable).parent
BUILD = ["build", "--exclude-resource-type", "unit_test"]

# The ingestion, as its own process: every contract source of the landing folder into raw.* of a new warehouse.
INGEST = """
import sys
from pathlib import Path
import duckdb
from dagster_project.lib.contract import load_contract
from dagster_project.lib.ingest import ingest_source
landing, warehouse = Path(sys.argv[1]), sys.argv[2]
con = duckdb.connect(warehouse)
con.execute("SET TimeZone = 'UTC'")
for name, contract in load_contract().items():
    if (landing / name).is_dir():
        ingest_source(con, landing, contract, key=b"bench-spark")
        print(name, con.execute(f'select count(*) from raw."{name}"').fetchall()[0][0], "rows", flush=True)
con.close()
"""


def _timed_run():
    """`timed_run` of bench_full_build.py (a sibling script, not a package): one command timed, its tree's peak."""
    spec = importlib.util.spec_from_file_location("bench_full_build", HERE / "bench_full_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.timed_run


def dbt_command(work: Path, name: str) -> list[str]:
    """`dbt build` of the project, its target and logs under <work>/dbt_<name> (never dbt/target)."""
    return [str(BIN / "dbt"), *BUILD, "--project-dir", str(REPO_ROOT / "dbt"), "--profiles-dir",
            str(REPO_ROOT / "dbt"), "--target-path", str(work / f"dbt_{name}" / "target"),
            "--log-path", str(work / f"dbt_{name}" / "logs")]


def dbt_summary(log: Path) -> str:
    """dbt's own account of the last command in the log: seconds inside dbt and the node counts ("PASS=... ERROR=...")."""
    text = log.read_text(encoding="utf-8", errors="replace")
    text = text[max(text.rfind("\n### "), 0):]
    inside = re.findall(r"Finished running .* \((\d+\.\d+)s\)", text)
    done = re.findall(r"Done\. (PASS=.*TOTAL=\d+)", text)
    return f"{inside[-1] if inside else '?'} s inside dbt, {done[-1] if done else 'no summary'}"


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--landing", required=True, type=Path)
    parser.add_argument("--work", required=True, type=Path, help="folder for the warehouse and dbt's files (new)")
    parser.add_argument("--log", type=Path, default=None)
    args = parser.parse_args()
    landing, work = args.landing.resolve(), args.work.resolve()
    spark_dir = Path(os.environ.get("CALLQA_SPARK_DIR") or work / "spark").resolve()
    for path in (work / "callqa.duckdb", spark_dir):
        if path.exists():
            sys.exit(f"{path} exists: the benchmark builds from nothing")
    work.mkdir(parents=True, exist_ok=True)
    log = (args.log or work / "bench_spark_build.log").resolve()
    warehouse = work / "callqa.duckdb"
    truth = json.loads((landing / "ground_truth.json").read_text(encoding="utf-8"))
    env = {k: v for k, v in os.environ.items() if k not in ("CALLQA_SERVING_WAREHOUSE", "CALLQA_EXPORT_DIR",
                                                               "CALLQA_DUCKDB_TEMP_DIR", "DBT_TARGET")}
    env.update({"PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}", "CALLQA_WAREHOUSE": str(warehouse),
                "CALLQA_SPARK_DIR": str(spark_dir), "CALLQA_TIMEZONE": env.get("CALLQA_TIMEZONE", truth["timezone"])})
    duckdb_env = {**env, "DBT_TARGET": "duckdb"}
    spark_env = {**env, "DBT_TARGET": "spark"}
    timed_run = _timed_run()
    files = sum(1 for p in landing.rglob("*") if p.is_file())
    print(f"landing {landing}: {files:,} files; {truth.get('days', '?')} days; {_load()} at the start", flush=True)

    steps = [("ingestion into DuckDB (shared by both engines)", [str(BIN / "python"), "-c", INGEST, str(landing),
                                                                 str(warehouse)], env),
             ("DuckDB dbt build", dbt_command(work, "duckdb"), duckdb_env),
             ("Spark: callqa load-spark", [str(BIN / "callqa"), "load-spark"], spark_env),
             ("Spark dbt build", dbt_command(work, "spark"), spark_env)]
    results = {}
    for name, command, step_env in steps:
        seconds, peak, code = timed_run(command, step_env, log)
        results[name] = (seconds, peak, code)
        inside = f" ({dbt_summary(log)})" if command[0].endswith("dbt") else ""
        print(f"{name}: {seconds:.0f} s{inside}; exit {code}; peak memory of the process tree {peak / 1e9:.2f} GB; "
              f"{_load()} at its end", flush=True)
        if code != 0:
            print(f"FAILED (exit {code}): no measurement; see {log}")
            sys.exit(1)
    duck = results["DuckDB dbt build"][0]
    spark = results["Spark dbt build"][0]
    load = results["Spark: callqa load-spark"][0]
    print(f"Spark/DuckDB, dbt build: {spark / duck:.1f} x; load-spark + dbt build on Spark / DuckDB dbt build: "
          f"{(load + spark) / duck:.1f} x; {_load()} at the end")
    print(f"log: {log}")


if __name__ == "__main__":
    main()
