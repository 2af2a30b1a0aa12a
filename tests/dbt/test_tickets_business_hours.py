"""Ticket SLAs in business hours, end to end through dbt on DuckDB: delivered business_schedules and holidays (a
schedule delivered twice: the later delivery is the schedule in force, replacing the seed's `default`), tickets
across a weekend, a daylight saving change and a holiday, then `dbt build --select +fct_tickets` (models,
contracts, data tests and the dbt unit tests of the business-time models) and hand-computed business minutes.

Zone America/New_York: clocks go forward Sunday 2026-03-08 02:00 (EST -05 before, EDT -04 after). Instants carry Z.
The shipped sla_policies count calendar time, so the SLA results stay calendar ones while fct_tickets reports
business minutes on the `default` schedule beside them.
"""
from __future__ import annotations

from datetime import datetime, timezone

import duckdb
import pytest

from business_hours_cases import TZ, raw_rows
from dbt_helpers import create_raw_layer, dbt_env, failures, run_dbt


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("dbt_tickets_business_hours")
    warehouse = work / "warehouse" / "callqa.duckdb"
    create_raw_layer(warehouse, raw_rows())
    with dbt_env(warehouse, TZ):
        result = run_dbt(["build", "--select", "+fct_tickets"], work)
    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    yield {"result": result, "con": con}
    con.close()


def _rows(con, sql):
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def _tickets(con):
    return {r["ticket_id"]: r for r in _rows(con, "select * from marts.fct_tickets")}


def test_dbt_build_passes_with_the_business_time_unit_tests(built):
    result = built["result"]
    assert result.success, "\n".join(failures(result))
    ran = {r.node.unique_id for r in result.result.results}
    for unit_test in ("int_business_schedules__latest_delivery_replaces_seed",
                      "int_business_holidays__delivered_rows_override_seed_rows",
                      "int_business_open_intervals__dst_holiday_two_intervals",
                      "int_tickets_sla_measured__business_hours_and_pauses",
                      "int_tickets_sla_measured__creation_priority_and_pauses"):
        assert any(u.endswith("." + unit_test) for u in ran), unit_test


def test_the_latest_delivery_of_a_schedule_is_in_force_and_replaces_the_seed(built):
    rows = _rows(built["con"], "select weekday, opens_at, closes_at, time_zone, schedule_source "
                               "from intermediate.int_business_schedules where schedule_id = 'default' "
                               "order by weekday, opens_at")
    assert [(r["weekday"], r["opens_at"], r["closes_at"]) for r in rows] == [
        (d, o, c) for d in range(1, 6) for o, c in (("09:00", "12:00"), ("13:00", "17:00"))]
    assert {(r["time_zone"], r["schedule_source"]) for r in rows} == {(TZ, "delivered")}


def test_open_intervals_follow_the_local_clock_across_the_dst_change(built):
    rows = _rows(built["con"], "select local_date, open_at, close_at from intermediate.int_business_open_intervals "
                               "where local_date in (date '2026-03-06', date '2026-03-09', date '2026-03-10') "
                               "order by open_at")
    utc = timezone.utc
    assert [(r["open_at"], r["close_at"]) for r in rows] == [
        (datetime(2026, 3, 6, 14, 0, tzinfo=utc), datetime(2026, 3, 6, 17, 0, tzinfo=utc)),   # 09:00-12:00 EST
        (datetime(2026, 3, 6, 18, 0, tzinfo=utc), datetime(2026, 3, 6, 22, 0, tzinfo=utc)),   # 13:00-17:00 EST
        (datetime(2026, 3, 9, 13, 0, tzinfo=utc), datetime(2026, 3, 9, 16, 0, tzinfo=utc)),   # 09:00-12:00 EDT
        (datetime(2026, 3, 9, 17, 0, tzinfo=utc), datetime(2026, 3, 9, 21, 0, tzinfo=utc)),   # 13:00-17:00 EDT
    ]  # Tuesday 10 March is a holiday: no interval


def test_business_minutes_across_a_weekend_and_the_dst_change(built):
    t = _tickets(built["con"])["K_WEEKEND_DST"]
    assert t["business_schedule_id"] == "default"
    # Fri 16:00-17:00 EST = 60, no Saturday any more, Mon 09:00-09:30 EDT = 30
    assert t["first_response_business_minutes"] == 90.0
    # + Mon 09:30-12:00 (150) + 13:00-13:30 (30)
    assert t["resolution_business_minutes"] == 270.0
    # calendar minutes unchanged beside them: Fri 21:00Z -> Mon 13:30Z
    assert (t["first_response_minutes"], t["resolution_minutes"]) == (3870.0, 4110.0)


def test_business_minutes_skip_a_holiday_and_the_lunch_break(built):
    t = _tickets(built["con"])["K_HOLIDAY"]
    # Mon 16:30-17:00 EDT = 30, Tue closed (holiday), Wed 09:00-09:15 = 15
    assert t["first_response_business_minutes"] == 45.0
    # Mon 30 + Wed 09:00-12:00 = 180; solved at 12:30, in the lunch break
    assert t["resolution_business_minutes"] == 210.0


def test_shipped_policies_stay_on_calendar_time(built):
    t = _tickets(built["con"])
    for ticket in t.values():
        assert (ticket["sla_clock"], ticket["sla_schedule_id"], ticket["sla_pauses_in_pending_hold"]) == (
            "calendar", None, False)
    k = t["K_WEEKEND_DST"]  # normal: 240 / 1440 calendar minutes
    assert k["resolution_sla_clock_minutes"] == k["resolution_minutes"] == 4110.0
    assert (k["first_response_sla_met"], k["resolution_sla_met"]) == (False, False)
    assert t["K_OPEN"]["first_response_business_minutes"] is None
    assert t["K_OPEN"]["resolution_business_minutes"] is None
