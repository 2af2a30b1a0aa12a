"""The Zendesk schedules sample export (tests/fixtures/adapters/zendesk_schedules/, README there) loaded by the real
ingestion, and hand-made tickets measured on its schedule 360000111 (Support New York: Monday-Friday 09:00-17:00 and
an interval crossing midnight, Sunday 22:00 -> Monday 02:00; holidays 24-25 December 2026). Shared by
tests/dbt/test_adapters_schedules.py (DuckDB) and tests/postgres/test_adapter_models_postgres.py (PostgreSQL).

The ticket, in New York (EST, -05:00, no DST change in late December):
  created   Wed 2026-12-23 16:00 (21:00Z)
  answered  Sun 2026-12-27 23:00 (Mon 04:00Z)
  solved    Mon 2026-12-28 10:00 (15:00Z)
  business minutes: Wed 16:00-17:00 = 60; Thu 24 and Fri 25 holidays; Sat closed; Sun 22:00-23:00 = 60
    -> first response 120; then Sun 23:00-24:00 = 60, Mon 00:00-02:00 = 120, Mon 09:00-10:00 = 60
    -> resolution 120 + 240 = 360. Calendar: 6180 and 6840 minutes."""
from __future__ import annotations

import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from tests.dbt.dbt_helpers import DBT_DIR, REPO_ROOT, create_raw_layer, with_load_metadata

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "adapters" / "zendesk_schedules"
ADAPTER = "zendesk_schedules"
SCHEDULE = "360000111"
DBT_VARS = f'{{"default_business_schedule": "{SCHEDULE}"}}'
PII_KEY = b"test-only-secret"
LOADED_AT = datetime(2026, 12, 30, 12, 0, tzinfo=timezone.utc)

TICKETS = [
    {"ticket_id": "ZS_WINTER", "created_at": "2026-12-23T21:00:00Z", "priority": "normal", "status": "solved",
     "solved_at": "2026-12-28T15:00:00Z"},
]
TICKET_EVENTS = [
    {"event_id": "ZS-0", "ticket_id": "ZS_WINTER", "event_at": "2026-12-23T21:00:00Z", "event_type": "created",
     "to_value": "new", "actor_id": "c1"},
    {"event_id": "ZS-1", "ticket_id": "ZS_WINTER", "event_at": "2026-12-28T04:00:00Z", "event_type": "comment",
     "actor_id": "a1", "is_public": "true"},
    {"event_id": "ZS-2", "ticket_id": "ZS_WINTER", "event_at": "2026-12-28T15:00:00Z", "event_type": "status_change",
     "from_value": "open", "to_value": "solved", "actor_id": "a1"},
]


def load_sample(work: Path) -> tuple[Path, int]:
    """The sample export dropped into <work>/landing/zendesk_schedules/, ingested into a fresh warehouse beside the
    hand-made tickets: (warehouse, raw rows of raw.zendesk_schedules)."""
    from dagster_project.lib.adapters import ingest_adapter

    landing = work / "landing"
    shutil.copytree(FIXTURE, landing / ADAPTER, ignore=shutil.ignore_patterns("README.md"))
    warehouse = work / "warehouse" / "callqa.duckdb"
    create_raw_layer(warehouse, {"tickets": with_load_metadata("tickets", LOADED_AT, TICKETS),
                                 "ticket_events": with_load_metadata("ticket_events", LOADED_AT, TICKET_EVENTS)})
    con = duckdb.connect(str(warehouse))
    try:
        load = ingest_adapter(con, landing, ADAPTER, PII_KEY)
    finally:
        con.close()
    assert {f.status for f in load.files} == {"loaded"}, [(f.file, f.status, f.error) for f in load.files]
    return warehouse, sum(f.rows for f in load.files)


# What the sample gives, hand-derived from the export (asserted on DuckDB and on PostgreSQL).
def _ny(weekday, opens_at, closes_at):
    return (SCHEDULE, "America/New_York", weekday, opens_at, closes_at)


EXPECTED_HOURS = [  # schedule_id, time_zone, weekday, opens_at, closes_at
    # 1320-1560 (Sunday 22:00 -> Monday 02:00) is two days' hours; Sunday is ISO weekday 7
    _ny(1, "00:00", "02:00"), _ny(1, "09:00", "17:00"), _ny(2, "09:00", "17:00"), _ny(3, "09:00", "17:00"),
    _ny(4, "09:00", "17:00"), _ny(5, "09:00", "17:00"), _ny(7, "22:00", "24:00"),
    # "London" is a Rails name; 9600-10080 ends at the week's end: Saturday 16:00-24:00
    ("360000222", "Europe/London", 1, "08:00", "16:00"),
    ("360000222", "Europe/London", 6, "16:00", "24:00"),
    # an IANA zone passes unchanged
    ("360000903", "Europe/Paris", 1, "09:00", "17:00"),
]
EXPECTED_HOLIDAYS = [  # schedule_id, holiday_date (ISO text), name
    (SCHEDULE, "2026-12-24", "Christmas"), (SCHEDULE, "2026-12-25", "Christmas"),
    (SCHEDULE, "2027-01-01", "New Year's Day"),
]
# (source, file name, reason, detail) of the rejects, by source, file, line
EXPECTED_REJECTS = [
    ("business_schedules", "bad_schedules.json", "not_mapped",
     "time_zone Mars Standard Time is neither a Zendesk (Rails) time zone name nor an IANA time zone"),
    ("business_schedules", "bad_schedules.json", "not_mapped", "interval end_time 1980 is not after start_time 2460"),
    ("business_schedules", "bad_schedules.json", "not_mapped",
     "interval 9600-10200 is outside the week (minutes from Sunday 00:00, 0..10080)"),
    ("business_schedules", "bad_schedules.json", "not_mapped",
     "schedule 360000904 has no intervals (a schedule closed all week has no business hours)"),
    ("holidays", "holidays_360000222.json", "not_mapped",
     "holiday 4501 in zendesk_schedules/holidays_360000222.json: the path names no schedule; save a schedule's "
     "holidays as <landing>/zendesk_schedules/schedules/<schedule id>/holidays.json"),
    ("holidays", "holidays.json", "not_mapped", "holiday end_date 2026-07-03 is before start_date 2026-07-04"),
]
# 8 + 5 schedule intervals, 3 + 1 holidays; the split rows (Monday 00:00-02:00, 25 December) carry no raw row
EXPECTED_RECONCILIATION = {"raw": 17, "staged": 11, "rejected": 6, "history": 0, "ok": True}
# ZS_WINTER: business_schedule_id, first response and resolution in business, then calendar minutes (docstring)
EXPECTED_TICKET = (SCHEDULE, 120.0, 360.0, 6180.0, 6840.0)

HOURS_SQL = ("select schedule_id, time_zone, weekday, opens_at, closes_at from staging.stg_landing__business_schedules "
             "order by schedule_id, weekday, opens_at")
HOLIDAYS_SQL = ("select schedule_id, cast(holiday_date as varchar), name from staging.stg_landing__holidays "
                "order by schedule_id, holiday_date")
REJECTS_SQL = (f"select source, file, reason, detail from audit.rejected_rows where adapter = '{ADAPTER}' "
               "order by source, file, line")
RECONCILIATION_SQL = ("select raw_rows, staged_rows, rejected_rows, history_rows, is_reconciled "
                      f"from audit.layer_reconciliation where source = '{ADAPTER}'")
TICKET_SQL = ("select business_schedule_id, first_response_business_minutes, resolution_business_minutes, "
              "first_response_minutes, resolution_minutes from marts.fct_tickets where ticket_id = 'ZS_WINTER'")


def rejects(rows) -> list[tuple]:
    return [(source, file.split("/")[-1], reason, detail) for source, file, reason, detail in rows]


def reconciliation(row) -> dict:
    return dict(zip(("raw", "staged", "rejected", "history", "ok"), row))


def zendesk_zone_mapping() -> dict[str, str]:
    """The Zendesk (Rails) zone name -> IANA zone table of the dbt macro zendesk_time_zones()."""
    text = (DBT_DIR / "macros" / "landing" / "adapters" / "zendesk_schedules.sql").read_text(encoding="utf-8")
    body = text.split("macro zendesk_time_zones()", 1)[1].split("endmacro", 1)[0]
    return dict(re.findall(r'"([^"]+)": "([^"]+)"', body))
