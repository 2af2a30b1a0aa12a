"""Helpers for the dbt tests (imported by the test modules): a hand-made raw layer (exactly as docs/layers.md describes it) and dbt runs."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import duckdb
import yaml

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


@contextmanager
def dbt_env(warehouse: Path, timezone: str):
    env = {
        "CALLQA_WAREHOUSE": str(warehouse),
        "CALLQA_TIMEZONE": timezone,
        "CALLQA_DUCKDB_TEMP_DIR": str(warehouse.parent / "duckdb_tmp"),
        "CALLQA_DUCKDB_MEMORY_LIMIT": "1GB",
        "DBT_TARGET": "duckdb",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_dbt(args: list[str], work_dir: Path):
    """dbt in-process (dbtRunner); target and logs go to work_dir so runs never touch dbt/target."""
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(
        [
            *args,
            "--project-dir", str(DBT_DIR),
            "--profiles-dir", str(DBT_DIR),
            "--target-path", str(work_dir / "target"),
            "--log-path", str(work_dir / "logs"),
        ]
    )
    _release_duckdb()
    return result


def _release_duckdb() -> None:
    """dbt-duckdb keeps its DuckDB instance open in the process after an in-process run; close it so the
    warehouse file can be opened again (read-only, or by the next run with other settings)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    env = DuckDBConnectionManager._ENV
    if env is not None:
        env.close()
    DuckDBConnectionManager.close_all_connections()


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
