"""Shared by the dashboard's data loaders (src/data/*.json.py): open the serving copy read-only and print JSON.

The serving copy is the one given by CALLQA_SERVING_WAREHOUSE (`make bi` sets it; default the demo's). Every rate
a loader prints is recomputed here from summed numerators and denominators, never averaged from the marts' rates.
A table missing from the serving copy (not built yet) makes the loader print {"status": "not built", ...} so the
page shows a note instead of failing the build."""
import json
import os
import sys
from pathlib import Path

import duckdb


def connect() -> duckdb.DuckDBPyConnection:
    path = os.environ.get("CALLQA_SERVING_WAREHOUSE")
    if not path:
        sys.exit("CALLQA_SERVING_WAREHOUSE is not set: the path of the serving copy (callqa_serving.duckdb)")
    if not Path(path).is_file():
        sys.exit(f"no serving copy at {path}: run 'make demo' first (or set CALLQA_SERVING_WAREHOUSE)")
    return duckdb.connect(path, read_only=True)


def missing_tables(con, *tables: str) -> list[str]:
    present = {
        f"{schema}.{name}"
        for schema, name in con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    }
    return [table for table in tables if table not in present]


def rows(con, sql: str, params=None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def ratio(numerator, denominator):
    """numerator / denominator, None when the denominator is 0 or missing (a rate with no base is not 0)."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def version(con) -> str | None:
    return published(con)["version"]


def published(con) -> dict:
    """The serving copy's version and when it was published (its callqa_published table): the dashboard's
    "last refreshed" time. None for both in a copy without that table."""
    if missing_tables(con, "main.callqa_published"):
        return {"version": None, "published_at": None}
    (found,) = con.execute("""
        select version, strftime(published_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%SZ')
        from main.callqa_published order by published_at desc, version desc limit 1""").fetchall()
    return {"version": found[0], "published_at": found[1]}


def meta(con) -> dict:
    """What every page shows beside its numbers: the published version and time, the seeds' targets (target and
    direction of every row of reference.metric_targets that is a target, not a parameter) and the seeds' queue
    names (the human label of a queue code)."""
    targets, queue_names = {}, {}
    if not missing_tables(con, "reference.metric_targets"):
        for metric, target, direction in con.execute("""
                select metric, target, direction from reference.metric_targets
                where direction in ('higher_is_better', 'lower_is_better', 'tolerance')""").fetchall():
            targets[metric] = {"target": target, "direction": direction}
    if not missing_tables(con, "reference.queues"):
        queue_names = dict(con.execute("select queue, queue_name from reference.queues").fetchall())
    return {**published(con), "targets": targets, "queue_names": queue_names}


def emit(payload: dict) -> None:
    json.dump(payload, sys.stdout, default=str)


def run(tables: tuple[str, ...], build) -> None:
    """Print build(con) with status 'ok', or the 'not built' marker when one of `tables` is missing."""
    con = connect()
    try:
        absent = missing_tables(con, *tables)
        if absent:
            emit({"status": "not built", "missing": absent, **meta(con)})
            return
        payload = build(con)
        emit({"status": "ok", **meta(con), **payload})
    finally:
        con.close()
