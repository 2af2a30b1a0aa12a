"""The ticket chain kept up to date in place (issue 14 item 3; docs/decisions.md, "Bounded recomputation of the
ticket chain"), end to end through dbt: a hand-made raw layer of tickets and ticket events, `+fct_tickets` built,
a second delivery appended (a late event reopening an earlier-solved ticket, a correction of an old event, a
ticket's events filed again under another ticket so the first is gone, new tickets moving the end of the data),
then the rows each incremental model's build writes (its incremental SELECT compiled against its table), the
tables after the incremental build, and the same tables after a full refresh, row for row.

Every instant carries `Z`. Seeds: reopen window 7 days; policies (calendar, no pauses) urgent 15 / 240 min,
high 60 / 480, normal 240 / 1440, low 480 / 4320.
"""
from __future__ import annotations

from datetime import datetime, timezone

import duckdb
import pytest

from dbt_helpers import (append_raw, create_raw_layer, dbt_env, delivery, failures, incremental_batch, query_rows,
                         run_dbt)

TZ = "America/New_York"
LOADED_AT = datetime(2026, 3, 28, 12, 0, tzinfo=timezone.utc)
UTC = timezone.utc
RUN = ["build", "--select", "+fct_tickets", "--exclude-resource-type", "test", "unit_test"]
INCREMENTAL = ("int_ticket_solves_reopened", "int_tickets_sla_measured")
COMPARED = ("intermediate.int_ticket_solves_reopened", "intermediate.int_tickets_sla_measured",
            "intermediate.int_tickets_resolved", "marts.fct_tickets")


def ticket(ticket_id, created_at, priority, status="open", **kw):
    return {"ticket_id": ticket_id, "created_at": created_at, "priority": priority, "status": status, **kw}


def event(event_id, ticket_id, at, kind, frm=None, to=None, actor="a1", public=None):
    return {"event_id": event_id, "ticket_id": ticket_id, "event_at": at, "event_type": kind, "from_value": frm,
            "to_value": to, "actor_id": actor, "is_public": public}


FIRST_LOAD = {
    "tickets": [
        ticket("T1", "2026-03-01T10:00:00Z", "normal", "solved"),
        ticket("T2", "2026-03-02T10:00:00Z", "urgent", "solved"),
        ticket("T3", "2026-03-03T10:00:00Z", "low", "solved"),
        ticket("T4", "2026-03-18T10:00:00Z", "normal", "solved"),
        ticket("T5", "2026-03-20T06:00:00Z", "low", "new"),
        ticket("T6", "2026-03-20T11:00:00Z", "high", "solved"),
    ],
    "ticket_events": [
        # T1: solved 03-02 10:00, no reopen by the end: its window closed 03-09 (false)
        event("T1-0", "T1", "2026-03-01T10:00:00Z", "created", to="new"),
        event("T1-1", "T1", "2026-03-01T11:00:00Z", "comment", public="true"),
        event("T1-2", "T1", "2026-03-02T10:00:00Z", "status_change", "open", "solved"),
        # T2: answered in 10 min, solved in 180 min: both met
        event("T2-0", "T2", "2026-03-02T10:00:00Z", "created", to="new"),
        event("T2-1", "T2", "2026-03-02T10:10:00Z", "comment", public="true"),
        event("T2-2", "T2", "2026-03-02T13:00:00Z", "status_change", "open", "solved"),
        # T3: untouched by the second delivery, its windows long closed
        event("T3-0", "T3", "2026-03-03T10:00:00Z", "created", to="new"),
        event("T3-1", "T3", "2026-03-03T11:00:00Z", "comment", public="true"),
        event("T3-2", "T3", "2026-03-04T10:00:00Z", "status_change", "open", "solved"),
        # T4: solved 03-18 12:00, its reopen window ends 03-25 12:00, after the end: censored
        event("T4-0", "T4", "2026-03-18T10:00:00Z", "created", to="new"),
        event("T4-1", "T4", "2026-03-18T10:30:00Z", "comment", public="true"),
        event("T4-2", "T4", "2026-03-18T12:00:00Z", "status_change", "open", "solved"),
        # T5: nothing yet: first response due 14:00, resolution 03-23 06:00, both after the end (NULL)
        event("T5-0", "T5", "2026-03-20T06:00:00Z", "created", to="new"),
        # T6: answered and solved; its solve at 12:00 is the end of the data
        event("T6-0", "T6", "2026-03-20T11:00:00Z", "created", to="new"),
        event("T6-1", "T6", "2026-03-20T11:30:00Z", "comment", public="true"),
        event("T6-2", "T6", "2026-03-20T12:00:00Z", "status_change", "open", "solved"),
        # TG: events without a ticket row (a ticket of the status history only)
        event("TG-0", "TG", "2026-03-05T09:00:00Z", "created", to="new"),
        event("TG-1", "TG", "2026-03-05T10:00:00Z", "status_change", "open", "solved"),
    ],
}
SECOND_LOAD = {
    "tickets": [
        ticket("T7", "2026-03-27T10:00:00Z", "urgent"),
        ticket("T8", "2026-03-05T09:00:00Z", "normal", "solved"),
    ],
    "ticket_events": [
        # a late delivery: T1 was reopened 3 days after its solve and solved again
        event("T1-3", "T1", "2026-03-05T10:00:00Z", "status_change", "solved", "open"),
        event("T1-4", "T1", "2026-03-06T10:00:00Z", "status_change", "open", "solved"),
        # a correction of an old event: T2 was solved at 15:00 (300 min > 240: missed)
        event("T2-2", "T2", "2026-03-02T15:00:00Z", "status_change", "open", "solved"),
        # TG's events were T8's: TG is gone
        event("TG-0", "T8", "2026-03-05T09:00:00Z", "created", to="new"),
        event("TG-1", "T8", "2026-03-05T10:00:00Z", "status_change", "open", "solved"),
        # T7: answered after 120 min; its comment at 03-27 12:00 is the new end of the data
        event("T7-0", "T7", "2026-03-27T10:00:00Z", "created", to="new"),
        event("T7-1", "T7", "2026-03-27T12:00:00Z", "comment", public="true"),
    ],
}


def _tables(warehouse) -> dict[str, list[dict]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        return {table: query_rows(con, f"select * from {table} order by all") for table in COMPARED}
    finally:
        con.close()


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """The tables after the first build, the second (incremental) and a full refresh; the batches in between."""
    work = tmp_path_factory.mktemp("dbt_tickets_incremental")
    warehouse = work / "warehouse" / "callqa.duckdb"
    create_raw_layer(warehouse, delivery(FIRST_LOAD, LOADED_AT, 1))
    out = {}
    with dbt_env(warehouse, TZ):
        for step, args in (("before", RUN), ("incremental", RUN), ("full", RUN + ["--full-refresh"])):
            if step == "incremental":
                append_raw(warehouse, delivery(SECOND_LOAD, LOADED_AT, 2))
                # The rows each incremental model's build writes: its incremental SELECT compiled against its
                # table of the first run, over the rebuilt upstream models (the solves model before the SLA's).
                for model in INCREMENTAL:
                    out[f"batch_{model}"] = incremental_batch(work, warehouse, model)
            result = run_dbt(args, work)
            assert result.success, "\n".join(failures(result))
            out[step] = _tables(warehouse)
    return out


def _by_ticket(rows: list[dict]) -> dict[str, dict]:
    return {r["ticket_id"]: r for r in rows}


def test_first_build(chain):
    solves = {(r["ticket_id"], r["solve_number"]): r for r in chain["before"]["intermediate.int_ticket_solves_reopened"]}
    assert set(solves) == {("T1", 1), ("T2", 1), ("T3", 1), ("T4", 1), ("T6", 1), ("TG", 1)}
    assert solves[("T1", 1)]["reopened_within_window"] is False
    assert (solves[("T4", 1)]["reopened_within_window"], solves[("T4", 1)]["is_censored"]) == (None, True)
    assert (solves[("T6", 1)]["reopened_within_window"], solves[("T6", 1)]["is_censored"]) == (None, True)
    sla = _by_ticket(chain["before"]["intermediate.int_tickets_sla_measured"])
    assert (sla["T2"]["resolution_sla_met"], sla["T2"]["resolution_minutes"]) == (True, 180)
    assert (sla["T5"]["first_response_sla_met"], sla["T5"]["first_response_sla_null_reason"]) == \
        (None, "target_after_data_end")
    assert (sla["T5"]["resolution_sla_met"], sla["T5"]["resolution_sla_null_reason"]) == (None, "target_after_data_end")
    fct = _by_ticket(chain["before"]["marts.fct_tickets"])
    assert fct["T1"]["resolved_first_time"] is True
    assert fct["T1"]["ticket_data_end_at"] == datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


def test_solves_build_rewrites_only_the_touched_tickets(chain):
    # T1 (a late reopen and solve), T2 (a corrected event), T8 (new, TG's events); T4 and T6 because the end moved
    # from 03-20 12:00 to 03-27 12:00 past their windows' ends (03-25 12:00; 03-27 12:00 exactly: knowable).
    # Not T3 (untouched), not TG (gone: deleted after the build), T5 / T7 have no solve.
    batch = chain["batch_int_ticket_solves_reopened"]
    assert sorted((r["ticket_id"], r["solve_number"]) for r in batch) == [
        ("T1", 1), ("T1", 2), ("T2", 1), ("T4", 1), ("T6", 1), ("T8", 1)]
    rows = {(r["ticket_id"], r["solve_number"]): r for r in batch}
    assert (rows[("T1", 1)]["reopened_within_window"], rows[("T1", 1)]["hours_to_reopen"]) == (True, 72)
    assert rows[("T1", 2)]["reopened_within_window"] is False
    assert rows[("T2", 1)]["solved_at"] == datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    assert (rows[("T4", 1)]["reopened_within_window"], rows[("T4", 1)]["is_censored"]) == (False, False)
    assert (rows[("T6", 1)]["reopened_within_window"], rows[("T6", 1)]["is_censored"]) == (False, False)


def test_sla_build_rewrites_only_the_touched_and_open_tickets(chain):
    # T1, T2 (changed events), T7, T8 (new), T5 (no response nor solve under a policy: its clocks run to the end).
    # Not T3, T4, T6: answered and solved, nothing depends on the end any more.
    batch = _by_ticket(chain["batch_int_tickets_sla_measured"])
    assert set(batch) == {"T1", "T2", "T5", "T7", "T8"}
    assert (batch["T2"]["resolution_minutes"], batch["T2"]["resolution_sla_met"]) == (300, False)
    # 03-27 12:00 is past both of T5's due times: false now
    assert (batch["T5"]["first_response_sla_met"], batch["T5"]["resolution_sla_met"]) == (False, False)
    assert (batch["T7"]["first_response_minutes"], batch["T7"]["first_response_sla_met"],
            batch["T7"]["resolution_sla_null_reason"]) == (120, False, "target_after_data_end")


def test_incremental_equals_full_refresh_row_for_row(chain):
    for table in COMPARED:
        assert chain["incremental"][table] == chain["full"][table], table
    solves = chain["incremental"]["intermediate.int_ticket_solves_reopened"]
    assert "TG" not in {r["ticket_id"] for r in solves}
    fct = _by_ticket(chain["incremental"]["marts.fct_tickets"])
    assert (fct["T1"]["resolved_first_time"], fct["T1"]["reopened_within_7d"]) == (False, True)
    assert fct["T1"]["ticket_data_end_at"] == datetime(2026, 3, 27, 12, 0, tzinfo=UTC)
    # the untouched ticket's rows are the first build's
    before = _by_ticket(chain["before"]["intermediate.int_tickets_sla_measured"])
    after = _by_ticket(chain["incremental"]["intermediate.int_tickets_sla_measured"])
    assert after["T3"] == before["T3"]
