"""Benchmark (not a test): what `callqa generate` costs as the center grows (issue 14: a 10 M-contact year must
stream to disk and fit in the machine's memory). Each size runs `callqa generate` as its own process (as a user
runs it; `bench_full_build.timed_run` samples the resident memory of its process tree every 0.5 s) into a new
folder, daily files; reported per size: wall seconds, peak memory, the landing folder's size on disk, and both
against the smallest size of the same run (the machines are shared: read the ratios).

    nice -n 10 uv run python tests/benchmarks/bench_generator_scale.py --work data/bench_generator \
        --contacts-per-day 2750 27500 [--days 365] [--keep]

The landing folders are deleted after their size is taken unless `--keep`.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _disk_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--contacts-per-day", type=int, nargs="+", default=[2750, 27500])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    spec = importlib.util.spec_from_file_location("bench_full_build", HERE / "bench_full_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    rows = []
    for per_day in args.contacts_per_day:
        out = work / f"landing_{args.days}x{per_day}"
        if out.exists():
            shutil.rmtree(out)
        load = os.getloadavg()[0]
        seconds, peak, code = module.timed_run(
            [str(Path(sys.executable).parent / "callqa"), "generate", "--out", str(out), "--days", str(args.days),
             "--contacts-per-day", str(per_day), "--seed", str(args.seed), "--file-period", "day"],
            env, work / "generate.log")
        size = _disk_bytes(out) if out.exists() else 0
        rows.append((per_day, seconds, peak, size, code, load, os.getloadavg()[0]))
        print(f"{args.days} d x {per_day:,}/day: {seconds:.0f} s, exit {code}, peak memory {peak / 1e9:.2f} GB, "
              f"landing {size / 1e9:.2f} GB, load average {load:.1f} -> {os.getloadavg()[0]:.1f}", flush=True)
        if not args.keep and out.exists():
            shutil.rmtree(out)
    base = rows[0]
    print("| contacts/day | seconds | x | peak GB | x | landing GB | x | exit | load |")
    print("|---|---|---|---|---|---|---|---|---|")
    for per_day, seconds, peak, size, code, l0, l1 in rows:
        print(f"| {per_day:,} | {seconds:.0f} | {seconds / base[1]:.1f} | {peak / 1e9:.2f} | {peak / base[2]:.1f} | "
              f"{size / 1e9:.2f} | {size / max(base[3], 1):.1f} | {code} | {l0:.1f}-{l1:.1f} |")


if __name__ == "__main__":
    main()
