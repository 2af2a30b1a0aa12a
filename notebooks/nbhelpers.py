"""Shared by the notebooks: the published warehouse (read-only) and a few small helpers.

Notebooks read the serving copy (CALLQA_SERVING_WAREHOUSE, published after every successful run), never the
working warehouse the pipeline writes, so a notebook never blocks a run and never sees a half-built state. Before
the first publication they fall back to the working warehouse, read-only."""
from __future__ import annotations

import duckdb
import pandas as pd

from dagster_project.lib.qa_stats import wilson_interval
from dagster_project.settings import Settings


def connect() -> tuple[duckdb.DuckDBPyConnection, str]:
    settings = Settings.from_env()
    path = settings.serving_warehouse if settings.serving_warehouse.exists() else settings.warehouse
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `make demo` (or `callqa run`) first")
    if path == settings.serving_warehouse:
        from dagster_project.lib.publish import open_serving

        return open_serving(path), str(path)  # the version published now, even in a long-lived kernel
    return duckdb.connect(str(path), read_only=True), str(path)


def table_exists(con, schema: str, table: str) -> bool:
    return con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, table]
    ).fetchall()[0][0] > 0


def query(con, sql: str, *params) -> pd.DataFrame:
    return con.execute(sql, list(params)).df()


def wilson(successes, trials, z: float = 1.96):
    """95 % Wilson interval of a proportion (arrays welcome); NaN where there are no trials."""
    return wilson_interval(successes, trials, z)
