"""Zendesk business-hours schedules and holidays (issue 13 item 5): the schedules export and a schedule's holidays as
the Business Hours API returns them (tests/fixtures/adapters/zendesk_schedules/), loaded by the real ingestion,
mapped by base_zendesk_schedules__business_schedules / __holidays into the contract sources business_schedules and
holidays, through the landing boundary to fct_tickets: a ticket measured on the delivered schedule across a
weekend, a two-day holiday and an interval crossing midnight (hand computation in zendesk_schedule_cases.py; the
same expectations on PostgreSQL in tests/postgres/test_adapter_schedules_postgres.py).

Zone of the center: UTC (the schedule's own zone, America/New_York, is what counts)."""
from __future__ import annotations

import duckdb
import pytest

import zendesk_schedule_cases as cases
from dbt_helpers import dbt_env, failures, run_dbt

SELECT = "+fct_tickets +rejected_rows +layer_reconciliation"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("adapters_schedules")
    warehouse, raw_rows = cases.load_sample(work)
    with dbt_env(warehouse, "UTC"):
        result = run_dbt(["build", "--select", *SELECT.split(), "--vars", cases.DBT_VARS], work)
    assert result.success, failures(result)
    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    yield con, raw_rows, result
    con.close()


def _rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_the_adapter_models_unit_tests_ran_in_the_build(built):
    ran = {r.node.unique_id for r in built[2].result.results}
    for unit_test in ("zendesk_schedules__intervals_split_per_day_zones_mapped",
                      "zendesk_schedules__holiday_range_one_row_per_date"):
        assert any(u.endswith("." + unit_test) for u in ran), unit_test


def test_intervals_become_weekly_hours_in_the_iana_zone_split_at_midnight(built):
    con, *_ = built
    assert _rows(con, cases.HOURS_SQL) == cases.EXPECTED_HOURS


def test_a_holiday_range_is_one_row_per_date_and_the_schedule_comes_from_the_path(built):
    con, *_ = built
    assert _rows(con, cases.HOLIDAYS_SQL) == cases.EXPECTED_HOLIDAYS


def test_bad_input_is_rejected_with_its_reason(built):
    con, *_ = built
    assert cases.rejects(_rows(con, cases.REJECTS_SQL)) == cases.EXPECTED_REJECTS


def test_reconciliation_raw_equals_staged_plus_rejected(built):
    con, raw_rows, _ = built
    assert raw_rows == cases.EXPECTED_RECONCILIATION["raw"]
    assert cases.reconciliation(_rows(con, cases.RECONCILIATION_SQL)[0]) == cases.EXPECTED_RECONCILIATION
    assert all(r for (r,) in _rows(con, "select is_reconciled from audit.layer_reconciliation"))


def test_business_minutes_on_the_delivered_schedule(built):
    con, *_ = built
    assert _rows(con, cases.TICKET_SQL) == [cases.EXPECTED_TICKET]


def test_every_zendesk_zone_name_maps_to_a_zone_duckdb_knows():
    mapping = cases.zendesk_zone_mapping()
    # ActiveSupport::TimeZone::MAPPING: 151 names; the ones the issue and Zendesk's docs name among them
    assert len(mapping) == 151
    assert (mapping["Eastern Time (US & Canada)"], mapping["Pacific Time (US & Canada)"], mapping["London"],
            mapping["Berlin"], mapping["UTC"]) == (
        "America/New_York", "America/Los_Angeles", "Europe/London", "Europe/Berlin", "Etc/UTC")
    con = duckdb.connect()
    known = {name for (name,) in con.execute("select name from pg_timezone_names()").fetchall()}
    assert set(mapping.values()) - known == set()
