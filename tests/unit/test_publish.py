"""Publishing the serving copy (lib/publish.py): what is copied, the atomic swap, and that a failed publish
leaves the last good copy and no debris."""
import json

import duckdb
import pytest

from dagster_project.lib import publish as publish_module
from dagster_project.lib.publish import publish, verify_serving_copy


def _warehouse(path, fcr_rows: int):
    con = duckdb.connect(str(path))
    con.execute("create schema marts; create schema staging; create schema reference; create schema intermediate")
    con.execute(f"create table marts.rpt_fcr_daily as select range as id, range * 0.5 as rate from range({fcr_rows})")
    con.execute("create table marts.fct_contacts as select 'c' || range as contact_id from range(3)")
    con.execute("create table staging.stg_landing__calls as select 'secret' as caller_number_hash")
    con.execute("create view intermediate.int_x as select 1 as x")
    con.execute("create table reference.metric_targets as select 'fcr_7d_rate' as metric, 0.7 as target")
    return con


def test_publishes_marts_analysis_and_reference_only(tmp_path):
    con = _warehouse(tmp_path / "wh.duckdb", 5)
    result = publish(con, tmp_path / "serving.duckdb", tmp_path / "exports", run_id="run-1")
    con.close()
    assert result.tables == {"marts.fct_contacts": 3, "marts.rpt_fcr_daily": 5, "reference.metric_targets": 1}
    version, manifest = verify_serving_copy(tmp_path / "serving.duckdb")
    assert version == result.version and manifest == result.tables
    reader = duckdb.connect(str(tmp_path / "serving.duckdb"), read_only=True)
    schemas = {s for (s,) in reader.execute("select distinct table_schema from information_schema.tables").fetchall()}
    reader.close()
    assert "staging" not in schemas and "intermediate" not in schemas
    current = tmp_path / "exports" / "current"
    assert current.is_symlink()
    published = json.loads((current / "_published.json").read_text())
    assert published["run_id"] == "run-1"
    assert set(published["tables"]) == {"marts.fct_contacts", "marts.rpt_fcr_daily"}  # reference is not exported
    assert duckdb.sql(f"select count(*) from '{current / 'marts' / 'rpt_fcr_daily.parquet'}'").fetchall()[0][0] == 5
    assert not list(tmp_path.glob(".serving.duckdb.*")), "no staging file left behind"


def test_a_held_reader_keeps_its_version_while_a_new_one_is_swapped_in(tmp_path):
    con = _warehouse(tmp_path / "wh.duckdb", 5)
    first = publish(con, tmp_path / "serving.duckdb", tmp_path / "exports")
    held = duckdb.connect(str(tmp_path / "serving.duckdb"), read_only=True)
    con.execute("insert into marts.rpt_fcr_daily select range + 5, 0 from range(4)")
    second = publish(con, tmp_path / "serving.duckdb", tmp_path / "exports")
    third = publish(con, tmp_path / "serving.duckdb", tmp_path / "exports")
    con.close()
    assert held.execute("select count(*) from marts.rpt_fcr_daily").fetchall()[0][0] == 5
    assert held.execute("select min(version) from callqa_published").fetchall()[0][0] == first.version
    held.close()
    assert verify_serving_copy(tmp_path / "serving.duckdb") == (third.version, third.tables)
    assert third.tables["marts.rpt_fcr_daily"] == 9
    # the two newest Parquet versions stay (a reader may still be in the previous one); older ones go
    versions = sorted(p.name for p in (tmp_path / "exports").iterdir() if not p.is_symlink())
    assert versions == sorted([second.version, third.version])


def test_a_failed_publish_keeps_the_last_good_copy(tmp_path, monkeypatch):
    con = _warehouse(tmp_path / "wh.duckdb", 5)
    good = publish(con, tmp_path / "serving.duckdb", tmp_path / "exports")
    con.execute("insert into marts.rpt_fcr_daily select range + 5, 0 from range(4)")

    def broken_replace(src, dst):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(publish_module.os, "replace", broken_replace)
    with pytest.raises(OSError, match="simulated"):
        publish(con, tmp_path / "serving.duckdb", tmp_path / "exports")
    con.close()
    assert verify_serving_copy(tmp_path / "serving.duckdb") == (good.version, good.tables)
    assert not list(tmp_path.glob(".serving.duckdb.*")), "the aborted copy is removed"
    assert json.loads((tmp_path / "exports" / "current" / "_published.json").read_text())["version"] == good.version


def test_nothing_to_publish_is_an_error(tmp_path):
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    with pytest.raises(RuntimeError, match="no marts"):
        publish(con, tmp_path / "serving.duckdb", tmp_path / "exports")
    con.close()
    assert not (tmp_path / "serving.duckdb").exists()


def test_the_serving_copy_is_written_for_duckdb_1_2_and_later_readers(tmp_path):
    con = _warehouse(tmp_path / "wh.duckdb", 5)
    publish(con, tmp_path / "serving.duckdb", tmp_path / "exports")
    con.close()
    reader = duckdb.connect()
    reader.execute(f"ATTACH '{tmp_path / 'serving.duckdb'}' AS serving (READ_ONLY)")
    (version,) = reader.execute(
        "select tags['storage_version'] from duckdb_databases() where database_name = 'serving'").fetchall()[0]
    reader.close()
    assert version == f"{publish_module.SERVING_STORAGE_VERSION}+", version  # default files say v2.x


def test_the_next_publish_removes_what_a_killed_one_left_behind(tmp_path):
    """A kill during publish left temp files no later run removed (issue 15.11): the next publish removes the serving
    copy being built, its WAL, a half-swapped `current` link and a Parquet version without _published.json, and
    keeps the published versions."""
    con = _warehouse(tmp_path / "wh.duckdb", 5)
    first = publish(con, tmp_path / "serving.duckdb", tmp_path / "exports", run_id="run-1")
    exports = tmp_path / "exports"
    leftovers = [tmp_path / ".serving.duckdb.20260101T000000Z-dead.tmp",
                 tmp_path / ".serving.duckdb.20260101T000000Z-dead.tmp.wal"]
    for path in leftovers:
        path.write_bytes(b"half")
    (exports / ".current.20260101T000000Z-dead.tmp").symlink_to(first.version, target_is_directory=True)
    half = exports / "20260101T000000Z-dead"
    (half / "marts").mkdir(parents=True)
    (half / "marts" / "rpt_fcr_daily.parquet").write_bytes(b"half")
    second = publish(con, tmp_path / "serving.duckdb", exports, run_id="run-2")
    con.close()
    assert not any(p.exists() or p.is_symlink() for p in [*leftovers, exports / ".current.20260101T000000Z-dead.tmp", half])
    assert {p.name for p in exports.iterdir()} == {first.version, second.version, "current"}
    assert verify_serving_copy(tmp_path / "serving.duckdb")[0] == second.version


def test_a_long_lived_reader_sees_each_new_version(tmp_path):
    """DuckDB caches one instance per path and process: a plain connect made while another connection holds the
    copy open returns the old version. open_serving (notebooks, `callqa query`) sees the version published now."""
    from dagster_project.lib.publish import open_serving

    con = _warehouse(tmp_path / "wh.duckdb", 5)
    serving = tmp_path / "serving.duckdb"
    first = publish(con, serving, tmp_path / "exports", run_id="run-1")
    held = duckdb.connect(str(serving), read_only=True)  # e.g. a notebook cell that never closed its connection
    con.execute("insert into marts.rpt_fcr_daily select 100 + range, 0 from range(2)")
    second = publish(con, serving, tmp_path / "exports", run_id="run-2")
    con.close()
    stale = duckdb.connect(str(serving), read_only=True)
    assert stale.execute("select distinct version from callqa_published").fetchall() == [(first.version,)]  # the trap
    fresh = open_serving(serving)
    assert fresh.execute("select distinct version from callqa_published").fetchall() == [(second.version,)]
    assert fresh.execute("select count(*) from marts.rpt_fcr_daily").fetchall()[0][0] == 7
    for c in (held, stale, fresh):
        c.close()


# ---------------------------------------------------------------- the serving copy patched from the previous one

def _contents(path) -> dict[str, tuple[list, list[str]]]:
    """Every table of a serving copy but the manifest: its columns with their types, and its rows as a sorted
    multiset (rows as repr, so that NaN equals NaN and NULL sorts)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for schema, table in con.execute(
                "select table_schema, table_name from information_schema.tables where table_name <> 'callqa_published'"
        ).fetchall():
            columns = con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position", [schema, table]).fetchall()
            rows = con.execute(f'select * from "{schema}"."{table}"').fetchall()
            out[f"{schema}.{table}"] = (columns, sorted(repr(r) for r in rows))
        return out
    finally:
        con.close()


def _ordered_rows(path, name):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(f"select * from {name}").fetchall()  # the stored order: no ORDER BY
    finally:
        con.close()


def _rich_warehouse(path):
    """Tables of every plain type with NULLs (and NaN) in every column, duplicate rows, tables whose columns will
    change, one that will go, and the order-dependent journey table."""
    con = duckdb.connect(str(path))
    con.execute("create schema marts; create schema reference; create schema staging")
    con.execute(
        """create table marts.fct_contacts as
           select range as id,
                  case when range % 7 = 0 then null else 'c' || range end as name,
                  case when range % 11 = 0 then null when range % 13 = 0 then 'nan'::double else range * 0.5 end
                      as amount,
                  case when range % 5 = 0 then null else date '2026-01-01' + range::int end as day,
                  case when range % 6 = 0 then null else timestamp '2026-01-01 00:00' + to_minutes(range) end as at,
                  case when range % 4 = 0 then null else range % 3 = 0 end as flag,
                  case when range % 9 = 0 then null else (range / 8)::decimal(18, 3) end as money,
                  case when range % 10 = 0 then null else timestamptz '2026-01-01 00:00+00' + to_hours(range) end
                      as at_tz
           from range(200)""")
    con.execute("create table marts.dups as select range % 100 as x from range(100) union all select 1 from range(3)")
    con.execute("create table marts.rpt_unchanged as select range as id, 'nan'::double as nan, null::int as nothing "
                "from range(50)")
    con.execute("create table marts.retyped as select range::int as id from range(10)")
    con.execute("create table marts.widened as select range as id from range(10)")
    con.execute("create table marts.narrowed as select range as id, range * 2 as twice from range(10)")
    con.execute("create table marts.gone as select 1 as x")
    con.execute("create table marts.rpt_journey_contacts as select range * 2 as customer_key from range(100) "
                "order by customer_key")
    con.execute("create table reference.metric_targets as select 'fcr_7d_rate' as metric, 0.7 as target")
    con.execute("create table staging.stg_x as select 1 as x")
    return con


def _change_everything(con):
    con.execute("update marts.fct_contacts set name = 'changed' where id in (1, 2, 3)")  # values changed
    con.execute("update marts.fct_contacts set amount = null, day = null where id = 4")  # value -> NULL
    con.execute("update marts.fct_contacts set name = 'was null', flag = true where id = 7")  # NULL -> value
    con.execute("update marts.fct_contacts set amount = 'nan'::double where id = 8")  # value -> NaN
    con.execute("delete from marts.fct_contacts where id in (20, 21)")
    con.execute("insert into marts.fct_contacts select 1000 + range, null, null, null, null, null, null, null "
                "from range(2)")  # a row of NULLs twice: a duplicate too
    con.execute("delete from marts.dups where x = 1")  # four 1s -> two
    con.execute("insert into marts.dups values (1), (1), (2), (2)")  # one 2 -> three
    con.execute("create or replace table marts.retyped as select range::bigint as id from range(10)")
    con.execute("alter table marts.widened add column extra varchar")
    con.execute("alter table marts.narrowed drop column twice")
    con.execute("drop table marts.gone")
    con.execute("create schema analysis")
    con.execute("create table analysis.new_scores as select range as id, range / 3 as score from range(5)")
    con.execute("create or replace table marts.rpt_journey_contacts as "
                "select * from (select range * 2 as customer_key from range(100) union all select 51) "
                "order by customer_key")  # a customer in the middle


def test_a_delta_publish_equals_a_publish_from_scratch(tmp_path):
    con = _rich_warehouse(tmp_path / "wh.duckdb")
    serving = tmp_path / "serving.duckdb"
    first = publish(con, serving, tmp_path / "exports")
    assert first.built_from == "from scratch: no previous copy"
    assert {c.action for c in first.changes.values()} == {"replaced"}
    _change_everything(con)
    second = publish(con, serving, tmp_path / "exports")
    scratch = publish(con, tmp_path / "scratch.duckdb", tmp_path / "exports_scratch")
    con.close()
    assert second.built_from == "previous copy" and scratch.built_from.startswith("from scratch")
    changes = {name: str(change) for name, change in second.changes.items()}
    assert changes == {
        "analysis.new_scores": "replaced (new table)",
        "marts.dups": "patched (-2 +2)",
        "marts.fct_contacts": "patched (-8 +8)",
        "marts.narrowed": "replaced (columns changed)",
        "marts.retyped": "replaced (columns changed)",
        "marts.rpt_journey_contacts": "replaced (row order kept)",
        "marts.rpt_unchanged": "kept",
        "marts.widened": "replaced (columns changed)",
        "reference.metric_targets": "kept",
        "marts.gone": "dropped",
    }, changes
    assert list(second.changes)[-1] == "marts.gone"
    assert "1 dropped" in second.summary() and "2 patched" in second.summary()
    delta, fresh = _contents(serving), _contents(tmp_path / "scratch.duckdb")
    assert delta == fresh
    assert "marts.gone" not in delta and delta["marts.dups"][1].count("(1,)") == 2
    assert verify_serving_copy(serving) == (second.version, second.tables)
    assert second.tables == scratch.tables and second.tables["marts.fct_contacts"] == 200
    # the ordered table is in the warehouse's order, not patched at its end
    assert _ordered_rows(serving, "marts.rpt_journey_contacts") == sorted(
        _ordered_rows(serving, "marts.rpt_journey_contacts"))
    # still a file DuckDB 1.2 reads
    reader = duckdb.connect()
    reader.execute(f"ATTACH '{serving}' AS serving (READ_ONLY)")
    (storage,) = reader.execute(
        "select tags['storage_version'] from duckdb_databases() where database_name = 'serving'").fetchall()[0]
    reader.close()
    assert storage == f"{publish_module.SERVING_STORAGE_VERSION}+"
    assert not list(tmp_path.glob(".serving.duckdb.*")), "no staging file left behind"


def test_an_unchanged_warehouse_keeps_every_table_and_an_emptied_schema_goes(tmp_path):
    con = _rich_warehouse(tmp_path / "wh.duckdb")
    serving = tmp_path / "serving.duckdb"
    publish(con, serving, tmp_path / "exports")
    again = publish(con, serving, tmp_path / "exports")
    assert {name: c.action for name, c in again.changes.items() if c.action != "kept"} == {
        "marts.rpt_journey_contacts": "replaced"}
    con.execute("drop table reference.metric_targets")
    third = publish(con, serving, tmp_path / "exports")
    scratch = publish(con, tmp_path / "scratch.duckdb", tmp_path / "exports_scratch")
    con.close()
    assert third.changes["reference.metric_targets"].action == "dropped"
    assert _contents(serving) == _contents(tmp_path / "scratch.duckdb")
    reader = duckdb.connect(str(serving), read_only=True)
    schemas = {s for (s,) in reader.execute("select schema_name from duckdb_schemas()").fetchall()}
    reader.close()
    assert "reference" not in schemas
    assert verify_serving_copy(serving) == (third.version, third.tables) and third.tables == scratch.tables


def test_a_table_with_many_changed_rows_is_replaced_whole(tmp_path):
    con = _rich_warehouse(tmp_path / "wh.duckdb")
    serving = tmp_path / "serving.duckdb"
    publish(con, serving, tmp_path / "exports")
    con.execute("update marts.fct_contacts set name = 'x' where id < 30")  # 30 of 200: 60 rows differ > 20 %
    result = publish(con, serving, tmp_path / "exports")
    publish(con, tmp_path / "scratch.duckdb", tmp_path / "exports_scratch")
    con.close()
    assert str(result.changes["marts.fct_contacts"]) == "replaced (60 of 200 rows changed)"
    assert _contents(serving) == _contents(tmp_path / "scratch.duckdb")


def test_a_held_reader_keeps_the_old_rows_of_a_patched_table(tmp_path):
    con = _rich_warehouse(tmp_path / "wh.duckdb")
    serving = tmp_path / "serving.duckdb"
    first = publish(con, serving, tmp_path / "exports")
    held = duckdb.connect(str(serving), read_only=True)
    con.execute("update marts.fct_contacts set name = 'changed' where id = 1")
    con.execute("delete from marts.fct_contacts where id = 2")
    second = publish(con, serving, tmp_path / "exports")
    con.close()
    assert str(second.changes["marts.fct_contacts"]) == "patched (-2 +1)"
    assert held.execute("select name from marts.fct_contacts where id in (1, 2) order by id").fetchall() == [
        ("c1",), ("c2",)]
    assert held.execute("select distinct version from callqa_published").fetchall() == [(first.version,)]
    held.close()
    now = duckdb.connect(str(serving), read_only=True)
    assert now.execute("select name from marts.fct_contacts where id in (1, 2)").fetchall() == [("changed",)]
    now.close()


def test_a_failure_while_patching_keeps_the_last_good_copy(tmp_path, monkeypatch):
    con = _rich_warehouse(tmp_path / "wh.duckdb")
    serving = tmp_path / "serving.duckdb"
    good = publish(con, serving, tmp_path / "exports")
    before = _contents(serving)
    con.execute("delete from marts.fct_contacts where id = 3")
    con.execute("insert into marts.fct_contacts (id) values (5000)")

    def broken_insert(*args, **kwargs):
        raise duckdb.IOException("disk full while inserting (simulated)")

    monkeypatch.setattr(publish_module, "_insert_missing", broken_insert)  # after the rows were deleted
    with pytest.raises(duckdb.IOException, match="simulated"):
        publish(con, serving, tmp_path / "exports")
    assert verify_serving_copy(serving) == (good.version, good.tables)
    assert _contents(serving) == before
    assert not list(tmp_path.glob(".serving.duckdb.*")), "the aborted copy is removed"
    assert con.execute("select count(*) from duckdb_tables() where temporary").fetchall() == [(0,)]
    monkeypatch.undo()
    after = publish(con, serving, tmp_path / "exports")
    con.close()
    assert after.built_from == "previous copy" and str(after.changes["marts.fct_contacts"]) == "patched (-1 +1)"


@pytest.mark.parametrize("previous", ["none", "no manifest", "another storage version", "not a database",
                                      "grown", "no size when written from scratch"])
def test_without_a_patchable_previous_copy_it_is_written_from_scratch(tmp_path, monkeypatch, previous):
    con = _rich_warehouse(tmp_path / "wh.duckdb")
    serving = tmp_path / "serving.duckdb"
    if previous == "no manifest":
        other = duckdb.connect()
        other.execute(f"ATTACH '{serving}' AS s (STORAGE_VERSION '{publish_module.SERVING_STORAGE_VERSION}')")
        other.execute("create schema s.marts; create table s.marts.fct_contacts as select 1 as id")
        other.close()
    elif previous == "another storage version":
        duckdb.connect(str(serving)).execute(
            "create table callqa_published as select 1 as x; create schema marts; "
            "create table marts.fct_contacts as select 1 as id").close()
    elif previous == "not a database":
        serving.write_bytes(b"not a duckdb file" * 1000)
    elif previous == "grown":
        publish(con, serving, tmp_path / "exports")
        monkeypatch.setattr(publish_module, "REBUILD_GROWTH", -0.01)
    elif previous == "no size when written from scratch":  # e.g. a copy published before copies were patched
        publish(con, serving, tmp_path / "exports")
        duckdb.connect(str(serving)).execute("comment on table callqa_published is null").close()
    result = publish(con, serving, tmp_path / "exports")
    publish(con, tmp_path / "scratch.duckdb", tmp_path / "exports_scratch")
    con.close()
    assert result.built_from.startswith("from scratch: ")
    why = {"none": "no previous copy", "no manifest": "has no manifest", "another storage version": "storage version v",
           "not a database": "does not open", "grown": "has grown", "no size when written from scratch": "its size"}
    assert why[previous] in result.built_from, result.built_from
    assert {c.action for c in result.changes.values()} == {"replaced"}
    assert _contents(serving) == _contents(tmp_path / "scratch.duckdb")
    assert verify_serving_copy(serving) == (result.version, result.tables)
    assert not list(tmp_path.glob(".serving.duckdb.*"))


def test_a_patched_copy_keeps_the_size_it_had_when_written_from_scratch(tmp_path):
    """Patches grow the copy (deleted rows keep their place); its size when last written from scratch, kept with
    the manifest, is what the growth is measured against, so it is carried over every patch."""
    con = _rich_warehouse(tmp_path / "wh.duckdb")
    serving = tmp_path / "serving.duckdb"

    def base_comment():
        reader = duckdb.connect(str(serving), read_only=True)
        try:
            return reader.execute(
                "select comment from duckdb_tables() where table_name = 'callqa_published'").fetchall()[0][0]
        finally:
            reader.close()

    publish(con, serving, tmp_path / "exports")
    base = base_comment()
    assert base.startswith("callqa serving copy: ") and base.endswith(" blocks when last written from scratch")
    for i in range(3):
        con.execute(f"update marts.fct_contacts set name = 'round {i}' where id = {10 + i}")
        assert publish(con, serving, tmp_path / "exports").built_from == "previous copy"
        assert base_comment() == base
    con.close()
