"""The Zendesk schedules adapter on PostgreSQL: the sample export of tests/fixtures/adapters/zendesk_schedules/ and
the hand-made ticket (tests/dbt/zendesk_schedule_cases.py) ingested into a DuckDB raw layer, copied to a database of
this test's own, `dbt build` there (the adapter models' dbt unit tests too), and the same weekly hours, holidays, rejects with their reasons, reconciliation
and business minutes as on DuckDB (tests/dbt/test_adapters_schedules.py), row for row. Also: every IANA zone the
Zendesk zone mapping names is one PostgreSQL knows.

Skipped without a server, unless CALLQA_REQUIRE_POSTGRES=1."""
import duckdb
import pytest

from dagster_project.lib.dbt_inprocess import temporary_env
from tests.dbt import zendesk_schedule_cases as cases
from tests.dbt.dbt_helpers import dbt_env, failures, run_dbt
from tests.postgres.pg_helpers import normalise, postgres_env, scratch_database, server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from dagster_project.lib.postgres_raw import copy_raw_layer

    postgres = server()
    base = tmp_path_factory.mktemp("adapter_schedules_postgres")
    warehouse, raw_rows = cases.load_sample(base)
    with scratch_database(postgres) as target:
        con = duckdb.connect(str(warehouse))
        copy_raw_layer(con, target)
        con.close()
        with dbt_env(warehouse, "UTC"), temporary_env(postgres_env(target)):
            result = run_dbt(["build", "--select", "+fct_tickets", "+rejected_rows", "+layer_reconciliation",
                              "--vars", cases.DBT_VARS], base / "dbt_postgres")
        pg = target.connect()
        yield {"result": result, "pg": pg, "raw_rows": raw_rows}
        pg.close()


def _rows(pg, sql):
    with pg.cursor() as cur:
        cur.execute(sql)
        return [tuple(normalise(v) for v in r) for r in cur.fetchall()]


def test_builds_on_postgres_with_the_adapter_models_unit_tests(built):
    assert built["result"].success, "\n".join(failures(built["result"]))
    ran = {r.node.unique_id for r in built["result"].result.results}
    for unit_test in ("zendesk_schedules__intervals_split_per_day_zones_mapped",
                      "zendesk_schedules__holiday_range_one_row_per_date"):
        assert any(u.endswith("." + unit_test) for u in ran), unit_test


def test_same_hours_holidays_rejects_and_reconciliation_as_on_duckdb(built):
    pg = built["pg"]
    assert _rows(pg, cases.HOURS_SQL) == cases.EXPECTED_HOURS
    assert _rows(pg, cases.HOLIDAYS_SQL) == cases.EXPECTED_HOLIDAYS
    assert cases.rejects(_rows(pg, cases.REJECTS_SQL)) == cases.EXPECTED_REJECTS
    assert built["raw_rows"] == cases.EXPECTED_RECONCILIATION["raw"]
    assert cases.reconciliation(_rows(pg, cases.RECONCILIATION_SQL)[0]) == cases.EXPECTED_RECONCILIATION


def test_business_minutes_on_the_delivered_schedule_on_postgres(built):
    assert _rows(built["pg"], cases.TICKET_SQL) == [cases.EXPECTED_TICKET]


def test_every_zendesk_zone_name_maps_to_a_zone_postgresql_knows(built):
    known = {name for (name,) in _rows(built["pg"], "select name from pg_timezone_names")}
    assert set(cases.zendesk_zone_mapping().values()) - known == set()
