"""A bank's relationship survey, as a new user would deliver it: no calls, no contacts, no csat; its own 0-10
question catalogue (landing survey_questions) and the answers. It goes through the whole pipeline (what `callqa run`
runs) into analysis.survey_dimension_drivers and the serving copy; an answer off its declared scale is a reject with
the scale named."""
import csv

import duckdb
import numpy as np
import pytest

from tests.e2e.pipeline_env import pipeline_env

pytestmark = pytest.mark.slow
N = 300
DIMENSIONS = {"reliability": 0.7, "responsiveness": 0.35, "empathy": 0.0}   # planted, per scale point
QUESTIONS = [("b_overall", "overall"), ("b_recommend", "nps"), ("b_reliable", "reliability"),
             ("b_reach", "responsiveness"), ("b_care", "empathy")]


def _write(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _landing(landing):
    rng = np.random.default_rng(8)
    scores = {d: np.clip(np.round(6 + 2.2 * rng.standard_normal(N)), 0, 10) for d in DIMENSIONS}
    eta = sum(b * scores[d] for d, b in DIMENSIONS.items())
    theta = eta.mean() + np.linspace(-3.5, 2.5, 10)
    overall = (rng.random(N)[:, None] > 1 / (1 + np.exp(-(theta[None, :] - eta[:, None])))).sum(axis=1)
    recommend = np.clip(np.round(overall + rng.standard_normal(N)), 0, 10)
    _write(landing / "survey_questions" / "bank_catalogue.csv", [
        {"question_code": q, "question_text": "", "dimension": d, "scale_min": 0, "scale_max": 10} for q, d in QUESTIONS])
    _write(landing / "surveys" / "wave_2026_03.csv", [
        {"survey_id": f"B{i:05d}", "kind": "relationship", "customer_id": f"{i:07d}",
         "responded_at": f"2026-03-{1 + i % 28:02d}T10:00:00"} for i in range(N)])
    answers = []
    for i in range(N):
        values = {"b_overall": overall[i], "b_recommend": recommend[i], "b_reliable": scores["reliability"][i],
                  "b_reach": scores["responsiveness"][i], "b_care": scores["empathy"][i]}
        answers += [{"survey_id": f"B{i:05d}", "question_code": q, "score": int(v)} for q, v in values.items()]
    answers.append({"survey_id": "B00000", "question_code": "b_extra_typo", "score": 5})      # not in the catalogue
    answers[2]["score"] = 12                                                                   # off its 0-10 scale
    _write(landing / "survey_answers" / "wave_2026_03.csv", answers)
    return overall


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("relationship_survey")
    overall = _landing(base / "landing")
    with pipeline_env(base, base / "landing", "UTC") as (run_pipeline, connect):
        outcome = run_pipeline()
        con = connect()
        yield outcome, con, base, overall
        con.close()


def test_the_pipeline_takes_a_relationship_survey_without_contacts(run):
    outcome, con, _, _ = run
    assert outcome.success, outcome.summary
    assert con.execute("select count(*) from staging.stg_landing__surveys where kind = 'relationship'").fetchall()[0][0] == N
    assert con.execute("select count(*) from staging.stg_landing__calls").fetchall()[0][0] == 0


def test_answers_off_the_catalogue_or_the_scale_are_rejected_with_the_reason(run):
    _, con, _, _ = run
    got = set(con.execute("select record_key, reason, detail from audit.rejected_rows "
                          "where source = 'survey_answers'").fetchall())
    assert got == {
        ("B00000|b_reliable", "out_of_range", "score outside the scale 0-10 of question b_reliable"),
        ("B00000|b_extra_typo", "invalid_enum", "question_code not in survey_questions (seed or delivered)"),
    }


def test_the_dimension_model_reaches_the_analysis_tables_and_the_serving_copy(run):
    _, con, base, overall = run
    rows = {r[0]: r[1:] for r in con.execute(
        "select dimension, status, n, overall_levels, coef, ci_low, ci_high, importance_share, quadrant "
        "from analysis.survey_dimension_drivers where kind = 'relationship' and segment_type = 'all'").fetchall()}
    assert set(rows) == set(DIMENSIONS)
    assert all(r[0] == "estimated" for r in rows.values())
    assert {r[1] for r in rows.values()} == {N - 1}                     # B00000 lost its reliability answer
    assert {r[2] for r in rows.values()} == {len(set(overall[1:].tolist()))}   # every observed 0-10 level, no binning
    ranked = sorted(rows, key=lambda d: -rows[d][6])
    assert ranked[:2] == ["reliability", "responsiveness"]
    assert rows["empathy"][4] <= 0 <= rows["empathy"][5]             # no planted effect: the interval covers 0
    status = con.execute("select status from analysis.analysis_status "
                         "where analysis = 'survey_dimension_drivers'").fetchall()
    assert status == [("current",)]
    nps = con.execute("select responses, nps from marts.rpt_nps_monthly where kind = 'relationship'").fetchall()
    assert sum(r[0] for r in nps) == N
    serving = duckdb.connect(str(base / "callqa_serving.duckdb"), read_only=True)
    try:
        assert serving.execute("select count(*) from analysis.survey_dimension_drivers "
                               "where kind = 'relationship'").fetchall()[0][0] == len(DIMENSIONS)
    finally:
        serving.close()
