"""Tickets (reopens, ticket FCR, SLA by priority at creation) and service level per queue and local interval,
end to end through dbt: a raw layer made by hand (docs/layers.md), then
`dbt build --select +fct_tickets +rpt_service_level_interval +rpt_containment_daily` (models, contracts, data
tests and dbt unit tests), then hand-computed assertions.

Zone America/New_York: 2026-03-08 has 23 hours (clocks forward at 02:00 EST), 2026-11-01 has 25 hours (clocks
back at 02:00 EDT). Every instant below carries `Z` so the test reads in UTC.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import duckdb
import pytest

from dbt_helpers import create_raw_layer, dbt_env, failures, run_dbt, with_load_metadata

TZ = "America/New_York"
LOADED_AT = datetime(2026, 11, 2, 12, 0, tzinfo=timezone.utc)
UTC = timezone.utc


# ---- tickets ---------------------------------------------------------------------------------------------
# Data end = the latest ticket instant: the comment on T_OPEN at 2026-02-01 12:00Z.
TICKETS = [
    {"ticket_id": "T_URGENT_MET", "created_at": "2026-01-05T14:00:00Z", "priority": "urgent", "status": "closed",
     "channel": "voice", "customer_id": "K1", "solved_at": "2026-01-05T17:59:00Z", "closed_at": "2026-01-09T00:00:00Z"},
    {"ticket_id": "T_URGENT_MISSED", "created_at": "2026-01-05T14:00:00Z", "priority": "urgent", "status": "solved",
     "solved_at": "2026-01-05T18:01:00Z"},
    {"ticket_id": "T_REOPEN_6D", "created_at": "2026-01-05T14:00:00Z", "priority": "normal", "status": "solved",
     "solved_at": "2026-01-12T16:00:00Z"},
    {"ticket_id": "T_REOPEN_8D", "created_at": "2026-01-05T14:00:00Z", "priority": "normal", "status": "solved",
     "solved_at": "2026-01-14T16:00:00Z"},
    {"ticket_id": "T_TWICE", "created_at": "2026-01-05T14:00:00Z", "priority": "high", "status": "solved",
     "solved_at": "2026-01-09T14:00:00Z"},
    {"ticket_id": "T_ESCALATED", "created_at": "2026-01-05T14:00:00Z", "priority": "urgent", "status": "solved",
     "solved_at": "2026-01-05T19:00:00Z"},
    {"ticket_id": "T_PENDING", "created_at": "2026-01-05T14:00:00Z", "priority": "urgent", "status": "solved",
     "solved_at": "2026-01-05T18:30:00Z"},
    {"ticket_id": "T_CENSORED", "created_at": "2026-01-30T10:00:00Z", "priority": "normal", "status": "solved",
     "solved_at": "2026-01-30T12:00:00Z"},
    {"ticket_id": "T_OPEN", "created_at": "2026-01-20T14:00:00Z", "priority": "low", "status": "open"},
]


def _ev(ticket, n, at, kind, frm=None, to=None, actor="a1", public=None):
    return {"event_id": f"{ticket}-{n:02d}", "ticket_id": ticket, "event_at": at, "event_type": kind,
            "from_value": frm, "to_value": to, "actor_id": actor, "is_public": public}


def _opened_and_answered(ticket, at_open):
    return [_ev(ticket, 0, "2026-01-05T14:00:00Z", "created", to="new"),
            _ev(ticket, 1, at_open, "status_change", "new", "open"),
            _ev(ticket, 2, at_open, "comment", public="true")]


TICKET_EVENTS = [
    *_opened_and_answered("T_URGENT_MET", "2026-01-05T14:05:00Z"),
    _ev("T_URGENT_MET", 3, "2026-01-05T17:59:00Z", "status_change", "open", "solved"),       # 3 h 59 min
    _ev("T_URGENT_MET", 4, "2026-01-09T00:00:00Z", "status_change", "solved", "closed", actor="system"),
    *_opened_and_answered("T_URGENT_MISSED", "2026-01-05T14:16:00Z"),                        # 16 min > 15
    _ev("T_URGENT_MISSED", 3, "2026-01-05T18:01:00Z", "status_change", "open", "solved"),    # 4 h 1 min
    *_opened_and_answered("T_REOPEN_6D", "2026-01-05T15:00:00Z"),
    _ev("T_REOPEN_6D", 3, "2026-01-06T14:00:00Z", "status_change", "open", "solved"),
    _ev("T_REOPEN_6D", 4, "2026-01-12T14:00:00Z", "status_change", "solved", "open", actor="system"),  # + 6 days
    _ev("T_REOPEN_6D", 5, "2026-01-12T16:00:00Z", "status_change", "open", "solved"),
    *_opened_and_answered("T_REOPEN_8D", "2026-01-05T15:00:00Z"),
    _ev("T_REOPEN_8D", 3, "2026-01-06T14:00:00Z", "status_change", "open", "solved"),
    _ev("T_REOPEN_8D", 4, "2026-01-14T14:00:00Z", "status_change", "solved", "open", actor="system"),  # + 8 days
    _ev("T_REOPEN_8D", 5, "2026-01-14T16:00:00Z", "status_change", "open", "solved"),
    *_opened_and_answered("T_TWICE", "2026-01-05T14:30:00Z"),
    _ev("T_TWICE", 3, "2026-01-06T14:00:00Z", "status_change", "open", "solved"),
    _ev("T_TWICE", 4, "2026-01-07T14:00:00Z", "status_change", "solved", "open", actor="system"),
    _ev("T_TWICE", 5, "2026-01-08T14:00:00Z", "status_change", "open", "solved"),
    _ev("T_TWICE", 6, "2026-01-08T20:00:00Z", "status_change", "solved", "pending"),
    _ev("T_TWICE", 7, "2026-01-09T14:00:00Z", "status_change", "pending", "solved"),
    *_opened_and_answered("T_ESCALATED", "2026-01-05T15:00:00Z"),                           # 60 min <= 240 (normal)
    _ev("T_ESCALATED", 3, "2026-01-05T15:00:00Z", "priority_change", "normal", "urgent"),
    _ev("T_ESCALATED", 4, "2026-01-05T19:00:00Z", "status_change", "open", "solved"),       # 300 min <= 1440
    *_opened_and_answered("T_PENDING", "2026-01-05T14:10:00Z"),
    _ev("T_PENDING", 3, "2026-01-05T15:00:00Z", "status_change", "open", "pending"),
    _ev("T_PENDING", 4, "2026-01-05T17:00:00Z", "status_change", "pending", "open"),        # 2 h pending
    _ev("T_PENDING", 5, "2026-01-05T18:30:00Z", "status_change", "open", "solved"),         # 270 min > 240
    _ev("T_CENSORED", 0, "2026-01-30T10:00:00Z", "created", to="new"),
    _ev("T_CENSORED", 1, "2026-01-30T11:00:00Z", "comment", public="true"),
    _ev("T_CENSORED", 2, "2026-01-30T12:00:00Z", "status_change", "new", "solved"),         # 2 days before the end
    _ev("T_OPEN", 0, "2026-01-20T14:00:00Z", "created", to="new"),
    _ev("T_OPEN", 1, "2026-01-20T14:01:00Z", "comment", actor="system", public="true"),    # not a response
    _ev("T_OPEN", 2, "2026-02-01T12:00:00Z", "comment", public="false"),                   # private; data end
]


# ---- calls -----------------------------------------------------------------------------------------------
def _call(call_id, queue="general", outcome="answered", arrived=None, ivr_end=None, queued=None, answered=None,
          ended=None, direction="inbound"):
    return {"call_id": call_id, "direction": direction, "queue": queue, "outcome": outcome,
            "arrived_at": arrived or queued, "ivr_ended_at": ivr_end, "queued_at": queued,
            "answered_at": answered, "ended_at": ended, "talk_seconds": "100" if answered else None}


CALLS = [
    # 2026-03-09 10:00-10:30 EDT (14:00Z) in queue general (threshold 20 s, short-abandon cut 5 s)
    _call("C_AT_THRESHOLD", queued="2026-03-09T14:00:00Z", answered="2026-03-09T14:00:20Z", ended="2026-03-09T14:05:00Z"),
    _call("C_OVER_THRESHOLD", queued="2026-03-09T14:01:00Z", answered="2026-03-09T14:01:21Z", ended="2026-03-09T14:05:00Z"),
    _call("C_SHORT_ABANDON", outcome="abandoned", queued="2026-03-09T14:05:00Z", ended="2026-03-09T14:05:05Z"),
    _call("C_ABANDON", outcome="abandoned", queued="2026-03-09T14:10:00Z", ended="2026-03-09T14:10:06Z"),
    # IVR: one self-served call (no queue), one that went on to the queue (answered in 5 s)
    _call("C_SELF_SERVED", queue=None, outcome="self_served", arrived="2026-03-09T14:15:00Z",
          ivr_end="2026-03-09T14:17:00Z", ended="2026-03-09T14:17:00Z"),
    _call("C_IVR_THEN_QUEUE", arrived="2026-03-09T14:35:00Z", ivr_end="2026-03-09T14:36:00Z",
          queued="2026-03-09T14:36:01Z", answered="2026-03-09T14:36:06Z", ended="2026-03-09T14:40:00Z"),
    # a queue missing from seeds: metric_targets defaults (20 s / 5 s), 30-minute intervals
    _call("C_MYSTERY", queue="mystery", queued="2026-03-09T14:20:00Z", answered="2026-03-09T14:20:25Z",
          ended="2026-03-09T14:25:00Z"),
    _call("C_OUTBOUND", direction="outbound", arrived="2026-03-09T14:00:00Z", answered="2026-03-09T14:00:05Z",
          ended="2026-03-09T14:03:00Z"),
    # DST days: 07:00Z on 2026-03-08 is 03:00 EDT; 01:10 local on 2026-11-01 happens at 05:10Z and 06:10Z
    _call("C_SPRING", queued="2026-03-08T07:00:00Z", answered="2026-03-08T07:00:10Z", ended="2026-03-08T07:05:00Z"),
    _call("C_FALL_EDT", queued="2026-11-01T05:10:00Z", answered="2026-11-01T05:10:10Z", ended="2026-11-01T05:15:00Z"),
    _call("C_FALL_EST", queued="2026-11-01T06:10:00Z", answered="2026-11-01T06:10:30Z", ended="2026-11-01T06:15:00Z"),
]

DIGITAL = [
    {"contact_id": "D_BOT_RESOLVED", "channel": "bot", "started_at": "2026-03-09T14:00:00Z", "bot_handled": "true",
     "escalated_to_agent": "false", "outcome": "resolved_by_bot"},
    {"contact_id": "D_BOT_ESCALATED", "channel": "bot", "started_at": "2026-03-09T15:00:00Z", "bot_handled": "true",
     "escalated_to_agent": "true", "outcome": "handled"},
    {"contact_id": "D_CHAT_NO_BOT", "channel": "chat", "started_at": "2026-03-09T15:00:00Z", "bot_handled": "false",
     "escalated_to_agent": "false", "outcome": "handled"},
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("dbt_tickets_service_level")
    warehouse = work / "warehouse" / "callqa.duckdb"
    create_raw_layer(warehouse, {
        "tickets": with_load_metadata("tickets", LOADED_AT, TICKETS),
        "ticket_events": with_load_metadata("ticket_events", LOADED_AT, TICKET_EVENTS),
        "calls": with_load_metadata("calls", LOADED_AT, CALLS),
        "digital_contacts": with_load_metadata("digital_contacts", LOADED_AT, DIGITAL),
    })
    with dbt_env(warehouse, TZ):
        result = run_dbt(["build", "--select", "+fct_tickets", "+rpt_service_level_interval",
                          "+rpt_containment_daily"], work)
    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    yield {"result": result, "con": con}
    con.close()


def _rows(con, sql, *params):
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def _tickets(con):
    return {r["ticket_id"]: r for r in _rows(con, "select * from marts.fct_tickets")}


def test_dbt_build_passes_models_contracts_data_tests_and_unit_tests(built):
    result = built["result"]
    assert result.success, "\n".join(failures(result))
    ran = {r.node.unique_id for r in result.result.results}
    for unit_test in ("int_ticket_solves_reopened__window_boundaries_censoring",
                      "int_tickets_resolved__first_contact_resolution_per_ticket",
                      "int_tickets_sla_measured__creation_priority_and_pauses",
                      "int_calls_queued__threshold_short_abandon_and_queue_entry",
                      "int_calls_queued__local_intervals_across_dst_changes",
                      "int_queue_intervals_spined__23_hour_day_when_clocks_go_forward",
                      "int_queue_intervals_spined__25_hour_day_when_clocks_go_back",
                      "rpt_service_level_interval__counts_rates_and_empty_intervals"):
        assert any(u.endswith("." + unit_test) for u in ran), unit_test


def test_one_row_per_ticket(built):
    tickets = _tickets(built["con"])
    assert sorted(tickets) == sorted(t["ticket_id"] for t in TICKETS)
    assert tickets["T_URGENT_MET"]["ticket_data_end_at"] == datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
    assert tickets["T_URGENT_MET"]["created_local_date"] == date(2026, 1, 5)


def test_reopens_within_and_outside_seven_days(built):
    t = _tickets(built["con"])
    # reopened 6 days after the solve: within; ticket FCR false
    assert (t["T_REOPEN_6D"]["reopen_count"], t["T_REOPEN_6D"]["reopened_within_7d"],
            t["T_REOPEN_6D"]["resolved_first_time"]) == (1, True, False)
    # reopened 8 days after the solve: outside; the first solve stuck for 7 days -> FCR true
    assert (t["T_REOPEN_8D"]["reopen_count"], t["T_REOPEN_8D"]["reopened_within_7d"],
            t["T_REOPEN_8D"]["resolved_first_time"]) == (1, False, True)
    assert t["T_REOPEN_8D"]["first_solved_at"] == datetime(2026, 1, 6, 14, 0, tzinfo=UTC)
    assert t["T_REOPEN_8D"]["solved_at"] == datetime(2026, 1, 14, 16, 0, tzinfo=UTC)  # latest solve, as delivered
    # reopened twice (solved -> open, solved -> pending), three solves
    assert (t["T_TWICE"]["reopen_count"], t["T_TWICE"]["solve_count"], t["T_TWICE"]["reopened_within_7d"],
            t["T_TWICE"]["resolved_first_time"]) == (2, 3, True, False)
    # never reopened, window closed long before the data end
    assert (t["T_URGENT_MET"]["reopen_count"], t["T_URGENT_MET"]["reopened_within_7d"],
            t["T_URGENT_MET"]["resolved_first_time"]) == (0, False, True)


def test_solve_near_the_end_of_data_is_censored(built):
    t = _tickets(built["con"])["T_CENSORED"]
    assert t["first_solved_at"] == datetime(2026, 1, 30, 12, 0, tzinfo=UTC)
    assert (t["reopened_within_7d"], t["reopened_within_7d_null_reason"]) == (None, "reopen_window_open")
    assert (t["resolved_first_time"], t["resolved_first_time_null_reason"]) == (None, "reopen_window_open")
    # resolution SLA is knowable (solved in 120 min, normal = 1440): met
    assert t["resolution_sla_met"] is True
    unsolved = _tickets(built["con"])["T_OPEN"]
    assert (unsolved["resolved_first_time"], unsolved["resolved_first_time_null_reason"]) == (None, "not_solved")


def test_urgent_resolution_sla_boundary(built):
    t = _tickets(built["con"])
    met, missed = t["T_URGENT_MET"], t["T_URGENT_MISSED"]
    assert (met["priority_at_creation"], met["resolution_target_minutes"]) == ("urgent", 240)
    assert (met["resolution_minutes"], met["resolution_sla_met"]) == (239.0, True)
    assert (missed["resolution_minutes"], missed["resolution_sla_met"]) == (241.0, False)
    assert (met["first_response_minutes"], met["first_response_sla_met"]) == (5.0, True)
    assert (missed["first_response_minutes"], missed["first_response_sla_met"]) == (16.0, False)
    assert met["resolution_due_at"] == datetime(2026, 1, 5, 18, 0, tzinfo=UTC)


def test_sla_by_priority_at_creation(built):
    t = _tickets(built["con"])["T_ESCALATED"]
    assert (t["priority"], t["priority_at_creation"], t["priority_at_creation_source"]) == (
        "urgent", "normal", "first_priority_change")
    assert (t["first_response_target_minutes"], t["resolution_target_minutes"]) == (240, 1440)
    assert (t["resolution_minutes"], t["resolution_sla_met"], t["first_response_sla_met"]) == (300.0, True, True)


def test_pending_does_not_pause_the_clock(built):
    t = _tickets(built["con"])["T_PENDING"]
    assert t["pending_hold_minutes_to_first_solve"] == 120.0
    assert (t["resolution_minutes"], t["resolution_sla_met"]) == (270.0, False)


def test_business_minutes_on_the_seed_default_schedule_in_the_center_zone(built):
    # seeds business_schedules `default`: Monday-Friday 09:00-17:00 in var('timezone') (here New York, EST)
    t = _tickets(built["con"])
    met = t["T_URGENT_MET"]  # created Mon 09:00 EST, answered 09:05, solved 12:59
    assert (met["business_schedule_id"], met["first_response_business_minutes"], met["resolution_business_minutes"]) == (
        "default", 5.0, 239.0)
    assert t["T_REOPEN_6D"]["resolution_business_minutes"] == 480.0  # Mon 09:00 -> Tue 09:00 EST: one business day
    censored = t["T_CENSORED"]  # Fri 05:00 -> 06:00 -> 07:00 EST: before opening
    assert (censored["first_response_business_minutes"], censored["resolution_business_minutes"]) == (0.0, 0.0)
    # the shipped policies count calendar time: the SLA clock is the calendar one
    assert (met["sla_clock"], met["resolution_sla_clock_minutes"]) == ("calendar", 239.0)


def test_first_response_ignores_system_and_private_comments(built):
    t = _tickets(built["con"])["T_OPEN"]
    assert t["first_response_at"] is None
    # low: 480 min to respond, 4320 min to resolve; both due long before the data end
    assert (t["first_response_sla_met"], t["resolution_sla_met"]) == (False, False)


def _interval(con, queue, start_utc):
    (row,) = _rows(con, "select * from marts.rpt_service_level_interval where queue = ? and interval_start_utc = ?",
                   queue, start_utc)
    return row


def test_service_level_threshold_and_short_abandons(built):
    row = _interval(built["con"], "general", datetime(2026, 3, 9, 14, 0, tzinfo=UTC))
    assert row["interval_start_local"] == datetime(2026, 3, 9, 10, 0)
    assert row["utc_offset_minutes"] == -240
    # answered at 20 s (within, boundary inclusive) and 21 s; abandoned at 5 s (short: not offered) and 6 s
    assert (row["queued_calls"], row["offered"], row["answered"], row["abandoned"], row["short_abandoned"],
            row["answered_within_threshold"]) == (4, 3, 2, 1, 1, 1)
    assert row["service_level"] == pytest.approx(1 / 3)
    assert row["asa_seconds"] == pytest.approx(20.5)
    assert row["abandon_rate"] == pytest.approx(1 / 3)
    assert row["service_level_target_met"] is False
    assert (row["threshold_seconds"], row["short_abandon_seconds"], row["service_level_target"]) == (20, 5, 0.8)
    # 10:30 EDT: the call that came through the IVR, answered in 5 s
    later = _interval(built["con"], "general", datetime(2026, 3, 9, 14, 30, tzinfo=UTC))
    assert (later["offered"], later["answered_within_threshold"], later["service_level"], later["asa_seconds"],
            later["ivr_entered"], later["ivr_self_served"], later["ivr_containment_rate"]) == (1, 1, 1.0, 5.0, 1, 0, 0.0)
    assert (row["ivr_entered"], row["ivr_containment_rate"]) == (0, None)
    # an empty interval: counts 0, rates NULL
    empty = _interval(built["con"], "general", datetime(2026, 3, 9, 16, 0, tzinfo=UTC))
    assert (empty["offered"], empty["service_level"], empty["asa_seconds"], empty["abandon_rate"]) == (0, None, None, None)


def test_queue_missing_from_seeds_uses_metric_target_defaults(built):
    row = _interval(built["con"], "mystery", datetime(2026, 3, 9, 14, 0, tzinfo=UTC))
    assert (row["queue_in_seeds"], row["threshold_seconds"], row["short_abandon_seconds"], row["interval_minutes"]) == (
        False, 20, 5, 30)
    assert (row["offered"], row["answered_within_threshold"], row["service_level"]) == (1, 0, 0.0)


def test_ivr_containment(built):
    row = _interval(built["con"], "unassigned", datetime(2026, 3, 9, 14, 0, tzinfo=UTC))
    assert (row["ivr_entered"], row["ivr_self_served"], row["ivr_containment_rate"], row["offered"]) == (1, 1, 1.0, 0)
    daily = {(r["touchpoint"], r["channel"]): r for r in _rows(
        built["con"], "select * from marts.rpt_containment_daily where local_date = date '2026-03-09'")}
    assert set(daily) == {("ivr", "voice"), ("bot", "bot")}
    assert (daily["ivr", "voice"]["sessions"], daily["ivr", "voice"]["contained"],
            daily["ivr", "voice"]["passed_to_agent"], daily["ivr", "voice"]["containment_rate"]) == (2, 1, 1, 0.5)
    assert (daily["bot", "bot"]["sessions"], daily["bot", "bot"]["contained"],
            daily["bot", "bot"]["passed_to_agent"], daily["bot", "bot"]["containment_rate"]) == (2, 1, 1, 0.5)


@pytest.mark.parametrize("local_date, intervals", [
    (date(2026, 3, 8), 46),   # 23 hours: clocks forward at 02:00 EST
    (date(2026, 3, 9), 48),
    (date(2026, 11, 1), 50),  # 25 hours: clocks back at 02:00 EDT
])
def test_half_hour_intervals_per_local_day(built, local_date, intervals):
    counts = dict(built["con"].execute(
        "select queue, count(*) from marts.rpt_service_level_interval where local_date = ? group by queue",
        [local_date]).fetchall())
    assert counts == {"general": intervals, "mystery": intervals, "unassigned": intervals}
    distinct_utc = built["con"].execute(
        "select count(distinct interval_start_utc) from marts.rpt_service_level_interval "
        "where local_date = ? and queue = 'general'", [local_date]).fetchone()[0]
    assert distinct_utc == intervals


def test_dst_intervals_keep_the_repeated_hour_apart(built):
    rows = _rows(built["con"], """
        select interval_start_utc, utc_offset_minutes, answered, answered_within_threshold
        from marts.rpt_service_level_interval
        where queue = 'general' and interval_start_local = timestamp '2026-11-01 01:00:00'
        order by interval_start_utc""")
    assert rows == [
        {"interval_start_utc": datetime(2026, 11, 1, 5, 0, tzinfo=UTC), "utc_offset_minutes": -240,
         "answered": 1, "answered_within_threshold": 1},
        {"interval_start_utc": datetime(2026, 11, 1, 6, 0, tzinfo=UTC), "utc_offset_minutes": -300,
         "answered": 1, "answered_within_threshold": 0},
    ]
    local_starts = [r[0] for r in built["con"].execute(
        "select interval_start_local from marts.rpt_service_level_interval "
        "where queue = 'general' and local_date = date '2026-03-08' order by interval_start_utc").fetchall()]
    assert datetime(2026, 3, 8, 2, 0) not in local_starts and datetime(2026, 3, 8, 2, 30) not in local_starts
    assert local_starts[3:5] == [datetime(2026, 3, 8, 1, 30), datetime(2026, 3, 8, 3, 0)]
    spring = _interval(built["con"], "general", datetime(2026, 3, 8, 7, 0, tzinfo=UTC))
    assert (spring["interval_start_local"], spring["answered"]) == (datetime(2026, 3, 8, 3, 0), 1)


def test_every_queued_call_lands_in_one_interval(built):
    con = built["con"]
    in_mart = con.execute("select sum(queued_calls), sum(offered), sum(ivr_entered) "
                          "from marts.rpt_service_level_interval").fetchone()
    in_calls = con.execute("select count(*) filter (where entered_queue), count(*) filter (where is_offered), "
                           "count(*) filter (where entered_ivr) from intermediate.int_calls_queued").fetchone()
    assert in_mart == in_calls == (9, 8, 2)  # the short abandon is queued, not offered


def test_mart_column_types_follow_the_contracts(built):
    types = dict(built["con"].execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and table_name = 'fct_tickets'").fetchall())
    assert types["created_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["created_local_date"] == "DATE"
    assert types["reopen_count"] == "INTEGER"
    assert types["resolution_sla_met"] == "BOOLEAN"
    types = dict(built["con"].execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and table_name = 'rpt_service_level_interval'").fetchall())
    assert types["offered"] == "BIGINT"
    assert types["service_level"] == "DOUBLE"
    assert types["interval_start_local"] == "TIMESTAMP"
