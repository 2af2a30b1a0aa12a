"""The modelling table of the satisfaction drivers (marts.fct_contact_drivers) end to end through dbt: a raw layer
made by hand, `dbt build --select +fct_contact_drivers` (models, the enforced contract, data tests and the dbt unit
test of the model's rules), then hand-checked rows that join what the unit test mocks: tickets' SLA, random vs
targeted QA samples, red-line phrases from transcripts, callbacks, agents, and the seeds' targets.

Zone America/New_York; every instant below carries `Z`. The data start at C1, 2026-03-02 14:00Z.
"""
from __future__ import annotations

from datetime import datetime, timezone

import duckdb
import pytest

from dbt_helpers import create_raw_layer, dbt_env, failures, run_dbt, with_load_metadata

TZ = "America/New_York"
LOADED_AT = datetime(2026, 3, 20, 12, 0, tzinfo=timezone.utc)

CALLS = [
    # K1's first call: at the data start; 60 s IVR, 15 s queue (general: 20 s threshold), 430 s handle (AHT target
    # 360 s), a callback promised by 20:00Z and made at 21:00Z (late), a ticket
    {"call_id": "C1", "customer_id": "K1", "direction": "inbound", "queue": "general", "reason_code": "billing_dispute",
     "arrived_at": "2026-03-02T14:00:00Z", "ivr_ended_at": "2026-03-02T14:01:00Z", "ivr_keypresses": "3",
     "queued_at": "2026-03-02T14:01:00Z", "answered_at": "2026-03-02T14:01:15Z", "ended_at": "2026-03-02T14:10:00Z",
     "outcome": "answered", "agent_id": "A1", "talk_seconds": "400", "hold_seconds": "0", "wrap_seconds": "30",
     "transfer_count": "0", "ticket_id": "T1", "promised_callback_by": "2026-03-02T20:00:00Z"},
    {"call_id": "CB1", "customer_id": "K1", "direction": "outbound", "queue": "general",
     "arrived_at": "2026-03-02T21:00:00Z", "answered_at": "2026-03-02T21:00:10Z", "ended_at": "2026-03-02T21:05:00Z",
     "outcome": "answered", "agent_id": "A1", "callback_for_call_id": "C1"},
    # K1 again ten days later (nothing in the 7 days before, all of them inside the data): 150 s IVR, surveyed,
    # evaluated by a random QA sample with a critical fail, transcribed with a red-line phrase
    {"call_id": "C2", "customer_id": "K1", "direction": "inbound", "queue": "general", "reason_code": "billing_dispute",
     "arrived_at": "2026-03-12T14:00:00Z", "ivr_ended_at": "2026-03-12T14:02:30Z", "ivr_keypresses": "6",
     "queued_at": "2026-03-12T14:02:30Z", "answered_at": "2026-03-12T14:03:00Z", "ended_at": "2026-03-12T14:08:00Z",
     "outcome": "answered", "agent_id": "A1", "talk_seconds": "250", "hold_seconds": "20", "wrap_seconds": "30",
     "transfer_count": "2"},
]
DIGITAL = [
    # K2: a bot session that gave up, then a chat half an hour later (first reply after 30 s), surveyed, with only a
    # targeted QA evaluation
    {"contact_id": "B1", "customer_id": "K2", "channel": "bot", "started_at": "2026-03-12T14:30:00Z",
     "first_response_at": "2026-03-12T14:30:02Z", "ended_at": "2026-03-12T14:34:00Z", "bot_handled": "true",
     "escalated_to_agent": "false", "outcome": "abandoned"},
    {"contact_id": "D1", "customer_id": "K2", "channel": "chat", "started_at": "2026-03-12T15:00:00Z",
     "first_response_at": "2026-03-12T15:00:30Z", "ended_at": "2026-03-12T15:20:00Z", "bot_handled": "false",
     "escalated_to_agent": "false", "outcome": "handled", "agent_id": "A2", "queue": "chat_general"},
]
TICKETS = [  # urgent (240 min to resolve), solved after 5 h 50 min: SLA missed
    {"ticket_id": "T1", "customer_id": "K1", "created_at": "2026-03-02T14:10:00Z", "priority": "urgent",
     "status": "solved", "solved_at": "2026-03-02T20:00:00Z"},
]
SURVEYS = [
    {"survey_id": "S1", "contact_id": "C2", "customer_id": "K1", "responded_at": "2026-03-12T16:00:00Z", "csat": "2"},
    {"survey_id": "S2", "contact_id": "D1", "customer_id": "K2", "responded_at": "2026-03-12T18:00:00Z", "csat": "5"},
]
EVALUATIONS = [
    {"evaluation_id": "E1", "contact_id": "C2", "agent_id": "A1", "evaluator_id": "Q1",
     "evaluated_at": "2026-03-13T10:00:00Z", "sample_type": "random"},
    {"evaluation_id": "E2", "contact_id": "D1", "agent_id": "A2", "evaluator_id": "Q1",
     "evaluated_at": "2026-03-13T11:00:00Z", "sample_type": "targeted"},
]
ITEMS = [
    {"evaluation_id": "E1", "item_code": "accurate_resolution", "result": "fail"},
    {"evaluation_id": "E1", "item_code": "correct_information", "result": "pass"},
    {"evaluation_id": "E2", "item_code": "accurate_resolution", "result": "fail"},
]
TRANSCRIPTS = [
    {"contact_id": "C2", "seq": "1", "speaker": "customer", "text": "It is still wrong."},
    {"contact_id": "C2", "seq": "2", "speaker": "agent", "text": "Please just shut up and listen."},
]
AGENTS = [
    {"agent_id": "A1", "hired_at": "2026-01-01"},
    {"agent_id": "A2", "hired_at": "2026-03-01"},
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("dbt_drivers")
    warehouse = work / "warehouse" / "callqa.duckdb"
    create_raw_layer(warehouse, {
        "calls": with_load_metadata("calls", LOADED_AT, CALLS),
        "digital_contacts": with_load_metadata("digital_contacts", LOADED_AT, DIGITAL),
        "tickets": with_load_metadata("tickets", LOADED_AT, TICKETS),
        "surveys": with_load_metadata("surveys", LOADED_AT, SURVEYS),
        "qa_evaluations": with_load_metadata("qa_evaluations", LOADED_AT, EVALUATIONS),
        "qa_evaluation_items": with_load_metadata("qa_evaluation_items", LOADED_AT, ITEMS),
        "transcripts": with_load_metadata("transcripts", LOADED_AT, TRANSCRIPTS),
        "agents": with_load_metadata("agents", LOADED_AT, AGENTS),
    })
    with dbt_env(warehouse, TZ):
        result = run_dbt(["build", "--select", "+fct_contact_drivers", "--indirect-selection", "cautious"], work)
    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    cursor = con.execute("select * from marts.fct_contact_drivers")
    columns = [d[0] for d in cursor.description]
    rows = {row[0]: dict(zip(columns, row)) for row in cursor.fetchall()}  # plain Python values, NULL = None
    yield {"result": result, "rows": rows}
    con.close()


def test_dbt_build_passes_contract_data_tests_and_unit_test(built):
    result = built["result"]
    assert result.success, failures(result)
    names = {r.node.name for r in result.result.results}
    assert "fct_contact_drivers__fills_unknowns_and_targets" in names  # the unit test ran


def test_one_row_per_contact_outbound_callbacks_excluded(built):
    assert set(built["rows"]) == {"C1", "C2", "B1", "D1"}


def test_first_call_callback_ticket_and_history_at_the_data_start(built):
    c1 = built["rows"]["C1"]
    assert c1["callback_promised"] and c1["callback_broken"] and not c1["callback_meets_target"]  # late
    assert c1["has_ticket"] and c1["ticket_sla_missed"] and not c1["ticket_sla_meets_target"]   # 5 h 50 > 4 h
    assert c1["had_prior_contact_7d"] is None and c1["bot_failed_before_24h"] is None  # 7 d / 24 h before the data
    assert c1["ivr_seconds"] == 60 and c1["ivr_meets_target"]
    assert c1["wait_seconds"] == 15 and c1["wait_meets_target"]                                 # 15 <= 20 s
    assert c1["handle_seconds"] == 430 and not c1["handle_meets_target"]                       # 430 > 360 s
    assert c1["agent_tenure_days"] == 60                                                        # Jan 1 -> Mar 2


def test_second_call_survey_random_qa_and_red_line(built):
    c2 = built["rows"]["C2"]
    assert c2["csat"] == 2 and c2["had_prior_contact_7d"] is False
    assert c2["ivr_seconds"] == 150 and not c2["ivr_meets_target"] and not c2["ivr_keypresses_meet_target"]
    assert c2["transfer_count"] == 2 and not c2["transfers_meet_target"]
    assert c2["qa_evaluated"] and c2["qa_critical_error"] and not c2["qa_meets_target"]
    assert c2["is_transcribed"] and c2["has_red_line_phrase"] and c2["red_line_hits"] == 1
    assert c2["callback_broken"] is False and c2["ticket_sla_missed"] is False


def test_chat_after_a_failed_bot_session_with_a_targeted_evaluation_only(built):
    d1 = built["rows"]["D1"]
    assert d1["csat"] == 5 and d1["had_prior_contact_7d"] and d1["bot_failed_before_24h"]
    assert d1["wait_seconds"] == 30 and d1["wait_meets_target"]                                 # chat: 60 s
    assert d1["ivr_seconds"] == 0 and d1["handle_seconds"] == 0 and d1["transfer_count"] == 0
    assert d1["qa_evaluated"] is False and d1["qa_critical_error"] is False                    # targeted: not used
    assert d1["is_transcribed"] is False and d1["has_red_line_phrase"] is False
    assert built["rows"]["B1"]["bot_involved"]
