"""dbt refuses to build a raw layer in another zone than the one it was loaded in (raw._callqa_settings), on every
target: a dbt run without CALLQA_TIMEZONE would otherwise silently shift every local date (issue 12.3)."""
import duckdb

from tests.dbt.dbt_helpers import create_raw_layer, dbt_env, failures, run_dbt


def _record(warehouse, zone):
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("create table raw._callqa_settings (key varchar primary key, value varchar, recorded_at timestamptz)")
        con.execute("insert into raw._callqa_settings values ('timezone', ?, current_timestamp)", [zone])
    finally:
        con.close()


def test_a_build_in_another_zone_is_refused_and_the_recorded_zone_builds(tmp_path):
    warehouse = tmp_path / "callqa.duckdb"
    create_raw_layer(warehouse, {})
    _record(warehouse, "Asia/Jerusalem")
    with dbt_env(warehouse, "UTC"):
        refused = run_dbt(["run", "--select", "base_landing__agents", "stg_landing__agents"], tmp_path)
    assert not refused.success
    message = " ".join(failures(refused))
    assert "CALLQA_TIMEZONE=Asia/Jerusalem" in message and "this build has UTC" in message, message
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        built = con.execute("select count(*) from information_schema.tables "
                            "where table_name in ('base_landing__agents', 'stg_landing__agents')"
                            ).fetchall()[0][0]
    finally:
        con.close()
    assert built == 0  # refused before any model ran
    with dbt_env(warehouse, "Asia/Jerusalem"):
        accepted = run_dbt(["run", "--select", "base_landing__agents", "stg_landing__agents"], tmp_path)
    assert accepted.success, failures(accepted)
