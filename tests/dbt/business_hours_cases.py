"""The hand-made raw layer of the ticket business-hours tests (tests/dbt/test_tickets_business_hours.py on DuckDB,
tests/postgres/test_business_hours_postgres.py on PostgreSQL): a schedule delivered twice (the later delivery is
in force), a holiday, tickets across a weekend and New York's March DST change. Instants carry Z."""
from __future__ import annotations

from datetime import datetime, timezone

from tests.dbt.dbt_helpers import with_load_metadata

TZ = "America/New_York"
LOADED_AT = datetime(2026, 3, 20, 12, 0, tzinfo=timezone.utc)


def _hours(weekday, opens_at, closes_at):
    return {"schedule_id": "default", "time_zone": TZ, "weekday": str(weekday), "opens_at": opens_at,
            "closes_at": closes_at}


# Load 1: Monday-Friday 08:00-12:00 and 13:00-17:00, Saturday 10:00-14:00. Load 2 (a schedule change): Monday-Friday
# 09:00-12:00 and 13:00-17:00, no Saturday. Load 2 is the schedule in force, as a whole.
SCHEDULE_LOAD_1 = [_hours(d, "08:00", "12:00") for d in range(1, 6)] + [
    _hours(d, "13:00", "17:00") for d in range(1, 6)] + [_hours(6, "10:00", "14:00")]
SCHEDULE_LOAD_2 = [_hours(d, "9:00", "12:00") for d in range(1, 6)] + [_hours(d, "13:00", "17:00") for d in range(1, 6)]
HOLIDAYS = [{"schedule_id": "default", "holiday_date": "2026-03-10", "name": "Closed for training"}]

TICKETS = [
    # Fri 16:00 EST -> Mon 09:30 EDT (answer) -> Mon 13:30 EDT (solve)
    {"ticket_id": "K_WEEKEND_DST", "created_at": "2026-03-06T21:00:00Z", "priority": "normal", "status": "solved",
     "solved_at": "2026-03-09T17:30:00Z"},
    # Mon 16:30 EDT -> (Tue holiday) -> Wed 09:15 (answer) -> Wed 12:30 (solve, in the lunch break)
    {"ticket_id": "K_HOLIDAY", "created_at": "2026-03-09T20:30:00Z", "priority": "low", "status": "solved",
     "solved_at": "2026-03-11T16:30:00Z"},
    {"ticket_id": "K_OPEN", "created_at": "2026-03-12T14:00:00Z", "priority": "low", "status": "open"},
]


def _ev(ticket, n, at, kind, frm=None, to=None, public=None):
    return {"event_id": f"{ticket}-{n}", "ticket_id": ticket, "event_at": at, "event_type": kind,
            "from_value": frm, "to_value": to, "actor_id": "a1", "is_public": public}


TICKET_EVENTS = [
    _ev("K_WEEKEND_DST", 0, "2026-03-06T21:00:00Z", "created", to="new"),
    _ev("K_WEEKEND_DST", 1, "2026-03-09T13:30:00Z", "comment", public="true"),
    _ev("K_WEEKEND_DST", 2, "2026-03-09T17:30:00Z", "status_change", "new", "solved"),
    _ev("K_HOLIDAY", 0, "2026-03-09T20:30:00Z", "created", to="new"),
    _ev("K_HOLIDAY", 1, "2026-03-11T13:15:00Z", "comment", public="true"),
    _ev("K_HOLIDAY", 2, "2026-03-11T16:30:00Z", "status_change", "new", "solved"),
    _ev("K_OPEN", 0, "2026-03-12T14:00:00Z", "created", to="new"),
    _ev("K_OPEN", 1, "2026-03-13T14:00:00Z", "comment", public="false"),
]


def raw_rows() -> dict[str, list[dict]]:
    return {
        "tickets": with_load_metadata("tickets", LOADED_AT, TICKETS),
        "ticket_events": with_load_metadata("ticket_events", LOADED_AT, TICKET_EVENTS),
        "business_schedules": with_load_metadata("business_schedules", LOADED_AT, SCHEDULE_LOAD_1, 1)
        + with_load_metadata("business_schedules", LOADED_AT, SCHEDULE_LOAD_2, 2),
        "holidays": with_load_metadata("holidays", LOADED_AT, HOLIDAYS),
    }
