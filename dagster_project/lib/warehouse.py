"""Opening the DuckDB warehouse with the limits that keep it inside the machine."""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.lib.sql import quote_literal
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


def raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables of the raw layer (schema raw of this warehouse), by name: what the other engines' copies of it
    carry (lib/postgres_raw.py, lib/spark_raw.py)."""
    return [t for (t,) in con.execute(
        "select table_name from information_schema.tables where table_schema = 'raw' and table_type = 'BASE TABLE' "
        "and table_catalog = current_database() order by table_name").fetchall()]


def warehouse_path(settings: Settings | None = None) -> Path:
    return (settings or Settings.from_env()).warehouse


# ---------------------------------------------------------------- what the warehouse was built with

# raw._callqa_settings: key, value, recorded_at. In raw (beside the ingest ledger) because it describes how the
# raw text is read (naive timestamps are local time in the zone) and travels with it: `callqa load-postgres`
# copies every raw table, so the PostgreSQL copy carries the same record.
SETTINGS_TABLE = "_callqa_settings"
TIMEZONE_KEY = "timezone"
# Every schema a run builds from raw (dbt layers, seeds, the analysis step); a rebuild drops them.
KEPT_SCHEMAS = ("raw", "main", "information_schema", "pg_catalog")


class TimezoneMismatch(RuntimeError):
    """A run asked for another zone than the warehouse was built with (the message is one line, for the user)."""


def recorded_settings(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    if not table_exists(con, "raw", SETTINGS_TABLE):
        return {}
    return dict(con.execute(f"SELECT key, value FROM raw.{SETTINGS_TABLE}").fetchall())


def record_setting(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS raw.{SETTINGS_TABLE} "
        "(key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL, recorded_at TIMESTAMPTZ NOT NULL)"
    )
    con.execute(
        f"INSERT OR REPLACE INTO raw.{SETTINGS_TABLE} VALUES (?, ?, current_timestamp)", [key, value]
    )


def recorded_timezone(settings: Settings | None = None) -> str | None:
    """The zone the warehouse recorded on its first run (None: no warehouse, or built before zones were recorded)."""
    settings = settings or Settings.from_env()
    if not settings.warehouse.exists():
        return None
    with warehouse_connection(settings, read_only=True) as con:
        return recorded_settings(con).get(TIMEZONE_KEY)


def drop_derived_schemas(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Drop every schema built from raw (what a run rebuilds in full); raw and its ledger stay. Returns them."""
    schemas = [s for (s,) in con.execute(
        "SELECT schema_name FROM information_schema.schemata WHERE catalog_name = current_database() "
        "ORDER BY schema_name").fetchall() if s not in KEPT_SCHEMAS]
    for schema in schemas:
        con.execute(f'DROP SCHEMA "{schema}" CASCADE')
    return schemas


def settle_timezone(settings: Settings, rebuild: bool = False) -> Settings:
    """The settings a run must use, with the warehouse's zone recorded; refuses a zone that differs from it.

    - no zone recorded yet (a new warehouse, or one built before zones were recorded): the run's zone is recorded;
    - CALLQA_TIMEZONE not set: the recorded zone (not UTC: that silently shifted every local date and hour);
    - the same zone: as is;
    - another zone: TimezoneMismatch, unless `rebuild`: the new zone is recorded and every schema built from raw
      is dropped, so the run rebuilds them all (incremental models included) in the new zone.
    """
    from dataclasses import replace

    with warehouse_connection(settings) as con:
        recorded = recorded_settings(con).get(TIMEZONE_KEY)
        if recorded is None or (rebuild and settings.timezone_explicit and settings.timezone != recorded):
            if recorded is not None:
                drop_derived_schemas(con)
            record_setting(con, TIMEZONE_KEY, settings.timezone)
            return settings
    if not settings.timezone_explicit:
        return replace(settings, timezone=recorded, timezone_explicit=True)
    if settings.timezone != recorded:
        raise TimezoneMismatch(
            f"{settings.warehouse} was built with CALLQA_TIMEZONE={recorded}, this run has {settings.timezone}: "
            f"run with CALLQA_TIMEZONE={recorded} (or unset), or `callqa run --rebuild` to rebuild it in "
            f"{settings.timezone}, or use another --warehouse"
        )
    return settings


PII_KEY_FINGERPRINT = "pii_key_fingerprint"


class PiiKeyMismatch(RuntimeError):
    """A run's PII key is not the one the warehouse was built with (the message is one line, for the user)."""


def settle_pii_key(settings: Settings) -> bytes:
    """The key this run hashes phone numbers with (lib/pii.resolve_key: CALLQA_PII_KEY, else the warehouse's own
    generated key file), its fingerprint recorded on the first run; a run with another key is refused."""
    from dagster_project.lib.pii import key_fingerprint, resolve_key

    key, where, _ = resolve_key(settings.warehouse)
    fingerprint = key_fingerprint(key)
    with warehouse_connection(settings) as con:
        recorded = recorded_settings(con).get(PII_KEY_FINGERPRINT)
        if recorded is None:
            record_setting(con, PII_KEY_FINGERPRINT, fingerprint)
        elif recorded != fingerprint:
            raise PiiKeyMismatch(
                f"{settings.warehouse} was built with another PII key than this run's ({where}): caller hashes would "
                f"no longer join the earlier ones; use the warehouse's key (CALLQA_PII_KEY, or unset it to use "
                f"{settings.warehouse.parent}/callqa_pii.key), or another --warehouse"
            )
    return key


# ---------------------------------------------------------------- keeping the file the size of its data

# DuckDB never gives disk space back: blocks freed by a dropped or replaced table (dbt rebuilds every full table on
# each run, through a temporary table renamed over the old one) become free blocks of the file, reused by later
# writes but never returned. After a build the warehouse is checkpointed (so the freed blocks are counted and
# reusable) and, when free blocks are more than this share of the file, copied into a fresh file that replaces it.
COMPACT_FREE_SHARE = 0.5


@dataclass(frozen=True)
class StorageUse:
    """`pragma database_size` of the warehouse: its blocks, the free ones among them, and the file's bytes."""

    total_blocks: int
    free_blocks: int
    file_bytes: int

    @property
    def free_share(self) -> float:
        return self.free_blocks / self.total_blocks if self.total_blocks else 0.0


def storage_use(con: duckdb.DuckDBPyConnection, path: Path) -> StorageUse:
    row = con.execute(
        "SELECT total_blocks, free_blocks FROM pragma_database_size() WHERE database_name = current_database()"
    ).fetchall()[0]
    return StorageUse(int(row[0]), int(row[1]), Path(path).stat().st_size)


def checkpoint_and_compact(settings: Settings, max_free_share: float = COMPACT_FREE_SHARE) -> tuple[StorageUse, StorageUse | None]:
    """CHECKPOINT the warehouse; when its free blocks exceed `max_free_share`, copy every schema, table, view,
    sequence and macro into a new file beside it (COPY FROM DATABASE), checkpoint that, and rename it over the
    warehouse (atomic; the caller holds the warehouse: no other connection may be open). Returns the use before
    and after the compaction (None when none was needed)."""
    path = settings.warehouse
    fresh = path.with_name(path.name + ".compacting")
    fresh.unlink(missing_ok=True)
    with warehouse_connection(settings) as con:
        con.execute("FORCE CHECKPOINT")
        before = storage_use(con, path)
        if before.free_share <= max_free_share:
            return before, None
        source = con.execute("SELECT current_database()").fetchall()[0][0]
        con.execute(f"ATTACH {quote_literal(str(fresh))} AS callqa_compacted")
        try:
            con.execute(f'COPY FROM DATABASE "{source}" TO callqa_compacted')
            con.execute("CHECKPOINT callqa_compacted")
        finally:
            con.execute("DETACH callqa_compacted")
    os.replace(fresh, path)
    with warehouse_connection(settings, read_only=True) as con:
        return before, storage_use(con, path)
