"""The survey dimension analysis refits on the satisfaction analysis's schedule (lib/drivers/schedule.py,
store.survey_refit_decision): the first run fits; a run with the same responses keeps the three tables as they are
and says so; each trigger (7 days, responses +-5 %, 2 % of the fit's responses changed, gone or late, a full
refresh, new settings or code, a stale last analysis) refits at the edge of its threshold and not before; the
per-response hash follows what the analysis reads and nothing else."""
import shutil
from dataclasses import replace
from datetime import date, timedelta

import pandas as pd
import pytest

from dagster_project.lib.drivers import store
from dagster_project.lib.drivers.schedule import (
    SURVEY_MODEL_MODULES,
    SURVEY_WORDS,
    DataState,
    FitRecord,
    RefitPolicy,
    code_fingerprint,
    kept_reason,
    next_refit,
    refit_reasons,
)
from dagster_project.lib.drivers.surveys import SurveySettings, analyse_survey_inputs
from tests.unit.test_survey_drivers import _answers, _survey

POLICY = RefitPolicy()
SETTINGS = SurveySettings()
N = 600                      # responses; 5 %: 30, 2 %: 12
START = date(2026, 3, 1)     # 600 responses over 30 days: the fit's period 2026-03-01 .. 2026-03-30
TABLES = list(store.SURVEY_TABLES)


def _dated(responses: pd.DataFrame, first: date = START, days: int = 30) -> pd.DataFrame:
    """marts.fct_survey_answers rows of the responses, the i-th dated first + i mod days."""
    answers = _answers(responses)
    day = {sid: first + timedelta(days=i % days) for i, sid in enumerate(responses["survey_id"])}
    return answers.assign(local_date=answers["survey_id"].map(day), score_share=0.5)


@pytest.fixture
def warehouse(con):
    con.execute("create schema marts")
    con.register("frame", _dated(_survey(n=N)))
    con.execute("create table marts.fct_survey_answers as "
                "select * replace (cast(channel as varchar) as channel, cast(queue as varchar) as queue) from frame")
    con.unregister("frame")
    return con


def _run(con, run_id: str, full_refresh: bool = False, settings: SurveySettings = SETTINGS):
    """What the asset does: decide, then refit (read, fit, write) or keep. Returns the reasons."""
    reasons, record = store.survey_refit_decision(con, settings, POLICY, full_refresh)
    if reasons:
        analysis = analyse_survey_inputs(store.read_survey_inputs(con), settings)
        store.write_survey_analysis(con, analysis, run_id, settings)
    else:
        store.keep_survey_analysis(con, kept_reason(record, POLICY), run_id)
    return reasons


def _tables(con) -> dict:
    return {t: con.execute(f'select * from analysis."{t}"').df() for t in TABLES}


def _status(con) -> dict:
    return store.read_status(con, store.SURVEY_ANALYSIS_NAME)


def _new_responses(con, n: int, day: date, prefix: str = "new") -> None:
    """n more responses (copies of the first n under new ids), dated `day`."""
    con.execute(f"""insert into marts.fct_survey_answers
        select * replace ('{prefix}' || survey_id as survey_id, ?::date as local_date) from marts.fct_survey_answers
        where survey_id in (select distinct survey_id from marts.fct_survey_answers order by survey_id limit {n})""",
                [day])


def _decide(con, full_refresh: bool = False, settings: SurveySettings = SETTINGS) -> list[str]:
    return store.survey_refit_decision(con, settings, POLICY, full_refresh)[0]


def test_the_first_run_fits_and_the_second_keeps_the_tables_as_they_are(warehouse):
    con = warehouse
    assert _run(con, "run-1") == ["no fitted model stored"]
    record = store.read_survey_fit(con)
    assert record == FitRecord("run-1", record.settings_fingerprint, store.survey_code_fingerprint(), N, START,
                               START + timedelta(days=29))
    first, status = _tables(con), _status(con)
    assert status["status"] == "current" and status["reason"] is None and status["tables_run_id"] == "run-1"

    assert _run(con, "run-2") == []
    for table, frame in _tables(con).items():
        pd.testing.assert_frame_equal(frame, first[table])
    kept = _status(con)
    assert kept["status"] == "current" and kept["attempted_run_id"] == "run-2"
    assert (kept["tables_run_id"], kept["tables_built_at"]) == ("run-1", status["tables_built_at"])  # the fit's
    assert kept["reason"] == (
        "kept the tables fitted in run run-1 on responses 2026-03-01 to 2026-03-30 (600 responses); next refit when "
        "responses <= 570 or >= 630, data to 2026-04-06, 12 responses of the fit changed, a full refresh, or new "
        "settings or model code")
    assert store.read_survey_fit(con) == record     # keeping does not touch the stored fit


def test_data_7_days_past_the_fit_refits_6_do_not(warehouse):
    con = warehouse
    _run(con, "run-1")
    _new_responses(con, 1, date(2026, 4, 5))        # 6 days after 2026-03-30
    assert _decide(con) == []
    _new_responses(con, 1, date(2026, 4, 6), "later")
    assert _decide(con) == ["data to 2026-04-06, 7 days after the fit's 2026-03-30 (threshold 7)"]


@pytest.mark.parametrize("added, refit", [(29, False), (30, True)])
def test_responses_grown_by_5_percent_refit(warehouse, added, refit):
    con = warehouse
    _run(con, "run-1")
    _new_responses(con, added, date(2026, 3, 31))   # after the fit's period: not changed rows
    found = _decide(con)
    assert found == ([f"responses 600 -> {600 + added} (+5.0%, threshold 5%)"] if refit else []), found


def test_responses_shrunk_by_5_percent_refit(warehouse):
    con = warehouse
    _run(con, "run-1")
    con.execute("delete from marts.fct_survey_answers where survey_id in "
                "(select distinct survey_id from marts.fct_survey_answers order by survey_id limit 30)")
    assert _decide(con) == ["responses 600 -> 570 (-5.0%, threshold 5%)",
                            "30 responses of the fit's period changed, gone or new (5.0% of 600, threshold 2%)"]


@pytest.mark.parametrize("moved, refit", [(11, False), (12, True)])
def test_2_percent_of_the_fit_changed_gone_or_late_refits(warehouse, moved, refit):
    con = warehouse
    _run(con, "run-1")
    # one response gone, one late (dated inside the fit's period), the rest with one answer changed
    con.execute("delete from marts.fct_survey_answers where survey_id = 'r0'")
    _new_responses(con, 1, date(2026, 3, 15), "late")
    changed = [f"r{i}" for i in range(1, moved - 1)]
    con.execute("update marts.fct_survey_answers set score = score + 0.5 "
                f"where question_code = 'q_empathy' and survey_id in ({', '.join(repr(s) for s in changed)})")
    assert store.survey_data_state(con, date(2026, 3, 30)) == DataState(600, date(2026, 3, 30), moved)
    found = _decide(con)
    assert found == ([f"{moved} responses of the fit's period changed, gone or new ({moved / 600:.1%} of 600, "
                      "threshold 2%)"] if refit else []), found


def test_a_full_refresh_new_settings_new_code_or_a_stale_last_analysis_refit(warehouse):
    con = warehouse
    _run(con, "run-1")
    assert _decide(con, full_refresh=True) == ["full refresh"]
    assert _decide(con, settings=replace(SETTINGS, min_segment_responses=150)) == [
        "the survey analysis settings changed (SurveySettings)"]
    con.execute("update runs.survey_model set code_fingerprint = 'surveys.py before'")
    assert _decide(con) == ["the model code changed"]
    _run(con, "run-2")                                # the refit stores this code's fingerprint
    assert _decide(con) == []
    store.mark_survey_analysis_failed(con, "planted failure", "run-3")
    assert _decide(con) == ["the last analysis is stale, not current"]
    _run(con, "run-4")
    assert _decide(con) == []
    con.execute("drop table analysis.survey_question_performance")
    assert _decide(con) == ["a survey analysis table is missing"]
    con.execute("delete from analysis.analysis_status")
    assert _decide(con) == ["the last analysis is missing, not current"]


def test_the_code_fingerprint_follows_surveys_py(tmp_path):
    from dagster_project.lib.drivers import schedule

    source = schedule.__file__.rsplit("/", 1)[0]
    for name in SURVEY_MODEL_MODULES:
        shutil.copy(f"{source}/{name}", tmp_path / name)
    assert code_fingerprint(tmp_path, SURVEY_MODEL_MODULES) == store.survey_code_fingerprint()
    assert store.survey_code_fingerprint() != code_fingerprint()   # not the satisfaction model's
    (tmp_path / "surveys.py").write_text((tmp_path / "surveys.py").read_text() + "\n# changed\n")
    assert code_fingerprint(tmp_path, SURVEY_MODEL_MODULES) != store.survey_code_fingerprint()


def test_the_response_hash_follows_what_the_analysis_reads_and_nothing_else(warehouse):
    con = warehouse
    _run(con, "run-1")
    period_to = date(2026, 3, 30)
    same = DataState(600, period_to, 0)
    # the answers in another order, and a column the analysis does not read: nothing moved
    con.execute("create or replace table marts.fct_survey_answers as "
                "select * replace (0.25 as score_share) from marts.fct_survey_answers order by random()")
    assert store.survey_data_state(con, period_to) == same
    for column, value in (("queue", "'q1'"), ("overall_score", "overall_score + 1"), ("scale_max", "9"),
                          ("local_date", "local_date - 1"), ("overall_source", "'csat'")):
        con.execute("begin transaction")
        con.execute(f"update marts.fct_survey_answers set {column} = {value} where survey_id = 'r5'")
        assert store.survey_data_state(con, period_to).changed_rows == 1, column
        con.execute("rollback")
    con.execute("begin transaction")                # an answer more or less of a response changes it too
    con.execute("delete from marts.fct_survey_answers where survey_id = 'r5' and question_code = 'q_empathy'")
    assert store.survey_data_state(con, period_to).changed_rows == 1
    con.execute("rollback")
    assert store.survey_data_state(con, period_to) == same


def test_no_fitted_segment_or_no_dates_store_no_fit_and_refit_every_run(con):
    con.execute("create schema marts")
    con.register("frame", _dated(_survey(n=40)))    # fewer than the 100 responses a kind needs
    con.execute("create table marts.fct_survey_answers as select * from frame")
    assert _run(con, "run-1") == ["no fitted model stored"]
    assert store.read_survey_fit(con) is None
    assert _run(con, "run-2") == ["no fitted model stored"]
    con.register("frame", _answers(_survey(n=N)))   # fitted, but no local_date: the days cannot be measured
    con.execute("create or replace table marts.fct_survey_answers as select * from frame")
    assert _run(con, "run-3") == ["no fitted model stored"]
    assert store.read_survey_fit(con) is None
    assert _status(con)["status"] == "current"


def test_every_run_refits_and_the_reasons_name_responses():
    assert refit_reasons(None, None, False, "", "", None, replace(POLICY, every_run=True), SURVEY_WORDS) == [
        "refit every run (refit_every_run)"]
    fit = FitRecord("0123456789", "s", "c", 1000, date(2026, 3, 1), date(2026, 3, 10))
    assert next_refit(fit, POLICY, SURVEY_WORDS).startswith(
        "responses <= 950 or >= 1,050, data to 2026-03-17, 20 responses of the fit changed")
    found = refit_reasons(fit, "current", False, "s", "c", DataState(1100, date(2026, 3, 10), 0), POLICY, SURVEY_WORDS)
    assert found == ["responses 1,000 -> 1,100 (+10.0%, threshold 5%)"]
