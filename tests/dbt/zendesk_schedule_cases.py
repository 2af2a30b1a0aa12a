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

import shutil
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from tests.dbt.dbt_helpers import REPO_ROOT, create_raw_layer, with_load_metadata

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
