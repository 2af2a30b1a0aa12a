"""The landing boundary built by load on PostgreSQL (macros/landing/landing_incremental.sql: delete+insert, which
dbt offers on both engines): the two loads of tests/dbt/test_landing_incremental.py, the raw layer copied to a
database of this test's own after each (as `callqa load-postgres` does), an incremental build after the second,
then a full refresh: the same fates, row for row, as the full build, and the same as DuckDB's incremental build.
Skipped without a server, unless CALLQA_REQUIRE_POSTGRES=1."""
import duckdb
import pytest

from dagster_project.lib.dbt_inprocess import temporary_env
from tests.dbt.dbt_helpers import append_raw, create_raw_layer, dbt_env, delivery, failures, run_dbt
from tests.dbt.test_landing_incremental import BASE_COLUMNS, BUILD, LOAD_1, LOAD_2, LOADED_AT, TZ
from tests.postgres.pg_helpers import normalise, postgres_env, scratch_database, server, sort_key

pytestmark = pytest.mark.slow

ORDER = "order by _load_id, _line"


def _pg_rows(target, sql):
    pg = target.connect()
    try:
        with pg.cursor() as cur:
            cur.execute(sql)
            return sorted(([normalise(v) for v in r] for r in cur.fetchall()), key=sort_key)
    finally:
        pg.close()


@pytest.fixture(scope="module")
def on_postgres(tmp_path_factory):
    from dagster_project.lib.postgres_raw import copy_raw_layer

    postgres = server()
    base = tmp_path_factory.mktemp("landing_incremental_postgres")
    warehouse = base / "warehouse" / "callqa.duckdb"
    create_raw_layer(warehouse, delivery({"calls": LOAD_1}, LOADED_AT, 1))
    query = f"select {BASE_COLUMNS} from staging.base_landing__calls"
    out = {}
    with scratch_database(postgres) as target, dbt_env(warehouse, TZ):
        def copy_raw():
            con = duckdb.connect(str(warehouse))
            copy_raw_layer(con, target)
            con.close()

        copy_raw()
        with temporary_env(postgres_env(target)):
            first = run_dbt(BUILD, base / "dbt")
            assert first.success, "\n".join(failures(first))
        append_raw(warehouse, delivery({"calls": LOAD_2}, LOADED_AT, 2))
        copy_raw()
        with temporary_env(postgres_env(target)):
            second = run_dbt(BUILD, base / "dbt")
            assert second.success, "\n".join(failures(second))
            out["executed"] = {r.node.name: r.adapter_response.get("rows_affected") for r in second.result.results}
            out["incremental"] = _pg_rows(target, query)
            full = run_dbt([*BUILD, "--full-refresh"], base / "dbt")
            assert full.success, "\n".join(failures(full))
            out["full"] = _pg_rows(target, query)
        duck = run_dbt(BUILD, base / "dbt_duckdb")
        assert duck.success, "\n".join(failures(duck))
        con = duckdb.connect(str(warehouse), read_only=True)
        out["duckdb"] = sorted(([normalise(v) for v in r] for r in con.execute(query).fetchall()), key=sort_key)
        con.close()
    return out


def test_incremental_equals_full_refresh_on_postgres(on_postgres):
    fates = {(r[0], r[3]): (r[5], r[6]) for r in on_postgres["incremental"]}
    assert fates[("K1", 1)] == ("rejected", "duplicate_superseded") and fates[("K2", 2)] == ("rejected", "invalid_enum")
    assert len(on_postgres["incremental"]) == 9
    assert on_postgres["incremental"] == on_postgres["full"]


def test_postgres_equals_duckdb(on_postgres):
    assert on_postgres["incremental"] == on_postgres["duckdb"]
