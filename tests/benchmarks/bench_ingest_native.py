"""Benchmark (not a test): ingestion of every contract source through DuckDB's readers (lib/ingest.py now) against
the Python readers it replaced (lib/ingest.py at a git revision, default `main`'s merge base with this branch)
and against the floor, DuckDB reading the same landing files once into memory (file by file, no sniffing). Same process, same files, median of
`--repeats`; the machines are shared, so read the ratios, not the seconds.

    uv run python tests/benchmarks/bench_ingest_native.py [--days 50] [--contacts-per-day 2000] [--repeats 3]
        [--before <git revision>] [--landing DIR (reuse generated files)]

It also checks that both ingestions wrote the same raw tables (every column but `_loaded_at`), per source.
"""
from __future__ import annotations

import argparse
import csv
import gzip
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]


def previous_ingest(revision: str):
    """lib/ingest.py as it was at `revision`, imported as its own module (it imports the rest of lib as it is now)."""
    source = subprocess.run(["git", "show", f"{revision}:dagster_project/lib/ingest.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    spec = importlib.util.spec_from_loader("ingest_before", loader=None)
    module = importlib.util.module_from_spec(spec)
    sys.modules["ingest_before"] = module
    exec(compile(source, f"{revision}:dagster_project/lib/ingest.py", "exec"), module.__dict__)
    return module


def floor(landing: Path, sources) -> dict[str, float]:
    """Seconds per source for DuckDB to read its files once into memory, file by file: CSV every column as text
    with the header's columns given (no sniffing, which costs more than the reading: ~0.2 s a file), JSON Lines
    and Parquet as DuckDB reads them."""
    con = duckdb.connect()
    times = {}
    for source in sources:
        files = sorted(p for p in (landing / source).rglob("*") if p.is_file())
        start = time.perf_counter()
        for path in files:
            name = path.name.lower()
            if name.endswith((".csv", ".csv.gz")):
                opener = gzip.open if name.endswith(".gz") else open
                with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
                    header = next(csv.reader(handle), [])
                if not header:
                    continue
                columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
                sql = (f"SELECT * FROM read_csv($path, header = true, auto_detect = false, columns = {columns}, "
                       "ignore_errors = true)")
            elif name.endswith((".jsonl", ".jsonl.gz")):
                sql = "SELECT * FROM read_json($path, format = 'newline_delimited', ignore_errors = true)"
            elif name.endswith(".parquet"):
                sql = "SELECT * FROM read_parquet($path)"
            else:
                continue
            con.execute(f"CREATE OR REPLACE TEMP TABLE t AS {sql}", {"path": str(path)})
        times[source] = time.perf_counter() - start
    con.close()
    return times


def ingest_all(module, landing: Path, warehouse: Path, contracts) -> dict[str, float]:
    con = duckdb.connect(str(warehouse))
    con.execute("SET TimeZone = 'UTC'")
    times = {}
    for name, contract in contracts.items():
        start = time.perf_counter()
        module.ingest_source(con, landing, contract, b"bench")
        times[name] = time.perf_counter() - start
    con.close()
    return times


def same_raw(before: Path, after: Path, sources) -> list[str]:
    """Sources whose raw tables differ between the two warehouses (ignoring `_loaded_at`)."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{before}' AS a (READ_ONLY); ATTACH '{after}' AS b (READ_ONLY)")
    differ = []
    for source in [*sources, "_ingest_ledger"]:
        excluded = "_loaded_at" if source != "_ingest_ledger" else "loaded_at"
        diff = con.execute(
            f"SELECT count(*) FROM ((SELECT * EXCLUDE ({excluded}) FROM a.raw.{source} EXCEPT ALL "
            f"SELECT * EXCLUDE ({excluded}) FROM b.raw.{source}) UNION ALL (SELECT * EXCLUDE ({excluded}) "
            f"FROM b.raw.{source} EXCEPT ALL SELECT * EXCLUDE ({excluded}) FROM a.raw.{source}))").fetchall()[0][0]
        if diff:
            differ.append(f"{source} ({diff} rows)")
    con.close()
    return differ


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=50)
    parser.add_argument("--contacts-per-day", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--before", default=None, help="git revision of the Python readers (default: merge base "
                                                       "with main)")
    parser.add_argument("--landing", type=Path, default=None)
    args = parser.parse_args()

    from dagster_project.lib import ingest
    from dagster_project.lib.contract import load_contract
    from dagster_project.lib.synth import generate

    revision = args.before or subprocess.run(["git", "merge-base", "HEAD", "main"], cwd=ROOT, check=True,
                                             capture_output=True, text=True).stdout.strip()
    before = previous_ingest(revision)
    contracts = load_contract()
    with tempfile.TemporaryDirectory() as tmp:
        landing = args.landing
        if landing is None:
            landing = Path(tmp) / "landing"
            generate(landing, days=args.days, contacts_per_day=args.contacts_per_day, seed=42, dirty=True,
                     start_date=date(2026, 2, 2), timezone="America/New_York")
        sources = [s for s in contracts if (landing / s).is_dir()]
        runs = defaultdict(list)  # (kind, source) -> seconds
        for repeat in range(args.repeats):
            # the order rotates so that no reader always runs first (warm caches, a neighbour's load)
            kinds = ["python", "native", "floor"][repeat % 3:] + ["python", "native", "floor"][:repeat % 3]
            for kind in kinds:
                if kind == "floor":
                    times = floor(landing, sources)
                else:
                    module = before if kind == "python" else ingest
                    times = ingest_all(module, landing, Path(tmp) / f"{kind}{repeat}.duckdb", contracts)
                for source, seconds in times.items():
                    runs[kind, source].append(seconds)
        differ = same_raw(Path(tmp) / "python0.duckdb", Path(tmp) / "native0.duckdb", sources)
        rows = duckdb.connect(str(Path(tmp) / "native0.duckdb"), read_only=True).execute(
            "SELECT sum(rows_delivered) FROM raw._ingest_ledger WHERE status = 'loaded'").fetchall()[0][0]

    def median(kind, source=None):
        if source is not None:
            return statistics.median(runs[kind, source])
        totals = [sum(runs[kind, s][i] for s in sources) for i in range(args.repeats)]
        return statistics.median(totals)

    print(f"{args.days} days x {args.contacts_per_day:,} contacts/day; {rows:,} raw rows of {len(sources)} sources; "
          f"Python readers from {revision[:10]}; medians of {args.repeats}")
    print(f"{'source':22} {'python s':>9} {'native s':>9} {'floor s':>8} {'py/floor':>9} {'nat/floor':>9} "
          f"{'py/nat':>7}")
    for source in sorted(sources, key=lambda s: -median("python", s)):
        p, n, f = median("python", source), median("native", source), median("floor", source)
        print(f"{source:22} {p:9.2f} {n:9.2f} {f:8.2f} {p / f:9.1f} {n / f:9.1f} {p / n:7.1f}")
    p, n, f = median("python"), median("native"), median("floor")
    print(f"{'all sources':22} {p:9.2f} {n:9.2f} {f:8.2f} {p / f:9.1f} {n / f:9.1f} {p / n:7.1f}")
    print("raw tables and ledger identical (but _loaded_at)" if not differ else f"DIFFERENT: {', '.join(differ)}")


if __name__ == "__main__":
    main()
