"""Ticket business hours on PostgreSQL: the raw layer of tests/dbt/business_hours_cases.py (a schedule
delivered twice, a holiday, tickets across a weekend and New York's March DST change) copied to a real server,
`dbt build --select +fct_tickets` there (models, contracts, data tests and the dbt unit tests of the business-time
models, so every hand-computed case also runs through the postgres__ macros), and the same business minutes as on
DuckDB.

Without a reachable server the module is skipped, unless CALLQA_REQUIRE_POSTGRES=1 (as in test_postgres_target)."""
import duckdb
import pytest

from dagster_project.lib.dbt_inprocess import temporary_env
from dagster_project.lib.postgres_raw import copy_raw_layer
from tests.dbt.dbt_helpers import create_raw_layer, dbt_env, failures, run_dbt
from tests.dbt.business_hours_cases import TZ, raw_rows
from tests.postgres.pg_helpers import postgres_env, scratch_database, server

pytestmark = pytest.mark.slow

UNIT_TESTS = ("int_business_schedules__latest_delivery_replaces_seed",
              "int_business_holidays__delivered_rows_override_seed_rows",
              "int_business_open_intervals__dst_holiday_two_intervals",
              "int_tickets_sla_measured__business_hours_and_pauses",
              "int_tickets_sla_measured__creation_priority_and_pauses")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    postgres = server()
    base = tmp_path_factory.mktemp("business_hours_postgres")
    warehouse = base / "callqa.duckdb"
    create_raw_layer(warehouse, raw_rows())
    with scratch_database(postgres, grant_bi=True) as target:
        con = duckdb.connect(str(warehouse))
        copy_raw_layer(con, target)
        con.close()
        with dbt_env(warehouse, TZ), temporary_env(postgres_env(target)):
            result = run_dbt(["build", "--select", "+fct_tickets"], base / "dbt_postgres")
        pg = target.connect()
        yield {"result": result, "pg": pg}
        pg.close()


def test_build_and_unit_tests_pass_on_postgres(built):
    result = built["result"]
    assert result.success, "\n".join(failures(result))
    ran = {r.node.unique_id for r in result.result.results}
    for unit_test in UNIT_TESTS:
        assert any(u.endswith("." + unit_test) for u in ran), unit_test


def test_business_minutes_match_the_hand_computation_on_postgres(built):
    with built["pg"].cursor() as cur:
        cur.execute("select ticket_id, first_response_business_minutes, resolution_business_minutes, "
                    "first_response_minutes, resolution_minutes, sla_clock from marts.fct_tickets order by 1")
        rows = {r[0]: tuple(None if v is None else (float(v) if not isinstance(v, str) else v) for v in r[1:])
                for r in cur.fetchall()}
    assert rows == {
        "K_HOLIDAY": (45.0, 210.0, 2445.0, 2640.0, "calendar"),
        "K_OPEN": (None, None, None, None, "calendar"),
        "K_WEEKEND_DST": (90.0, 270.0, 3870.0, 4110.0, "calendar"),
    }
