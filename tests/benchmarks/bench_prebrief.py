"""Benchmark (not a test): pre-brief journey look-ups against a plain DuckDB query of the same rows.

    uv run python tests/benchmarks/bench_prebrief.py --serving data/demo/callqa_serving.duckdb [--customers 300]

The serving copy must have been published (`make demo`, or `callqa run`). Customers: a seeded random sample of those
with a contact in the journey window (the last 30 days of data). In the same process and run, per customer:
- baseline: one plain DuckDB query of the customer's contacts in the window (`fct_contacts` by customer_key and
  started_at) on an open read-only connection;
- baseline_mart: the same rows from the table the look-up reads (`rpt_journey_contacts` by customer_key), likewise;
- lookup: `lib/prebrief.customer_journey` (what the API answers: contacts + expected csat, pain points, alerts);
- http: `GET /customers/{id}/journey` of a real `callqa serve` on 127.0.0.1 (JSON encoding and the socket included).
Prints median and p95 (ms) of each, and the ratios of the medians to the baseline's; and, to show where a look-up's
time goes, the median of each query `customer_journey` runs (timed around lib/prebrief._rows, by the table it reads).

At 1 M contacts (issue 14's year: `callqa generate --days 365 --contacts-per-day 2750 --seed 7 --file-period day`,
built with tests/benchmarks/bench_full_build.py):
    uv run python tests/benchmarks/bench_prebrief.py --serving data/bench1m/w/callqa_serving.duckdb
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import duckdb


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serving", required=True, type=Path)
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from dagster_project.lib import prebrief
    from dagster_project.lib.prebrief import ServingCopy, customer_journey
    from dagster_project.lib.publish import open_serving

    serving = args.serving.resolve()
    con = open_serving(serving)
    (contacts, data_end) = con.execute("select count(*), max(started_at) from marts.fct_contacts").fetchall()[0]
    has_mart = bool(con.execute("select 1 from information_schema.tables where table_schema = 'marts' "
                                "and table_name = 'rpt_journey_contacts'").fetchall())
    # the window: the mart's; a copy published before it existed (issue 17's first API) had 30 days in lib/prebrief
    since = (con.execute("select max(window_start_at) from marts.rpt_journey_contacts").fetchall()[0][0] if has_mart
             else data_end - timedelta(days=30))
    keys = [k for (k,) in con.execute(
        "select distinct customer_key from marts.fct_contacts where customer_key is not null and started_at > ? "
        "order by 1", [since]).fetchall()]
    sample = random.Random(args.seed).sample(keys, min(args.customers, len(keys)))

    def baseline(key: str) -> int:
        return len(con.execute("select * from marts.fct_contacts where customer_key = ? and started_at > ? "
                               "order by started_at desc", [key, since]).fetchall())

    def baseline_mart(key: str) -> int:
        return len(con.execute("select * from marts.rpt_journey_contacts where customer_key = ? "
                               "order by started_at desc", [key]).fetchall())

    queries: dict[str, list[float]] = {}  # the table a query of customer_journey reads first -> ms per call
    rows = prebrief._rows

    def timed_rows(con, sql, params, columns):
        start = time.perf_counter()
        try:
            return rows(con, sql, params, columns)
        finally:
            table = re.search(r"\bfrom\s+(\S+)", sql, re.IGNORECASE).group(1)
            queries.setdefault(table, []).append((time.perf_counter() - start) * 1000)

    copy = ServingCopy(serving)
    customer_journey(copy, sample[0])  # open the copy once (what the first request after a publish pays)
    port = _free_port()
    env = {**os.environ, "CALLQA_SERVING_WAREHOUSE": str(serving)}
    env.pop("CALLQA_API_TOKEN", None)
    server = subprocess.Popen([str(Path(sys.executable).parent / "callqa"), "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/health", timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        urllib.request.urlopen(f"{base}/customers/{urllib.parse.quote(sample[0], safe='')}/journey").read()

        def http(key: str) -> int:
            return len(urllib.request.urlopen(f"{base}/customers/{urllib.parse.quote(key, safe='')}/journey",
                                              timeout=30).read())

        def lookup(key: str) -> dict | None:
            prebrief._rows = timed_rows  # only the in-process look-up's queries (the server is another process)
            try:
                return customer_journey(copy, key)
            finally:
                prebrief._rows = rows

        queries.clear()
        timings: dict[str, list[float]] = {"baseline": [], "baseline_mart": [], "lookup": [], "http": []}
        if not has_mart:
            del timings["baseline_mart"]
        for key in sample:  # interleaved, so that load on the shared machine hits all three alike
            for name, call in (("baseline", baseline), ("baseline_mart", baseline_mart), ("lookup", lookup),
                               ("http", http)):
                if name not in timings:
                    continue
                start = time.perf_counter()
                call(key)
                timings[name].append((time.perf_counter() - start) * 1000)
    finally:
        server.terminate()
        server.wait(timeout=20)
        con.close()
        copy.close()
    print(f"serving copy {serving}: {contacts:,} contacts, {len(keys):,} customers in the window (since {since}); "
          f"{len(sample)} sampled")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
          f"python {platform.python_version()}, duckdb {duckdb.__version__}")
    med_base = statistics.median(timings["baseline"])
    for name, values in timings.items():
        median = statistics.median(values)
        print(f"{name:13s} median {median:7.2f} ms   p95 {_p95(values):7.2f} ms   median / baseline {median / med_base:5.1f}x")
    for table, values in queries.items():
        print(f"  lookup query on {table}: median {statistics.median(values):7.2f} ms   p95 {_p95(values):7.2f} ms")


if __name__ == "__main__":
    main()
