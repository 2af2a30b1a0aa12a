"""The raw layer as a Parquet lake for Spark (lib/spark_raw.py), checked without Spark: what is written (read back
with DuckDB: same columns, types and rows, folder per table, replaced on a rerun) and the registration SQL."""
from datetime import datetime, timezone

import duckdb

from dagster_project.lib.spark_raw import export_raw_layer, registration_sql, spark_identifier, spark_string


def _warehouse(path):
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'UTC'")
    con.execute("create schema raw")
    con.execute("create table raw.calls (call_id varchar, \"odd `name\" varchar, _load_id bigint, _file varchar, "
                "_line bigint, _loaded_at timestamptz)")
    con.execute("insert into raw.calls values ('c1', 'it''s', 1, 'calls/a.csv', 2, '2026-03-08 07:30:00+00'), "
                "(null, '', 1, 'calls/a.csv', 3, '2026-03-08 07:30:00+00')")
    con.execute("create table raw._callqa_settings (key varchar, value varchar)")
    con.execute("insert into raw._callqa_settings values ('timezone', 'America/New_York')")
    return con


def test_every_raw_table_is_one_parquet_folder_with_the_same_rows_and_types(tmp_path):
    con = _warehouse(tmp_path / "w.duckdb")
    assert export_raw_layer(con, tmp_path / "lake") == {"_callqa_settings": 1, "calls": 2}
    assert sorted(p.name for p in (tmp_path / "lake").iterdir()) == ["_callqa_settings", "calls"]
    back = duckdb.connect()
    back.execute("SET TimeZone = 'UTC'")
    rows = back.execute(f"select * from read_parquet('{tmp_path}/lake/calls/*.parquet') order by _line").fetchall()
    assert rows == [("c1", "it's", 1, "calls/a.csv", 2, datetime(2026, 3, 8, 7, 30, tzinfo=timezone.utc)),
                    (None, "", 1, "calls/a.csv", 3, datetime(2026, 3, 8, 7, 30, tzinfo=timezone.utc))]
    described = back.execute(f"describe select * from read_parquet('{tmp_path}/lake/calls/*.parquet')").fetchall()
    types = {r[0]: r[1] for r in described}
    assert types["_load_id"] == "BIGINT" and types["_loaded_at"] == "TIMESTAMP WITH TIME ZONE"

    # a rerun replaces the folder: the rows of the new raw table, not both
    con.execute("delete from raw.calls where _line = 3")
    assert export_raw_layer(con, tmp_path / "lake")["calls"] == 1
    assert back.execute(f"select count(*) from read_parquet('{tmp_path}/lake/calls/*.parquet')").fetchone() == (1,)
    assert [p.name for p in (tmp_path / "lake" / "calls").iterdir()] == ["part-0.parquet"]


def test_registration_sql_quotes_names_and_paths():
    assert spark_identifier("a`b") == "`a``b`"
    assert spark_string("it's \\ here") == "'it\\'s \\\\ here'"
    sql = registration_sql("s3://bucket/raw/", ["calls"])
    assert sql == ["create schema if not exists `raw`", "drop table if exists `raw`.`calls`",
                   "create table `raw`.`calls` using parquet location 's3://bucket/raw/calls'"]
