"""Benchmark (not a test): what a run costs when little or nothing arrived (issue 14, item 6). A center delivered
day by day (`--file-period day`) is replayed: every day but the last `--hold-back` ones in one build, then
`callqa run` with no new files (no-ops), then the held-back days one at a time (daily increments), then no-ops
again; each `callqa run` as its own process (as a user runs it, `bench_full_build.timed_run`: wall seconds and
the peak resident memory of its process tree), with the warehouse file's size and free blocks after it and the
load average around it (the machines are shared: read the ratios, not the seconds).

    # small, generated here (the default): 8 days x 300 contacts/day, the last day held back
    uv run python tests/benchmarks/bench_incremental_runs.py [--days 8] [--contacts-per-day 300] [--dirty]

    # issue 14: the 1 M year, its last 11 days held back, against the same daily increment on a 100 k history
    # (36 days x 2,750/day, seed 7, generated here, its last 3 days held back)
    nice -n 10 uv run python tests/benchmarks/bench_incremental_runs.py --landing data/bench1m/landing \
        --hold-back 11 --compare-days 36 --compare-hold-back 3 --work data/bench_incremental

Reported: the build, each no-op (median of `--noops`), each increment (median over the held-back days) with
its ratio to the build and the ratio of the large history's median increment to the small one's (issue 14:
<= 1.3, and an increment under a tenth of the full build; a no-op under 30 s at 1 M that leaves the file as it
was). The landing folder given is only read: its files are copied into `--work`. `--full-refresh` adds a
`callqa run --full-refresh` of the same warehouse at the end.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
from datetime import date
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(REPO))
TZ = "America/New_York"
START = date(2026, 3, 2)
SNAPSHOTS = ("agents",)  # delivered once, dated the last day: part of the base build
DATED = re.compile(r"_(\d{4}-\d{2}-\d{2})\.")


def _sibling(name: str):
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _mb(path: Path) -> float:
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + ".wal")) if p.exists()) / 1e6


def _free_share(path: Path) -> float:
    con = duckdb.connect(str(path), read_only=True)
    try:
        total, free = con.execute("select total_blocks, free_blocks from pragma_database_size()").fetchall()[0]
    finally:
        con.close()
    return free / total if total else 0.0


def _file_day(path: Path) -> str | None:
    match = DATED.search(path.name)
    return match.group(1) if match and path.parent.name not in SNAPSHOTS else None


def _copy(files: list[Path], source: Path, landing: Path) -> None:
    for path in files:
        target = landing / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def replay(name: str, source: Path, work: Path, hold_back: int, noops: int, full_refresh: bool) -> list[dict]:
    """Build `source` minus its last `hold_back` days into a new warehouse under `work`, then no-ops, the held-back
    days one by one, no-ops again. One dict per run; every run is printed as it ends."""
    timed_run = _sibling("bench_full_build").timed_run
    files = sorted(p for p in source.rglob("*") if p.is_file() and p.name != "ground_truth.json")
    by_source: dict[str, set[str]] = {}
    for path in files:
        if _file_day(path):
            by_source.setdefault(path.parent.name, set()).add(_file_day(path))
    days = sorted(max(by_source.values(), key=len))  # the delivery days (of a daily source); months are among them
    held = days[-hold_back:] if hold_back else []
    landing, warehouse = work / "landing", work / "callqa.duckdb"
    if warehouse.exists():
        sys.exit(f"{warehouse} exists: the benchmark starts from a new warehouse")
    if landing.exists():
        shutil.rmtree(landing)
    _copy([p for p in files if _file_day(p) not in held], source, landing)
    env = {k: v for k, v in os.environ.items()
           if k not in ("CALLQA_SERVING_WAREHOUSE", "CALLQA_EXPORT_DIR", "CALLQA_DUCKDB_TEMP_DIR")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    truth = source / "ground_truth.json"
    env["CALLQA_TIMEZONE"] = json.loads(truth.read_text(encoding="utf-8"))["timezone"] if truth.exists() else TZ
    command = [str(Path(sys.executable).parent / "callqa"), "run", "--landing", str(landing),
               "--warehouse", str(warehouse)]
    log = work / "runs.log"
    rows: list[dict] = []

    def run(kind: str, label: str, extra: tuple[str, ...] = ()) -> None:
        load_before = os.getloadavg()[0]
        start = log.stat().st_size if log.exists() else 0
        seconds, peak, code = timed_run(command + list(extra), env, log)
        with log.open(encoding="utf-8", errors="replace") as handle:
            handle.seek(start)
            skipped = "nothing to do" in handle.read()
        row = {"history": name, "kind": kind, "label": label, "seconds": seconds, "peak_gb": peak / 1e9,
               "exit": code, "mb": _mb(warehouse), "free": _free_share(warehouse), "skipped": skipped,
               "load": (load_before, os.getloadavg()[0])}
        rows.append(row)
        print(f"[{name}] {label}: {seconds:.1f} s, exit {code}, peak {row['peak_gb']:.2f} GB, warehouse "
              f"{row['mb']:,.0f} MB ({row['free']:.0%} free blocks){', nothing to do' if skipped else ''}, "
              f"load average {row['load'][0]:.1f} -> {row['load'][1]:.1f}", flush=True)

    run("build", f"build of {len(days) - len(held)} days")
    for k in range(noops):
        run("noop", f"no-op {k + 1} after the build")
    for day in held:
        _copy([p for p in files if _file_day(p) == day], source, landing)
        run("increment", f"increment {day}")
    for k in range(noops if held else 0):
        run("noop", f"no-op {k + 1} after the increments")
    if full_refresh:
        run("full_refresh", "full refresh", ("--full-refresh",))
    return rows


def summary(rows: list[dict]) -> dict[str, float]:
    build = next(r["seconds"] for r in rows if r["kind"] == "build")
    out = {"build": build}
    for kind in ("noop", "increment"):
        values = [r["seconds"] for r in rows if r["kind"] == kind]
        if values:
            out[kind] = statistics.median(values)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--landing", type=Path, default=None, help="replay this landing folder (read only)")
    parser.add_argument("--days", type=int, default=8, help="without --landing: generate this many days")
    parser.add_argument("--contacts-per-day", type=int, default=None,
                        help="generated days' volume (default 300, or the --landing's own with --compare-days)")
    parser.add_argument("--dirty", action="store_true")
    parser.add_argument("--hold-back", type=int, default=1, help="days delivered one by one after the build")
    parser.add_argument("--noops", type=int, default=1, help="no-op runs after the build and after the increments")
    parser.add_argument("--compare-days", type=int, default=0,
                        help="also replay a generated history of this many days (the same volume and seed) first")
    parser.add_argument("--compare-hold-back", type=int, default=1)
    parser.add_argument("--full-refresh", action="store_true")
    parser.add_argument("--work", type=Path, default=None, help="a folder to work in (default: a temporary one)")
    args = parser.parse_args()

    from dagster_project.lib.synth import generate

    work = (args.work or Path(tempfile.mkdtemp(prefix="callqa_bench_incremental_"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    truth = json.loads((args.landing / "ground_truth.json").read_text(encoding="utf-8")) if args.landing else {}
    per_day = args.contacts_per_day or truth.get("contacts_per_day", 300)

    def generated(days: int) -> Path:
        folder = work / f"generated_{days}d"
        if not (folder / "ground_truth.json").exists():
            generate(folder, days=days, contacts_per_day=per_day, seed=truth.get("seed", 7), dirty=args.dirty,
                     start_date=date.fromisoformat(truth["start_date"]) if truth else START,
                     timezone=truth.get("timezone", TZ), file_period="day")
        return folder

    results = {}
    if args.compare_days:
        small = f"{args.compare_days} d x {per_day:,}"
        results[small] = replay(small, generated(args.compare_days), work / "small", args.compare_hold_back,
                                args.noops, False)
    large_source = args.landing.resolve() if args.landing else generated(args.days)
    large = f"{truth.get('days', args.days)} d x {per_day:,}"
    results[large] = replay(large, large_source, work / "large", args.hold_back, args.noops, args.full_refresh)

    print(f"\nwork {work}; {os.cpu_count()} cores; load average at the end {os.getloadavg()}")
    print("| history | run | seconds | / build | peak GB | warehouse MB | free blocks | nothing to do | load |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, rows in results.items():
        build = summary(rows)["build"]
        for r in rows:
            print(f"| {name} | {r['label']} | {r['seconds']:.1f} | {r['seconds'] / build:.3f} | {r['peak_gb']:.2f} | "
                  f"{r['mb']:,.0f} | {r['free']:.0%} | {'yes' if r['skipped'] else ''} | "
                  f"{r['load'][0]:.1f}-{r['load'][1]:.1f} |")
    medians = {name: summary(rows) for name, rows in results.items()}
    for name, m in medians.items():
        print(f"{name}: build {m['build']:.0f} s; median no-op {m.get('noop', float('nan')):.1f} s; median "
              f"increment {m.get('increment', float('nan')):.1f} s = {m.get('increment', float('nan')) / m['build']:.3f}"
              " x the build")
    if len(medians) == 2:
        (small, s), (large, g) = medians.items()
        print(f"median increment at {large} / at {small}: {g['increment'] / s['increment']:.2f} (issue 14: <= 1.3)")


if __name__ == "__main__":
    main()
