"""Workforce forecast accuracy (volume, AHT, shrinkage) and hiring / training quality (metrics.md §4, §5), end to
end through dbt: a raw layer made by hand, then one `dbt build` of the accuracy and people marts and their parents
(models, contracts, data tests and dbt unit tests), then hand-computed assertions.

Zone America/New_York (EST = UTC-5 until 2026-03-08, which has 23 hours; EDT = UTC-4 until 2026-11-01, which has
25). Contacts run from 2026-01-05 to 2026-11-08: the first and last local days of the data.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import duckdb
import pytest

from dbt_helpers import create_raw_layer, dbt_env, failures, run_dbt

TZ = "America/New_York"
UTC = timezone.utc
EST = timezone(timedelta(hours=-5))
EDT = timezone(timedelta(hours=-4))


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- contacts ----------------------------------------------------------------------------------------------
DIGITAL: list[dict] = []
CALLS: list[dict] = []


def _chat(contact_id, queue, at: datetime, outcome="handled", agent=None, customer=None):
    DIGITAL.append({"contact_id": contact_id, "channel": "chat", "started_at": _iso(at), "bot_handled": "false",
                    "escalated_to_agent": "false", "outcome": outcome, "queue": queue, "agent_id": agent,
                    "customer_id": customer, "ended_at": _iso(at + timedelta(minutes=5))})


def _call(call_id, queue, queued: datetime, agent=None, customer=None, talk=300, answered_after=5, outcome="answered"):
    answered = queued + timedelta(seconds=answered_after) if outcome == "answered" else None
    CALLS.append({"call_id": call_id, "direction": "inbound", "queue": queue, "outcome": outcome,
                  "customer_id": customer, "arrived_at": _iso(queued), "queued_at": _iso(queued),
                  "answered_at": _iso(answered) if answered else None,
                  "ended_at": _iso((answered or queued) + timedelta(seconds=talk if answered else 3)),
                  "agent_id": agent, "talk_seconds": str(talk) if answered else None,
                  "hold_seconds": "0" if answered else None, "wrap_seconds": "0" if answered else None})


# metrics.md §4 hand check: queue `hand`, 2026-01-12 09:00-12:00 EST, six half-hours.
HAND_DAY = datetime(2026, 1, 12, 9, 0, tzinfo=EST)
HAND_ACTUAL = [100, 120, 80, 95, 130, 60]
HAND_FORECAST = [105, 110, 85, 95, 150, 58]
for k, n in enumerate(HAND_ACTUAL):
    for j in range(n):
        _chat(f"hand-{k}-{j}", "hand", HAND_DAY + timedelta(minutes=30 * k, seconds=10 * j))
_chat("hand-unforecast", "hand", datetime(2026, 1, 12, 13, 5, tzinfo=EST))      # no forecast for 13:00
_chat("hand-failed", "hand", datetime(2026, 1, 12, 9, 1, tzinfo=EST), outcome="failed")  # never offered
# republished after the lock: 2026-01-14 10:00 EST, 40 contacts
for j in range(40):
    _chat(f"relock-{j}", "hand", datetime(2026, 1, 14, 10, 0, tzinfo=EST) + timedelta(seconds=20 * j))
# a week after the hand-check day: 90 contacts at 09:00 (seasonal naive = 100, the 2026-01-12 actual)
for j in range(90):
    _chat(f"naive-{j}", "hand", datetime(2026, 1, 19, 9, 0, tzinfo=EST) + timedelta(seconds=15 * j))

# AHT: queue `ahtq`, 2026-01-12 09:00 EST: two answered calls (200 s and 400 s of talk: AHT 300) and a short abandon.
_call("aht-1", "ahtq", datetime(2026, 1, 12, 9, 1, tzinfo=EST), talk=200)
_call("aht-2", "ahtq", datetime(2026, 1, 12, 9, 2, tzinfo=EST), talk=400)
_call("aht-short", "ahtq", datetime(2026, 1, 12, 9, 3, tzinfo=EST), outcome="abandoned")

# DST: hourly queue `dst60`.
_chat("spring-0159", "dst60", datetime(2026, 3, 8, 6, 59, tzinfo=UTC))   # 01:59 EST
_chat("spring-0300", "dst60", datetime(2026, 3, 8, 7, 0, tzinfo=UTC))    # 03:00 EDT (02:00 does not exist)
_chat("fall-edt", "dst60", datetime(2026, 11, 1, 5, 10, tzinfo=UTC))     # 01:10 EDT
_chat("fall-est-1", "dst60", datetime(2026, 11, 1, 6, 10, tzinfo=UTC))   # 01:10 EST
_chat("fall-est-2", "dst60", datetime(2026, 11, 1, 6, 20, tzinfo=UTC))   # 01:20 EST
_chat("last-contact", "dst60", datetime(2026, 11, 8, 12, 0, tzinfo=UTC))  # the last contact of the data

# Shrinkage: agents ag_day and ag_night handled their contacts in queue `shrink` (their primary queue).
_chat("shrink-day", "shrink", datetime(2026, 1, 12, 9, 40, tzinfo=EST), agent="ag_day")
_chat("shrink-night", "shrink", datetime(2026, 1, 12, 23, 40, tzinfo=EST), agent="ag_night")

# People: the first contact of the data (2026-01-05) and the agents' own calls in queue `people_q`.
_call("first-contact", "people_q", datetime(2026, 1, 5, 12, 0, tzinfo=UTC), agent="other", customer="k-first")


def _calls_in_window(agent, first_day: date, n, repeat_every=None):
    """n calls, one a day from first_day at 15:00Z, each by its own customer; with repeat_every=k every k-th
    customer calls again the next day (handled by agent `other`), so that call has a repeat."""
    for i in range(n):
        day = datetime.combine(first_day + timedelta(days=i), datetime.min.time(), UTC) + timedelta(hours=15)
        customer = f"k-{agent}-{i}"
        _call(f"{agent}-{i}", "people_q", day, agent=agent, customer=customer, talk=300)
        if repeat_every and i % repeat_every == 0:
            _call(f"{agent}-{i}-again", "people_q", day + timedelta(days=1), agent="other", customer=customer)


_calls_in_window("h91", date(2026, 5, 1), 30)                   # days 61-90 of a 2026-03-02 hire
_calls_in_window("hbelow", date(2026, 5, 1), 30, repeat_every=2)  # 15 of 30 repeated: FCR 0.5 < 0.65
_calls_in_window("gok", date(2026, 4, 1), 30)                   # first 30 production days
_calls_in_window("gfew", date(2026, 4, 1), 5)                   # too few contacts
_calls_in_window("hfewqa", date(2026, 6, 5), 30)                # days 61-90 of a 2026-04-06 hire, 3 evaluations
for _i in range(30):                                            # a chat agent: no handle time, judged without AHT
    _chat(f"hdigital-{_i}", "people_q", datetime(2026, 6, 5, 15, tzinfo=UTC) + timedelta(days=_i), agent="hdigital",
          customer=f"k-hdigital-{_i}")


def _evaluations(agent, first_day: date, n=5):
    evaluations, items = [], []
    for i in range(n):
        evaluation_id = f"ev-{agent}-{i}"
        evaluations.append({"evaluation_id": evaluation_id, "contact_id": f"{agent}-{i}", "agent_id": agent,
                            "evaluator_id": "qa1", "sample_type": "random",
                            "evaluated_at": _iso(datetime.combine(first_day + timedelta(days=i + 1),
                                                                  datetime.min.time(), UTC) + timedelta(hours=18))})
        items.append({"evaluation_id": evaluation_id, "item_code": "accurate_resolution", "result": "pass"})
        items.append({"evaluation_id": evaluation_id, "item_code": "greeting", "result": "pass"})
    return evaluations, items


QA_EVALUATIONS, QA_ITEMS = [], []
for _agent, _day, _n in (("h91", date(2026, 5, 1), 5), ("hbelow", date(2026, 5, 1), 5), ("gok", date(2026, 4, 1), 5),
                         ("gfew", date(2026, 4, 1), 5), ("hfewqa", date(2026, 6, 5), 3), ("hdigital", date(2026, 6, 5), 5)):
    _e, _i = _evaluations(_agent, _day, _n)
    QA_EVALUATIONS += _e
    QA_ITEMS += _i


# ---- forecasts ---------------------------------------------------------------------------------------------
def _forecast(queue, start, published, contacts, minutes=30, aht=None, shrinkage=None):
    start_text = start if isinstance(start, str) else _iso(start)
    return {"queue": queue, "interval_start": start_text, "interval_minutes": str(minutes),
            "published_at": _iso(published), "forecast_contacts": str(contacts),
            "forecast_aht_seconds": None if aht is None else str(aht),
            "forecast_shrinkage": None if shrinkage is None else str(shrinkage)}


WEEK_BEFORE = datetime(2026, 1, 5, 10, 0, tzinfo=EST)
FORECASTS = [
    *[_forecast("hand", HAND_DAY + timedelta(minutes=30 * k), WEEK_BEFORE, f) for k, f in enumerate(HAND_FORECAST)],
    _forecast("hand", datetime(2026, 1, 13, 9, 0, tzinfo=EST), WEEK_BEFORE, 10),        # nobody came
    _forecast("hand", datetime(2026, 1, 14, 10, 0, tzinfo=EST), datetime(2026, 1, 12, 10, 0, tzinfo=EST), 50),
    _forecast("hand", datetime(2026, 1, 14, 10, 0, tzinfo=EST), datetime(2026, 1, 14, 8, 0, tzinfo=EST), 41),
    _forecast("hand", datetime(2026, 1, 19, 9, 0, tzinfo=EST), datetime(2026, 1, 12, 10, 0, tzinfo=EST), 92),
    _forecast("ahtq", datetime(2026, 1, 12, 9, 0, tzinfo=EST), WEEK_BEFORE, 2, aht=330),
    # the repeated hour of 2026-11-01, told apart by the offset; a week later the naive is its first occurrence
    _forecast("dst60", "2026-11-01T01:00:00-04:00", datetime(2026, 10, 25, 10, tzinfo=EDT), 1, minutes=60),
    _forecast("dst60", "2026-11-01T01:00:00-05:00", datetime(2026, 10, 25, 10, tzinfo=EDT), 3, minutes=60),
    _forecast("dst60", "2026-11-08T01:00:00", datetime(2026, 11, 1, 10, tzinfo=EST), 1, minutes=60),
    _forecast("dst60", "2026-03-15T02:00:00", datetime(2026, 3, 8, 10, tzinfo=EDT), 1, minutes=60),
    _forecast("shrink", datetime(2026, 1, 12, 9, 30, tzinfo=EST), WEEK_BEFORE, 1, shrinkage=0.25),
    _forecast("shrink", datetime(2026, 1, 12, 10, 0, tzinfo=EST), WEEK_BEFORE, 1, shrinkage=0.25),
    _forecast("shrink", datetime(2026, 1, 12, 23, 30, tzinfo=EST), WEEK_BEFORE, 1),     # planned from the schedule
]


def _span(agent, start: datetime, end: datetime, **kind):
    key, value = next(iter(kind.items()))
    if key == "activity":
        return {"agent_id": agent, "activity_start": _iso(start), "activity_end": _iso(end), "activity": value}
    return {"agent_id": agent, "started_at": _iso(start), "ended_at": _iso(end), "state": value}


def _t(h, m, day=12):
    return datetime(2026, 1, day, h, m, tzinfo=EST)


SCHEDULES = [
    _span("ag_day", _t(9, 30), _t(10, 30), activity="work"),
    _span("ag_night", _t(23, 30), _t(0, 30, day=13), activity="work"),
]
STATES = [
    _span("ag_day", _t(9, 30), _t(9, 50), state="available"),
    _span("ag_day", _t(9, 50), _t(10, 20), state="break"),       # 10 min to 09:30, 20 min to 10:00
    _span("ag_day", _t(10, 20), _t(10, 45), state="on_contact"),  # 10:30-10:45 is overtime
    _span("ag_night", _t(23, 30), _t(23, 50), state="wrap"),
    _span("ag_night", _t(23, 50), _t(0, 20, day=13), state="break"),  # across midnight
    _span("ag_night", _t(0, 20, day=13), _t(0, 30, day=13), state="available"),
]


# ---- roster and training -----------------------------------------------------------------------------------
def _agent(agent_id, hired, terminated=None, termination_type=None, source="referral", recruiter="R2", site="s1",
           production=None, role="agent"):
    return {"agent_id": agent_id, "hired_at": hired, "terminated_at": terminated, "termination_type": termination_type,
            "hire_source": source, "recruiter_id": recruiter, "site": site, "production_start_at": production,
            "role": role}


AGENTS = [
    _agent("h89", "2026-03-02", "2026-05-29", "voluntary", source="agency", recruiter="R1"),
    _agent("h90", "2026-03-02", "2026-05-30", "involuntary", source="agency", recruiter="R1"),
    _agent("h91", "2026-03-02", "2026-05-31", "voluntary"),
    _agent("hbelow", "2026-03-02"),
    _agent("hfewqa", "2026-04-06"),
    _agent("hdigital", "2026-04-06"),
    _agent("hrecent", "2026-09-01"),
    _agent("hold", "2025-09-01"),
    _agent("gok", "2026-02-09", production="2026-04-01"),
    _agent("gfew", "2026-02-09", production="2026-04-01"),
    _agent("f1", "2026-02-09", "2026-03-20", "involuntary"),
    _agent("w1", "2026-02-09", "2026-02-20", "voluntary"),
    _agent("glate", "2026-09-01", production="2026-10-20"),
    _agent("gleft", "2026-02-09", "2026-04-10", "voluntary", production="2026-04-01"),
    _agent("ip1", "2026-10-26"),
    _agent("other", "2020-01-06"),
    _agent("lead1", "2019-01-07", role="team_lead"),
]


def _enrollment(enrollment_id, agent, class_id, started, outcome, completed=None, score=None):
    return {"enrollment_id": enrollment_id, "agent_id": agent, "class_id": class_id, "program": "new_hire",
            "started_at": started, "completed_at": completed, "outcome": outcome,
            "assessment_score": None if score is None else str(score)}


ENROLLMENTS = [
    _enrollment("e-gok", "gok", "C1", "2026-02-09", "graduated", "2026-03-31", 85),
    _enrollment("e-gfew", "gfew", "C1", "2026-02-09", "graduated", "2026-03-31", 75),
    _enrollment("e-f1", "f1", "C1", "2026-02-09", "failed", "2026-03-20", 50),
    _enrollment("e-w1", "w1", "C1", "2026-02-09", "withdrawn"),
    _enrollment("e-glate", "glate", "C2", "2026-09-01", "graduated", "2026-10-19", 80),
    _enrollment("e-gleft", "gleft", "C2", "2026-02-09", "graduated", "2026-03-31", 80),
    _enrollment("e-ip1", "ip1", "C2", "2026-10-26", "in_progress"),
]

MARTS = ["rpt_forecast_accuracy_daily", "rpt_forecast_accuracy_weekly", "rpt_forecast_accuracy_monthly",
         "rpt_forecast_accuracy_horizon", "rpt_hiring_quality", "rpt_training_quality"]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    base = tmp_path_factory.mktemp("wfm_people")
    path = base / "callqa.duckdb"
    loaded = datetime(2026, 11, 9, 12, tzinfo=UTC)

    def meta(rows, name):
        return [{**r, "_load_id": 1, "_file": f"{name}.csv", "_line": i + 2, "_file_sha256": name,
                 "_loaded_at": loaded} for i, r in enumerate(rows)]

    create_raw_layer(path, {
        "calls": meta(CALLS, "calls"), "digital_contacts": meta(DIGITAL, "digital"),
        "wfm_forecasts": meta(FORECASTS, "forecasts"), "agent_schedules": meta(SCHEDULES, "schedules"),
        "agent_states": meta(STATES, "states"), "agents": meta(AGENTS, "agents"),
        "training_enrollments": meta(ENROLLMENTS, "enrollments"),
        "qa_evaluations": meta(QA_EVALUATIONS, "qa"), "qa_evaluation_items": meta(QA_ITEMS, "qa_items"),
    })
    with dbt_env(path, TZ):
        result = run_dbt(["build", "--select", *[f"+{m}" for m in MARTS], "--indirect-selection", "cautious"], base)
    assert result.success, failures(result)
    con = duckdb.connect(str(path), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    yield con
    con.close()


def _one(con, sql, *params):
    rows = con.execute(sql, list(params)).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


def _daily(con, queue, day, measure):
    cols = [d[0] for d in con.execute("select * from marts.rpt_forecast_accuracy_daily limit 0").description]
    row = _one(con, "select * from marts.rpt_forecast_accuracy_daily where queue = ? and local_date = ? and measure = ?",
               queue, day, measure)
    return dict(zip(cols, row))


# ---- §4 hand check -----------------------------------------------------------------------------------------
def test_six_interval_hand_check(warehouse):
    """A = [100,120,80,95,130,60], F = [105,110,85,95,150,58]: 5 of 6 within ±10 %; WAPE = 42 / 585 (the spec's
    hand check prints 40/585, but |F - A| sums to 5+10+5+0+20+2 = 42); bias = +18 / 585; MAPE = mean |pe|."""
    d = _daily(warehouse, "hand", date(2026, 1, 12), "contacts")
    assert d["intervals"] == 6 and d["accuracy_intervals"] == 6
    assert d["intervals_within_tolerance"] == 5 and d["interval_accuracy"] == pytest.approx(5 / 6)
    assert d["forecast"] == 603 and d["actual"] == 585
    assert d["wape"] == pytest.approx(42 / 585)
    assert d["bias"] == pytest.approx(18 / 585)
    assert d["daily_accuracy"] == pytest.approx(1 - 18 / 585)
    pes = [abs(f - a) / a for f, a in zip(HAND_FORECAST, HAND_ACTUAL)]
    assert d["mape"] == pytest.approx(sum(pes) / 6)
    # the failed chat is not offered; the 13:05 chat had no forecast
    assert d["unforecast_intervals"] == 1 and d["unforecast_contacts"] == 1


def test_six_intervals_within_5_percent_boundary_inclusive(warehouse):
    """At ±5 %: 105 vs 100 (exactly 5 %), 95 vs 95 and 58 vs 60 are inside: 3 of 6."""
    rows = warehouse.execute(
        """select contacts_pct_error from marts.fct_forecast_intervals
           where queue = 'hand' and local_date = '2026-01-12' and is_evaluated order by interval_start_utc""").fetchall()
    pct = [r[0] for r in rows]
    assert pct == pytest.approx([(f - a) / a for f, a in zip(HAND_FORECAST, HAND_ACTUAL)])
    assert sum(abs(p) <= 0.05 + 1e-9 for p in pct) == 3


def test_naive_forecast_and_value_added(warehouse):
    """2026-01-12: the naive forecast is 2026-01-05 (inside the data, nobody came: 0), so naive WAPE = 1 and
    FVA = 1 - 42/585. 2026-01-19 09:00: F = 92, A = 90, naive = 100 (the 01-12 actual): FVA = 10/90 - 2/90."""
    d = _daily(warehouse, "hand", date(2026, 1, 12), "contacts")
    assert d["paired_intervals"] == 6
    assert d["naive_wape"] == pytest.approx(1.0)
    assert d["forecast_value_added"] == pytest.approx(1 - 42 / 585)
    d = _daily(warehouse, "hand", date(2026, 1, 19), "contacts")
    assert (d["forecast"], d["actual"]) == (92, 90)
    assert d["naive_wape"] == pytest.approx(10 / 90) and d["paired_wape"] == pytest.approx(2 / 90)
    assert d["forecast_value_added"] == pytest.approx(8 / 90)


def test_interval_with_zero_actual(warehouse):
    """F = 10, A = 0: the interval counts in WAPE's numerator, not in percentage errors; with no actual all
    day, WAPE and bias are NULL (zero_actual), never 0."""
    pe, within, err = _one(warehouse, """select contacts_pct_error, contacts_within_tolerance, contacts_error
        from marts.fct_forecast_intervals where queue = 'hand' and local_date = '2026-01-13' and is_evaluated""")
    assert pe is None and within is None and err == 10
    d = _daily(warehouse, "hand", date(2026, 1, 13), "contacts")
    assert d["intervals"] == 1 and d["accuracy_intervals"] == 0 and d["abs_error_weighted"] == 10
    assert d["wape"] is None and d["bias"] is None and d["interval_accuracy"] is None
    assert d["null_reason"] == "zero_actual"


def test_forecast_republished_after_the_lock_evaluates_the_earlier_version(warehouse):
    rows = warehouse.execute(
        """select forecast_contacts, is_evaluated, not_evaluated_reason, horizon_bucket, actual_contacts
           from marts.fct_forecast_intervals where queue = 'hand' and local_date = '2026-01-14'
           order by published_at""").fetchall()
    assert rows == [(50, True, None, "1_6_days", 40), (41, False, "published_after_lock", "same_day", 40)]
    d = _daily(warehouse, "hand", date(2026, 1, 14), "contacts")
    assert (d["forecast"], d["actual"], d["bias"]) == (50, 40, pytest.approx(0.25))


def test_aht_weighted_by_handled_calls_and_short_abandon_not_offered(warehouse):
    """Two answered calls of 200 s and 400 s: AHT 300 vs forecast 330 = +10 %, inside the 10 % tolerance; the
    call abandoned after 3 s is a short abandon (not offered)."""
    offered, short, handled, aht = _one(warehouse, """select offered, short_abandoned, handled_with_handle_time,
        handle_seconds / handled_with_handle_time from intermediate.int_wfm_intervals_measured
        where queue = 'ahtq' and interval_start_local = '2026-01-12 09:00:00'""")
    assert (offered, short, handled, aht) == (2, 1, 2, 300)
    d = _daily(warehouse, "ahtq", date(2026, 1, 12), "aht")
    assert (d["weight"], d["forecast"], d["actual"]) == (2, 330, 300)
    assert d["wape"] == pytest.approx(0.1) and d["bias"] == pytest.approx(0.1)
    assert d["interval_accuracy"] == 1.0
    # digital queues have no handle time in the contract: no AHT accuracy, with the reason
    assert _daily(warehouse, "hand", date(2026, 1, 12), "aht")["null_reason"] == "no_forecast_value"


# ---- DST ---------------------------------------------------------------------------------------------------
def test_interval_actuals_on_23_and_25_hour_days(warehouse):
    counts = dict(warehouse.execute(
        """select local_date, count(*) from intermediate.int_wfm_intervals_measured
           where queue = 'dst60' and local_date in ('2026-03-08', '2026-11-01') group by 1""").fetchall())
    assert counts == {date(2026, 3, 8): 23, date(2026, 11, 1): 25}
    spring = warehouse.execute(
        """select strftime(interval_start_local, '%H:%M'), offered from intermediate.int_wfm_intervals_measured
           where queue = 'dst60' and local_date = '2026-03-08' and offered > 0 order by interval_start_utc""").fetchall()
    assert spring == [("01:00", 1), ("03:00", 1)]
    fall = warehouse.execute(
        """select utc_offset_minutes, local_occurrence, offered from intermediate.int_wfm_intervals_measured
           where queue = 'dst60' and interval_start_local = '2026-11-01 01:00:00' order by interval_start_utc""").fetchall()
    assert fall == [(-240, 1, 1), (-300, 2, 2)]
    evaluated = warehouse.execute(
        """select forecast_contacts, actual_contacts from marts.fct_forecast_intervals
           where queue = 'dst60' and local_date = '2026-11-01' and is_evaluated order by interval_start_utc""").fetchall()
    assert evaluated == [(1, 1), (3, 2)]


def test_seasonal_naive_across_dst(warehouse):
    """2026-11-08 01:00 EST: the naive interval is the first 01:00 of 2026-11-01 (EDT, 1 contact); 2026-03-15
    02:00: 02:00 did not exist on 2026-03-08, so there is no naive value."""
    nov = _one(warehouse, """select naive_interval_start_utc, naive_contacts from marts.fct_forecast_intervals
        where queue = 'dst60' and local_date = '2026-11-08'""")
    assert nov == (datetime(2026, 11, 1, 5, 0, tzinfo=UTC), 1)
    mar = _one(warehouse, """select naive_interval_start_utc, naive_contacts, is_evaluated
        from marts.fct_forecast_intervals where queue = 'dst60' and local_date = '2026-03-15'""")
    assert mar == (None, None, True)


# ---- shrinkage ---------------------------------------------------------------------------------------------
def test_shrinkage_split_at_interval_boundaries(warehouse):
    """ag_day: work 09:30-10:30; a break 09:50-10:20 takes 10 min of 09:30 and 20 of 10:00: actual shrinkage 1/3
    and 2/3 against the planned 0.25. Its overtime 10:30-10:45 is productive but not paid scheduled time."""
    rows = warehouse.execute(
        """select strftime(interval_start_local, '%H:%M'), scheduled_paid_seconds, productive_in_paid_seconds,
                  actual_shrinkage, planned_shrinkage, planned_shrinkage_source, shrinkage_error_points,
                  shrinkage_within_tolerance
           from marts.fct_forecast_intervals where queue = 'shrink' and local_date = '2026-01-12'
           order by interval_start_utc""").fetchall()
    assert rows[0][:3] == ("09:30", 1800, 1200) and rows[0][3] == pytest.approx(1 / 3)
    assert rows[1][:3] == ("10:00", 1800, 600) and rows[1][3] == pytest.approx(2 / 3)
    assert [r[4:6] for r in rows[:2]] == [(0.25, "forecast"), (0.25, "forecast")]
    assert rows[0][6] == pytest.approx(0.25 - 1 / 3) and rows[0][7] is False
    # 23:30: no forecast shrinkage, so the schedule plans it (all work: 0)
    assert rows[2][:6] == ("23:30", 1800, 1200, pytest.approx(1 / 3), 0.0, "schedule")
    overtime = _one(warehouse, """select scheduled_paid_seconds, productive_unscheduled_seconds
        from intermediate.int_wfm_intervals_measured where queue = 'shrink' and interval_start_local = '2026-01-12 10:30:00'""")
    assert overtime == (0, 900)
    d = _daily(warehouse, "shrink", date(2026, 1, 12), "shrinkage")
    assert d["weight"] == 5400 and d["intervals"] == 3
    assert d["actual"] == pytest.approx(1 - 3000 / 5400)
    assert d["bias_points"] == pytest.approx((1800 * 0.25 + 1800 * 0.25 + 0 - 2400) / 5400)


def test_state_across_midnight(warehouse):
    """ag_night: work 23:30-00:30, a break 23:50-00:20: 10 min of it on 2026-01-12 (23:30 half-hour), 20 on
    2026-01-13 (00:00)."""
    rows = warehouse.execute(
        """select local_date, strftime(interval_start_local, '%H:%M'), scheduled_paid_seconds, productive_in_paid_seconds
           from intermediate.int_wfm_intervals_measured
           where queue = 'shrink' and interval_start_local in ('2026-01-12 23:30:00', '2026-01-13 00:00:00')
           order by interval_start_utc""").fetchall()
    assert rows == [(date(2026, 1, 12), "23:30", 1800, 1200), (date(2026, 1, 13), "00:00", 1800, 600)]


def test_rollups_sum_the_parts(warehouse):
    """The week of 2026-01-12 for `hand`: the parts of its days summed, WAPE recomputed (never averaged)."""
    w = _one(warehouse, """select intervals, abs_error_weighted, actual_weighted, wape, daily_abs_error_weighted
        from marts.rpt_forecast_accuracy_weekly where queue = 'hand' and week_start = '2026-01-12' and measure = 'contacts'""")
    # days: 01-12 (42 / 585, daily |603-585| = 18), 01-13 (10 / 0, 10), 01-14 (10 / 40, 10)
    assert w[:3] == (8, 62, 625) and w[3] == pytest.approx(62 / 625) and w[4] == 38
    m = _one(warehouse, """select sum(intervals), sum(abs_error_weighted) from marts.rpt_forecast_accuracy_monthly
        where queue = 'hand' and measure = 'contacts'""")
    d = _one(warehouse, """select sum(intervals), sum(abs_error_weighted) from marts.rpt_forecast_accuracy_daily
        where queue = 'hand' and measure = 'contacts'""")
    assert m == d


def test_accuracy_by_horizon(warehouse):
    """Each bucket evaluates its own latest version: 2026-01-14 10:00 has a 2-day version (1_6_days) and a
    same-day one published after the lock; the versions of 01-12, 01-13 (published 01-05) and 01-19 (published
    01-12) are 7-8 days ahead (1_2_weeks)."""
    rows = dict(warehouse.execute(
        """select horizon_bucket, forecast from marts.rpt_forecast_accuracy_horizon
           where queue = 'hand' and month_start = '2026-01-01' and measure = 'contacts'""").fetchall())
    assert rows == {"same_day": 41, "1_6_days": 50, "1_2_weeks": 603 + 10 + 92}


# ---- §5 hiring and training --------------------------------------------------------------------------------
def test_hires_day_89_vs_91_censored_and_performance(warehouse):
    status = dict(warehouse.execute(
        "select agent_id, hiring_status from intermediate.int_hires_evaluated").fetchall())
    assert status["h89"] == "not_retained"
    assert status["h90"] == "not_retained"
    assert status["h91"] == "performing"
    assert status["hbelow"] == "below_target"
    assert status["hrecent"] == "censored"
    assert status["hold"] == "not_observed"
    assert status["hfewqa"] == "insufficient_data"  # 30 calls but 3 evaluations (minimum 5)
    assert status["hdigital"] == "performing"      # no calls: judged on FCR and QA, AHT not applicable
    assert "lead1" not in status  # a team lead is not an agent hire
    reasons = dict(warehouse.execute("""select agent_id, insufficient_data_reason from intermediate.int_hires_evaluated
        where agent_id in ('hfewqa', 'hdigital')""").fetchall())
    assert reasons == {"hfewqa": "too_few_evaluations", "hdigital": None}
    digital = _one(warehouse, """select handled_contacts, aht_contacts, is_aht_applicable, aht_met
        from intermediate.int_performance_windows_scored where agent_id = 'hdigital' and window_kind = 'hire_61_90'""")
    assert digital == (30, 0, False, None)
    fcr = _one(warehouse, """select handled_contacts, fcr_7d_rate, aht_seconds, critical_error_accuracy
        from intermediate.int_hires_evaluated where agent_id = 'hbelow'""")
    assert fcr == (30, 0.5, 300, 1.0)


def test_hiring_quality_cohort(warehouse):
    """March 2026: 4 hires, all eligible; h89 and h90 left by day 90 (one voluntary, one involuntary), h91 performs,
    hbelow misses FCR: hiring quality 1 / 4, retention 2 / 4. Per source: agency 0 / 2, referral 1 / 2."""
    row = _one(warehouse, """select sum(hires), sum(eligible), sum(retained_90d), sum(attrition_90d_voluntary),
        sum(attrition_90d_involuntary), sum(performing_90d), sum(judged)
        from marts.rpt_hiring_quality where hire_month = '2026-03-01'""")
    assert row == (4, 4, 2, 1, 1, 1, 4)
    by_source = dict(warehouse.execute("""select hire_source, hiring_quality_rate from marts.rpt_hiring_quality
        where hire_month = '2026-03-01'""").fetchall())
    assert by_source == {"agency": 0.0, "referral": 0.5}
    censored = _one(warehouse, """select censored, eligible, hiring_quality_rate, hiring_quality_null_reason
        from marts.rpt_hiring_quality where hire_month = '2026-09-01'""")
    assert censored == (2, 0, None, "all_censored")


def test_training_quality_per_class(warehouse):
    """C1: 4 started, 2 graduated (graduation 0.5); gok proficient, gfew has 5 contacts (insufficient_data, not
    a failure): 1 / 1. C2: glate's window is not over (censored), gleft left on production day 10 (not
    proficient), ip1 in progress: 0 / 1, graduation 2 / 2."""
    status = dict(warehouse.execute(
        "select enrollment_id, training_status from intermediate.int_enrollments_evaluated").fetchall())
    assert status == {"e-gok": "proficient", "e-gfew": "insufficient_data", "e-f1": None, "e-w1": None,
                      "e-glate": "censored", "e-gleft": "left_during_window", "e-ip1": None}
    c1 = _one(warehouse, """select started, graduated, graduation_rate, proficient, insufficient_data, judged,
        training_quality_rate, target, target_met, assessment_score_avg from marts.rpt_training_quality where class_id = 'C1'""")
    assert c1 == (4, 2, 0.5, 1, 1, 1, 1.0, 0.9, True, pytest.approx(70.0))
    c2 = _one(warehouse, """select enrolled, in_progress, started, graduated, censored, left_during_window,
        training_quality_rate, target_met from marts.rpt_training_quality where class_id = 'C2'""")
    assert c2 == (3, 1, 2, 2, 1, 1, 0.0, False)
    reason = _one(warehouse, """select insufficient_data_reason from intermediate.int_enrollments_evaluated
        where enrollment_id = 'e-gfew'""")
    assert reason == ("too_few_contacts",)
