"""Opening the DuckDB warehouse with the limits that keep it inside the machine."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import duckdb

from dagster_project.settings import Settings


def connect(settings: Settings | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    settings = settings or Settings.from_env()
    if not read_only:
        settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
        settings.duckdb_temp_dir.mkdir(parents=True, exist_ok=True)
    config = {
        "memory_limit": settings.duckdb_memory_limit,
        "threads": settings.duckdb_threads,
        "temp_directory": str(settings.duckdb_temp_dir),
    }
    con = duckdb.connect(str(settings.warehouse), read_only=read_only, config=config)
    # Instants are shown in UTC; local calendar fields are derived explicitly in CALLQA_TIMEZONE.
    # (Set after connecting: the built-in ICU extension is not loaded yet while the config is applied.)
    con.execute("SET TimeZone = 'UTC'")
    return con


@contextmanager
def warehouse_connection(settings: Settings | None = None, read_only: bool = False):
    con = connect(settings, read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    rows = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema, name],
    ).fetchall()
    return rows[0][0] > 0


def warehouse_path(settings: Settings | None = None) -> Path:
    return (settings or Settings.from_env()).warehouse
