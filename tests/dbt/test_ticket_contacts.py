"""Tickets as contacts, end to end through dbt (issue 13 item 4; docs/decisions.md, "Tickets as contacts").

1. A ticket-only center: a hand-made raw layer with tickets, their events and ticket surveys, and no call or
   digital contact at all. `dbt build` of the contact marts (models, contracts, data tests, unit tests), then
   repeat-contact FCR checked against a hand computation on marts.fct_contacts, rpt_fcr_daily and rpt_headlines.
2. A mixed center, incrementally: a ticket first delivered without the call that opened it is a contact (and a
   repeat of the customer's earlier call); when the call arrives in a later load, naming the ticket, the ticket
   stops being a contact - the incremental run deletes its row - and the result equals a full refresh.

Zone UTC; every instant below carries `Z`.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import duckdb
import pytest

from dbt_helpers import append_raw, create_raw_layer, dbt_env, delivery, failures, run_dbt

TZ = "UTC"
LOADED_AT = datetime(2026, 3, 21, 12, 0, tzinfo=timezone.utc)
BUILD = ["build", "--select", "+rpt_fcr_daily", "+rpt_fcr_survey_agreement", "+fct_contact_drivers",
         "+rpt_headlines", "--indirect-selection", "cautious"]
RUN = ["build", "--select", "+fct_contacts", "--exclude-resource-type", "test", "unit_test"]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _z(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def ticket(ticket_id, customer_id, created_at, channel="web", status="open", **kw):
    row = {"ticket_id": ticket_id, "customer_id": customer_id, "created_at": created_at, "channel": channel,
           "priority": "normal", "status": status}
    row.update(kw)
    return row


def reply(ticket_id, created_at, minutes=30, actor="A1"):
    """The ticket's creation and a public reply by a person `minutes` after it."""
    created = _at(created_at)
    return [
        {"event_id": f"{ticket_id}-c", "ticket_id": ticket_id, "event_at": created_at, "event_type": "created",
         "to_value": "new", "actor_id": "system"},
        {"event_id": f"{ticket_id}-r", "ticket_id": ticket_id, "event_at": _z(created + timedelta(minutes=minutes)),
         "event_type": "comment", "actor_id": actor, "is_public": "true"},
    ]


def call(call_id, customer_id, arrived_at, **kw):
    arrived = _at(arrived_at)
    row = {"call_id": call_id, "customer_id": customer_id, "direction": "inbound", "outcome": "answered",
           "arrived_at": arrived_at, "answered_at": _z(arrived + timedelta(minutes=1)),
           "ended_at": _z(arrived + timedelta(minutes=6)), "agent_id": "A1", "queue": "general"}
    row.update(kw)
    return row


def _rows(con, sql, *params) -> list[dict]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def _by_id(con) -> dict[str, dict]:
    return {r["contact_id"]: r for r in _rows(con, "select * from marts.fct_contacts")}


# ---- 1. a ticket-only center ---------------------------------------------------------------------------------

TICKET_ONLY = {
    "tickets": [
        # KA: three tickets in two days (23 h, then 25 h apart)
        ticket("TA1", "KA", "2026-03-02T09:00:00Z", reason_code="billing_dispute", assignee_group="billing_ops"),
        ticket("TA2", "KA", "2026-03-03T08:00:00Z", reason_code="billing_dispute", assignee_group="billing_ops"),
        ticket("TA3", "KA", "2026-03-04T09:00:00Z", channel="email", reason_code="billing_dispute",
               assignee_group="billing_ops"),
        # KB: two tickets 72 h apart (resolved within 48 h, not within 7 days)
        ticket("TB1", "KB", "2026-03-05T10:00:00Z"),
        ticket("TB2", "KB", "2026-03-08T10:00:00Z"),
        # KC: nobody ever replied: not handled
        ticket("TC1", "KC", "2026-03-06T12:00:00Z", status="new"),
        # no customer: an unidentified contact
        ticket("TU1", None, "2026-03-06T13:00:00Z"),
        # opened by the center's monitoring: never a contact
        ticket("TI1", "KD", "2026-03-07T09:00:00Z", channel="Internal"),
        # solved, no status history: handled by its solve
        ticket("TS1", "KE", "2026-03-09T09:00:00Z", channel="Phone", status="solved",
               solved_at="2026-03-09T12:00:00Z"),
        # the last contact in the data
        ticket("TZ1", "KZ", "2026-03-20T09:00:00Z"),
    ],
    "ticket_events": (reply("TA1", "2026-03-02T09:00:00Z") + reply("TA2", "2026-03-03T08:00:00Z")
                      + reply("TA3", "2026-03-04T09:00:00Z", minutes=90) + reply("TB1", "2026-03-05T10:00:00Z")
                      + reply("TB2", "2026-03-08T10:00:00Z") + reply("TU1", "2026-03-06T13:00:00Z")
                      + reply("TI1", "2026-03-07T09:00:00Z") + reply("TZ1", "2026-03-20T09:00:00Z")),
    "surveys": [
        # ratings of tickets (no contact_id), as a ticketing platform sends them
        {"survey_id": "S_TA3", "ticket_id": "TA3", "customer_id": "KA", "responded_at": "2026-03-05T09:00:00Z",
         "csat": "5", "resolved_reported": "true"},
        {"survey_id": "S_TA1", "ticket_id": "TA1", "customer_id": "KA", "responded_at": "2026-03-02T18:00:00Z",
         "csat": "2", "resolved_reported": "true"},
    ],
}


@pytest.fixture(scope="module")
def ticket_only(tmp_path_factory):
    work = tmp_path_factory.mktemp("dbt_ticket_contacts")
    warehouse = work / "warehouse" / "callqa.duckdb"
    create_raw_layer(warehouse, delivery(TICKET_ONLY, LOADED_AT, 1))
    with dbt_env(warehouse, TZ):
        result = run_dbt(BUILD, work)
    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    yield {"result": result, "con": con}
    con.close()


def test_build_passes_with_ticket_contacts(ticket_only):
    result = ticket_only["result"]
    assert result.success, "\n".join(failures(result))
    executed = {r.node.unique_id for r in result.result.results}
    for name in ("int_contacts_unioned", "fct_contacts", "rpt_fcr_daily", "fct_contact_drivers", "rpt_headlines"):
        assert f"model.callqa.{name}" in executed, name


def test_customer_opened_tickets_are_the_contacts(ticket_only):
    fct = _by_id(ticket_only["con"])
    assert set(fct) == {f"ticket:{t}" for t in ("TA1", "TA2", "TA3", "TB1", "TB2", "TC1", "TU1", "TS1", "TZ1")}
    ta1 = fct["ticket:TA1"]
    assert (ta1["contact_source"], ta1["channel"], ta1["customer_key"], ta1["ticket_id"], ta1["queue"],
            ta1["reason_code"], ta1["outcome"], ta1["is_handled"], ta1["first_response_seconds"], ta1["agent_id"]) \
        == ("tickets", "web", "KA", "TA1", "billing_ops", "billing_dispute", "handled", True, 1800.0, None)
    assert ta1["started_at"] == datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc) and ta1["ended_at"] is None
    assert (fct["ticket:TA3"]["channel"], fct["ticket:TS1"]["channel"]) == ("email", "voice")
    assert (fct["ticket:TC1"]["outcome"], fct["ticket:TC1"]["is_handled"]) == ("unanswered", False)
    assert (fct["ticket:TS1"]["outcome"], fct["ticket:TS1"]["first_response_seconds"]) == ("handled", None)
    assert (fct["ticket:TU1"]["is_identified"], fct["ticket:TU1"]["fcr_48h_null_reason"]) == (False, "unidentified")


def test_ticket_only_fcr_equals_the_hand_computation(ticket_only):
    fct = _by_id(ticket_only["con"])
    cols = ("fcr_48h", "fcr_7d", "fcr_48h_null_reason")
    expected = {
        "TA1": (False, False, None),        # TA2 23 h later
        "TA2": (False, False, None),        # TA3 25 h later
        "TA3": (True, True, None),
        "TB1": (True, False, None),         # TB2 72 h later: outside 48 h, inside 7 d
        "TB2": (True, True, None),
        "TC1": (None, None, "not_handled"),
        "TU1": (None, None, "unidentified"),
        "TS1": (True, True, None),
        "TZ1": (None, None, "censored"),    # the end of the data
    }
    assert {t: tuple(fct[f"ticket:{t}"][c] for c in cols) for t in expected} == expected
    assert [fct[f"ticket:{t}"]["journey_position"] for t in ("TA1", "TA2", "TA3")] == [1, 2, 3]
    assert {fct[f"ticket:{t}"]["journey_id"] for t in ("TA1", "TA2", "TA3")} == {"ticket:TA1"}

    totals = _rows(ticket_only["con"], """
        select sum(handled) as handled, sum(unidentified) as unidentified, sum(censored_48h) as censored_48h,
               sum(eligible_48h) as eligible_48h, sum(fcr_48h_count) as fcr_48h,
               sum(eligible_7d) as eligible_7d, sum(fcr_7d_count) as fcr_7d
        from marts.rpt_fcr_daily""")[0]
    # handled: TA1 TA2 TA3 TB1 TB2 TU1 TS1 TZ1 = 8 (TC1 never answered); eligible 48 h: 8 - TU1 - TZ1 = 6,
    # resolved TA3 TB1 TB2 TS1 = 4 -> 4/6; 7 d: the same 6, resolved TA3 TB2 TS1 = 3 -> 3/6
    assert (totals["handled"], totals["unidentified"], totals["censored_48h"]) == (8, 1, 1)
    assert (totals["eligible_48h"], totals["fcr_48h"], totals["eligible_7d"], totals["fcr_7d"]) == (6, 4, 6, 3)
    headlines = {r["metric"]: r for r in _rows(ticket_only["con"], "select * from marts.rpt_headlines")}
    assert headlines["fcr_48h"]["value"] == pytest.approx(4 / 6)
    assert headlines["fcr_7d"]["value"] == pytest.approx(3 / 6)
    assert (headlines["handled_contacts"]["value"], headlines["unidentified_contacts"]["value"]) == (8, 1)


def test_ticket_surveys_belong_to_the_ticket_contact(ticket_only):
    con = ticket_only["con"]
    fct = _by_id(con)
    assert (fct["ticket:TA3"]["survey_id"], fct["ticket:TA3"]["csat"], fct["ticket:TA3"]["resolved_reported"]) \
        == ("S_TA3", 5, True)
    (web,) = _rows(con, "select * from marts.rpt_fcr_survey_agreement where channel = 'web'")
    (email,) = _rows(con, "select * from marts.rpt_fcr_survey_agreement where channel = 'email'")
    # TA1: resolved by the customer's word, not by repeats (TA2 came 23 h later); TA3: both say resolved
    assert (web["compared_7d"], web["reported_yes_fcr_no_7d"], web["agreement_rate_7d"]) == (1, 1, 0.0)
    assert (email["compared_7d"], email["reported_yes_fcr_yes_7d"], email["agreement_rate_7d"]) == (1, 1, 1.0)


def test_ticket_contacts_as_driver_rows(ticket_only):
    drivers = {r["contact_id"]: r for r in _rows(ticket_only["con"], "select * from marts.fct_contact_drivers")}
    ta3 = drivers["ticket:TA3"]
    # waited 90 min for the first reply; a normal ticket's first-response target comes from seeds sla_policies
    assert (ta3["wait_seconds"], ta3["has_ticket"], ta3["csat"], ta3["handle_seconds"], ta3["transfer_count"]) \
        == (5400.0, True, 5, 0.0, 0)
    sla = _rows(ticket_only["con"], "select first_response_sla_met from marts.fct_tickets where ticket_id = 'TA3'")
    assert ta3["wait_meets_target"] == sla[0]["first_response_sla_met"]


# ---- 2. a mixed center, incrementally -------------------------------------------------------------------------

def _filler(first_day: int, last_day: int) -> list[dict]:
    """One handled call a day by a customer of its own, so each load reaches the same end of the data."""
    return [call(f"fill{d:02d}", f"cfill{d:02d}", f"2026-03-{d:02d}T15:00:00Z") for d in range(first_day, last_day + 1)]


MIXED_FIRST = {
    "calls": _filler(1, 20) + [call("M1", "KM", "2026-03-02T09:00:00Z")],
    # KM's phone ticket, exported before the call that opened it: a contact of its own for now
    "tickets": [ticket("TM", "KM", "2026-03-03T10:05:00Z", channel="phone")],
    "ticket_events": reply("TM", "2026-03-03T10:05:00Z"),
}
MIXED_SECOND = {
    "calls": _filler(21, 21) + [
        # the call that opened TM (it started 5 min before the ticket was created)
        call("M2", "KM", "2026-03-03T10:00:00Z", ticket_id="TM"),
        # KN: a web ticket, then a call a day later that names it: both are contacts, the call is the repeat
        call("N2", "KN", "2026-03-05T09:00:00Z", ticket_id="TN"),
    ],
    "tickets": [ticket("TN", "KN", "2026-03-04T09:00:00Z")],
    "ticket_events": reply("TN", "2026-03-04T09:00:00Z"),
}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    work = tmp_path_factory.mktemp("dbt_ticket_contacts_mixed")
    warehouse = work / "warehouse" / "callqa.duckdb"
    create_raw_layer(warehouse, delivery(MIXED_FIRST, LOADED_AT, 1))
    out = {}
    with dbt_env(warehouse, TZ):
        for step, args in (("first", RUN), ("incremental", RUN),
                           ("full", RUN[:3] + ["--full-refresh"] + RUN[3:])):
            if step == "incremental":
                append_raw(warehouse, delivery(MIXED_SECOND, LOADED_AT, 2))
            result = run_dbt(args, work)
            assert result.success, "\n".join(failures(result))
            con = duckdb.connect(str(warehouse), read_only=True)
            out[step] = _by_id(con)
            con.close()
    return out


def test_unrepresented_ticket_is_a_contact_and_a_repeat(mixed):
    first = mixed["first"]
    assert "ticket:TM" in first and first["ticket:TM"]["channel"] == "voice"
    assert (first["M1"]["fcr_48h"], first["ticket:TM"]["fcr_48h"]) == (False, True)


def test_late_call_that_opened_the_ticket_replaces_it(mixed):
    after = mixed["incremental"]
    assert "ticket:TM" not in after                       # deleted by the incremental run
    assert (after["M1"]["fcr_48h"], after["M2"]["fcr_48h"], after["M2"]["ticket_id"]) == (False, True, "TM")
    # a ticket named only by a later call is still the customer's first contact; the call is its repeat
    assert (after["ticket:TN"]["fcr_48h"], after["N2"]["fcr_48h"]) == (False, True)
    assert after["N2"]["journey_id"] == "ticket:TN"


def test_incremental_equals_full_refresh_with_ticket_contacts(mixed):
    assert mixed["incremental"].keys() == mixed["full"].keys()
    for contact_id, row in mixed["full"].items():
        assert mixed["incremental"][contact_id] == row, contact_id
