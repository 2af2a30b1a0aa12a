"""ACD interval reports (landing source queue_intervals, issue 13 item 3), end to end through dbt: the contract's
rejects, forecast accuracy and service level from interval rows, and which source wins where both exist.

A raw layer made by hand (docs/layers.md), one `dbt build` of the forecast-accuracy, service-level and audit
marts and their parents (models, contracts, data tests, unit tests), then hand-computed assertions.
Zone America/New_York; every interval is on Monday 2026-01-12 (EST, UTC-5), forecasts published a week before.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import duckdb
import pytest

from dbt_helpers import create_raw_layer, dbt_env, failures, run_dbt

TZ = "America/New_York"
UTC = timezone.utc
EST = timezone(timedelta(hours=-5))
DAY = datetime(2026, 1, 12, 9, 0, tzinfo=EST)
PUBLISHED = datetime(2026, 1, 5, 10, 0, tzinfo=EST)


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _local(dt: datetime) -> str:
    """Local wall-clock text without offset, as an ACD report delivers it."""
    return dt.strftime("%Y-%m-%d %H:%M:%S")


def _row(queue, start, minutes, offered, answered=None, abandoned=None, within=None, handle=None, wait=None,
         short=None):
    text = lambda v: None if v is None else str(v)  # noqa: E731
    return {"queue": queue, "interval_start": start if isinstance(start, str) else _local(start),
            "interval_minutes": str(minutes), "offered": text(offered), "answered": text(answered),
            "abandoned": text(abandoned), "short_abandoned": text(short), "answered_within_threshold": text(within),
            "handle_seconds": text(handle), "wait_seconds": text(wait)}


def _forecast(queue, start: datetime, minutes, contacts, aht=None):
    return {"queue": queue, "interval_start": _local(start), "interval_minutes": str(minutes),
            "published_at": _iso(PUBLISHED), "forecast_contacts": str(contacts),
            "forecast_aht_seconds": None if aht is None else str(aht)}


# Queue `acd`: no call-level log, the ACD's 5-minute report 09:00-09:30 (one row flowed out at 09:05: 10 + 1 < 12).
ACD_OFFERED = [10, 12, 8, 15, 11, 9]
ACD_ANSWERED = [9, 10, 8, 13, 11, 8]
ACD_ABANDONED = [1, 1, 0, 2, 0, 1]
ACD_WITHIN = [8, 7, 8, 10, 11, 6]
ACD_HANDLE = [2700, 3000, 2400, 3900, 3300, 2400]
ACD_WAIT = [90, 150, 40, 260, 22, 120]
ACD_FORECAST = [11, 12, 6, 15, 10, 9]          # published at 5 minutes too
ROLL_FORECAST = [28, 40]                         # queue `roll`: the same report, forecast at 15 minutes

QUEUE_INTERVALS = []
for k in range(6):
    for queue in ("acd", "roll"):
        QUEUE_INTERVALS.append(_row(queue, DAY + timedelta(minutes=5 * k), 5, ACD_OFFERED[k], ACD_ANSWERED[k],
                                    ACD_ABANDONED[k], ACD_WITHIN[k], ACD_HANDLE[k], ACD_WAIT[k]))
QUEUE_INTERVALS += [
    # `roll` was also exported at 15 minutes for 09:00: the same contacts again, never summed with the 5-minute rows
    _row("roll", DAY, 15, 30, 27, 2, 23, 8100, 280),
    # `coarse`: half-hour rows only, without abandoned and answered_within_threshold
    _row("coarse", DAY, 30, 20, answered=18),
    # `both`: a call-level log too (2 calls 09:00-09:15); the report also has 09:00 (5) and 09:15 (4)
    _row("both", DAY, 15, 5, 5, 0, 5),
    _row("both", DAY + timedelta(minutes=15), 15, 4, 3, 1, 2, wait=30),
    # accepted: a 6-minute row at 09:06 and an instant with its offset (14:30Z = 09:30 EST) on a half-hour
    _row("six", DAY + timedelta(minutes=6), 6, 3, 3, 0),
    _row("six", "2026-01-12T14:30:00Z", 30, 1),
]
ACCEPTED = len(QUEUE_INTERVALS)
REJECTS = [  # (row, reason, detail)
    (_row("bad", DAY, 5, 5, answered=6), "failed_check", "answered <= offered"),
    (_row("bad", DAY + timedelta(minutes=5), 5, 5, answered=4, abandoned=2), "failed_check",
     "answered + abandoned <= offered"),
    (_row("bad", DAY + timedelta(minutes=10), 5, 5, answered=4, within=5), "failed_check",
     "answered_within_threshold <= answered"),
    (_row("bad", DAY + timedelta(minutes=7), 5, 5), "failed_check", "interval_start aligned to interval_minutes"),
    (_row("bad", "2026-01-12 09:15:30", 5, 5), "failed_check", "interval_start aligned to interval_minutes"),
    (_row("bad", DAY + timedelta(minutes=25), 10, 5), "failed_check", "interval_start aligned to interval_minutes"),
    (_row("bad", DAY, 7, 5), "invalid_enum", "interval_minutes"),      # does not divide 60
    (_row("bad", DAY, 45, 5), "invalid_enum", "interval_minutes"),     # does not divide 60
    (_row("bad", DAY, 12, 5), "invalid_enum", "interval_minutes"),     # divides 60 but no ACD uses it: the contract's list
    (_row("bad", DAY + timedelta(minutes=30), 5, -1), "out_of_range", "offered"),
    (_row("bad", DAY + timedelta(minutes=35), 5, None, answered=1), "missing_required", "offered"),
]

FORECASTS = [
    *[_forecast("acd", DAY + timedelta(minutes=5 * k), 5, f, aht=330 if k == 0 else None)
      for k, f in enumerate(ACD_FORECAST)],
    *[_forecast("roll", DAY + timedelta(minutes=15 * k), 15, f) for k, f in enumerate(ROLL_FORECAST)],
    _forecast("coarse", DAY, 15, 9),
    _forecast("coarse", DAY + timedelta(minutes=15), 15, 9),
    _forecast("both", DAY, 15, 3),
    _forecast("both", DAY + timedelta(minutes=15), 15, 4),
    _forecast("calls5", DAY, 5, 1),
    _forecast("calls5", DAY + timedelta(minutes=5), 5, 3),
]


def _call(call_id, queued: datetime, wait=5, talk=120, queue="both"):
    answered = queued + timedelta(seconds=wait)
    return {"call_id": call_id, "direction": "inbound", "queue": queue, "outcome": "answered",
            "arrived_at": _iso(queued), "queued_at": _iso(queued), "answered_at": _iso(answered),
            "ended_at": _iso(answered + timedelta(seconds=talk)), "talk_seconds": str(talk)}


CALLS = [_call("both-1", DAY + timedelta(minutes=1)), _call("both-2", DAY + timedelta(minutes=2), wait=40),
         # `calls5`: a call-level queue forecast at 5 minutes (calls at 09:01, 09:07, 09:09)
         *[_call(f"c5-{m}", DAY + timedelta(minutes=m), queue="calls5") for m in (1, 7, 9)]]


def build_raw_layer(path):
    """The raw layer of this module (also copied to PostgreSQL by tests/postgres/test_queue_intervals_postgres.py)."""
    loaded = datetime(2026, 1, 13, 6, tzinfo=UTC)

    def meta(rows, name):
        return [{**r, "_load_id": 1, "_file": f"{name}/{name}.csv", "_line": i + 2, "_file_sha256": name,
                 "_loaded_at": loaded} for i, r in enumerate(rows)]

    create_raw_layer(path, {
        "queue_intervals": meta(QUEUE_INTERVALS + [r for r, _, _ in REJECTS], "queue_intervals"),
        "wfm_forecasts": meta(FORECASTS, "wfm_forecasts"),
        "calls": meta(CALLS, "calls"),
    })


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    base = tmp_path_factory.mktemp("queue_intervals")
    path = base / "callqa.duckdb"
    build_raw_layer(path)
    with dbt_env(path, TZ):
        result = run_dbt(["build", "--select", "+rpt_forecast_accuracy_daily", "+rpt_service_level_interval",
                          "+layer_reconciliation", "--indirect-selection", "cautious"], base)
    assert result.success, failures(result)
    con = duckdb.connect(str(path), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    yield con
    con.close()


def _dicts(con, sql, *params):
    cur = con.execute(sql, list(params))
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def _one(con, sql, *params):
    rows = _dicts(con, sql, *params)
    assert len(rows) == 1, rows
    return rows[0]


# ---- the contract ------------------------------------------------------------------------------------------
def test_bad_rows_rejected_with_their_reason_and_nothing_lost(warehouse):
    got = [(r["line"], r["reason"], r["detail"]) for r in _dicts(
        warehouse, "select line, reason, detail from audit.rejected_rows where source = 'queue_intervals' order by line")]
    assert got == [(ACCEPTED + 2 + i, reason, detail) for i, (_, reason, detail) in enumerate(REJECTS)]
    staged = warehouse.execute("select count(*) from staging.stg_landing__queue_intervals").fetchall()[0][0]
    assert staged == ACCEPTED
    rec = _one(warehouse, "select * from audit.layer_reconciliation where source = 'queue_intervals'")
    assert (rec["raw_rows"], rec["staged_rows"], rec["rejected_rows"], rec["is_reconciled"]) == (
        ACCEPTED + len(REJECTS), ACCEPTED, len(REJECTS), True)
    assert rec["rejected_failed_check"] == 6 and rec["rejected_invalid_enum"] == 3


def test_six_minute_and_offset_rows_are_aligned(warehouse):
    rows = warehouse.execute("""select strftime(interval_start_local, '%H:%M'), interval_minutes
        from staging.stg_landing__queue_intervals where queue = 'six' order by interval_start""").fetchall()
    assert rows == [("09:06", 6), ("09:30", 30)]


def test_five_minute_forecasts_are_accepted_and_compared_with_calls(warehouse):
    n = warehouse.execute("""select count(*) from staging.stg_landing__wfm_forecasts
        where interval_minutes = 5""").fetchall()[0][0]
    assert n == 8
    # `calls5` from its call log: 09:00-09:05 one call, 09:05-09:10 two
    rows = warehouse.execute("""select strftime(interval_start_local, '%H:%M'), forecast_contacts, actual_contacts,
        actuals_source, is_evaluated from marts.fct_forecast_intervals where queue = 'calls5' order by interval_start_utc""").fetchall()
    assert rows == [("09:00", 1, 1, "calls", True), ("09:05", 3, 2, "calls", True)]
    spine = warehouse.execute("""select count(*) from intermediate.int_wfm_intervals_measured
        where queue = 'calls5' and local_date = '2026-01-12'""").fetchall()[0][0]
    assert spine == 24 * 12


# ---- forecast accuracy from interval rows ------------------------------------------------------------------
def test_forecast_accuracy_at_5_minutes_from_interval_rows(warehouse):
    """Queue `acd`, 09:00-09:30 at 5 minutes, actuals = the ACD's offered:
        A = [10, 12, 8, 15, 11, 9] (sum 65), F = [11, 12, 6, 15, 10, 9] (sum 63)
        |F - A| = [1, 0, 2, 0, 1, 0] -> WAPE = 4 / 65; F - A sums to -2 -> bias = -2 / 65
        |pe| = [0.1, 0, 0.25, 0, 1/11, 0]: within ±10 % (boundary inclusive) 5 of 6 -> interval accuracy 5/6
        MAPE = (0.1 + 0.25 + 1/11) / 6; daily accuracy = 1 - |63 - 65| / 65 = 63/65.
    AHT at 09:00: 2700 s / 9 answered = 300 s against a forecast of 330."""
    d = _one(warehouse, """select * from marts.rpt_forecast_accuracy_daily
        where queue = 'acd' and local_date = '2026-01-12' and measure = 'contacts'""")
    assert (d["intervals"], d["forecast"], d["actual"]) == (6, 63, 65)
    assert d["wape"] == pytest.approx(4 / 65)
    assert d["bias"] == pytest.approx(-2 / 65)
    assert (d["intervals_within_tolerance"], d["accuracy_intervals"]) == (5, 6)
    assert d["interval_accuracy"] == pytest.approx(5 / 6)
    assert d["mape"] == pytest.approx((0.1 + 0.25 + 1 / 11) / 6)
    assert d["daily_accuracy"] == pytest.approx(63 / 65)
    assert (d["actuals_source"], d["intervals_from_queue_intervals"]) == ("queue_intervals", 6)
    rows = warehouse.execute("""select strftime(interval_start_local, '%H:%M'), actual_contacts, actuals_source,
        report_minutes, is_evaluated from marts.fct_forecast_intervals where queue = 'acd' order by interval_start_utc""").fetchall()
    assert rows == [(f"09:{5 * k:02d}", a, "queue_intervals", 5, True) for k, a in enumerate(ACD_OFFERED)]
    aht = _one(warehouse, """select actual_aht_seconds, actual_handled from marts.fct_forecast_intervals
        where queue = 'acd' and interval_start_local = '2026-01-12 09:00:00'""")
    assert (aht["actual_aht_seconds"], aht["actual_handled"]) == (300, 9)


def test_finer_rows_roll_up_to_the_forecast_length_once(warehouse):
    """Queue `roll`: the same 5-minute rows, forecast at 15 minutes: A = [10+12+8, 15+11+9] = [30, 35];
    F = [28, 40]: WAPE = (2 + 5) / 65, bias = +3 / 65. A 15-minute row for 09:00 was delivered too: one length
    per interval (equal coverage, so the longer), never 30 + 30."""
    rows = warehouse.execute("""select actual_contacts, report_minutes from marts.fct_forecast_intervals
        where queue = 'roll' order by interval_start_utc""").fetchall()
    assert rows == [(30, 15), (35, 5)]
    d = _one(warehouse, """select wape, bias from marts.rpt_forecast_accuracy_daily
        where queue = 'roll' and local_date = '2026-01-12' and measure = 'contacts'""")
    assert d["wape"] == pytest.approx(7 / 65) and d["bias"] == pytest.approx(3 / 65)


def test_forecast_finer_than_the_actuals_is_not_evaluated(warehouse):
    """Queue `coarse` reports half-hours; its 15-minute forecasts cannot be compared (a half-hour is never split)."""
    rows = warehouse.execute("""select is_evaluated, not_evaluated_reason, actual_contacts, actuals_source
        from marts.fct_forecast_intervals where queue = 'coarse' order by interval_start_utc""").fetchall()
    assert rows == [(False, "forecast_finer_than_actuals", None, "none")] * 2
    d = _one(warehouse, """select intervals, wape, null_reason from marts.rpt_forecast_accuracy_daily
        where queue = 'coarse' and local_date = '2026-01-12' and measure = 'contacts'""")
    assert (d["intervals"], d["wape"], d["null_reason"]) == (0, None, "no_evaluated_forecast")


def test_call_level_rows_win_where_both_exist(warehouse):
    """Queue `both`: 09:00-09:15 has 2 calls and a report row of 5: the calls count (A = 2); 09:15 has no call,
    so the report's 4 counts. The day's actuals are mixed."""
    rows = warehouse.execute("""select actual_contacts, actuals_source from marts.fct_forecast_intervals
        where queue = 'both' order by interval_start_utc""").fetchall()
    assert rows == [(2, "calls"), (4, "queue_intervals")]
    d = _one(warehouse, """select forecast, actual, actuals_source, intervals_from_queue_intervals
        from marts.rpt_forecast_accuracy_daily where queue = 'both' and local_date = '2026-01-12' and measure = 'contacts'""")
    assert (d["forecast"], d["actual"], d["actuals_source"], d["intervals_from_queue_intervals"]) == (7, 6, "mixed", 1)


# ---- service level from interval rows ----------------------------------------------------------------------
def _sl(con, queue, local_start="2026-01-12 09:00:00"):
    return _one(con, "select * from marts.rpt_service_level_interval where queue = ? and interval_start_local = ?",
                queue, local_start)


def test_service_level_from_interval_rows(warehouse):
    """Queue `acd` is not in seeds queues: it reports at the default 30 minutes, so the six 5-minute rows roll up
    into 09:00: answered 59, abandoned 5, offered = 59 + 5 = 64 (the ACD offered 65: one flowed out),
    answered within threshold 50: service level 50/64; ASA = 682 / 59; abandon rate 5/64."""
    s = _sl(warehouse, "acd")
    assert (s["actuals_source"], s["report_minutes"], s["interval_minutes"]) == ("queue_intervals", 5, 30)
    assert (s["offered"], s["reported_offered"], s["answered"], s["abandoned"]) == (64, 65, 59, 5)
    assert s["answered_within_threshold"] == 50 and s["service_level"] == pytest.approx(50 / 64)
    assert s["asa_seconds"] == pytest.approx(682 / 59) and s["abandon_rate"] == pytest.approx(5 / 64)
    assert s["handle_seconds"] == sum(ACD_HANDLE) and s["handled_with_handle_time"] == 59
    assert s["queued_calls"] is None and s["max_answer_wait_seconds"] is None
    empty = _sl(warehouse, "acd", "2026-01-12 10:00:00")
    assert (empty["actuals_source"], empty["offered"], empty["service_level"]) == ("none", 0, None)


def test_service_level_null_when_the_report_lacks_the_counts(warehouse):
    """Queue `coarse`: 20 offered, 18 answered, no abandoned and no answered-within-threshold: offered falls back to
    the ACD's 20; service level and abandon rate are NULL (never 0)."""
    s = _sl(warehouse, "coarse")
    assert (s["actuals_source"], s["offered"], s["answered"], s["abandoned"]) == ("queue_intervals", 20, 18, None)
    assert s["answered_within_threshold"] is None and s["service_level"] is None and s["abandon_rate"] is None


def test_service_level_calls_win_where_both_exist(warehouse):
    """Queue `both` at 30 minutes: the 09:00 half-hour has 2 calls (one answered after 5 s, one after 40 s; the
    default threshold is 20 s): the calls count, service level 1/2, and the report rows of 09:00 and 09:15 are
    not added."""
    s = _sl(warehouse, "both")
    assert (s["actuals_source"], s["offered"], s["answered_within_threshold"], s["service_level"]) == ("calls", 2, 1, 0.5)
    assert s["reported_offered"] is None and s["report_minutes"] is None
