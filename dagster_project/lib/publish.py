"""Publishing: the serving copy and Parquet exports that every reader uses instead of the warehouse.

DuckDB allows one writer process, and a reader of the working warehouse would either block the pipeline or
see a half-built state. So after a successful run the public tables are written into a new DuckDB file beside
the serving copy, checkpointed, and renamed over it (`os.replace`, atomic on one file system). A reader that
holds the old file open keeps reading the old version (its file descriptor still points at the old inode);
the next reader to open the path gets the new one. Nothing is ever half-written under the published name.

The new file starts as a byte copy of the current serving copy (a new file, a new inode: the published one is
never written) when that is a serving copy of this storage version with its manifest, not much larger than when it
was last written from scratch, and is then brought level with the warehouse table by table, so that the cost
follows what changed, not the history. A table whose columns (names and types, in order) are the same is compared
by a hash of each whole row (`hash(struct_pack(*COLUMNS(*)))`, counted per hash: a multiset, duplicate rows
included) and is kept when nothing differs, patched (the copy's surplus rows deleted, the warehouse's missing rows
inserted) when a few rows differ, and replaced whole (CREATE TABLE AS SELECT) when more than
`PATCH_MAX_CHANGED_SHARE` of its rows differ, when its columns changed, when it is new, or when its row order
matters to readers (`ORDERED_TABLES`: written in customer order for the pre-brief's look-ups; a patch would append
rows out of order). Tables no longer published are dropped. Without a usable previous copy (none, another storage
version, no manifest, a file that does not open, or a copy grown by more than `REBUILD_GROWTH` since it was last
written from scratch: deleted rows keep their place, inserted rows fill new blocks) every table is written from
scratch. Either way the copy holds the warehouse's tables (as multisets of rows: two different rows share a 64-bit
hash with a probability of about 2^-64 per changed row; -0.0 and 0.0, equal in DuckDB, hash alike) and a fresh
manifest; `PublishResult.changes` says per table what was done.

Parquet exports are written into a new version directory, and the `current` symlink is swapped atomically
to it; the previous version stays on disk for readers still inside it, older ones are removed.

Every version carries a `callqa_published` table (and `_published.json` beside the Parquet files): the run,
the time, and each table's row count, so a reader can verify that what it sees is complete.
"""
from __future__ import annotations

import json
import os
import re
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
# Tables whose physical row order readers rely on (DuckDB's zone maps skip every row group but a customer's): a
# patch would append its rows at the end, so these are always written whole, in the model's order.
ORDERED_TABLES = frozenset({"marts.rpt_journey_contacts", "marts.fct_contact_pain_points"})
# A table with more than this share of its rows changed is written whole (a patch then costs about as much).
PATCH_MAX_CHANGED_SHARE = 0.2
# A patched copy grows: deleted rows keep their place in their blocks, inserted rows fill new ones, and blocks freed
# by replaced tables are reused but never given back. A previous copy with more blocks than (1 + this) times the
# blocks it had when it was last written from scratch (kept as the manifest table's comment) is not patched again:
# the new copy is written from scratch.
REBUILD_GROWTH = 0.25
_BASE_BLOCKS_COMMENT = "callqa serving copy: {} blocks when last written from scratch"
# One hash over all the columns of a row (NULL-safe: a NULL field hashes unlike any value; NaN hashes alike).
_ROW_HASH = "hash(struct_pack(*COLUMNS(*)))"
# Temporary tables (the connection's in-memory temp catalog) of one table's comparison: the warehouse's row hashes,
# the copy's (rowid, row hash), and the hashes whose counts differ.
_SOURCE_HASHES, _TARGET_HASHES, _DIFF_TABLE = "callqa_publish_source", "callqa_publish_target", "callqa_publish_diff"


@dataclass(frozen=True)
class TableChange:
    """What a publish did to one table of the serving copy: `kept` (the previous copy's rows, unchanged),
    `patched` (`deleted` rows removed, `inserted` rows added), `replaced` (written whole, `reason` says why) or
    `dropped` (no longer published)."""

    action: str
    deleted: int = 0
    inserted: int = 0
    reason: str = ""

    def __str__(self) -> str:
        if self.action == "patched":
            return f"patched (-{self.deleted:,} +{self.inserted:,})"
        return f"{self.action} ({self.reason})" if self.reason else self.action


@dataclass
class PublishResult:
    serving_warehouse: Path
    export_dir: Path
    version: str
    tables: dict[str, int] = field(default_factory=dict)  # "schema.table" -> rows
    # How the serving copy was built: "previous copy" (patched table by table) or "from scratch: <why>".
    built_from: str = ""
    changes: dict[str, TableChange] = field(default_factory=dict)  # "schema.table" -> what was done

    @property
    def total_rows(self) -> int:
        return sum(self.tables.values())

    def summary(self) -> str:
        """One line: how the copy was built and how many tables were kept, patched, replaced and dropped."""
        counts: dict[str, int] = {}
        for change in self.changes.values():
            counts[change.action] = counts.get(change.action, 0) + 1
        patched = [c for c in self.changes.values() if c.action == "patched"]
        parts = [f"{counts.get(a, 0)} {a}" for a in ("kept", "patched", "replaced", "dropped") if counts.get(a)]
        rows = (f" (-{sum(c.deleted for c in patched):,} +{sum(c.inserted for c in patched):,} rows)"
                if patched else "")
        source = "from the previous copy" if self.built_from == "previous copy" else self.built_from
        return f"{source}: " + ", ".join(parts) + rows


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
    """Bring a new serving file level with the published schemas of the warehouse behind `con` (read-write):
    a copy of the previous serving copy patched where the tables changed, or written from scratch; swap it in;
    then export the public tables to Parquet and swap the `current` link. Raises (leaving the last good copy in
    place) when anything fails."""
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
    wal = staging_file.with_name(staging_file.name + ".wal")
    try:
        result.built_from, base_blocks = _attach_staging_copy(con, serving_warehouse, staging_file)
        try:
            _write_tables(con, tables, result, from_scratch=result.built_from != "previous copy")
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
            if base_blocks is None:  # written from scratch: its size is what later patched copies are measured by
                con.execute(f"CHECKPOINT {_ATTACH_ALIAS}")
                (base_blocks,) = con.execute(
                    "SELECT total_blocks FROM pragma_database_size() WHERE database_name = ?", [_ATTACH_ALIAS]
                ).fetchall()[0]
            con.execute(f"COMMENT ON TABLE {_ATTACH_ALIAS}.main.{MANIFEST_TABLE} IS "
                        f"{quote_literal(_BASE_BLOCKS_COMMENT.format(base_blocks))}")
            con.execute(f"CHECKPOINT {_ATTACH_ALIAS}")
        finally:
            _drop_temp_tables(con)
            con.execute(f"DETACH DATABASE IF EXISTS {_ATTACH_ALIAS}")
        if wal.exists():  # a checkpointed, detached file has no write-ahead log; never publish half of one
            raise RuntimeError(f"callqa publish: {wal} left behind after checkpoint; not publishing")
        os.replace(staging_file, serving_warehouse)
    except BaseException:
        for leftover in (staging_file, wal):
            leftover.unlink(missing_ok=True)
        raise

    _export_parquet(con, result, run_id, published_at, keep_export_versions)
    return result


def _attach_staging_copy(con, serving_warehouse: Path, staging_file: Path) -> tuple[str, int | None]:
    """Attach the new serving file as `_ATTACH_ALIAS`: a byte copy of the current serving copy when it can be
    patched, else a new empty file of `SERVING_STORAGE_VERSION`. Returns ("previous copy", the blocks it had when
    last written from scratch) or ("from scratch: <why>", None)."""
    why, base_blocks = _copy_previous(con, serving_warehouse, staging_file)
    if why is None:
        return "previous copy", base_blocks
    for leftover in (staging_file, staging_file.with_name(staging_file.name + ".wal")):
        leftover.unlink(missing_ok=True)
    con.execute(
        f"ATTACH {quote_literal(str(staging_file))} AS {_ATTACH_ALIAS} "
        f"(STORAGE_VERSION {quote_literal(SERVING_STORAGE_VERSION)})"
    )
    return f"from scratch: {why}", None


def _copy_previous(con, serving_warehouse: Path, staging_file: Path) -> tuple[str | None, int | None]:
    """Copy the serving copy to `staging_file` and attach it. Returns (None, its blocks when last written from
    scratch) when that worked and the copy can be patched, else (why not, None), the copy detached."""
    if not serving_warehouse.is_file():
        return "no previous copy", None
    shutil.copyfile(serving_warehouse, staging_file)
    try:
        con.execute(f"ATTACH {quote_literal(str(staging_file))} AS {_ATTACH_ALIAS}")
    except duckdb.Error as error:
        return f"the previous copy does not open ({str(error).splitlines()[0][:200]})", None
    try:
        why, base_blocks = _why_not_patchable(con)
    except BaseException:
        con.execute(f"DETACH DATABASE IF EXISTS {_ATTACH_ALIAS}")
        raise
    if why is not None:
        con.execute(f"DETACH DATABASE {_ATTACH_ALIAS}")
    return why, base_blocks


def _why_not_patchable(con) -> tuple[str | None, int | None]:
    (storage_version,) = con.execute(
        "SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = ?", [_ATTACH_ALIAS]
    ).fetchall()[0]
    if (storage_version or "").rstrip("+") != SERVING_STORAGE_VERSION:
        return f"the previous copy has storage version {storage_version}, not {SERVING_STORAGE_VERSION}", None
    manifest = con.execute(
        """SELECT comment FROM duckdb_tables()
           WHERE database_name = ? AND schema_name = 'main' AND table_name = ?""",
        [_ATTACH_ALIAS, MANIFEST_TABLE],
    ).fetchall()
    if not manifest:
        return "the previous copy has no manifest", None
    base = re.fullmatch(_BASE_BLOCKS_COMMENT.format(r"(\d+)"), manifest[0][0] or "")
    if not base:
        return "the previous copy does not say its size when written from scratch", None
    base_blocks = int(base.group(1))
    (total,) = con.execute(
        "SELECT total_blocks FROM pragma_database_size() WHERE database_name = ?", [_ATTACH_ALIAS]
    ).fetchall()[0]
    if total > (1 + REBUILD_GROWTH) * base_blocks:
        return (f"the previous copy has grown to {total:,} blocks from {base_blocks:,} when written from scratch",
                None)
    return None, base_blocks


def _columns(con, catalog: str) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(schema, table) -> [(column, type)] in order, for every table and view of a catalog."""
    rows = con.execute(
        """SELECT schema_name, table_name, list([column_name, data_type] ORDER BY column_index)
           FROM duckdb_columns() WHERE database_name = ? GROUP BY schema_name, table_name""",
        [catalog],
    ).fetchall()
    return {(schema, table): [tuple(c) for c in columns] for schema, table, columns in rows}


def _drop_temp_tables(con) -> None:
    for name in (_SOURCE_HASHES, _TARGET_HASHES, _DIFF_TABLE):
        con.execute(f"DROP TABLE IF EXISTS temp.main.{name}")


def _write_tables(con, tables: list[tuple[str, str]], result: PublishResult, from_scratch: bool) -> None:
    """Make every published table of the attached copy equal to the warehouse's, recording each one's row count
    and change in `result`. First the patches and what shrinks the copy (tables dropped or to be written whole, the
    manifest), then a checkpoint (so that the blocks they freed are reused), then the tables written whole."""
    source_db = con.execute("SELECT current_database()").fetchall()[0][0]
    previous = set() if from_scratch else {
        (s, t) for s, t in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ?", [_ATTACH_ALIAS]).fetchall()
    }
    to_write: list[tuple[str, str, str]] = []  # (schema, table, why)
    if previous:
        source_columns, target_columns = _columns(con, source_db), _columns(con, _ATTACH_ALIAS)
    for schema, table in tables:
        name = f"{schema}.{table}"
        source = f"{quote_identifier(schema)}.{quote_identifier(table)}"
        target = f"{_ATTACH_ALIAS}.{source}"
        if from_scratch:
            to_write.append((schema, table, "from scratch"))
        elif (schema, table) not in previous:
            to_write.append((schema, table, "new table"))
        elif name in ORDERED_TABLES:
            to_write.append((schema, table, "row order kept"))
        elif source_columns.get((schema, table)) != target_columns.get((schema, table)):
            to_write.append((schema, table, "columns changed"))
        else:
            deleted, inserted, rows = _diff(con, source, target)
            if deleted == inserted == 0:
                result.changes[name] = TableChange("kept")
            elif deleted + inserted > PATCH_MAX_CHANGED_SHARE * max(rows, 1):
                to_write.append((schema, table, f"{deleted + inserted:,} of {rows:,} rows changed"))
            else:
                _delete_surplus(con, target)
                _insert_missing(con, source, target, {c.lower() for c, _ in source_columns[(schema, table)]})
                result.changes[name] = TableChange("patched", deleted=deleted, inserted=inserted)
            _drop_temp_tables(con)
    published = set(tables)
    for schema, table in sorted(previous):
        if schema == "main" and table == MANIFEST_TABLE:
            con.execute(f"DROP TABLE {_ATTACH_ALIAS}.main.{MANIFEST_TABLE}")
        elif (schema, table) not in published:
            con.execute(f"DROP TABLE {_ATTACH_ALIAS}.{quote_identifier(schema)}.{quote_identifier(table)}")
            result.changes[f"{schema}.{table}"] = TableChange("dropped")
    for schema, table, _ in to_write:
        if (schema, table) in previous:
            con.execute(f"DROP TABLE {_ATTACH_ALIAS}.{quote_identifier(schema)}.{quote_identifier(table)}")
    if not from_scratch:
        con.execute(f"CHECKPOINT {_ATTACH_ALIAS}")
    copy_schemas = {s for (s,) in con.execute(
        "SELECT schema_name FROM duckdb_schemas() WHERE database_name = ? AND NOT internal", [_ATTACH_ALIAS]
    ).fetchall()}
    for schema in sorted(copy_schemas - {s for s, _ in tables} - {"main"}):  # schemas left without a table
        con.execute(f"DROP SCHEMA {_ATTACH_ALIAS}.{quote_identifier(schema)}")
    for schema in sorted({s for s, _ in tables} - copy_schemas):
        con.execute(f"CREATE SCHEMA {_ATTACH_ALIAS}.{quote_identifier(schema)}")

    writes = {(s, t): why for s, t, why in to_write}
    for schema, table in tables:
        source = f"{quote_identifier(schema)}.{quote_identifier(table)}"
        target = f"{_ATTACH_ALIAS}.{source}"
        if (schema, table) in writes:
            con.execute(f"CREATE TABLE {target} AS SELECT * FROM {source}")
            result.changes[f"{schema}.{table}"] = TableChange("replaced", reason=writes[(schema, table)])
        (rows,) = con.execute(f"SELECT count(*) FROM {target}").fetchall()[0]
        result.tables[f"{schema}.{table}"] = rows
    # the changes in the order of the tables (dropped ones last)
    result.changes = dict(sorted(result.changes.items(), key=lambda item: (item[1].action == "dropped", item[0])))


def _diff(con, source: str, target: str) -> tuple[int, int, int]:
    """Hash every row of `source` (the warehouse) and `target` (the copy) into temp tables and count them per hash
    into `_DIFF_TABLE` (hash, surplus: > 0 rows to insert into the copy, < 0 rows to delete from it, only where the
    counts differ); returns (rows to delete, rows to insert, rows of the source)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_SOURCE_HASHES} AS SELECT {_ROW_HASH} AS h FROM {source}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_TARGET_HASHES} AS SELECT rowid AS r, {_ROW_HASH} AS h FROM {target}")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {_DIFF_TABLE} AS
            WITH src AS (SELECT h, count(*) AS n FROM temp.main.{_SOURCE_HASHES} GROUP BY h),
                 dst AS (SELECT h, count(*) AS n FROM temp.main.{_TARGET_HASHES} GROUP BY h)
            SELECT h, coalesce(src.n, 0) - coalesce(dst.n, 0) AS surplus
            FROM src FULL OUTER JOIN dst USING (h)
            WHERE coalesce(src.n, 0) <> coalesce(dst.n, 0)"""
    )
    deleted, inserted = con.execute(
        f"""SELECT coalesce(sum(-surplus) FILTER (WHERE surplus < 0), 0),
                   coalesce(sum(surplus) FILTER (WHERE surplus > 0), 0) FROM temp.main.{_DIFF_TABLE}"""
    ).fetchall()[0]
    (rows,) = con.execute(f"SELECT count(*) FROM temp.main.{_SOURCE_HASHES}").fetchall()[0]
    return int(deleted), int(inserted), int(rows)


def _delete_surplus(con, target: str) -> None:
    """Delete from the copy, per hash, as many of its rows as it has more than the warehouse."""
    con.execute(
        f"""DELETE FROM {target} WHERE rowid IN (
                SELECT r FROM (
                    SELECT r, h, row_number() OVER (PARTITION BY h ORDER BY r) AS k
                    FROM temp.main.{_TARGET_HASHES}
                    WHERE h IN (SELECT h FROM temp.main.{_DIFF_TABLE} WHERE surplus < 0)
                ) AS rows_of_hash
                JOIN temp.main.{_DIFF_TABLE} AS diff USING (h)
                WHERE rows_of_hash.k <= -diff.surplus)"""
    )


def _insert_missing(con, source: str, target: str, taken: set[str]) -> None:
    """Insert into the copy, per hash, as many of the warehouse's rows as it has more than the copy (`taken`: the
    table's column names, lower case, that the helper columns must not shadow)."""
    h, k, n = (next(f"{base}{i}" for i in range(len(taken) + 1) if f"{base}{i}" not in taken)
               for base in ("callqa_row_hash_", "callqa_row_rank_", "callqa_row_need_"))
    con.execute(
        f"""INSERT INTO {target}
            SELECT * EXCLUDE ({h}, {k}, {n}) FROM (
                SELECT *, row_number() OVER (PARTITION BY {h}) AS {k} FROM (
                    SELECT source_rows.*, diff.surplus AS {n}
                    FROM (SELECT *, {_ROW_HASH} AS {h} FROM {source}) AS source_rows
                    JOIN temp.main.{_DIFF_TABLE} AS diff ON diff.h = source_rows.{h} AND diff.surplus > 0))
            WHERE {k} <= {n}"""
    )


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
