"""Zendesk business-hours schedules and holidays (issue 13 item 5): the schedules export and a schedule's holidays as
the Business Hours API returns them (tests/fixtures/adapters/zendesk_schedules/), loaded by the real ingestion,
mapped by base_zendesk_schedules__business_schedules / __holidays into the contract sources business_schedules and
holidays, through the landing boundary to fct_tickets: a ticket measured on the delivered schedule across a
weekend, a two-day holiday and an interval crossing midnight (hand computation in zendesk_schedule_cases.py).

Zone of the center: UTC (the schedule's own zone, America/New_York, is what counts)."""
from __future__ import annotations

import duckdb
import pytest

from dbt_helpers import dbt_env, failures, run_dbt
from zendesk_schedule_cases import ADAPTER, DBT_VARS, SCHEDULE, load_sample

SELECT = "+fct_tickets +rejected_rows +layer_reconciliation"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("adapters_schedules")
    warehouse, raw_rows = load_sample(work)
    with dbt_env(warehouse, "UTC"):
        result = run_dbt(["build", "--select", *SELECT.split(), "--vars", DBT_VARS], work)
    assert result.success, failures(result)
    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    yield con, raw_rows
    con.close()


def _rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_intervals_become_weekly_hours_in_the_iana_zone_split_at_midnight(built):
    con, _ = built
    hours = _rows(con, """
        select schedule_id, time_zone, weekday, opens_at, closes_at from staging.stg_landing__business_schedules
        order by schedule_id, weekday, opens_at""")
    assert hours == [
        # 1320-1560 (Sunday 22:00 -> Monday 02:00) is two days' hours; Sunday is ISO weekday 7
        (SCHEDULE, "America/New_York", 1, "00:00", "02:00"),
        (SCHEDULE, "America/New_York", 1, "09:00", "17:00"),
        (SCHEDULE, "America/New_York", 2, "09:00", "17:00"),
        (SCHEDULE, "America/New_York", 3, "09:00", "17:00"),
        (SCHEDULE, "America/New_York", 4, "09:00", "17:00"),
        (SCHEDULE, "America/New_York", 5, "09:00", "17:00"),
        (SCHEDULE, "America/New_York", 7, "22:00", "24:00"),
        # "London" is a Rails name; 9600-10080 ends at the week's end: Saturday 16:00-24:00
        ("360000222", "Europe/London", 1, "08:00", "16:00"),
        ("360000222", "Europe/London", 6, "16:00", "24:00"),
        # an IANA zone passes unchanged
        ("360000903", "Europe/Paris", 1, "09:00", "17:00"),
    ]


def test_a_holiday_range_is_one_row_per_date_and_the_schedule_comes_from_the_path(built):
    con, _ = built
    assert _rows(con, "select schedule_id, holiday_date, name from staging.stg_landing__holidays order by 2") == [
        (SCHEDULE, _date("2026-12-24"), "Christmas"),
        (SCHEDULE, _date("2026-12-25"), "Christmas"),
        (SCHEDULE, _date("2027-01-01"), "New Year's Day"),
    ]


def _date(text):
    from datetime import date

    return date.fromisoformat(text)


def test_bad_input_is_rejected_with_its_reason(built):
    con, _ = built
    rejects = _rows(con, f"""
        select source, file, reason, detail from audit.rejected_rows where adapter = '{ADAPTER}'
        order by source, file, line""")
    assert [(s, f.split("/")[-1], r) for s, f, r, _ in rejects] == [
        ("business_schedules", "bad_schedules.json", "not_mapped"),
        ("business_schedules", "bad_schedules.json", "not_mapped"),
        ("business_schedules", "bad_schedules.json", "not_mapped"),
        ("business_schedules", "bad_schedules.json", "not_mapped"),
        ("holidays", "holidays_360000222.json", "not_mapped"),
        ("holidays", "holidays.json", "not_mapped"),
    ]
    details = [d for *_, d in rejects]
    assert details[0] == "time_zone Mars Standard Time is neither a Zendesk (Rails) time zone name nor an IANA time zone"
    assert details[1] == "interval end_time 1980 is not after start_time 2460"
    assert details[2] == "interval 9600-10200 is outside the week (minutes from Sunday 00:00, 0..10080)"
    assert details[3].startswith("schedule 360000904 has no intervals")
    assert "the path names no schedule" in details[4] and "schedules/<schedule id>/holidays.json" in details[4]
    assert details[5] == "holiday end_date 2026-07-03 is before start_date 2026-07-04"


def test_reconciliation_raw_equals_staged_plus_rejected(built):
    con, raw_rows = built
    row = dict(zip(("raw", "staged", "rejected", "history", "ok"), _rows(con, f"""
        select raw_rows, staged_rows, rejected_rows, history_rows, is_reconciled from audit.layer_reconciliation
        where source = '{ADAPTER}'""")[0]))
    # 8 + 5 schedule intervals, 3 + 1 holidays; the split rows (Monday 00:00-02:00, 25 December) carry no raw row
    assert raw_rows == 17
    assert row == {"raw": 17, "staged": 11, "rejected": 6, "history": 0, "ok": True}
    assert all(r for (r,) in _rows(con, "select is_reconciled from audit.layer_reconciliation"))


def test_business_minutes_on_the_delivered_schedule(built):
    con, _ = built
    (t,) = _rows(con, """
        select business_schedule_id, first_response_business_minutes, resolution_business_minutes,
               first_response_minutes, resolution_minutes
        from marts.fct_tickets where ticket_id = 'ZS_WINTER'""")
    # zendesk_schedule_cases.py: 60 (Wed) + 60 (Sun night) = 120; + 60 + 120 (across midnight) + 60 (Mon) = 360
    assert t == (SCHEDULE, 120.0, 360.0, 6180.0, 6840.0)
