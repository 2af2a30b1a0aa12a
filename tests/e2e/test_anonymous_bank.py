"""A real, foreign call log (Anonymous Bank, Feb 1999; ../shared/data) read by its adapter
(<landing>/anonymous_bank/, dbt/models/staging/adapters/anonymous_bank/base_anonymous_bank__calls.sql) and checked against an independent pandas reading of the same file."""
import shutil

import numpy as np
import pandas as pd
import pytest

from tests.conftest import SHARED_DIR
from tests.e2e.pipeline_env import pipeline_env

pytestmark = pytest.mark.slow
LOG = SHARED_DIR / "data" / "anonymous_bank_1999_02.tsv"
TIMEZONE = "Asia/Jerusalem"


def _seconds(clock: pd.Series) -> pd.Series:
    parts = clock.str.split(":", expand=True).astype(int)
    return parts[0] * 3600 + parts[1] * 60 + parts[2]


@pytest.fixture(scope="module")
def expected():
    """The log read with pandas, by the rules of the mapping's description, written independently of the SQL."""
    assert LOG.exists(), f"the shared real data is missing: {LOG}"
    log = pd.read_csv(LOG, sep="\t", dtype=str)
    log["key"] = log["vru+line"] + "-" + log["call_id"]
    day = pd.to_datetime("19" + log["date"], format="%Y%m%d")
    entry = _seconds(log["vru_entry"])

    def clock(column):
        s = _seconds(log[column])
        # 0:00:00 = did not happen; a time more than 12 h before the VRU entry is on the next day
        across_midnight = entry - s > 12 * 3600
        return (day + pd.to_timedelta(s + np.where(across_midnight, 86400, 0), unit="s")).where(log[column] != "0:00:00")

    log["arrived"] = day + pd.to_timedelta(entry, unit="s")
    log["ivr_end"] = clock("vru_exit")
    log["queued"] = clock("q_start")
    served = (log["outcome"] == "AGENT") & (log["ser_start"] != "0:00:00")
    log["answered"] = clock("ser_start").where(served)
    log["outcome_contract"] = np.select(
        [log["outcome"] == "PHANTOM", log["outcome"] == "HANG", served], ["failed", "abandoned", "answered"], "failed"
    )
    log["customer"] = log["customer_id"].where(log["customer_id"] != "0")
    return log


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    base = tmp_path_factory.mktemp("anonymous_bank")
    target = base / "landing" / "anonymous_bank"
    target.mkdir(parents=True)
    shutil.copy(LOG, target / LOG.name)
    with pipeline_env(base, base / "landing", TIMEZONE) as (run, connect):
        outcome = run()
        assert outcome.success, outcome.summary
        con = connect()
        yield con
        con.close()


def test_every_call_is_staged_under_its_composite_key(warehouse, expected):
    staged = warehouse.execute("select call_id from staging.stg_landing__calls").df()
    assert len(staged) == len(expected) == 33344
    assert set(staged["call_id"]) == set(expected["key"])
    assert warehouse.execute("select count(*) from audit.rejected_rows").fetchall()[0][0] == 0


def test_quirks_are_mapped_explicitly(warehouse, expected):
    got = warehouse.execute(
        "select outcome, count(*) as calls, count(answered_at) as answered, count(agent_id) as with_agent, "
        "count(customer_id) as identified from staging.stg_landing__calls group by 1"
    ).df().set_index("outcome")
    want = expected.groupby("outcome_contract").agg(
        calls=("key", "size"), identified=("customer", "count")
    )
    assert got["calls"].to_dict() == want["calls"].to_dict()
    assert got["identified"].to_dict() == want["identified"].to_dict()
    # AGENT with NO_SERVER: answered, by an agent nobody recorded
    no_server = ((expected["outcome_contract"] == "answered") & (expected["server"] == "NO_SERVER")).sum()
    assert got.loc["answered", "answered"] - got.loc["answered", "with_agent"] == no_server > 0


def test_instants_and_durations_match_pandas(warehouse, expected):
    got = warehouse.execute(
        f"""select call_id,
                  timezone('{TIMEZONE}', arrived_at) as arrived_local,
                  date_diff('second', arrived_at, ivr_ended_at) as ivr_seconds,
                  date_diff('second', queued_at, answered_at) as wait_seconds,
                  arrived_local_date
           from staging.stg_landing__calls"""
    ).df().set_index("call_id")
    want = expected.set_index("key")
    got = got.reindex(want.index)
    assert got["arrived_local"].notna().all()
    assert (pd.to_datetime(got["arrived_local"]) == want["arrived"]).all()
    ivr = (want["ivr_end"] - want["arrived"]).dt.total_seconds()
    assert np.array_equal(got["ivr_seconds"].astype(float).fillna(-1), ivr.fillna(-1))
    wait = (want["answered"] - want["queued"]).dt.total_seconds()
    assert np.array_equal(got["wait_seconds"].astype(float).fillna(-1), wait.fillna(-1))
    assert (pd.to_datetime(got["arrived_local_date"]) == want["arrived"].dt.normalize()).all()


def test_ivr_time_queue_wait_and_abandonment_match_pandas(warehouse, expected):
    got = warehouse.execute(
        """select sum(ivr_seconds), count(ivr_seconds), sum(queue_seconds), count(queue_seconds),
                  count(*) filter (where is_abandoned and queue_seconds is null),
                  count(*) filter (where is_abandoned and queue_seconds is not null)
           from marts.fct_contacts"""
    ).fetchall()[0]
    ivr = (expected["ivr_end"] - expected["arrived"]).dt.total_seconds()
    end = expected["answered"].fillna(_end(expected))
    wait = (end - expected["queued"]).dt.total_seconds()
    abandoned = expected["outcome_contract"] == "abandoned"
    assert got[0] == pytest.approx(ivr.sum()) and got[1] == ivr.count()
    assert got[2] == pytest.approx(wait.sum()) and got[3] == wait.count()
    assert got[4] == (abandoned & expected["queued"].isna()).sum()  # hung up in the IVR
    assert got[5] == (abandoned & expected["queued"].notna()).sum()  # hung up in the queue
    assert got[4] > 0 and got[5] > 0


def _end(log):
    """End of a call: its last recorded clock time (service end, queue exit, VRU exit, else its arrival)."""
    day = pd.to_datetime("19" + log["date"], format="%Y%m%d")
    entry = _seconds(log["vru_entry"])

    def clock(column):
        s = _seconds(log[column])
        across_midnight = entry - s > 12 * 3600
        return (day + pd.to_timedelta(s + np.where(across_midnight, 86400, 0), unit="s")).where(log[column] != "0:00:00")

    served_exit = clock("ser_exit").where(log["outcome_contract"] == "answered")
    return served_exit.fillna(clock("q_exit")).fillna(clock("vru_exit")).fillna(log["arrived"])


def test_service_level_matches_pandas(warehouse, expected):
    """Threshold 20 s and short-abandon cut 5 s: the defaults in seeds metric_targets (the log's queues are not
    in seeds queues). A call enters the queue at queued_at, else at the IVR end, else at arrival; an abandoned
    call that ended before that point hung up in the IVR and was never offered."""
    got = warehouse.execute(
        """select sum(offered), sum(answered), sum(abandoned), sum(short_abandoned), sum(answered_within_threshold)
           from marts.rpt_service_level_interval"""
    ).fetchall()[0]
    log = expected.copy()
    log["end"] = _end(log)
    entry = log["queued"].fillna(log["ivr_end"]).fillna(log["arrived"])
    answered = log["outcome_contract"] == "answered"
    abandoned = log["outcome_contract"] == "abandoned"
    queued_abandon = abandoned & (log["queued"].notna() | (log["end"] > entry))
    abandon_wait = (log["end"] - entry).dt.total_seconds()
    short = queued_abandon & (abandon_wait <= 5)
    counted_abandon = queued_abandon & ~short
    wait = (log["answered"] - entry).dt.total_seconds()
    within = answered & (wait <= 20)
    assert got[1] == answered.sum()
    assert got[2] == counted_abandon.sum()
    assert got[3] == short.sum()
    assert got[0] == answered.sum() + counted_abandon.sum()
    assert got[4] == within.sum()
    assert 0.5 < got[4] / got[0] < 1.0
    # clock skew of a minute or two, never a day (one call in the log has its VRU exit 5 min after its service)
    assert (wait[answered] < -120).sum() <= 5
    asa = warehouse.execute("select sum(answer_wait_seconds) / sum(answered) from marts.rpt_service_level_interval").fetchall()[0][0]
    assert asa == pytest.approx(wait[answered].mean()) and 0 < asa < 300


@pytest.mark.parametrize("window_hours", [48, 168])
def test_repeat_rates_match_pandas(warehouse, expected, window_hours):
    """Handled (answered) calls of identified customers whose window ends before the last call; a repeat is any
    later call of the same customer within (t, t + W]."""
    suffix = "48h" if window_hours == 48 else "7d"
    got = warehouse.execute(
        f"select count(fcr_{suffix}), count(*) filter (where fcr_{suffix}) from marts.fct_contacts"
    ).fetchall()[0]
    calls = expected[["customer", "arrived", "outcome_contract"]].copy()
    window = pd.Timedelta(hours=window_hours)
    data_end = calls["arrived"].max()
    known = calls[calls["customer"].notna()].sort_values(["customer", "arrived"])
    # next strictly later call of the same customer
    later = known.groupby("customer")["arrived"].transform(
        lambda s: pd.Series(
            s.to_numpy()[np.minimum(np.searchsorted(s.to_numpy(), s.to_numpy(), side="right"), len(s) - 1)],
            index=s.index,
        ).where(np.searchsorted(s.to_numpy(), s.to_numpy(), side="right") < len(s))
    )
    eligible = (known["outcome_contract"] == "answered") & (known["arrived"] + window <= data_end)
    repeat = later.notna() & (later - known["arrived"] <= window)
    assert got[0] == eligible.sum()
    assert got[1] == (eligible & ~repeat).sum()
    assert 0.3 < got[1] / got[0] < 1.0
