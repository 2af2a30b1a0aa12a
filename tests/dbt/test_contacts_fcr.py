"""Contacts, journeys and first contact resolution, end to end through dbt: a hand-made raw layer (calls, digital
contacts, surveys, agents), `dbt build --select @fct_contacts` (fct_contacts with everything upstream and
downstream, and the reports' seed: models, data tests, dbt unit tests), then the hand-computed result of every
rule on marts.fct_contacts and the reports; and incremental vs full refresh:
load part of the data, build, load the rest (a late repeat, a late survey, a correction, a callback), build
incrementally, and compare with a full refresh row for row.

Timestamps without offset are local time in America/New_York (as delivered); EST (-05) until 2026-03-08 02:00,
EDT (-04) after.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import duckdb
import pytest

from dbt_helpers import append_raw, create_raw_layer, dbt_env, delivery, failures, incremental_batch, run_dbt

TZ = "America/New_York"
LOADED_AT = datetime(2026, 3, 27, 12, 0, tzinfo=timezone.utc)
ANI = "ab" * 32  # a caller-number hash as ingestion writes it (64 hex)
BUILD = ["build", "--select", "@fct_contacts", "--indirect-selection", "cautious"]
# seeds and models only, as the pipeline's scheduled runs do
RUN = ["build", "--select", "@fct_contacts", "--exclude-resource-type", "test", "unit_test"]


# ---- raw rows ---------------------------------------------------------------------------------------------

def call(call_id, arrived_at, customer_id=None, direction="inbound", outcome="answered", answered=True,
         duration_minutes=5, **kw):
    """An inbound call answered one minute after arrival (answered=False: never answered) that lasts
    duration_minutes; every timestamp is naive local time."""
    arrived = datetime.fromisoformat(arrived_at)
    row = {
        "call_id": call_id, "customer_id": customer_id, "direction": direction, "outcome": outcome,
        "arrived_at": arrived_at,
        "answered_at": (arrived + timedelta(minutes=1)).isoformat(sep=" ") if answered else None,
        "ended_at": (arrived + timedelta(minutes=duration_minutes)).isoformat(sep=" "),
    }
    row.update(kw)
    return row


def digital(contact_id, started_at, customer_id, channel="chat", outcome="handled", bot=False, escalated=False, **kw):
    row = {"contact_id": contact_id, "customer_id": customer_id, "channel": channel, "started_at": started_at,
           "bot_handled": str(bot).lower(), "escalated_to_agent": str(escalated).lower(), "outcome": outcome}
    row.update(kw)
    return row


def survey(survey_id, contact_id, responded_at, csat, resolved=None):
    return {"survey_id": survey_id, "contact_id": contact_id, "responded_at": responded_at, "csat": str(csat),
            "resolved_reported": None if resolved is None else str(resolved).lower()}


def _rows(con, sql, *params) -> list[dict]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def _by_id(con, table="marts.fct_contacts", key="contact_id") -> dict[str, dict]:
    return {r[key]: r for r in _rows(con, f"select * from {table}")}


# ---- the hand-computed scenario -----------------------------------------------------------------------------

SCENARIO = {
    "calls": [
        # cA: a call on the evening before the spring-forward night, with two transfers (one contact), then an
        # abandoned call 47.5 h later in real time (the wall clocks say 48.5 h): a repeat within 48 h.
        call("A1", "2026-03-07 22:00:00", "cA", agent_id="a1", queue="billing", reason_code="billing_dispute",
             ivr_ended_at="2026-03-07 22:00:30", ivr_keypresses="3", queued_at="2026-03-07 22:00:30",
             talk_seconds="400", hold_seconds="60", wrap_seconds="40", transfer_count="2"),
        call("A2", "2026-03-09 22:30:00", "cA", outcome="abandoned", answered=False, queue="billing",
             reason_code="billing_dispute", queued_at="2026-03-09 22:30:20", ended_at="2026-03-09 22:31:00"),
        # cB: a promise of a callback by 12:00, kept by an outbound call at 10:00 (not a repeat).
        call("B1", "2026-03-10 09:00:00", "cB", agent_id="a2", queue="general", reason_code="fee_inquiry",
             talk_seconds="200", promised_callback_by="2026-03-10 12:00:00"),
        call("CB1", "2026-03-10 10:00:00", "cB", direction="outbound", callback_for_call_id="B1"),
        # an unidentified caller (no customer_id, no number)
        call("C1", "2026-03-10 11:00:00", None),
        # a caller known only by the hashed number: two calls 23 h apart
        call("N1", "2026-03-11 09:00:00", None, caller_number=ANI, reason_code="card_lost"),
        call("N2", "2026-03-12 08:00:00", None, caller_number=ANI, reason_code="card_lost"),
        # cD: a chat, then a call on the same reason the next day (cross-channel, same-reason repeat)
        call("D2", "2026-03-12 10:00:00", "cD", reason_code="fee_inquiry"),
        # cE: a failed bot session (escalated), then a call 11 h later
        call("E2", "2026-03-12 20:00:00", "cE"),
        # cF / cG: 48 h before the end of the data exactly, and one second later
        call("F1", "2026-03-18 12:00:00", "cF"),
        call("G1", "2026-03-18 12:00:01", "cG"),
        # callbacks: pending (promise after the end of the data), missed, late
        call("H1", "2026-03-19 09:00:00", "cH", promised_callback_by="2026-03-21 09:00:00"),
        call("J1", "2026-03-13 09:00:00", "cJ", promised_callback_by="2026-03-13 12:00:00"),
        call("K1", "2026-03-13 09:00:00", "cK", promised_callback_by="2026-03-13 12:00:00"),
        call("CB2", "2026-03-13 12:00:01", "cK", direction="outbound", callback_for_call_id="K1"),
        # cT: a call and a chat at the same instant
        call("T1", "2026-03-12 14:00:00", "cT"),
    ],
    "digital_contacts": [
        digital("D1", "2026-03-11 10:00:00", "cD", agent_id="a1", queue="chat_support", reason_code="fee_inquiry"),
        digital("E1", "2026-03-12 09:00:00", "cE", channel="bot", bot=True, escalated=True, agent_id="a2"),
        digital("T2", "2026-03-12 14:00:00", "cT"),
        # the last contact in the data: 2026-03-20 12:00 EDT
        digital("Z1", "2026-03-20 12:00:00", "cZ"),
    ],
    "surveys": [
        survey("s1", "B1", "2026-03-10 13:00:00", 2, False),
        survey("s2", "B1", "2026-03-11 09:00:00", 5, True),
        survey("s3", "D1", "2026-03-11 12:00:00", 4, False),
        survey("s4", "C1", "2026-03-10 12:00:00", 3, True),
    ],
    "agents": [
        {"agent_id": "a1", "hired_at": "2026-01-01"},
        {"agent_id": "a2", "hired_at": "2026-03-01"},
    ],
}


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    work = tmp_path_factory.mktemp("dbt_contacts")
    warehouse = work / "warehouse" / "callqa.duckdb"
    create_raw_layer(warehouse, delivery(SCENARIO, LOADED_AT, 1))
    with dbt_env(warehouse, TZ):
        result = run_dbt(BUILD, work)
    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    yield {"result": result, "con": con}
    con.close()


def test_build_passes_models_data_tests_and_unit_tests(scenario):
    result = scenario["result"]
    assert result.success, "\n".join(failures(result))
    executed = {r.node.unique_id for r in result.result.results}
    for name in ("int_contacts_unioned", "int_contacts_repeats", "int_callbacks_kept", "fct_contacts",
                 "rpt_fcr_daily", "rpt_fcr_survey_agreement", "rpt_agent_scorecard_monthly"):
        assert f"model.callqa.{name}" in executed, name
    unit_tests = [u for u in executed if u.startswith("unit_test.callqa.")]
    assert len(unit_tests) >= 12, unit_tests


def test_contacts_are_inbound_calls_and_digital_contacts(scenario):
    fct = _by_id(scenario["con"])
    assert set(fct) == {"A1", "A2", "B1", "C1", "N1", "N2", "D2", "E2", "F1", "G1", "H1", "J1", "K1", "T1",
                        "D1", "E1", "T2", "Z1"}  # outbound CB1, CB2 are not contacts
    assert fct["A1"]["channel"] == "voice" and fct["D1"]["channel"] == "chat" and fct["E1"]["channel"] == "bot"
    assert fct["C1"]["customer_key"] is None and fct["C1"]["is_identified"] is False
    assert fct["N1"]["customer_key"] == f"ani:{ANI}" and fct["N1"]["is_identified"] is True


def test_journey_measures_of_a_call(scenario):
    a1 = _by_id(scenario["con"])["A1"]
    assert (a1["ivr_seconds"], a1["ivr_keypresses"], a1["queue_seconds"], a1["handle_seconds"], a1["transfer_count"]) \
        == (30.0, 3, 30.0, 500.0, 2)
    assert a1["is_handled"] and not a1["is_abandoned"]
    a2 = _by_id(scenario["con"])["A2"]
    assert (a2["is_handled"], a2["is_abandoned"], a2["queue_seconds"]) == (False, True, 40.0)


def test_local_calendar_around_the_dst_change(scenario):
    fct = _by_id(scenario["con"])
    # 22:00 EST on 2026-03-07 is 03:00Z on 03-08; 22:30 EDT on 03-09 is 02:30Z on 03-10
    assert fct["A1"]["started_at"] == datetime(2026, 3, 8, 3, 0, tzinfo=timezone.utc)
    assert (fct["A1"]["local_date"], fct["A1"]["local_hour"]) == (date(2026, 3, 7), 22)
    assert fct["A2"]["started_at"] == datetime(2026, 3, 10, 2, 30, tzinfo=timezone.utc)
    assert (fct["A2"]["local_date"], fct["A2"]["local_hour"]) == (date(2026, 3, 9), 22)


def test_repeats_and_fcr(scenario):
    fct = _by_id(scenario["con"])
    cols = ("has_repeat_48h", "has_repeat_7d", "fcr_48h", "fcr_7d")
    expected = {
        "A1": (True, True, False, False),     # the abandoned A2 47.5 h later (real time) is a repeat
        "A2": (False, False, None, None),     # not handled: no fcr
        "B1": (False, False, True, True),     # the outbound callback is not a repeat
        "N1": (True, True, False, False),     # identified by the hashed number
        "N2": (False, False, True, True),
        "D1": (True, True, False, False),     # chat, then a call: cross-channel repeat
        "E1": (True, True, False, False),
        "E2": (False, False, True, True),
        "F1": (False, None, True, None),      # t + 48 h = the end of the data: knowable; 7 d censored
        "G1": (None, None, None, None),       # one second later: censored
        "T1": (False, False, True, True),     # same instant as T2: not each other's repeat
        "T2": (False, False, True, True),
        "Z1": (None, None, None, None),
    }
    for contact_id, values in expected.items():
        assert tuple(fct[contact_id][c] for c in cols) == values, contact_id
    assert (fct["C1"]["fcr_48h"], fct["C1"]["fcr_48h_null_reason"]) == (None, "unidentified")
    assert fct["G1"]["fcr_48h_null_reason"] == "censored" and fct["A2"]["fcr_48h_null_reason"] == "not_handled"
    d1 = fct["D1"]
    assert (d1["has_repeat_same_channel_48h"], d1["has_repeat_same_reason_48h"]) == (False, True)
    assert (d1["fcr_same_channel_48h"], d1["fcr_same_reason_48h"]) == (True, False)


def test_first_contacts_history_and_journeys(scenario):
    fct = _by_id(scenario["con"])
    assert (fct["A1"]["is_first_contact"], fct["A2"]["is_first_contact"]) == (True, False)
    assert (fct["T1"]["is_first_contact"], fct["T2"]["is_first_contact"]) == (True, True)
    assert (fct["A2"]["prior_contacts_7d"], fct["T2"]["prior_contacts_7d"]) == (1, 0)
    assert (fct["E2"]["bot_failed_before"], fct["E1"]["bot_failed_before"]) == (True, False)
    assert fct["C1"]["bot_failed_before"] is None
    assert [(fct[c]["journey_id"], fct[c]["journey_position"]) for c in ("A1", "A2")] == [("A1", 1), ("A1", 2)]
    assert [(fct[c]["journey_id"], fct[c]["journey_position"]) for c in ("T1", "T2")] == [("T1", 1), ("T1", 2)]
    assert fct["C1"]["journey_id"] is None


def test_callbacks_surveys_and_tenure(scenario):
    fct = _by_id(scenario["con"])
    assert {c: (fct[c]["callback_status"], fct[c]["callback_kept"]) for c in ("B1", "H1", "J1", "K1")} == {
        "B1": ("kept", True), "H1": ("pending", None), "J1": ("missed", False), "K1": ("late", False)}
    assert (fct["A1"]["callback_promised"], fct["A1"]["callback_kept"]) == (False, None)
    assert (fct["B1"]["survey_id"], fct["B1"]["csat"], fct["B1"]["resolved_reported"], fct["B1"]["survey_responses"]) \
        == ("s2", 5, True, 2)
    assert (fct["A1"]["agent_tenure_days"], fct["B1"]["agent_tenure_days"], fct["C1"]["agent_tenure_days"]) \
        == (65, 9, None)


def test_fcr_daily_report(scenario):
    con = scenario["con"]
    cell = _rows(con, "select * from marts.rpt_fcr_daily where local_date = ? and channel = 'voice' and queue = 'billing'",
                 date(2026, 3, 7))
    assert len(cell) == 1
    c = cell[0]
    assert (c["contacts"], c["handled"], c["eligible"], c["fcr_48h_count"], c["fcr_48h_rate"]) == (1, 1, 1, 0, 0.0)
    abandoned_only = _rows(con, "select * from marts.rpt_fcr_daily where local_date = ? and queue = 'billing'",
                           date(2026, 3, 9))[0]
    assert (abandoned_only["handled"], abandoned_only["eligible"], abandoned_only["fcr_48h_rate"]) == (0, 0, None)
    totals = _rows(con, """
        select sum(handled) as handled, sum(unidentified) as unidentified, sum(eligible_48h) as eligible_48h,
               sum(fcr_48h_count) as fcr_48h, sum(censored_48h) as censored_48h, sum(eligible_7d) as eligible_7d,
               sum(fcr_7d_count) as fcr_7d, sum(censored_7d) as censored_7d,
               sum(first_contact_handled) as first_handled, sum(first_contact_fcr_48h_count) as first_fcr_48h
        from marts.rpt_fcr_daily""")[0]
    # handled: A1 B1 C1 N1 N2 D2 E2 F1 G1 H1 J1 K1 T1 D1 E1 T2 Z1 = 17; C1 unidentified;
    # censored 48 h: G1 H1 Z1; censored 7 d additionally F1 (H1, Z1, G1 too)
    assert totals["handled"] == 17 and totals["unidentified"] == 1
    assert (totals["censored_48h"], totals["eligible_48h"]) == (3, 13)
    assert (totals["censored_7d"], totals["eligible_7d"]) == (4, 12)
    # fcr false within 48 h: A1 N1 D1 E1 -> 13 - 4 = 9; within 7 d: 12 - 4 = 8
    assert (totals["fcr_48h"], totals["fcr_7d"]) == (9, 8)
    # first contacts (48 h) among the eligible: all but N2 D2 E2 -> 10 handled first contacts eligible,
    # of which fcr_48h true: B1 F1 J1 K1 T1 T2 = 6 (A1 N1 D1 E1 repeat)
    assert totals["first_fcr_48h"] == 6


def test_survey_agreement_and_agent_scorecard(scenario):
    con = scenario["con"]
    agreement = {(r["local_month"], r["channel"]): r for r in _rows(con, "select * from marts.rpt_fcr_survey_agreement")}
    voice = agreement[(date(2026, 3, 1), "voice")]  # B1 yes/yes (C1: unidentified, not compared)
    assert (voice["surveyed_with_resolved_reported"], voice["compared_7d"], voice["reported_yes_fcr_yes_7d"],
            voice["agreement_rate_7d"]) == (2, 1, 1, 1.0)
    chat = agreement[(date(2026, 3, 1), "chat")]  # D1 no/no
    assert (chat["compared_7d"], chat["reported_no_fcr_no_7d"], chat["agreement_rate_7d"]) == (1, 1, 1.0)

    card = {r["agent_id"]: r for r in _rows(con, "select * from marts.rpt_agent_scorecard_monthly")}
    a1, a2 = card["a1"], card["a2"]
    assert a1["local_month"] == date(2026, 3, 1)
    assert (a1["handled"], a1["fcr_7d_eligible"], a1["fcr_7d_count"], a1["fcr_7d_rate"]) == (2, 2, 0, 0.0)
    assert (a1["aht_seconds"], a1["transfer_rate"], a1["csat_avg"]) == (500.0, 1.0, 4.0)
    assert (a2["handled"], a2["fcr_7d_rate"], a2["aht_seconds"], a2["aht_contacts"], a2["transfer_rate"], a2["csat_avg"]) \
        == (2, 0.5, 200.0, 1, 0.0, 5.0)


# ---- incremental vs full refresh ----------------------------------------------------------------------------

def _filler(first_day: int, last_day: int) -> list[dict]:
    """One handled call a day by a customer of its own, so both loads have contacts every day."""
    return [call(f"fill{d:02d}", f"2026-03-{d:02d} 15:00:00", f"cfill{d:02d}") for d in range(first_day, last_day + 1)]


FIRST_LOAD = {
    "calls": _filler(1, 20) + [
        call("X1", "2026-03-02 09:00:00", "cX"),
        call("W1", "2026-03-05 09:00:00", "cW"),
        call("V1", "2026-03-03 09:00:00", "cV", reason_code="fee_inquiry"),
        call("Y1", "2026-03-18 09:00:00", "cY"),
        call("P1", "2026-03-19 09:00:00", "cP", promised_callback_by="2026-03-21 09:00:00"),
        call("Z1", "2026-03-20 12:00:00", "cZ"),
    ],
    "agents": [{"agent_id": "a1", "hired_at": "2026-01-01"}],
}
SECOND_LOAD = {
    "calls": _filler(21, 26) + [
        call("X2", "2026-03-06 09:00:00", "cX"),                                      # late delivery: a repeat of X1
        call("V1", "2026-03-03 09:00:00", "cV", reason_code="billing_dispute"),       # correction of an old call
        call("Y2", "2026-03-21 10:00:00", "cY"),                                      # repeat of Y1 within 7 d
        call("PCB", "2026-03-21 08:00:00", "cP", direction="outbound", callback_for_call_id="P1"),
    ],
    "surveys": [survey("sW", "W1", "2026-03-21 09:00:00", 4, True)],                  # late survey of an old call
}


@pytest.fixture(scope="module")
def incremental(tmp_path_factory):
    work = tmp_path_factory.mktemp("dbt_contacts_incremental")
    warehouse = work / "warehouse" / "callqa.duckdb"
    create_raw_layer(warehouse, delivery(FIRST_LOAD, LOADED_AT, 1))
    out = {}
    with dbt_env(warehouse, TZ):
        first = run_dbt(RUN, work)
        assert first.success, "\n".join(failures(first))
        con = duckdb.connect(str(warehouse), read_only=True)
        out["before"] = _by_id(con)
        con.close()

        append_raw(warehouse, delivery(SECOND_LOAD, LOADED_AT, 2))
        # The batches the incremental run will write: the incremental SELECTs of int_contacts_repeats and then
        # fct_contacts, each compiled against its table of the first run, over the rebuilt upstream models.
        for model, folder in (("int_contacts_repeats", ("intermediate", "repeats")), ("fct_contacts", ("marts", "contacts"))):
            out[f"batch_{model}"] = {r["contact_id"] for r in incremental_batch(work, warehouse, model, folder)}

        second = run_dbt(RUN, work)
        assert second.success, "\n".join(failures(second))
        con = duckdb.connect(str(warehouse), read_only=True)
        out["incremental"] = _by_id(con)
        out["incremental_daily"] = _rows(con, "select * from marts.rpt_fcr_daily order by all")
        out["incremental_repeats"] = _by_id(con, "intermediate.int_contacts_repeats")
        con.close()

        full = run_dbt(["build", "--select", "int_contacts_repeats+", "--full-refresh",
                        "--exclude-resource-type", "test", "unit_test"], work)
        assert full.success, "\n".join(failures(full))
        con = duckdb.connect(str(warehouse), read_only=True)
        out["full"] = _by_id(con)
        out["full_daily"] = _rows(con, "select * from marts.rpt_fcr_daily order by all")
        out["full_repeats"] = _by_id(con, "intermediate.int_contacts_repeats")
        con.close()
    return out


def test_first_build_sees_only_the_first_load(incremental):
    before = incremental["before"]
    assert (before["X1"]["fcr_7d"], before["Y1"]["fcr_7d"], before["Y1"]["fcr_48h"]) == (True, None, True)
    assert (before["P1"]["callback_status"], before["W1"]["csat"], before["V1"]["reason_code"]) == \
        ("pending", None, "fee_inquiry")


def test_incremental_run_corrects_earlier_contacts(incremental):
    after = incremental["incremental"]
    assert after["X1"]["fcr_7d"] is False and after["X1"]["fcr_48h"] is True   # late repeat 4 days later
    assert after["Y1"]["fcr_7d"] is False                                      # no longer censored, repeated
    assert (after["P1"]["callback_status"], after["P1"]["callback_kept"]) == ("kept", True)
    assert (after["W1"]["csat"], after["V1"]["reason_code"]) == (4, "billing_dispute")
    assert "X2" in after and "Y2" in after


def test_incremental_run_rewrites_the_lookback_and_what_changed(incremental):
    # The table ended at 2026-03-20 16:00Z (Z1), so the lookback starts 7 d + 24 h earlier, 2026-03-12 16:00Z:
    # the daily filler call of 03-12 15:00 EDT (19:00Z) is in it, that of 03-11 is not.
    lookback = {f"fill{d:02d}" for d in range(12, 27)} | {"Y1", "Y2", "P1", "Z1"}
    # older rows only when new (X2) or changed: X1 (late repeat), V1 (correction), W1 (late survey)
    assert incremental["batch_fct_contacts"] == lookback | {"X1", "X2", "V1", "W1"}


def test_incremental_windows_are_recomputed_only_where_the_new_rows_reach(incremental):
    # int_contacts_repeats (macros/contacts/contacts_recompute_scope.sql): the table ended at fill20, 2026-03-20
    # 15:00 EDT = 19:00Z, and the new end is later, so every contact whose 7 d window ended after 03-20 19:00Z
    # (started after 03-13 19:00Z) is rewritten: fill14 on, not fill13 (its window ends exactly at the old end: it
    # was already known); each filler customer has that one contact. The late X2 (03-06) rewrites its customer cX
    # from 7 d before it (X1, 03-02); the corrected V1 its own row. W1's late survey does not touch the windows
    # (fct_contacts picks it up); fill01-fill13 and W1 keep their rows.
    assert incremental["batch_int_contacts_repeats"] == (
        {f"fill{d:02d}" for d in range(14, 27)} | {"Y1", "Y2", "P1", "Z1", "X1", "X2", "V1"})


def test_incremental_equals_full_refresh_row_for_row(incremental):
    assert incremental["incremental"].keys() == incremental["full"].keys()
    for contact_id, row in incremental["full"].items():
        assert incremental["incremental"][contact_id] == row, contact_id
    assert incremental["incremental_daily"] == incremental["full_daily"]
    assert incremental["incremental_repeats"] == incremental["full_repeats"]
