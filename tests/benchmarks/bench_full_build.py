"""Benchmark (not a test): a full `callqa run` on a landing folder against the floor (DuckDB reading the same
landing files once, `bench_ingest_native.floor`), in the same run; then, with `--rerun`, a run with no new files.

    uv run python tests/benchmarks/bench_full_build.py --landing data/bench1m/landing \
        --warehouse data/bench1m/callqa.duckdb [--rerun] [--log data/bench1m/run.log]

The 1 M-contact year of issue 14: `callqa generate --out data/bench1m/landing --days 365 --contacts-per-day 2750
--seed 7 --file-period day`. The warehouse must not exist yet (a full build); the serving copy and exports go beside
it. `callqa run` runs as its own process (as a user runs it); every line it prints is kept in `--log` with the
seconds since its start, and its process tree's resident memory is sampled every 0.5 s (the peak is the largest sum
over the tree; every sample is kept with its second, so each Dagster step's span gets its own peak and the
largest process at the overall peak is named). Reported: wall seconds, seconds and peak memory per Dagster step
(from the log), peak memory, the warehouse file's size, the ratio to the floor, and whether it published (the serving copy has every marts / analysis / reference table
of the warehouse, with the manifest's row counts). The machines are shared: read the ratio, not the seconds.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import psutil

HERE = Path(__file__).resolve().parent


def _floor_function():
    """`floor` of bench_ingest_native.py (a sibling script, not a package): the same floor as the ingestion one."""
    spec = importlib.util.spec_from_file_location("bench_ingest_native", HERE / "bench_ingest_native.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.floor


def _tree_rss(process: psutil.Process) -> tuple[int, int, str]:
    """Resident bytes of the process tree, and of its largest process with that process's command (shortened)."""
    total, largest, name = 0, 0, ""
    for p in [process, *process.children(recursive=True)]:
        try:
            rss = p.memory_info().rss
            total += rss
            if rss > largest:
                largest, name = rss, " ".join(p.cmdline()[:3])[-80:]
        except psutil.Error:  # a child that just ended
            pass
    return total, largest, name


# Every memory sample of the last `timed_run`: (seconds since its start, tree bytes, largest process bytes, its name).
SAMPLES: list[tuple[float, int, int, str]] = []


def timed_run(args: list[str], env: dict, log: Path) -> tuple[float, int, int]:
    """Run a command; every output line goes to `log` with the seconds since the start; the tree's memory every
    0.5 s into `SAMPLES`. Returns (seconds, peak resident bytes of the process tree, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            errors="replace")
    peak = [0]
    done = threading.Event()
    SAMPLES.clear()

    def sample() -> None:
        ps = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                total, largest, name = _tree_rss(ps)
            except psutil.Error:
                return
            SAMPLES.append((time.perf_counter() - start, total, largest, name))
            peak[0] = max(peak[0], total)
            done.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    with log.open("a", encoding="utf-8") as out:
        out.write(f"### {' '.join(args)}\n")
        for line in proc.stdout:
            out.write(f"{time.perf_counter() - start:8.1f} {line}")
    code = proc.wait()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    return seconds, peak[0], code


# A Dagster log line: "<seconds> <time> - dagster - <LEVEL> - callqa_pipeline - <run id> - <step> - <message>"
STEP_LINE = re.compile(r"^\s*(\d+\.\d) .* - dagster - \w+ - callqa_pipeline - [0-9a-f-]{36} - (\S+) - ")


def step_spans(log: Path) -> dict[str, tuple[float, float]]:
    """(first, last) second at which each Dagster step of the last run in the log printed a line (`callqa run` does
    not print step starts: a step's span is from its first line to its last)."""
    text = log.read_text(encoding="utf-8")
    text = text[max(text.rfind("\n### "), 0):]
    spans: dict[str, tuple[float, float]] = {}
    for line in text.splitlines():
        match = STEP_LINE.match(line)
        if match:
            at, step = float(match.group(1)), match.group(2)
            spans[step] = (spans.get(step, (at, at))[0], at)
    return spans


def ingestion_span(warehouse: Path, since: datetime) -> tuple[float, float]:
    """Seconds from `since` (the run's start) to the first and the last file of that run in the ingestion ledger."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        first, last = con.execute("select min(loaded_at), max(loaded_at) from raw._ingest_ledger where loaded_at >= ?",
                                  [since]).fetchall()[0]
    finally:
        con.close()
    if first is None:
        return (float("nan"), float("nan"))
    return ((first - since).total_seconds(), (last - since).total_seconds())


def print_phases(log: Path, warehouse: Path, since: datetime) -> None:
    first, last = ingestion_span(warehouse, since)
    print(f"  start-up until the first file is loaded: {first:.0f} s; ingestion (first to last file in the ledger): "
          f"{last - first:.0f} s")
    # A step may print only when it ends (the analyses): its memory is read from the previous step's last line
    # (in the order the steps ended) to its own last line
    previous_end = 0.0
    for step, (begin, end) in sorted(step_spans(log).items(), key=lambda item: item[1][1]):
        print(f"  step {step}: {begin:.0f}-{end:.0f} s after the start ({end - begin:.0f} s); peak of the tree "
              f"from the previous step's last line to its last {span_peak(previous_end, end) / 1e9:.2f} GB")
        previous_end = end
    if SAMPLES:
        at, total, largest, name = max(SAMPLES, key=lambda s: s[1])
        print(f"  overall peak {total / 1e9:.2f} GB at {at:.0f} s; its largest process {largest / 1e9:.2f} GB: {name}")


def span_peak(begin: float, end: float) -> int:
    """The largest tree memory sampled from `begin` to `end` (seconds since the run's start); 0 if none."""
    return max((total for at, total, _, _ in SAMPLES if begin <= at <= end), default=0)


def published(warehouse: Path, serving: Path) -> list[str]:
    """What the serving copy lacks: tables of the published schemas in the warehouse missing from the copy or
    with another row count than its manifest says. Empty when it published everything."""
    from dagster_project.lib.publish import MANIFEST_TABLE, published_tables

    if not serving.exists():
        return ["no serving copy"]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        wanted = published_tables(con)
    finally:
        con.close()
    con = duckdb.connect(str(serving), read_only=True)
    try:
        manifest = {(s, t): n for s, t, n in con.execute(
            f"select table_schema, table_name, row_count from main.{MANIFEST_TABLE}").fetchall()}
        problems = []
        for schema, table in wanted:
            if (schema, table) not in manifest:
                problems.append(f"{schema}.{table} missing")
                continue
            (rows,) = con.execute(f'select count(*) from "{schema}"."{table}"').fetchall()[0]
            if rows != manifest[schema, table]:
                problems.append(f"{schema}.{table}: {rows} rows, manifest {manifest[schema, table]}")
    finally:
        con.close()
    return problems


def _size(path: Path) -> str:
    total = sum(p.stat().st_size for p in (path, path.with_name(path.name + ".wal")) if p.exists())
    return f"{total / 1e6:,.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--landing", required=True, type=Path)
    parser.add_argument("--warehouse", required=True, type=Path)
    parser.add_argument("--rerun", action="store_true", help="then run again with no new files")
    parser.add_argument("--floor-repeats", type=int, default=3)
    parser.add_argument("--log", type=Path, default=None)
    args = parser.parse_args()
    landing, warehouse = args.landing.resolve(), args.warehouse.resolve()
    if warehouse.exists():
        sys.exit(f"{warehouse} exists: a full build needs a new warehouse")
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    log = (args.log or warehouse.with_suffix(".bench.log")).resolve()
    env = {k: v for k, v in os.environ.items()
           if k not in ("CALLQA_SERVING_WAREHOUSE", "CALLQA_EXPORT_DIR", "CALLQA_DUCKDB_TEMP_DIR")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # dbt of this environment
    truth = landing / "ground_truth.json"  # the generator's time zone, as `callqa generate` says to run with
    if "CALLQA_TIMEZONE" not in env and truth.exists():
        env["CALLQA_TIMEZONE"] = json.loads(truth.read_text(encoding="utf-8"))["timezone"]
    command = [str(Path(sys.executable).parent / "callqa"), "run", "--landing", str(landing),
               "--warehouse", str(warehouse)]
    serving = warehouse.parent / "callqa_serving.duckdb"

    from dagster_project.lib.contract import load_contract

    floor = _floor_function()
    sources = [s for s in load_contract() if (landing / s).is_dir()]
    floors = []
    for _ in range(args.floor_repeats):
        floors.append(sum(floor(landing, sources).values()))
    floor_seconds = sorted(floors)[len(floors) // 2]
    files = sum(1 for s in sources for p in (landing / s).rglob("*") if p.is_file())

    build_start = datetime.now(timezone.utc)
    build_seconds, build_peak, build_code = timed_run(command, env, log)
    build_size = _size(warehouse)
    missing = published(warehouse, serving)
    print(f"landing {landing}: {len(sources)} sources, {files:,} files; load average {os.getloadavg()[0]:.1f} at the end")
    print(f"floor (DuckDB reading every landing file once), median of {args.floor_repeats}: {floor_seconds:.1f} s")
    print(f"full build `callqa run`: {build_seconds:.0f} s = {build_seconds / floor_seconds:.1f} x the floor; "
          f"exit {build_code}; peak memory of the process tree {build_peak / 1e9:.2f} GB; warehouse {build_size}; "
          f"serving copy {_size(serving)}")
    print("published: " + ("every table" if not missing else "NO: " + "; ".join(missing)))
    print_phases(log, warehouse, build_start)
    if args.rerun:
        rerun_start = datetime.now(timezone.utc)
        rerun_seconds, rerun_peak, rerun_code = timed_run(command, env, log)
        print(f"rerun with no new files: {rerun_seconds:.0f} s = {rerun_seconds / floor_seconds:.1f} x the floor; "
              f"exit {rerun_code}; peak memory {rerun_peak / 1e9:.2f} GB; warehouse {_size(warehouse)} "
              f"(after the build {build_size})")
        print_phases(log, warehouse, rerun_start)
    print(f"log: {log}")


if __name__ == "__main__":
    main()
