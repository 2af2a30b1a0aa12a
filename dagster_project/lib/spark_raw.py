"""The raw layer for Spark: every `raw.*` table of the DuckDB warehouse (the lossless landing layer ingestion
writes) exported as Parquet, one folder per table under a lake folder (`<lake>/<table>/part-0.parquet`), and
registered in a Spark metastore as the external table `raw.<table>` over that folder, so that the unchanged dbt
project builds there (`DBT_TARGET=spark`).

Ingestion itself (file discovery, ledger, hashing of phone numbers, masking) stays one implementation, in DuckDB,
as for PostgreSQL (lib/postgres_raw.py); this writes its result, column for column and row for row: text stays
text, the load metadata keeps its types (_load_id and _line BIGINT, _loaded_at an instant: a Parquet timestamp
adjusted to UTC, which Spark reads as its TIMESTAMP). Parquet is the one format every engine reads (Spark,
DuckDB, Trino, pandas): on a cluster the lake folder lives on shared storage (s3://, abfss://, hdfs://) and only
the registration runs there (docs/decisions.md, "The raw layer on Spark").

A rerun replaces each table's folder whole (written beside it, then swapped), so readers never see half a file.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from dagster_project.lib.sql import quote_identifier, quote_literal
from dagster_project.lib.warehouse import raw_tables
from dagster_project.settings import DBT_PROJECT_DIR

# Where the local Spark of the dbt `spark` target keeps its tables, metastore and the raw lake, unless
# CALLQA_SPARK_DIR says otherwise (the profile's default, ../data/spark from the dbt project, is this folder).
DEFAULT_SPARK_DIR = (Path(DBT_PROJECT_DIR) / ".." / "data" / "spark").resolve()


def spark_identifier(name: str) -> str:
    """`name` as a Spark SQL identifier (backticks; an embedded backtick doubled)."""
    if "\x00" in name:
        raise ValueError(f"identifier {name!r} contains a NUL character")
    return "`" + name.replace("`", "``") + "`"


def spark_string(value: str) -> str:
    """A Spark SQL string literal (backslashes and single quotes escaped: Spark reads backslash escapes)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def export_raw_layer(con: duckdb.DuckDBPyConnection, lake: Path) -> dict[str, int]:
    """Write every table of `raw` to `<lake>/<table>/part-0.parquet` (replacing the folder); returns rows per
    table."""
    lake = Path(lake).resolve()
    lake.mkdir(parents=True, exist_ok=True)
    exported: dict[str, int] = {}
    for table in raw_tables(con):
        if "/" in table or table in (".", ".."):
            raise ValueError(f"raw.{table}: not a folder name")
        folder = lake / table
        staging = lake / f".{table}.writing"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        target = quote_literal(str(staging / "part-0.parquet"))
        con.execute(f"copy (select * from raw.{quote_identifier(table)}) to {target} (format parquet)")
        (rows,) = con.execute(f"select count(*) from raw.{quote_identifier(table)}").fetchone()
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
        exported[table] = rows
    return exported


def registration_sql(lake: str | Path, tables: list[str], schema: str = "raw") -> list[str]:
    """The Spark SQL that makes `<schema>.<table>` read `<lake>/<table>` (external Parquet tables: dropping one
    never deletes the files). `lake` is a local folder or a URI the cluster can read (s3://..., hdfs://...)."""
    root = str(Path(lake).resolve()) if "://" not in str(lake) else str(lake).rstrip("/")
    statements = [f"create schema if not exists {spark_identifier(schema)}"]
    for table in tables:
        name = f"{spark_identifier(schema)}.{spark_identifier(table)}"
        statements += [f"drop table if exists {name}",
                       f"create table {name} using parquet location {spark_string(root + '/' + table)}"]
    return statements


def register_raw_layer(spark, lake: str | Path, tables: list[str], schema: str = "raw") -> None:
    """Run registration_sql on a Spark session (anything with .sql(), e.g. pyspark's SparkSession)."""
    for statement in registration_sql(lake, tables, schema):
        spark.sql(statement)


def profile_parameters() -> dict[str, str]:
    """The Spark settings of the dbt `spark` target (dbt/profiles.yml server_side_parameters), rendered with the
    current environment: the one place they are written."""
    import jinja2
    import yaml

    profile = yaml.safe_load((Path(DBT_PROJECT_DIR) / "profiles.yml").read_text(encoding="utf-8"))
    params = profile["callqa"]["outputs"]["spark"]["server_side_parameters"]
    env_var = lambda name, default=None: os.environ.get(name, default)  # noqa: E731 - dbt's env_var
    return {k: jinja2.Template(str(v)).render(env_var=env_var) for k, v in params.items()}


def local_session():
    """This process's Spark session, created (or reused) with the dbt profile's settings: dbt-spark's `session`
    method calls getOrCreate with the same ones, so dbt in this process shares it (one JVM). Set CALLQA_SPARK_DIR
    to an absolute folder first (relative paths would follow the JVM's working folder)."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in profile_parameters().items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
