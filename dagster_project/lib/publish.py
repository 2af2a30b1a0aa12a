"""Publishing: the serving copy and Parquet exports that every reader uses instead of the warehouse.

DuckDB allows one writer process, and a reader of the working warehouse would either block the pipeline or
see a half-built state. So after a successful run the public tables are copied into a new DuckDB file beside
the serving copy, checkpointed, and renamed over it (`os.replace`, atomic on one file system). A reader that
holds the old file open keeps reading the old version (its file descriptor still points at the old inode);
the next reader to open the path gets the new one. Nothing is ever half-written under the published name.

Parquet exports are written into a new version directory, and the `current` symlink is swapped atomically
to it; the previous version stays on disk for readers still inside it, older ones are removed.

Every version carries a `callqa_published` table (and `_published.json` beside the Parquet files): the run,
the time, and each table's row count, so a reader can verify that what it sees is complete.
"""
from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from dagster_project.lib.sql import quote_identifier, quote_literal

# Schemas readers get: the public marts, the statistical analysis tables and the reference seeds (targets,
# QA form, ...). Staging, audit and intermediate stay in the working warehouse.
PUBLISHED_SCHEMAS = ("marts", "analysis", "reference")
# Parquet exports: the public marts and analysis tables (reference data is in the repository already).
EXPORTED_SCHEMAS = ("marts", "analysis")
MANIFEST_TABLE = "callqa_published"
# The serving copy is written in a storage format DuckDB 1.2 and later can read (the working warehouse uses
# DuckDB 2.0's default, which 1.x clients - the 1.x CLI, DBeaver's JDBC driver, Node's @duckdb/node-api -
# refuse). The published tables use plain types only (text, numbers, booleans, dates, timestamps).
SERVING_STORAGE_VERSION = "v1.2.0"
CURRENT_LINK = "current"
_ATTACH_ALIAS = "callqa_serving_new"


@dataclass
class PublishResult:
    serving_warehouse: Path
    export_dir: Path
    version: str
    tables: dict[str, int] = field(default_factory=dict)  # "schema.table" -> rows

    @property
    def total_rows(self) -> int:
        return sum(self.tables.values())


def published_tables(con: duckdb.DuckDBPyConnection, schemas=PUBLISHED_SCHEMAS) -> list[tuple[str, str]]:
    """(schema, table) of every table and view of the published schemas in the working warehouse's own
    catalog, in a stable order."""
    placeholders = ", ".join("?" for _ in schemas)
    rows = con.execute(
        f"""select table_schema, table_name from information_schema.tables
            where table_catalog = current_database() and table_schema in ({placeholders})
            order by table_schema, table_name""",
        list(schemas),
    ).fetchall()
    return [(s, t) for s, t in rows]


def publish(
    con: duckdb.DuckDBPyConnection,
    serving_warehouse: Path,
    export_dir: Path,
    run_id: str | None = None,
    keep_export_versions: int = 2,
) -> PublishResult:
    """Copy the published schemas from the warehouse behind `con` (read-write) into a new serving file and
    swap it in; then export the public tables to Parquet and swap the `current` link. Raises (leaving the last
    good copy in place) when anything fails."""
    serving_warehouse = Path(serving_warehouse)
    export_dir = Path(export_dir)
    serving_warehouse.parent.mkdir(parents=True, exist_ok=True)
    published_at = datetime.now(timezone.utc)
    version = published_at.strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:8]
    tables = published_tables(con)
    if not any(schema == "marts" for schema, _ in tables):
        raise RuntimeError("callqa publish: the warehouse has no marts; nothing to publish (run dbt first)")

    remove_leftovers(serving_warehouse, export_dir)
    result = PublishResult(serving_warehouse, export_dir, version)
    staging_file = serving_warehouse.with_name(f".{serving_warehouse.name}.{version}.tmp")
    try:
        con.execute(
            f"ATTACH {quote_literal(str(staging_file))} AS {_ATTACH_ALIAS} "
            f"(STORAGE_VERSION {quote_literal(SERVING_STORAGE_VERSION)})"
        )
        try:
            for schema in sorted({s for s, _ in tables}):
                con.execute(f"CREATE SCHEMA {_ATTACH_ALIAS}.{quote_identifier(schema)}")
            for schema, table in tables:
                target = f"{_ATTACH_ALIAS}.{quote_identifier(schema)}.{quote_identifier(table)}"
                con.execute(
                    f"CREATE TABLE {target} AS SELECT * FROM {quote_identifier(schema)}.{quote_identifier(table)}")
                (rows,) = con.execute(f"SELECT count(*) FROM {target}").fetchall()[0]
                result.tables[f"{schema}.{table}"] = rows
            con.execute(
                f"""CREATE TABLE {_ATTACH_ALIAS}.main.{MANIFEST_TABLE} (
                        version VARCHAR, run_id VARCHAR, published_at TIMESTAMPTZ,
                        table_schema VARCHAR, table_name VARCHAR, row_count BIGINT)"""
            )
            con.executemany(
                f"INSERT INTO {_ATTACH_ALIAS}.main.{MANIFEST_TABLE} VALUES (?, ?, ?, ?, ?, ?)",
                [
                    [version, run_id, published_at, *name.split(".", 1), rows]
                    for name, rows in result.tables.items()
                ],
            )
            con.execute(f"CHECKPOINT {_ATTACH_ALIAS}")
        finally:
            con.execute(f"DETACH DATABASE IF EXISTS {_ATTACH_ALIAS}")
        wal = staging_file.with_name(staging_file.name + ".wal")
        if wal.exists():  # a checkpointed, detached file has no write-ahead log; never publish half of one
            raise RuntimeError(f"callqa publish: {wal} left behind after checkpoint; not publishing")
        os.replace(staging_file, serving_warehouse)
    except BaseException:
        for leftover in (staging_file, staging_file.with_name(staging_file.name + ".wal")):
            leftover.unlink(missing_ok=True)
        raise

    _export_parquet(con, result, run_id, published_at, keep_export_versions)
    return result


def remove_leftovers(serving_warehouse: Path, export_dir: Path) -> list[Path]:
    """What a publish killed half-way leaves (issue 15.11), removed by the next one: the serving copy being built
    (`.<name>.<version>.tmp` and its `.wal`), a `current` link being swapped (`.current.<version>.tmp`) and a Parquet
    version directory without its `_published.json` (written last) that `current` does not point to. Only one
    publish runs at a time (the single-writer pool and the warehouse lock), so none of these is in use."""
    removed = []
    if serving_warehouse.parent.is_dir():
        for leftover in serving_warehouse.parent.glob(f".{serving_warehouse.name}.*.tmp*"):
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    if export_dir.is_dir():
        current = (export_dir / CURRENT_LINK).resolve() if (export_dir / CURRENT_LINK).is_symlink() else None
        for leftover in export_dir.glob(f".{CURRENT_LINK}.*.tmp"):
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
        for version_dir in export_dir.iterdir():
            if (version_dir.is_dir() and not version_dir.is_symlink() and not version_dir.name.startswith(".")
                    and not (version_dir / "_published.json").exists() and version_dir.resolve() != current):
                shutil.rmtree(version_dir, ignore_errors=True)
                removed.append(version_dir)
    return removed


def _export_parquet(con, result: PublishResult, run_id, published_at, keep_versions: int) -> None:
    export_dir = result.export_dir
    export_dir.mkdir(parents=True, exist_ok=True)
    version_dir = export_dir / result.version
    exported = {}
    try:
        for name, rows in result.tables.items():
            schema, table = name.split(".", 1)
            if schema not in EXPORTED_SCHEMAS:
                continue
            (version_dir / schema).mkdir(parents=True, exist_ok=True)
            path = version_dir / schema / f"{table}.parquet"
            con.execute(
                f"COPY (SELECT * FROM {quote_identifier(schema)}.{quote_identifier(table)}) "
                f"TO {quote_literal(str(path))} "
                "(FORMAT parquet, COMPRESSION zstd)"
            )
            exported[name] = {"file": f"{schema}/{table}.parquet", "rows": rows}
        (version_dir / "_published.json").write_text(
            json.dumps(
                {"version": result.version, "run_id": run_id, "published_at": published_at.isoformat(),
                 "tables": exported},
                indent=2,
            ),
            encoding="utf-8",
        )
        # Swap `current` to the new version: a new symlink renamed over the old one is atomic.
        link_tmp = export_dir / f".{CURRENT_LINK}.{result.version}.tmp"
        link_tmp.symlink_to(result.version, target_is_directory=True)
        os.replace(link_tmp, export_dir / CURRENT_LINK)
    except BaseException:
        shutil.rmtree(version_dir, ignore_errors=True)
        raise
    # Keep the newest versions (a reader may still be inside the previous one); remove the rest.
    versions = sorted(p for p in export_dir.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))
    for old in versions[:-keep_versions] if keep_versions > 0 else []:
        if old.name != result.version:
            shutil.rmtree(old, ignore_errors=True)


def open_serving(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the serving copy as it is now. DuckDB keeps one database instance per file path
    and process: while any connection of a long-lived process (a notebook kernel, the API) holds the copy open,
    `duckdb.connect(path)` returns that instance - the version it first opened, not the one published since
    (issue 15.11). Attaching the file to a fresh in-memory connection opens the current file each time."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {quote_literal(str(path))} AS serving (READ_ONLY)")
        con.execute("USE serving")
    except BaseException:
        con.close()
        raise
    return con


def read_manifest(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts recorded in a serving copy at publication ("schema.table" -> rows)."""
    rows = con.execute(f"SELECT table_schema, table_name, row_count FROM main.{MANIFEST_TABLE}").fetchall()
    return {f"{s}.{t}": n for s, t, n in rows}


def verify_serving_copy(path: Path) -> tuple[str, dict[str, int]]:
    """Open a serving copy read-only and check every table against its publication manifest; returns
    (version, counts). Raises AssertionError on any difference (used by tests and `callqa status`)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        manifest = read_manifest(con)
        (version,) = con.execute(f"SELECT min(version) FROM main.{MANIFEST_TABLE}").fetchall()[0]
        for name, expected in manifest.items():
            schema, table = name.split(".", 1)
            (actual,) = con.execute(
                f"SELECT count(*) FROM {quote_identifier(schema)}.{quote_identifier(table)}").fetchall()[0]
            if actual != expected:
                raise AssertionError(f"{path}: {name} has {actual} rows, its manifest says {expected}")
        return version, manifest
    finally:
        con.close()
