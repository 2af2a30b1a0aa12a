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
