"""Agent time cut at local quarter-hours (int_agent_time_sliced), incremental vs full refresh, end to end through dbt:
a hand-made raw layer of schedules and ACD states, a build, a second load (a new day, a correction of an old state,
a state corrected so that its agent's next local date is left empty, a new state across local midnight), the batch
the incremental build writes (its partitions, agent x local date: macros/wfm/agent_time_recompute_scope.sql), then
the table after it compared row for row with a full refresh.

Zone America/New_York: EST (UTC-5) until 2026-03-08 02:00, which has 23 hours; EDT (UTC-4) after.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import duckdb
import pytest

from dbt_helpers import (append_raw, create_raw_layer, dbt_env, delivery, failures, incremental_batch_sql, run_dbt,
                         run_dbt_passing)

TZ = "America/New_York"
UTC = timezone.utc
EST = timezone(timedelta(hours=-5))
EDT = timezone(timedelta(hours=-4))
LOADED_AT = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
MODEL = "int_agent_time_sliced"
RUN = ["build", "--select", f"+{MODEL}", "--exclude-resource-type", "test", "unit_test"]


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _state(agent, start: datetime, end: datetime, state="available"):
    return {"agent_id": agent, "started_at": _iso(start), "ended_at": _iso(end), "state": state}


def _work(agent, start: datetime, end: datetime, activity="work"):
    return {"agent_id": agent, "activity_start": _iso(start), "activity_end": _iso(end), "activity": activity}


def _est(day, h, m=0):
    return datetime(2026, 3, day, h, m, tzinfo=EST)


def _edt(day, h, m=0):
    return datetime(2026, 3, day, h, m, tzinfo=EDT)


FIRST_LOAD = {
    "agent_schedules": [
        _work("a1", _est(6, 9), _est(6, 17)),
        _work("a1", _est(7, 9), _est(7, 10)),
        _work("a4", _est(8, 1, 30), _edt(8, 3, 30)),       # across the hour clocks skip: 1 h elapsed
    ],
    "agent_states": [
        _state("a1", _est(6, 9), _est(6, 12)),
        _state("a1", _est(6, 12), _est(6, 12, 30), "break"),
        _state("a1", _est(6, 12, 30), _est(6, 17), "on_contact"),
        _state("a1", _est(7, 9), _est(7, 10)),
        _state("a2", _est(6, 10), _est(6, 10, 30)),         # corrected in load 2
        _state("a3", _est(7, 23, 30), _est(8, 0, 30), "wrap"),  # across midnight; corrected in load 2
        _state("a4", _est(8, 1, 30), _edt(8, 3, 30)),
    ],
}
SECOND_LOAD = {
    "agent_schedules": [_work("a1", _edt(9, 9), _edt(9, 10))],                  # a new day
    "agent_states": [
        _state("a1", _edt(9, 9), _edt(9, 10)),
        _state("a2", _est(6, 10), _est(6, 10, 50)),         # correction: 20 min longer (same key)
        _state("a3", _est(7, 23, 30), _est(7, 23, 45), "wrap"),  # correction: no longer reaches 03-08
        _state("a5", _edt(8, 23, 50), _edt(9, 0, 10)),     # new, across local midnight
    ],
}


def _rows(con, table=f"intermediate.{MODEL}") -> list[tuple]:
    return con.execute(f"select * from {table} order by agent_id, slot_start_utc").fetchall()


@pytest.fixture(scope="module")
def incremental(tmp_path_factory):
    work = tmp_path_factory.mktemp("dbt_agent_time_incremental")
    warehouse = work / "warehouse" / "callqa.duckdb"
    create_raw_layer(warehouse, delivery(FIRST_LOAD, LOADED_AT, 1))

    def read(**queries) -> dict:
        con = duckdb.connect(str(warehouse), read_only=True)
        con.execute("SET TimeZone = 'UTC'")
        try:
            return {name: query(con) for name, query in queries.items()}
        finally:
            con.close()

    with dbt_env(warehouse, TZ):
        run_dbt_passing(RUN, work)
        append_raw(warehouse, delivery(SECOND_LOAD, LOADED_AT + timedelta(days=1), 2))
        # The batch the incremental build will write: the model's incremental SELECT compiled against its table of
        # the first build, over the rebuilt upstream models.
        batch_sql = incremental_batch_sql(MODEL, work)
        out = read(batch_partitions=lambda con: set(
                       con.execute(f"select distinct agent_id, local_date from ({batch_sql})").fetchall()),
                   before=_rows)
        run_dbt_passing(RUN, work)
        out["tests"] = run_dbt(["test", "--select", MODEL], work)
        out |= read(incremental=_rows, columns=lambda con: [
            d[0] for d in con.execute(f"select * from intermediate.{MODEL} limit 0").description])
        run_dbt_passing(["build", "--select", MODEL, "--full-refresh", "--exclude-resource-type", "test", "unit_test"],
                        work)
        out |= read(full=_rows)
    return out


def _by_key(rows: list[tuple], columns: list[str]) -> dict[tuple, dict]:
    return {(r[0], r[1]): dict(zip(columns, r)) for r in rows}


def test_incremental_build_rewrites_only_the_partitions_the_second_load_touches(incremental):
    assert incremental["batch_partitions"] == {
        ("a1", date(2026, 3, 9)),                            # the new day (not a1's 03-06, 03-07 or 03-08)
        ("a2", date(2026, 3, 6)),                            # the corrected state
        ("a3", date(2026, 3, 7)), ("a3", date(2026, 3, 8)),  # both versions: the old one reached 03-08
        ("a5", date(2026, 3, 8)), ("a5", date(2026, 3, 9)),  # a new state across local midnight
    }                                                        # a4 (03-08, the 23-hour day) untouched


def test_incremental_build_corrects_and_empties(incremental):
    after = _by_key(incremental["incremental"], incremental["columns"])
    a2 = sorted((k[1], v["state_seconds"]) for k, v in after.items() if k[0] == "a2")
    # 10:00-10:50 EST: 10:00, 10:15, 10:30 full, 10:45 five minutes
    assert [s for _, s in a2] == [900.0, 900.0, 900.0, 300.0]
    a3 = [v for k, v in after.items() if k[0] == "a3"]
    assert [(v["local_date"], v["state_seconds"]) for v in a3] == [(date(2026, 3, 7), 900.0)]  # 03-08 emptied
    a5 = sorted((v["local_date"], v["state_seconds"]) for k, v in after.items() if k[0] == "a5")
    assert a5 == [(date(2026, 3, 8), 600.0), (date(2026, 3, 9), 600.0)]
    # untouched partitions keep their rows of the first build (last_load_id 1)
    untouched = [v for k, v in after.items() if k[0] == "a4" or (k[0] == "a1" and v["local_date"] < date(2026, 3, 9))]
    assert len(untouched) == 4 + 32 + 4 and {v["last_load_id"] for v in untouched} == {1}
    assert [v["slot_start_local"].strftime("%H:%M") for k, v in after.items() if k[0] == "a4"] \
        == ["01:30", "01:45", "03:00", "03:15"]


def test_no_placeholder_left_and_the_model_tests_pass(incremental):
    result = incremental["tests"]
    assert result.success, "\n".join(failures(result))
    assert all(r[1] is not None for r in incremental["incremental"])


def test_incremental_equals_full_refresh_row_for_row(incremental):
    assert incremental["incremental"] == incremental["full"]
    assert incremental["incremental"] != incremental["before"]
