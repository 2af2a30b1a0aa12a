"""Staging and audit, end to end through dbt: a raw layer made by hand (as docs/layers.md describes it),
then `dbt build --select staging audit` (models, data tests and dbt unit tests), then assertions per
contract rule: which rows are staged, which are rejected with which reason and detail, and that every
raw row is accounted for exactly once.

Every raw row below declares its fate: STAGED, or (reason, detail) as audit.rejected_rows must show it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import duckdb
import pytest

from dbt_helpers import create_raw_layer, dbt_env, failures, run_dbt

TZ = "America/New_York"  # DST starts 2026-03-08 02:00 local (EST -05 -> EDT -04)
LOADED_AT = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
STAGED = "staged"
HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


@dataclass
class Case:
    """Rows of one source for one rule. Row dicts may carry `load` (0, 1, ... : later = delivered later) and
    `_line`; the fixture assigns load ids (increasing with case order, then load) and files."""

    id: str
    source: str
    rows: list[tuple[object, dict]] = field(default_factory=list)


def call(call_id, **kw):
    row = {"call_id": call_id, "direction": "inbound", "outcome": "answered",
           "arrived_at": "2026-01-05 09:00:00", "ended_at": "2026-01-05 09:06:00"}
    row.update(kw)
    return row


def hours(schedule_id, weekday, opens_at, closes_at, time_zone="America/New_York"):
    return {"schedule_id": schedule_id, "time_zone": time_zone, "weekday": weekday, "opens_at": opens_at,
            "closes_at": closes_at}


def superseded(key_columns, load_id, line):
    return ("duplicate_superseded", f"{key_columns} superseded by load_id {load_id} line {line}")


CASES = [
    # ---- calls -------------------------------------------------------------------------------------------
    Case("calls_naive_vs_offset_timestamps", "calls", [
        (STAGED, call("ts_naive_before_dst", arrived_at="2026-03-07T12:00:00", ended_at="2026-03-07T12:05:00")),
        (STAGED, call("ts_naive_after_dst", arrived_at="2026-03-09 12:00:00", ended_at="2026-03-09 12:05:00")),
        (STAGED, call("ts_offset", arrived_at="2026-03-09T12:00:00+08:00", ended_at="2026-03-09T12:05:00+08:00")),
        (STAGED, call("ts_utc_z", arrived_at="2026-03-08T07:00:00Z", ended_at="2026-03-08T07:30:00.250Z")),
        (STAGED, call("ts_date_only", arrived_at="2026-03-09", ended_at="2026-03-09 00:00:01")),
    ]),
    Case("calls_missing_required", "calls", [
        (("missing_required", "direction"), call("req_no_direction", direction=None)),
        (("missing_required", "arrived_at, outcome"), call("req_two_missing", arrived_at=None, outcome=None)),
        (("missing_required", "call_id"), call("   ")),
        (("missing_required", "direction"), call("req_missing_before_type", direction=None, ended_at="garbage")),
    ]),
    Case("calls_invalid_type", "calls", [
        (("invalid_type", "arrived_at"), call("type_bad_timestamp", arrived_at="yesterday")),
        (("invalid_type", "ended_at"), call("type_impossible_date", ended_at="2026-02-30 09:00:00")),
        (("invalid_type", "ivr_keypresses"), call("type_fractional_int", ivr_keypresses="2.5")),
        (("invalid_type", "talk_seconds, hold_seconds"), call("type_two_numbers", talk_seconds="abc", hold_seconds="1,5")),
        (("invalid_type", "caller_number"), call("type_unhashed_phone", caller_number="+1 212 555 0100")),
        (("invalid_type", "arrived_at"), call("type_before_enum", arrived_at="x", direction="sideways")),
    ]),
    Case("calls_enum", "calls", [
        (("invalid_enum", "direction"), call("enum_unknown_direction", direction="sideways")),
        (("invalid_enum", "direction, outcome"), call("enum_two", direction="up", outcome="maybe")),
        (STAGED, call("enum_any_case", direction="OutBound", outcome=" ANSWERED ")),
        (("invalid_enum", "outcome"), call("enum_before_range", outcome="lost", transfer_count="-1")),
    ]),
    Case("calls_range", "calls", [
        (("out_of_range", "transfer_count"), call("range_negative_transfers", transfer_count="-1")),
        (("out_of_range", "ivr_keypresses, wrap_seconds"), call("range_two", ivr_keypresses="-3", wrap_seconds="-0.5")),
        (STAGED, call("range_zeros", ivr_keypresses="0", talk_seconds="0", hold_seconds="0", wrap_seconds="0", transfer_count="0")),
        (("out_of_range", "talk_seconds"), call("range_before_order", talk_seconds="-1", ended_at="2026-01-05 08:00:00")),
    ]),
    Case("calls_end_before_start", "calls", [
        (("end_before_start", "ended_at < arrived_at"), call("order_ended_before", ended_at="2026-01-05 08:59:59")),
        (STAGED, call("order_ended_equals", ended_at="2026-01-05 09:00:00")),
        # 09:00 New York (EST) is 14:00Z: the same instant, so allowed; 13:59Z is before it.
        (STAGED, call("order_equal_instant_mixed_notation", ended_at="2026-01-05T14:00:00Z")),
        (("end_before_start", "ended_at < arrived_at"), call("order_mixed_notation_before", ended_at="2026-01-05T13:59:00Z")),
    ]),
    Case("calls_defaults_and_derived", "calls", [
        (STAGED, call("derived_defaults", talk_seconds="300", hold_seconds="20.5", wrap_seconds=None,
                      transfer_count=None, caller_number=HASH.upper(), agent_site_extra="ignored extra column")),
        (STAGED, call("derived_transfers", transfer_count="2.0")),
    ]),
    Case("calls_duplicates", "calls", [
        # within one load: the later line wins
        (superseded("call_id", "{load0}", 7), call("dup_same_load", queue="line_2", _line=2)),
        (STAGED, call("dup_same_load", queue="line_7", _line=7)),
        # across loads: the later load wins, whatever the lines
        (superseded("call_id", "{load1}", 2), call("dup_across_loads", queue="load_0", _line=3)),
        (STAGED, call("dup_across_loads", queue="load_1", load=1, _line=2)),
        # three versions: both earlier ones point at the winner
        (superseded("call_id", "{load2}", 3), call("dup_three", queue="v1", _line=4)),
        (superseded("call_id", "{load2}", 3), call("dup_three", queue="v2", load=1, _line=3)),
        (STAGED, call("dup_three", queue="v3", load=2, _line=3)),
        # an invalid later correction does not replace the earlier valid version
        (STAGED, call("dup_invalid_correction", queue="valid_original", _line=5)),
        (("end_before_start", "ended_at < arrived_at"),
         call("dup_invalid_correction", queue="invalid_fix", ended_at="2026-01-05 08:00:00", load=2, _line=2)),
    ]),
    Case("calls_malformed", "calls", [
        (("malformed_line", "expected 21 fields, found 2"),
         {"_malformed": "expected 21 fields, found 2", "_raw_line": "c9,inbound"}),
    ]),

    # ---- digital_contacts -----------------------------------------------------------------------------------
    Case("digital_booleans", "digital_contacts", [
        *[(STAGED, {"contact_id": f"bool_{i}", "channel": "chat", "started_at": "2026-01-05 09:00:00",
                    "outcome": "handled", "bot_handled": t, "escalated_to_agent": f})
          for i, (t, f) in enumerate([("true", "false"), ("TRUE", "False"), ("1", "0"), ("yes", "no"),
                                      ("Yes", "NO"), ("y", "n"), ("Y", "N"), (" true ", " n ")])],
        (("invalid_type", "bot_handled"), {"contact_id": "bool_maybe", "channel": "chat", "started_at": "2026-01-05 09:00:00",
                                           "outcome": "handled", "bot_handled": "maybe", "escalated_to_agent": "false"}),
        (("invalid_type", "bot_handled, escalated_to_agent"),
         {"contact_id": "bool_two", "channel": "chat", "started_at": "2026-01-05 09:00:00",
          "outcome": "handled", "bot_handled": "t", "escalated_to_agent": "2"}),
        (("missing_required", "escalated_to_agent"),
         {"contact_id": "bool_missing", "channel": "chat", "started_at": "2026-01-05 09:00:00",
          "outcome": "handled", "bot_handled": "true"}),
    ]),
    Case("digital_rules", "digital_contacts", [
        (STAGED, {"contact_id": "dig_open", "channel": "Email", "started_at": "2026-01-05 09:00:00",
                  "outcome": "handled", "bot_handled": "0", "escalated_to_agent": "0"}),
        (("end_before_start", "ended_at < started_at"),
         {"contact_id": "dig_order", "channel": "chat", "started_at": "2026-01-05 09:00:00", "ended_at": "2026-01-05 08:00:00",
          "outcome": "handled", "bot_handled": "0", "escalated_to_agent": "0"}),
        (("invalid_enum", "channel"), {"contact_id": "dig_fax", "channel": "fax", "started_at": "2026-01-05 09:00:00",
                                       "outcome": "handled", "bot_handled": "0", "escalated_to_agent": "0"}),
    ]),

    # ---- tickets, ticket_events ---------------------------------------------------------------------------
    Case("tickets", "tickets", [
        (STAGED, {"ticket_id": "t_ok", "created_at": "2026-01-05 09:00:00", "priority": "Urgent", "status": "solved",
                  "solved_at": "2026-01-05 10:00:00", "closed_at": "2026-01-06 10:00:00"}),
        (("invalid_enum", "priority"), {"ticket_id": "t_prio", "created_at": "2026-01-05 09:00:00", "priority": "critical", "status": "new"}),
        (("end_before_start", "solved_at < created_at, closed_at < created_at"),
         {"ticket_id": "t_order", "created_at": "2026-01-05 09:00:00", "priority": "low", "status": "closed",
          "solved_at": "2026-01-05 08:00:00", "closed_at": "2026-01-05 08:30:00"}),
    ]),
    Case("ticket_events", "ticket_events", [
        (STAGED, {"event_id": "e_ok", "ticket_id": "t_ok", "event_at": "2026-01-05 09:00:00", "event_type": "status_change",
                  "from_value": "solved", "to_value": "open", "is_public": "no"}),
        (("invalid_enum", "event_type"), {"event_id": "e_type", "ticket_id": "t_ok", "event_at": "2026-01-05 09:00:00", "event_type": "deleted"}),
        (("invalid_type", "is_public"), {"event_id": "e_bool", "ticket_id": "t_ok", "event_at": "2026-01-05 09:00:00",
                                         "event_type": "comment", "is_public": "public"}),
    ]),

    # ---- surveys, survey_answers --------------------------------------------------------------------------
    Case("surveys_csat_nps", "surveys", [
        (("out_of_range", "csat"), {"survey_id": "csat_0", "contact_id": "c1", "responded_at": "2026-01-05 10:00:00", "csat": "0"}),
        (STAGED, {"survey_id": "csat_1", "contact_id": "c1", "responded_at": "2026-01-05 10:00:00", "csat": "1", "nps": "0"}),
        (STAGED, {"survey_id": "csat_5", "ticket_id": "t_ok", "responded_at": "2026-01-05 10:00:00", "csat": "5", "nps": "10",
                  "resolved_reported": "Y"}),
        (("out_of_range", "csat"), {"survey_id": "csat_6", "contact_id": "c1", "responded_at": "2026-01-05 10:00:00", "csat": "6"}),
        (("invalid_type", "csat"), {"survey_id": "csat_word", "contact_id": "c1", "responded_at": "2026-01-05 10:00:00", "csat": "five"}),
        (("out_of_range", "nps"), {"survey_id": "nps_11", "contact_id": "c1", "responded_at": "2026-01-05 10:00:00", "csat": "3", "nps": "11"}),
        (("missing_required", "contact_id or ticket_id"),
         {"survey_id": "no_target", "responded_at": "2026-01-05 10:00:00", "csat": "3"}),
        (("end_before_start", "responded_at < sent_at"),
         {"survey_id": "sent_late", "contact_id": "c1", "sent_at": "2026-01-05 11:00:00", "responded_at": "2026-01-05 10:00:00", "csat": "3"}),
        (STAGED, {"survey_id": "masked", "contact_id": "c1", "responded_at": "2026-01-05 10:00:00", "csat": "2",
                  "comment": "请致电 +65 9123 4567 或 a.b@example.com，订单 12345"}),
    ]),
    Case("surveys_kind", "surveys", [
        # a relationship survey is about the customer, not a contact: no contact_id / ticket_id, no csat needed
        (STAGED, {"survey_id": "rel_1", "kind": "Relationship", "customer_id": "cust1",
                  "responded_at": "2026-01-05 10:00:00", "nps": "9"}),
        (("missing_required", "contact_id or ticket_id"),
         {"survey_id": "trans_no_target", "kind": "transactional", "responded_at": "2026-01-05 10:00:00", "csat": "3"}),
        # a transactional survey may carry its overall satisfaction as an answer to an `overall` question
        (STAGED, {"survey_id": "trans_no_csat", "contact_id": "c1", "responded_at": "2026-01-05 10:00:00"}),
        (("invalid_enum", "kind"), {"survey_id": "kind_word", "kind": "pulse", "contact_id": "c1",
                                    "responded_at": "2026-01-05 10:00:00", "csat": "3"}),
    ]),
    Case("survey_questions", "survey_questions", [
        (STAGED, {"question_code": "rq_overall", "question_text": "Overall satisfaction with the bank", "dimension": "Overall",
                  "scale_min": "0", "scale_max": "10"}),
        (STAGED, {"question_code": "sq_tang_easy", "dimension": "tangibles", "scale_min": "1", "scale_max": "7"}),
        (("failed_check", "scale_min < scale_max"),
         {"question_code": "rq_flat", "dimension": "value", "scale_min": "5", "scale_max": "5"}),
        (("missing_required", "dimension"), {"question_code": "rq_nodim", "scale_min": "1", "scale_max": "5"}),
    ]),
    Case("survey_answers", "survey_answers", [
        (superseded("survey_id, question_code", "{load1}", 2),
         {"survey_id": "csat_1", "question_code": "sq_rel_resolved", "score": "3"}),
        (STAGED, {"survey_id": "csat_1", "question_code": "sq_rel_resolved", "score": "4", "load": 1, "_line": 2}),
        (STAGED, {"survey_id": "csat_1", "question_code": "sq_emp_understood", "score": "4.5"}),
        (("invalid_type", "score"), {"survey_id": "csat_1", "question_code": "sq_resp_prompt", "score": "high"}),
        # answers are on their question's declared scale (seed 1-5; a delivered question overrides the seed's)
        (("out_of_range", "score outside the scale 1-5 of question sq_resp_reach"),
         {"survey_id": "csat_1", "question_code": "sq_resp_reach", "score": "0"}),
        (STAGED, {"survey_id": "rel_1", "question_code": "rq_overall", "score": "0"}),
        (STAGED, {"survey_id": "rel_1", "question_code": "sq_tang_easy", "score": "7"}),
        (("out_of_range", "score outside the scale 0-10 of question rq_overall"),
         {"survey_id": "csat_5", "question_code": "rq_overall", "score": "11"}),
        (("invalid_enum", "question_code not in survey_questions (seed or delivered)"),
         {"survey_id": "csat_1", "question_code": "q_unknown", "score": "3"}),
        (("invalid_enum", "question_code not in survey_questions (seed or delivered)"),
         {"survey_id": "csat_1", "question_code": "rq_flat", "score": "5"}),
    ]),

    # ---- QA -----------------------------------------------------------------------------------------------
    Case("qa_evaluations", "qa_evaluations", [
        (STAGED, {"evaluation_id": "ev1", "contact_id": "c1", "agent_id": "a1", "evaluator_id": "qa1",
                  "evaluated_at": "2026-01-06 09:00:00", "sample_type": "Random"}),
        (("invalid_enum", "sample_type"), {"evaluation_id": "ev2", "contact_id": "c1", "agent_id": "a1", "evaluator_id": "qa1",
                                           "evaluated_at": "2026-01-06 09:00:00", "sample_type": "biased"}),
        (("missing_required", "evaluated_at"), {"evaluation_id": "ev3", "contact_id": "c1", "agent_id": "a1", "evaluator_id": "qa1",
                                                "sample_type": "random"}),
    ]),
    Case("qa_evaluation_items", "qa_evaluation_items", [
        (STAGED, {"evaluation_id": "ev1", "item_code": "greeting", "result": "PASS"}),
        (("invalid_enum", "result"), {"evaluation_id": "ev1", "item_code": "closing", "result": "maybe"}),
    ]),
    Case("qa_disputes", "qa_disputes", [
        (STAGED, {"dispute_id": "d1", "evaluation_id": "ev1", "raised_at": "2026-01-07 09:00:00", "raised_by": "a1",
                  "status": "upheld", "decided_at": "2026-01-08 09:00:00"}),
        (("end_before_start", "decided_at < raised_at"),
         {"dispute_id": "d2", "evaluation_id": "ev1", "raised_at": "2026-01-07 09:00:00", "raised_by": "a1",
          "status": "overturned", "decided_at": "2026-01-06 09:00:00"}),
    ]),

    # ---- WFM ----------------------------------------------------------------------------------------------
    Case("wfm_forecasts", "wfm_forecasts", [
        (STAGED, {"queue": "q", "interval_start": "2026-03-08 01:30:00", "interval_minutes": "30",
                  "published_at": "2026-03-01 00:00:00", "forecast_contacts": "0", "forecast_aht_seconds": "240",
                  "forecast_shrinkage": "1"}),
        (("invalid_enum", "interval_minutes"), {"queue": "q", "interval_start": "2026-03-08 04:00:00", "interval_minutes": "45",
                                                "published_at": "2026-03-01 00:00:00", "forecast_contacts": "10"}),
        (("out_of_range", "forecast_contacts"), {"queue": "q", "interval_start": "2026-03-08 05:00:00", "interval_minutes": "60",
                                                 "published_at": "2026-03-01 00:00:00", "forecast_contacts": "-1"}),
        (("out_of_range", "forecast_aht_seconds"), {"queue": "q", "interval_start": "2026-03-08 06:00:00", "interval_minutes": "60",
                                                    "published_at": "2026-03-01 00:00:00", "forecast_contacts": "1",
                                                    "forecast_aht_seconds": "0"}),
        (("out_of_range", "forecast_shrinkage"), {"queue": "q", "interval_start": "2026-03-08 07:00:00", "interval_minutes": "60",
                                                  "published_at": "2026-03-01 00:00:00", "forecast_contacts": "1",
                                                  "forecast_shrinkage": "1.2"}),
        # the key compares instants: 03:00 EDT local == 07:00Z, published 00:00 EST == 05:00Z
        (superseded("queue, interval_start, published_at", "{load1}", 2),
         {"queue": "q", "interval_start": "2026-03-08 03:00:00", "interval_minutes": "60",
          "published_at": "2026-03-01 00:00:00", "forecast_contacts": "5"}),
        (STAGED, {"queue": "q", "interval_start": "2026-03-08T07:00:00Z", "interval_minutes": "60",
                  "published_at": "2026-03-01T05:00:00+00:00", "forecast_contacts": "6", "load": 1, "_line": 2}),
    ]),
    Case("agent_schedules", "agent_schedules", [
        (STAGED, {"agent_id": "a1", "activity_start": "2026-01-05 09:00:00", "activity_end": "2026-01-05 12:00:00", "activity": "work"}),
        (("invalid_enum", "activity"), {"agent_id": "a1", "activity_start": "2026-01-05 12:00:00",
                                        "activity_end": "2026-01-05 12:30:00", "activity": "nap"}),
        (("end_before_start", "activity_end < activity_start"),
         {"agent_id": "a1", "activity_start": "2026-01-05 13:00:00", "activity_end": "2026-01-05 12:45:00", "activity": "lunch"}),
    ]),
    Case("agent_states", "agent_states", [
        (STAGED, {"agent_id": "a1", "state": "on_contact", "started_at": "2026-01-05 09:00:00", "ended_at": "2026-01-05 09:05:00"}),
        (("end_before_start", "ended_at < started_at"),
         {"agent_id": "a1", "state": "wrap", "started_at": "2026-01-05 09:05:00", "ended_at": "2026-01-05 09:04:00"}),
    ]),

    # ---- people -------------------------------------------------------------------------------------------
    Case("agents", "agents", [
        (STAGED, {"agent_id": "007", "hired_at": "2025-01-02", "production_start_at": "2025-02-01 00:00:00",
                  "termination_type": "Voluntary", "terminated_at": "2025-12-31"}),
        (("invalid_type", "hired_at"), {"agent_id": "a_bad_date", "hired_at": "2025-13-01"}),
        (("end_before_start", "terminated_at < hired_at"), {"agent_id": "a_order", "hired_at": "2025-06-01", "terminated_at": "2025-05-31"}),
        (("invalid_enum", "termination_type"), {"agent_id": "a_enum", "hired_at": "2025-06-01", "termination_type": "fired"}),
    ]),
    Case("training_enrollments", "training_enrollments", [
        (STAGED, {"enrollment_id": "en1", "agent_id": "007", "class_id": "k1", "started_at": "2025-01-02",
                  "completed_at": "2025-01-02", "outcome": "graduated", "assessment_score": "100"}),
        (("out_of_range", "assessment_score"), {"enrollment_id": "en2", "agent_id": "007", "class_id": "k1", "started_at": "2025-01-02",
                                                "outcome": "graduated", "assessment_score": "100.5"}),
        (("end_before_start", "completed_at < started_at"),
         {"enrollment_id": "en3", "agent_id": "007", "class_id": "k1", "started_at": "2025-01-02",
          "completed_at": "2025-01-01", "outcome": "failed"}),
    ]),

    # ---- optional sources ---------------------------------------------------------------------------------
    Case("transcripts", "transcripts", [
        (STAGED, {"contact_id": "c1", "seq": "1", "speaker": "customer", "text": "my card is 4111 1111 1111 1111, mail me at x@y.org"}),
        (STAGED, {"contact_id": "c1", "seq": "2", "speaker": "Agent", "text": "您好，请问有什么可以帮您？"}),
        (("invalid_type", "seq"), {"contact_id": "c1", "seq": "third", "speaker": "agent", "text": "ok"}),
        (("invalid_enum", "speaker"), {"contact_id": "c1", "seq": "4", "speaker": "robot", "text": "ok"}),
        (("missing_required", "text"), {"contact_id": "c1", "seq": "5", "speaker": "agent", "text": ""}),
    ]),
    Case("improvement_actions", "improvement_actions", [
        (STAGED, {"action_id": "ia1", "opened_at": "2026-01-05 09:00:00", "source": "qa", "root_cause": "training",
                  "action_type": "coaching", "status": "done", "closed_at": "2026-01-20 09:00:00"}),
        (("invalid_enum", "root_cause"), {"action_id": "ia2", "opened_at": "2026-01-05 09:00:00", "source": "qa",
                                          "root_cause": "gremlins", "action_type": "coaching", "status": "open"}),
        (("end_before_start", "closed_at < opened_at"),
         {"action_id": "ia3", "opened_at": "2026-01-05 09:00:00", "source": "survey", "root_cause": "process",
          "action_type": "quick_win", "status": "done", "closed_at": "2026-01-04 09:00:00"}),
    ]),
    Case("business_schedules", "business_schedules", [
        # "8:00" and "08:00" are the same opening time, so the same key: the later line wins
        (superseded("schedule_id, weekday, opens_at", "{load0}", 3), hours("bh", "6", "8:00", "12:00")),
        (STAGED, hours("bh", "6", "08:00", "12:00")),
        (STAGED, hours("bh", "1", "9:00", "17:00")),
        (STAGED, hours("bh", "1", "18:00", "24:00")),
        (("invalid_type", "opens_at"), hours("bh", "2", "9h00", "17:00")),
        (("invalid_type", "closes_at"), hours("bh", "3", "09:00", "24:30")),
        (("invalid_type", "opens_at, closes_at"), hours("bh", "4", "09:00:00", "7pm")),
        (("end_before_start", "closes_at < opens_at"), hours("bh", "5", "17:00", "09:00")),
        (("out_of_range", "weekday"), hours("bh", "8", "09:00", "17:00")),
        (("missing_required", "time_zone"), hours("bh", "7", "09:00", "17:00", time_zone=None)),
    ]),
    Case("holidays", "holidays", [
        (STAGED, {"schedule_id": "bh", "holiday_date": "2026-12-25", "name": "Christmas Day"}),
        (("invalid_type", "holiday_date"), {"schedule_id": "bh", "holiday_date": "25/12/2026"}),
        (("missing_required", "schedule_id"), {"schedule_id": " ", "holiday_date": "2026-01-01"}),
    ]),
]


def _materialize(cases):
    """Raw rows per source with load ids, files and lines assigned, and the declared fate of each row."""
    rows: dict[str, list[dict]] = {}
    fates: dict[str, list[tuple[str, int, int, object]]] = {}
    for index, case in enumerate(cases):
        base_load = 100 + 10 * index
        next_line: dict[int, int] = {}
        loads = {f"{{load{n}}}": str(base_load + n) for n in range(10)}
        case_fates = []
        for fate, spec in case.rows:
            row = dict(spec)
            load = row.pop("load", 0)
            line = row.pop("_line", None)
            if line is None:
                line = next_line.get(load, 1) + 1
            next_line[load] = max(next_line.get(load, 1), line)
            file = f"{case.source}/{case.id}_{load}.csv"
            row.update({"_load_id": base_load + load, "_file": file, "_line": line,
                        "_file_sha256": f"sha-{case.id}-{load}", "_loaded_at": LOADED_AT})
            if isinstance(fate, tuple):
                reason, detail = fate
                for placeholder, value in loads.items():
                    detail = detail.replace(placeholder, value)
                fate = (reason, detail)
            rows.setdefault(case.source, []).append(row)
            case_fates.append((file, base_load + load, line, fate))
        fates[case.id] = case_fates
    return rows, fates


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("dbt_staging")
    warehouse = work / "warehouse" / "callqa.duckdb"
    rows, fates = _materialize(CASES)
    create_raw_layer(warehouse, rows, extra_columns={"calls": ["agent_site_extra"]})
    with dbt_env(warehouse, TZ):
        result = run_dbt(["build", "--select", "staging", "audit", "+stg_survey_question_catalogue"], work)
    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    yield {"result": result, "con": con, "fates": fates, "rows": rows}
    con.close()


def _stg(con, source):
    return con.sql(f"select * from staging.stg_landing__{source}")


def _one(con, sql, *params):
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def test_dbt_build_passes_models_data_tests_and_unit_tests(built):
    result = built["result"]
    assert result.success, "\n".join(failures(result))
    kinds = {r.node.resource_type for r in result.result.results}
    assert {"model", "test", "unit_test"} <= {str(k).split(".")[-1].lower() for k in kinds}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_every_row_has_its_declared_fate(built, case):
    con = built["con"]
    staged = {(r[0], r[1]) for r in con.execute(
        f"select _load_id, _line from staging.stg_landing__{case.source}").fetchall()}
    rejected = {(r[0], r[1]): (r[2], r[3]) for r in con.execute(
        "select load_id, line, reason, detail from audit.rejected_rows where source = ?", [case.source]).fetchall()}
    for file, load_id, line, fate in built["fates"][case.id]:
        where = f"{file} line {line}"
        if fate == STAGED:
            assert (load_id, line) in staged, f"{where}: expected staged, rejected as {rejected.get((load_id, line))}"
            assert (load_id, line) not in rejected, where
        else:
            assert (load_id, line) not in staged, f"{where}: expected {fate}, but staged"
            assert rejected.get((load_id, line)) == fate, where


def test_timestamps_offset_is_exact_naive_is_local_across_dst(built):
    got = {r["call_id"]: r for r in _one(built["con"], """
        select call_id, arrived_at, ended_at, arrived_at_local, arrived_local_date, arrived_local_hour
        from staging.stg_landing__calls where call_id like 'ts_%'""")}
    utc = timezone.utc
    # naive 12:00 local: EST (-05) before the change, EDT (-04) after it
    assert got["ts_naive_before_dst"]["arrived_at"] == datetime(2026, 3, 7, 17, 0, tzinfo=utc)
    assert got["ts_naive_after_dst"]["arrived_at"] == datetime(2026, 3, 9, 16, 0, tzinfo=utc)
    assert got["ts_naive_before_dst"]["arrived_local_hour"] == got["ts_naive_after_dst"]["arrived_local_hour"] == 12
    # with an offset: that instant; local fields in New York
    assert got["ts_offset"]["arrived_at"] == datetime(2026, 3, 9, 4, 0, tzinfo=utc)
    assert got["ts_offset"]["arrived_at_local"] == datetime(2026, 3, 9, 0, 0)
    assert got["ts_offset"]["arrived_local_date"] == date(2026, 3, 9)
    assert got["ts_offset"]["arrived_local_hour"] == 0
    # 07:00Z on the change day is 03:00 EDT (02:00-03:00 local does not exist)
    assert got["ts_utc_z"]["arrived_at_local"] == datetime(2026, 3, 8, 3, 0)
    assert got["ts_utc_z"]["ended_at"] == datetime(2026, 3, 8, 7, 30, 0, 250000, tzinfo=utc)
    # a date alone is local midnight
    assert got["ts_date_only"]["arrived_at"] == datetime(2026, 3, 9, 4, 0, tzinfo=utc)
    types = dict(built["con"].execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'staging' and table_name = 'stg_landing__calls'").fetchall())
    assert types["arrived_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["arrived_at_local"] == "TIMESTAMP"
    assert types["arrived_local_date"] == "DATE"


def test_booleans_in_every_spelling(built):
    got = _one(built["con"], """
        select contact_id, bot_handled, escalated_to_agent from staging.stg_landing__digital_contacts
        where contact_id like 'bool_%' order by contact_id""")
    assert len(got) == 8
    for r in got:
        assert (r["bot_handled"], r["escalated_to_agent"]) == (True, False), r


def test_calls_derived_fields(built):
    got = {r["call_id"]: r for r in _one(built["con"], """
        select call_id, direction, outcome, transfer_count, handle_seconds, caller_number_hash
        from staging.stg_landing__calls where call_id like 'derived_%' or call_id like 'enum_%' or call_id = 'range_zeros'""")}
    assert got["derived_defaults"]["transfer_count"] == 0
    assert got["derived_defaults"]["handle_seconds"] == 320.5
    assert got["derived_defaults"]["caller_number_hash"] == HASH
    assert got["derived_transfers"]["transfer_count"] == 2
    assert got["derived_transfers"]["handle_seconds"] is None
    assert (got["enum_any_case"]["direction"], got["enum_any_case"]["outcome"]) == ("outbound", "answered")
    assert got["range_zeros"]["handle_seconds"] == 0
    columns = [r[0] for r in built["con"].execute(
        "select column_name from information_schema.columns where table_schema = 'staging' "
        "and table_name = 'stg_landing__calls'").fetchall()]
    assert "caller_number" not in columns and "agent_site_extra" not in columns
    assert {"_load_id", "_file", "_line"} <= set(columns)


def test_latest_valid_version_is_staged(built):
    got = {r["call_id"]: r for r in _one(built["con"], """
        select call_id, queue, _load_id, _line from staging.stg_landing__calls where call_id like 'dup_%'""")}
    assert got["dup_same_load"]["queue"] == "line_7"
    assert got["dup_across_loads"]["queue"] == "load_1"
    assert got["dup_three"]["queue"] == "v3"
    assert got["dup_invalid_correction"]["queue"] == "valid_original"
    key_counts = built["con"].execute(
        "select count(*), count(distinct call_id) from staging.stg_landing__calls").fetchall()[0]
    assert key_counts[0] == key_counts[1]


def test_free_text_is_masked_and_unicode_survives(built):
    con = built["con"]
    (comment,) = con.execute("select comment from staging.stg_landing__surveys where survey_id = 'masked'").fetchone()
    assert comment == "请致电 <num> 或 <email>，订单 12345"
    texts = dict(con.execute("select seq, text from staging.stg_landing__transcripts where contact_id = 'c1'").fetchall())
    assert texts[1] == "my card is <num>, mail me at <email>"
    assert texts[2] == "您好，请问有什么可以帮您？"


def test_other_typed_values(built):
    con = built["con"]
    agent = _one(con, "select * from staging.stg_landing__agents where agent_id = '007'")[0]
    assert agent["hired_at"] == date(2025, 1, 2)
    assert agent["production_start_at"] == date(2025, 2, 1)
    assert agent["termination_type"] == "voluntary"
    wfm = _one(con, "select * from staging.stg_landing__wfm_forecasts order by interval_start")
    assert [(w["interval_start_local"], w["forecast_contacts"], w["_load_id"]) for w in wfm] == [
        (datetime(2026, 3, 8, 1, 30), 0.0, 100 + 10 * [c.id for c in CASES].index("wfm_forecasts")),
        (datetime(2026, 3, 8, 3, 0), 6.0, 101 + 10 * [c.id for c in CASES].index("wfm_forecasts")),
    ]
    # 01:30 EST + 30 minutes = 02:00 EST = 07:00Z = 03:00 EDT: intervals follow instants, not wall clock
    assert wfm[0]["interval_end"] == datetime(2026, 3, 8, 7, 0, tzinfo=timezone.utc)
    assert wfm[0]["forecast_shrinkage"] == 1.0
    ticket = _one(con, "select * from staging.stg_landing__tickets where ticket_id = 't_ok'")[0]
    assert ticket["priority"] == "urgent" and ticket["created_local_date"] == date(2026, 1, 5)
    event = _one(con, "select * from staging.stg_landing__ticket_events where event_id = 'e_ok'")[0]
    assert event["is_public"] is False
    state = _one(con, "select * from staging.stg_landing__agent_states")[0]
    assert state["duration_seconds"] == 300


def test_business_schedule_times_are_zero_padded_hh_mm(built):
    rows = _one(built["con"], "select weekday, opens_at, closes_at from staging.stg_landing__business_schedules "
                              "order by weekday, opens_at")
    assert [(r["weekday"], r["opens_at"], r["closes_at"]) for r in rows] == [
        (1, "09:00", "17:00"), (1, "18:00", "24:00"), (6, "08:00", "12:00")]


def test_rejected_rows_columns(built):
    con = built["con"]
    malformed = _one(con, "select * from audit.rejected_rows where reason = 'malformed_line'")
    assert len(malformed) == 1
    assert malformed[0]["record_key"] is None and malformed[0]["source"] == "calls"
    assert malformed[0]["loaded_at"] == LOADED_AT
    assert malformed[0]["file"] == "calls/calls_malformed_0.csv" and malformed[0]["line"] == 2
    keys = dict(con.execute(
        "select source, record_key from audit.rejected_rows where source in ('survey_answers', 'wfm_forecasts') "
        "and reason = 'duplicate_superseded'").fetchall())
    assert keys["survey_answers"] == "csat_1|sq_rel_resolved"
    assert keys["wfm_forecasts"] == "q|2026-03-08 03:00:00|2026-03-01 00:00:00"
    blank_key = _one(con, "select record_key from audit.rejected_rows where detail = 'call_id'")
    assert blank_key == [{"record_key": None}]


def test_layers_reconcile(built):
    con = built["con"]
    every = {r["source"]: r for r in _one(con, "select * from audit.layer_reconciliation")}
    rows = {s: r for s, r in every.items() if r["kind"] == "source"}
    assert len(rows) == 20  # one per landing source
    # No adapter export was delivered here: each adapter's row reconciles at zero.
    for adapter_row in (r for r in every.values() if r["kind"] == "adapter"):
        assert adapter_row["is_reconciled"] and adapter_row["raw_rows"] == adapter_row["staged_rows"] == 0, adapter_row
    expected: dict[str, dict] = {}
    for case in CASES:
        for _, _, _, fate in built["fates"][case.id]:
            counts = expected.setdefault(case.source, {"raw": 0, "staged": 0})
            counts["raw"] += 1
            if fate == STAGED:
                counts["staged"] += 1
            else:
                counts[fate[0]] = counts.get(fate[0], 0) + 1
    for source, r in rows.items():
        e = expected.get(source, {"raw": 0, "staged": 0})
        assert r["is_reconciled"], r
        assert r["raw_rows"] == e["raw"], source
        assert r["adapter_rows"] == r["history_rows"] == 0, source
        assert r["staged_rows"] == e["staged"], source
        assert r["rejected_rows"] == e["raw"] - e["staged"], source
        for reason in ("malformed_line", "missing_required", "invalid_type", "invalid_enum", "out_of_range",
                       "end_before_start", "failed_check", "duplicate_superseded"):
            assert r[f"rejected_{reason}"] == e.get(reason, 0), (source, reason)
        assert r["rows_staged_and_rejected"] == r["rows_neither_staged_nor_rejected"] == 0
    summary = {(s, reason): n for s, reason, n in con.execute(
        "select source, reason, rejected_rows from audit.rejected_rows_summary").fetchall()}
    assert summary == {(s, k): v for s, e in expected.items() for k, v in e.items() if k not in ("raw", "staged")}


def test_a_missing_raw_table_stages_nothing_and_still_reconciles(tmp_path):
    """An optional source never delivered (no raw table yet) must not break staging or audit."""
    warehouse = tmp_path / "warehouse" / "callqa.duckdb"
    create_raw_layer(warehouse, {"calls": [dict(call("only"), _load_id=1, _file="calls/a.csv", _line=2,
                                                 _loaded_at=LOADED_AT)]},
                     skip_sources=("transcripts", "improvement_actions", "business_schedules", "holidays", "queue_intervals"))
    with dbt_env(warehouse, "UTC"):
        result = run_dbt(["build", "--select", "staging", "audit", "+stg_survey_question_catalogue",
                          "--exclude-resource-type", "test", "unit_test"], tmp_path)
    assert result.success, "\n".join(failures(result))
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from staging.stg_landing__transcripts").fetchone()[0] == 0
        rows = {r[0]: r[1:] for r in con.execute(
            "select source, raw_rows, staged_rows, is_reconciled from audit.layer_reconciliation").fetchall()}
        assert rows["transcripts"] == (0, 0, True)
        assert rows["calls"] == (1, 1, True)
    finally:
        con.close()
