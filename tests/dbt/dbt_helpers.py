"""Helpers for the dbt tests (imported by the test modules): a hand-made raw layer (exactly as docs/layers.md describes it) and dbt runs."""
from __future__ import annotations

from pathlib import Path

import duckdb
import yaml

from dagster_project.lib.dbt_inprocess import run_dbt as _run_dbt
from dagster_project.lib.dbt_inprocess import temporary_env
from dagster_project.lib.sql import quote_identifier

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_DIR = REPO_ROOT / "dbt"
SOURCES_YAML = DBT_DIR / "models" / "staging" / "landing" / "_landing__sources.yml"
METADATA_COLUMNS = {
    "_load_id": "BIGINT",
    "_file": "VARCHAR",
    "_line": "BIGINT",
    "_file_sha256": "VARCHAR",
    "_loaded_at": "TIMESTAMPTZ",
    "_malformed": "VARCHAR",
    "_raw_line": "VARCHAR",
}


def contract_columns() -> dict[str, list[str]]:
    """Contract columns of every landing source, in YAML order (read like ingestion does)."""
    doc = yaml.safe_load(SOURCES_YAML.read_text(encoding="utf-8"))
    (landing,) = [s for s in doc["sources"] if s["name"] == "landing"]
    return {t["name"]: [c["name"] for c in t["columns"]] for t in landing["tables"]}


def create_raw_layer(
    warehouse: Path,
    rows: dict[str, list[dict]],
    extra_columns: dict[str, list[str]] | None = None,
    skip_sources: tuple[str, ...] = (),
) -> None:
    """raw.<source> for every contract source: contract columns, extra delivered columns, then the load
    metadata; every data column VARCHAR. `rows` values are text as delivered (None = empty field)."""
    extra_columns = extra_columns or {}
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("CREATE SCHEMA IF NOT EXISTS raw")
        for source, columns in contract_columns().items():
            if source in skip_sources:
                continue
            data_columns = columns + extra_columns.get(source, [])
            ddl = [f"{quote_identifier(c)} VARCHAR" for c in data_columns]
            ddl += [f"{quote_identifier(c)} {t}" for c, t in METADATA_COLUMNS.items()]
            con.execute(f"CREATE TABLE raw.{quote_identifier(source)} ({', '.join(ddl)})")
            all_columns = data_columns + list(METADATA_COLUMNS)
            records = []
            for row in rows.get(source, []):
                unknown = set(row) - set(all_columns)
                assert not unknown, f"{source}: unknown columns {unknown}"
                records.append([row.get(c) for c in all_columns])
            if records:
                placeholders = ", ".join("?" for _ in all_columns)
                con.executemany(
                    f"INSERT INTO raw.{quote_identifier(source)} ({', '.join(map(quote_identifier, all_columns))}) VALUES ({placeholders})",
                    records,
                )
    finally:
        con.close()


def with_load_metadata(source: str, loaded_at, rows: list[dict], load_id: int = 1) -> list[dict]:
    """The rows of one delivered file as ingestion stamps them: its load id, `<source>/load<N>.csv`, lines from 2
    (the header is line 1), the file's hash and load time."""
    file = f"{source}/load{load_id}.csv"
    return [{**row, "_load_id": load_id, "_file": file, "_line": i + 2, "_file_sha256": f"sha-{file}",
             "_loaded_at": loaded_at} for i, row in enumerate(rows)]


def delivery(rows_by_source: dict[str, list[dict]], loaded_at, load_id: int = 1) -> dict[str, list[dict]]:
    """with_load_metadata for every source of one delivery."""
    return {source: with_load_metadata(source, loaded_at, rows, load_id) for source, rows in rows_by_source.items()}


def append_raw(warehouse: Path, rows_by_source: dict[str, list[dict]]) -> None:
    """A later delivery: rows appended to the raw tables of create_raw_layer (as ingestion does)."""
    con = duckdb.connect(str(warehouse))
    try:
        for source, source_rows in rows_by_source.items():
            columns = sorted({c for r in source_rows for c in r})
            placeholders = ", ".join("?" for _ in columns)
            con.executemany(
                f"insert into raw.{quote_identifier(source)} ({', '.join(map(quote_identifier, columns))}) "
                f"values ({placeholders})", [[r.get(c) for c in columns] for r in source_rows])
    finally:
        con.close()


def dbt_env(warehouse: Path, timezone: str):
    """The environment dbt reads, for the block: this warehouse and zone, DuckDB limits fit for a test."""
    return temporary_env({
        "CALLQA_WAREHOUSE": str(warehouse),
        "CALLQA_TIMEZONE": timezone,
        "CALLQA_DUCKDB_TEMP_DIR": str(warehouse.parent / "duckdb_tmp"),
        "CALLQA_DUCKDB_MEMORY_LIMIT": "1GB",
        "DBT_TARGET": "duckdb",
    })


def run_dbt(args: list[str], work_dir: Path):
    """dbt in-process (lib/dbt_inprocess.run_dbt); target and logs go to work_dir so runs never touch dbt/target."""
    return _run_dbt(args, work_dir)


def run_dbt_passing(args: list[str], work_dir: Path):
    """run_dbt, failing the test with dbt's failures unless every node passed."""
    result = run_dbt(args, work_dir)
    assert result.success, "\n".join(failures(result))
    return result


def incremental_batch_sql(model: str, work_dir: Path) -> str:
    """The SELECT an incremental build of `model` will write, compiled against its table of the last build, after
    building everything upstream of it again (without tests): run it to see the batch before the build."""
    run_dbt_passing(["build", "--select", f"+{model}", "--exclude", model,
                     "--exclude-resource-type", "test", "unit_test"], work_dir)
    run_dbt_passing(["compile", "--select", model], work_dir)
    # (a unit test's fixtures are compiled under <schema file>.yml/: not the model)
    (path,) = [p for p in (work_dir / "target" / "compiled" / "callqa" / "models").rglob(f"{model}.sql")
               if not any(part.endswith(".yml") for part in p.parts)]
    return path.read_text(encoding="utf-8")


def failures(result) -> list[str]:
    """Names and messages of the nodes that did not pass, for assertion messages."""
    out = []
    for r in getattr(result.result, "results", None) or []:
        status = str(r.status).lower()
        if status not in ("pass", "success"):
            out.append(f"{r.node.unique_id}: {r.status}: {r.message}")
    if result.exception is not None:
        out.append(repr(result.exception))
    return out


def query_rows(con, sql: str, *params) -> list[dict]:
    """Rows of a query as dicts by column name (fetched to the end)."""
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def incremental_batch(work_dir: Path, warehouse: Path, model: str) -> list[dict]:
    """The rows an incremental build of `model` will write (incremental_batch_sql, run against the warehouse)."""
    batch_sql = incremental_batch_sql(model, work_dir)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        return query_rows(con, f"select * from ({batch_sql}) as batch")
    finally:
        con.close()


def copy_built_work(work_dir: Path, target: Path) -> Path:
    """A copy of a test's dbt work folder (its warehouse and raw layer) without dbt's target and logs, so a test can
    change the built warehouse behind dbt's back and build again without touching the module's fixture. Returns the
    copy's warehouse (warehouse/callqa.duckdb)."""
    import shutil

    shutil.copytree(work_dir, target, ignore=shutil.ignore_patterns("target", "logs"))
    return target / "warehouse" / "callqa.duckdb"
