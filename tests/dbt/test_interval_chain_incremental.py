"""The interval chain kept up to date by local date (issue 14 item 3: "interval actuals, forecast accuracy and
service level only for affected queue x local dates"), incremental vs full refresh, end to end through dbt.

A hand-made raw layer (zone America/New_York, EST until 2026-03-08): calls, a conversation, agent schedules and
states on Monday 2026-03-02 to Friday 03-06, forecasts of queue `sales` for 09:00-10:00 every day to 03-13. Then:
- load 2: a new day (a call on Saturday 03-07), a correction moving a call from 03-03 to 03-04, a new forecast
  version for 03-12 (after the data). The builds rewrite only the dates the rule names
  (macros/intervals/intervals_recompute_scope.sql): int_wfm_intervals_measured the two dates of the corrected call,
  the old and new last date (the end of the data moved) and the forecast's date (no interval there: a placeholder
  only); fct_forecast_intervals those with actuals, the same plus the naive lag (7 days), and the forecast's;
  rpt_service_level_interval the calls' dates and the new last date.
- load 3: the first call of an agent who worked 03-05 and 03-06: the agent's primary queue moved (none to
  `sales`), so the dates of the agent's time are rewritten with the call's date, and nothing else.
- load 4: both calls of 03-07 corrected onto 03-06: the data's last date moves back, 03-07 is emptied in the
  actuals and the service level (placeholder rows), and its forecast rows lose their actuals.
After each load every table of the chain equals a full refresh, row for row (doubles to 9 decimals).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import duckdb
import pytest

from dbt_helpers import (append_raw, create_raw_layer, dbt_env, delivery, failures, incremental_batch, run_dbt,
                         run_dbt_passing)

TZ = "America/New_York"
UTC = timezone.utc
EST = timezone(timedelta(hours=-5))
LOADED_AT = datetime(2026, 3, 7, 6, 0, tzinfo=UTC)
CHAIN = ["int_wfm_intervals_measured", "fct_forecast_intervals", "rpt_forecast_accuracy_daily",
         "rpt_forecast_accuracy_weekly", "rpt_forecast_accuracy_horizon", "rpt_service_level_interval"]
TABLES = {"int_wfm_intervals_measured": "intermediate"} | {m: "marts" for m in CHAIN[1:]}
RUN = ["build", *[a for m in CHAIN for a in ("--select", f"+{m}")], "--exclude-resource-type", "test", "unit_test"]


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _at(day, h, m=0):
    return datetime(2026, 3, day, h, m, tzinfo=EST)


def _call(call_id, queued: datetime, agent="a1", queue="sales", wait=20, talk=300):
    answered = queued + timedelta(seconds=wait)
    return {"call_id": call_id, "direction": "inbound", "queue": queue, "outcome": "answered", "agent_id": agent,
            "arrived_at": _iso(queued - timedelta(seconds=30)), "ivr_ended_at": _iso(queued),
            "queued_at": _iso(queued), "answered_at": _iso(answered),
            "ended_at": _iso(answered + timedelta(seconds=talk)), "talk_seconds": str(talk)}


def _forecast(start: datetime, contacts, published: datetime):
    return {"queue": "sales", "interval_start": start.strftime("%Y-%m-%d %H:%M:%S"), "interval_minutes": "15",
            "published_at": _iso(published), "forecast_contacts": str(contacts), "forecast_aht_seconds": "300"}


def _work(agent, start, end):
    return {"agent_id": agent, "activity_start": _iso(start), "activity_end": _iso(end), "activity": "work"}


def _state(agent, start, end, state="available"):
    return {"agent_id": agent, "started_at": _iso(start), "ended_at": _iso(end), "state": state}


PUBLISHED = _at(1, 8) - timedelta(days=7)
FIRST_LOAD = {
    "calls": [_call(f"c{d}-{k}", _at(d, 9, 5 + 20 * k)) for d in range(2, 7) for k in range(2)],
    "digital_contacts": [{"contact_id": "chat-1", "channel": "chat", "started_at": _iso(_at(5, 9, 40)),
                          "bot_handled": "false", "escalated_to_agent": "false", "outcome": "handled",
                          "agent_id": "a1", "queue": "sales"}],
    "wfm_forecasts": [_forecast(_at(d, 9, 15 * k), 1 + k % 2, PUBLISHED) for d in range(2, 14) for k in range(4)],
    # a2 works 03-05 and 03-06 but handles no contact yet: no primary queue, the time counts for none
    "agent_schedules": [_work(a, _at(d, 9), _at(d, 10)) for a, days in (("a1", range(2, 7)), ("a2", (5, 6)))
                        for d in days],
    "agent_states": [_state(a, _at(d, 9, 10), _at(d, 10)) for a, days in (("a1", range(2, 7)), ("a2", (5, 6)))
                     for d in days],
}
SECOND_LOAD = {
    "calls": [_call("c7-0", _at(7, 9, 10)),                      # a new day (Saturday)
              _call("c3-1", _at(4, 9, 50))],                      # correction: from 03-03 09:25 to 03-04 09:50
    "wfm_forecasts": [_forecast(_at(12, 9), 5, _at(6, 8))],     # a new version for 03-12, after the data
}
THIRD_LOAD = {"calls": [_call("c7-1", _at(7, 9, 40), agent="a2")]}   # a2's first contact
FOURTH_LOAD = {"calls": [_call("c7-0", _at(6, 9, 50)),                  # both calls of 03-07 corrected onto 03-06:
                         _call("c7-1", _at(6, 9, 55), agent="a2")]}     # the data's last date moves back a day
LOADS = ((2, SECOND_LOAD), (3, THIRD_LOAD), (4, FOURTH_LOAD))


def _rows(con, model) -> list[tuple]:
    columns = [d[0] for d in con.execute(f"select * from {TABLES[model]}.{model} limit 0").description]
    kept = [c for c in columns if c != "built_through_load_id"]
    types = dict(con.execute(f"select column_name, data_type from information_schema.columns "
                             f"where table_name = '{model}'").fetchall())
    select = ", ".join(f'round("{c}", 9)' if types[c] == "DOUBLE" else f'"{c}"' for c in kept)
    return sorted(con.execute(f"select {select} from {TABLES[model]}.{model}").fetchall(),
                  key=lambda r: tuple((v is None, str(v)) for v in r))


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    work = tmp_path_factory.mktemp("dbt_interval_chain_incremental")
    warehouse = work / "warehouse" / "callqa.duckdb"
    create_raw_layer(warehouse, delivery(FIRST_LOAD, LOADED_AT, 1))
    out: dict = {}

    def read(step):
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            out[step] = {m: _rows(con, m) for m in CHAIN}
            out[step + "_marks"] = dict(con.execute(
                "select model_name, built_through_load_id from intermediate.interval_chain_build_marks").fetchall())
            out[step + "_offered"] = dict(con.execute(
                "select local_date, sum(offered) from intermediate.int_wfm_intervals_measured group by 1").fetchall())
            out[step + "_forecast_0307"] = con.execute(
                "select interval_end_utc, is_observed, is_evaluated, not_evaluated_reason, actual_contacts "
                "from marts.fct_forecast_intervals where local_date = date '2026-03-07' "
                "order by interval_start_utc").fetchall()
        finally:
            con.close()

    with dbt_env(warehouse, TZ):
        run_dbt_passing(RUN, work)
        read("first")
        for load_id, rows in LOADS:
            append_raw(warehouse, delivery(rows, LOADED_AT + timedelta(days=load_id - 1), load_id))
            # the dates the incremental builds will write, each compiled against its table of the last build
            out[f"batch{load_id}"] = {
                model: {r["local_date"] for r in incremental_batch(work, warehouse, model)}
                for model in ("int_wfm_intervals_measured", "fct_forecast_intervals", "rpt_service_level_interval")}
            run_dbt_passing(RUN, work)
            out[f"tests{load_id}"] = run_dbt(["test", "--select", *CHAIN], work)
            read(f"incremental{load_id}")
            run_dbt_passing(RUN + ["--full-refresh"], work)
            read(f"full{load_id}")
    return out


def _dates(*days) -> set[date]:
    return {date(2026, 3, d) for d in days}


def test_a_new_day_and_a_correction_rewrite_only_their_dates(chain):
    batch = chain["batch2"]
    # the corrected call's old and new date, the old and new last date, the new forecast's date (placeholder only)
    assert batch["int_wfm_intervals_measured"] == _dates(3, 4, 6, 7, 12)
    # the actuals rewritten, the same dates a naive lag later, and the new forecast's date
    assert batch["fct_forecast_intervals"] == _dates(3, 4, 6, 7) | _dates(10, 11, 13, 14) | _dates(12)
    # calls (each version's dates) and the dates the range gained or lost
    assert batch["rpt_service_level_interval"] == _dates(3, 4, 6, 7)


def test_an_agent_given_a_primary_queue_rewrites_the_dates_of_their_time(chain):
    # a2's first call (03-07) makes `sales` a2's primary queue: a2's time on 03-05 and 03-06 now counts for it
    assert chain["batch3"]["int_wfm_intervals_measured"] == _dates(5, 6, 7)
    def most_agents(step, day):   # agents_scheduled (the fifth column from the end) on that date
        return max(r[-5] for r in chain[step]["int_wfm_intervals_measured"] if r[5] == date(2026, 3, day))
    assert (most_agents("incremental2", 5), most_agents("incremental3", 5), most_agents("incremental3", 6)) == (1, 2, 2)


def test_a_date_left_without_data_is_emptied(chain):
    batch = chain["batch4"]
    # the calls' old and new date, which are also the range's old and new last date and the data end's move
    assert batch["int_wfm_intervals_measured"] == batch["rpt_service_level_interval"] == _dates(6, 7)
    # the actuals rewritten (03-06), a lag later (03-13), and 03-07, whose forecast rows had actuals and now have none
    assert batch["fct_forecast_intervals"] == _dates(6, 7, 13)
    assert max(chain["incremental4_offered"]) == date(2026, 3, 6)
    # 03-07's four forecast intervals (09:00-10:00 local, EST): after load 3 c7-0 (09:10) and c7-1 (09:40) are
    # counted in 09:00 and 09:30, 09:15 had none, 09:45 lies after the data's end; after load 4 all four are off
    # the spine, with no actuals
    utc = timezone.utc
    assert chain["incremental3_forecast_0307"] == [
        (datetime(2026, 3, 7, 14, 15, tzinfo=utc), True, True, None, 1.0),
        (datetime(2026, 3, 7, 14, 30, tzinfo=utc), True, True, None, 0.0),
        (datetime(2026, 3, 7, 14, 45, tzinfo=utc), True, True, None, 1.0),
        (datetime(2026, 3, 7, 15, 0, tzinfo=utc), False, False, "not_yet_observed", None)]
    assert chain["incremental4_forecast_0307"] == [(None, False, False, "outside_data_or_off_grid", None)] * 4


def test_offered_contacts_by_date_hand_counted(chain):
    # two calls a day on 03-02..03-06, the chat on 03-05; load 2: c3-1 moved from 03-03 to 03-04, c7-0 on 03-07;
    # load 3: c7-1 on 03-07; load 4: both 03-07 calls moved onto 03-06
    assert chain["incremental2_offered"] == {date(2026, 3, d): n for d, n in ((2, 2), (3, 1), (4, 3), (5, 3), (6, 2),
                                                                              (7, 1))}
    assert chain["incremental3_offered"][date(2026, 3, 7)] == 2
    assert chain["incremental4_offered"] == {date(2026, 3, d): n for d, n in ((2, 2), (3, 1), (4, 3), (5, 3), (6, 4))}


def test_incremental_builds_equal_a_full_refresh_row_for_row(chain):
    for load_id, _ in LOADS:
        for model in CHAIN:
            assert chain[f"incremental{load_id}"][model] == chain[f"full{load_id}"][model], (load_id, model)
    assert chain["incremental2"]["fct_forecast_intervals"] != chain["first"]["fct_forecast_intervals"]
    assert chain["incremental3"]["int_wfm_intervals_measured"] != chain["incremental2"]["int_wfm_intervals_measured"]


def test_no_placeholder_left_and_the_data_tests_pass(chain):
    for load_id, _ in LOADS:
        result = chain[f"tests{load_id}"]
        assert result.success, "\n".join(failures(result))
        for model in CHAIN:
            assert all(r[0] for r in chain[f"incremental{load_id}"][model]), model   # no NULL or '' queue


def test_the_marts_record_the_loads_they_read(chain):
    assert chain["first_marks"] == {"fct_forecast_intervals": 1, "rpt_forecast_accuracy_daily": 1,
                                    "rpt_service_level_interval": 1}
    assert chain["incremental4_marks"] == {"fct_forecast_intervals": 4, "rpt_forecast_accuracy_daily": 4,
                                           "rpt_service_level_interval": 4}
