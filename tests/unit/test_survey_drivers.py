"""The survey dimension model (metrics.md §7b, lib/drivers/surveys.py): the same proportional-odds fit as the
journey model, checked against a direct statsmodels OrderedModel fit (logit, BFGS) on a 0-10 overall item; the
refusals; performance and bottom-two-box shares counted by hand; the generator's planted dimension ranking."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.miscmodels.ordinal_model import OrderedModel

from dagster_project.lib.drivers.surveys import SurveySettings, run_survey_analysis
from dagster_project.lib.synth.generator import generate

DIMENSIONS = ["reliability", "responsiveness", "empathy"]
BETA = {"reliability": 0.6, "responsiveness": 0.3, "empathy": 0.1}   # per scale point


def _survey(n: int = 600, seed: int = 3) -> pd.DataFrame:
    """Responses of a 0-10 relationship survey: one 0-10 item per dimension, overall 0-10 from a proportional-odds
    model on them."""
    rng = np.random.default_rng(seed)
    common = rng.standard_normal(n)
    scores = {d: np.clip(np.round(6 + 1.5 * (0.5 * common + rng.standard_normal(n))), 0, 10) for d in DIMENSIONS}
    eta = sum(BETA[d] * scores[d] for d in DIMENSIONS)
    theta = eta.mean() + np.linspace(-4, 3, 10)
    overall = (rng.random(n)[:, None] > 1 / (1 + np.exp(-(theta[None, :] - eta[:, None])))).sum(axis=1)
    return pd.DataFrame({"survey_id": [f"r{i}" for i in range(n)], "overall": overall.astype(float), **scores})


def _answers(responses: pd.DataFrame, kind: str = "relationship", scale=(0, 10), channel=None) -> pd.DataFrame:
    """marts.fct_survey_answers rows for the responses: one item per dimension plus the overall item."""
    rows = []
    for r in responses.itertuples(index=False):
        base = {"survey_id": r.survey_id, "kind": kind, "channel": channel, "queue": None,
                "overall_score": r.overall, "overall_scale_min": scale[0], "overall_scale_max": scale[1],
                "overall_source": "rq_overall"}
        rows.append({**base, "question_code": "rq_overall", "dimension": "overall", "score": r.overall,
                     "scale_min": scale[0], "scale_max": scale[1]})
        for d in DIMENSIONS:
            rows.append({**base, "question_code": f"q_{d}", "dimension": d, "score": getattr(r, d),
                         "scale_min": scale[0], "scale_max": scale[1]})
    return pd.DataFrame(rows)


def test_dimension_model_equals_a_direct_ordered_model_fit_on_a_0_10_item():
    responses = _survey()
    assert responses["overall"].nunique() == 11   # every level of the 0-10 item observed, none binned
    result = run_survey_analysis(_answers(responses))
    got = result.dimensions[result.dimensions["segment_type"] == "all"].set_index("dimension")
    assert (got["status"] == "estimated").all()
    assert set(got["overall_levels"]) == {11}

    endog = pd.Series(pd.Categorical(responses["overall"], categories=sorted(responses["overall"].unique()),
                                     ordered=True))
    reference = OrderedModel(endog, responses[DIMENSIONS], distr="logit").fit(
        method="bfgs", maxiter=5000, disp=False, gtol=1e-8)
    assert reference.mle_retvals["converged"]
    for d in DIMENSIONS:
        assert got.loc[d, "coef"] == pytest.approx(reference.params[d], abs=1e-4)
        assert got.loc[d, "std_err"] == pytest.approx(reference.bse[d], rel=1e-3)
    # planted order of the effects, and the importance shares add to one
    assert got["importance_share"].sum() == pytest.approx(1.0)
    assert list(got["importance_share"].sort_values(ascending=False).index) == DIMENSIONS


def test_a_dimension_with_one_answer_level_is_refused_with_the_reason():
    responses = _survey(n=300)
    responses["empathy"] = 7.0   # everybody answered 7
    result = run_survey_analysis(_answers(responses))
    rows = result.dimensions.set_index("dimension")
    assert rows.loc["empathy", "status"] == "refused"
    assert "one answer level" in rows.loc["empathy", "refused_reason"]
    assert "always 7" in rows.loc["empathy", "refused_reason"]
    assert set(rows.loc[["reliability", "responsiveness"], "status"]) == {"estimated"}
    assert rows.loc["empathy", "quadrant"] is None or pd.isna(rows.loc["empathy", "quadrant"])


def test_a_survey_with_one_overall_answer_or_too_few_responses_is_refused_not_a_crash():
    responses = _survey(n=150)
    responses["overall"] = 9.0
    fit = run_survey_analysis(_answers(responses)).model_fit.set_index("segment_type")
    assert fit.loc["all", "status"] == "refused"
    assert "same overall answer (9)" in fit.loc["all", "status_reason"]
    few = run_survey_analysis(_answers(_survey(n=40)), SurveySettings(min_responses=100)).model_fit
    assert few.loc[0, "status"] == "refused" and "fewer than the 100 needed" in few.loc[0, "status_reason"]


def test_performance_and_bottom_two_boxes_by_hand():
    responses = pd.DataFrame({"survey_id": ["a", "b", "c", "d"], "overall": [1.0, 2, 4, 5],
                              "reliability": [1.0, 2, 5, 4], "responsiveness": [3.0, 3, 4, 5], "empathy": [5.0, 1, 2, 5]})
    result = run_survey_analysis(_answers(responses, kind="transactional", scale=(1, 5)),
                                 SurveySettings(min_responses=1000))
    rows = result.dimensions.set_index("dimension")
    # reliability 1, 2, 5, 4 on 1-5: shares 0, .25, 1, .75 -> mean .5; bottom two boxes (1, 2): 2 of 4
    assert rows.loc["reliability", "performance"] == pytest.approx(0.5)
    assert rows.loc["reliability", "bottom_two_box_share"] == pytest.approx(0.5)
    assert rows.loc["responsiveness", "bottom_two_box_share"] == pytest.approx(0.0)
    assert (rows["status"] == "refused").all()   # 4 responses: the model is refused, performance still reported
    questions = result.questions.set_index("question_code")
    assert questions.loc["q_empathy", "mean_score"] == pytest.approx(3.25)
    assert questions.loc["q_empathy", "performance"] == pytest.approx(9 / 16)


def test_queue_or_channel_models_only_where_n_allows():
    big, small = _survey(n=400, seed=5), _survey(n=60, seed=6)
    small["survey_id"] = "s" + small["survey_id"]
    answers = pd.concat([_answers(big, channel="voice"), _answers(small, channel="chat")])
    result = run_survey_analysis(answers, SurveySettings(min_segment_responses=200))
    fit = result.model_fit.set_index(["segment_type", "segment"])
    assert fit.loc[("channel", "voice"), "status"] == "fitted"
    assert fit.loc[("channel", "chat"), "status"] == "refused"
    assert "fewer than the 200 needed" in fit.loc[("channel", "chat"), "status_reason"]
    assert set(result.dimensions["segment"]) == {"all", "voice"}


def _read(landing: Path, source: str) -> pd.DataFrame:
    return pd.concat([pd.read_csv(p, dtype=str) for p in sorted((landing / source).glob("*.csv"))])


def test_the_generator_planted_ranking_is_recovered(tmp_path):
    truth = generate(tmp_path, days=14, contacts_per_day=300, seed=21, start_date=date(2026, 3, 2))
    surveys, answers, questions = (_read(tmp_path, s) for s in ("surveys", "survey_answers", "survey_questions"))
    relationship = surveys[surveys["kind"] == "relationship"]
    frame = answers[answers["survey_id"].isin(relationship["survey_id"])].merge(questions, on="question_code")
    frame["score"] = frame["score"].astype(float)
    overall = frame[frame["dimension"] == "overall"].set_index("survey_id")["score"]
    frame = frame.assign(kind="relationship", channel=None, queue=None, overall_score=frame["survey_id"].map(overall),
                         overall_scale_min=0, overall_scale_max=10, overall_source="rq_overall")
    result = run_survey_analysis(frame)
    got = result.dimensions[result.dimensions["segment_type"] == "all"].set_index("dimension")
    planted = truth["relationship_surveys"]
    estimated = list(got["importance_share"].sort_values(ascending=False).index)
    assert estimated[:3] == planted["importance_order"][:3]
    # the dimension with no planted effect: its interval covers 0
    zero = [d for d, b in planted["beta"].items() if b == 0]
    for d in zero:
        assert got.loc[d, "ci_low"] <= 0 <= got.loc[d, "ci_high"]

    # transactional SERVQUAL items (seed catalogue, 1-5, overall = csat): the least noisy dimension carries csat most
    seed = pd.read_csv(Path(__file__).resolve().parents[2] / "seeds" / "survey_questions.csv", dtype=str)
    transactional = surveys[surveys["kind"] == "transactional"][["survey_id", "csat"]]
    frame = answers.merge(transactional, on="survey_id").merge(seed, on="question_code")
    frame = frame.assign(score=frame["score"].astype(float), scale_min=frame["scale_min"].astype(float),
                         scale_max=frame["scale_max"].astype(float), kind="transactional", channel=None, queue=None,
                         overall_score=frame["csat"].astype(float), overall_scale_min=1, overall_scale_max=5,
                         overall_source="csat")
    result = run_survey_analysis(frame)
    got = result.dimensions[result.dimensions["segment_type"] == "all"].set_index("dimension")
    noise = truth["surveys"]["transactional_item_noise"]
    assert got["importance_share"].idxmax() == min(noise, key=noise.get)
    assert got["importance_share"].idxmin() == max(noise, key=noise.get)


def test_survey_inputs_edges_by_hand():
    """The answers as DuckDB sums them (surveys.survey_inputs): a NULL score counts among the answers and in the
    bottom-two-box denominator but not in the performance or the mean; a response's keys are its first answer's
    in question_code order; a response without a channel is in no channel segment; overall and nps are outcomes."""
    import duckdb

    from dagster_project.lib.drivers.surveys import survey_inputs

    base = {"kind": "transactional", "queue": "q1", "overall_scale_min": 1, "overall_scale_max": 5,
            "overall_source": "csat", "scale_min": 1, "scale_max": 5}
    rows = [
        # response a (voice): reliability 1 and NULL, empathy 5, overall item 4
        {**base, "survey_id": "a", "channel": "voice", "overall_score": 4, "question_code": "q1_rel", "dimension": "reliability", "score": 1},
        {**base, "survey_id": "a", "channel": "voice", "overall_score": 4, "question_code": "q2_rel", "dimension": "reliability", "score": None},
        {**base, "survey_id": "a", "channel": "voice", "overall_score": 4, "question_code": "q3_emp", "dimension": "empathy", "score": 5},
        {**base, "survey_id": "a", "channel": "voice", "overall_score": 4, "question_code": "q9_all", "dimension": "overall", "score": 4},
        # response b (no channel): reliability 4 and 5, nps 9 on 0-10
        {**base, "survey_id": "b", "channel": None, "overall_score": 2, "question_code": "q1_rel", "dimension": "reliability", "score": 4},
        {**base, "survey_id": "b", "channel": None, "overall_score": 2, "question_code": "q2_rel", "dimension": "reliability", "score": 5},
        {**base, "survey_id": "b", "channel": None, "overall_score": 2, "question_code": "q8_nps", "dimension": "nps", "score": 9,
         "scale_min": 0, "scale_max": 10},
    ]
    con = duckdb.connect()
    con.register("answers_frame", pd.DataFrame(rows))
    inputs = survey_inputs(con, "answers_frame")
    responses = inputs.responses.set_index("survey_id")
    assert responses.loc["a", "reliability"] == 1.0 and responses.loc["b", "reliability"] == 4.5
    assert responses.loc["a", "empathy"] == 5.0 and np.isnan(responses.loc["b", "empathy"])
    assert "overall" not in responses.columns and "nps" not in responses.columns
    assert responses.loc["a", "channel"] == "voice" and responses.loc["b", "channel"] is None
    assert inputs.dimensions == {"transactional": ["empathy", "reliability"]}
    dims = inputs.dimension_stats.set_index(["segment_type", "segment", "dimension"])
    # all: reliability answers 1, NULL, 4, 5 -> 4 answers; shares 0, .75, 1 -> 7/12; bottom (1) 1 of 4; 2 items
    everyone = dims.loc[("all", "all", "reliability")]
    assert (everyone["answers"], everyone["items"]) == (4, 2)
    assert everyone["performance"] == pytest.approx(7 / 12) and everyone["bottom_two_box_share"] == pytest.approx(0.25)
    voice = dims.loc[("channel", "voice", "reliability")]
    assert voice["answers"] == 2 and voice["performance"] == 0.0 and voice["bottom_two_box_share"] == 0.5
    assert set(dims.index.get_level_values("segment")) == {"all", "voice", "q1"}   # no NULL-channel segment
    questions = inputs.question_stats.set_index(["segment_type", "segment", "question_code"])
    q2 = questions.loc[("all", "all", "q2_rel")]
    assert q2["answers"] == 2 and q2["mean_score"] == 5.0 and q2["dimension"] == "reliability"
    assert ("all", "all", "q9_all") not in questions.index and ("all", "all", "q8_nps") not in questions.index


def test_a_question_without_a_range_has_no_share():
    """A question whose scale_min equals its scale_max (staging rejects it; a frame handed to run_survey_analysis
    may hold it) has no share of its scale: its answers count, but not in the performance, as pandas' mean skipped
    the NaN of 0 / 0 (DuckDB's 0.0 / 0.0 is NaN, and its sums would take it)."""
    import duckdb

    from dagster_project.lib.drivers.surveys import survey_inputs

    base = {"kind": "transactional", "queue": "q1", "channel": "voice", "overall_scale_min": 1,
            "overall_scale_max": 5, "overall_source": "csat", "overall_score": 4, "dimension": "reliability"}
    rows = [
        {**base, "survey_id": "a", "question_code": "q1", "score": 4, "scale_min": 1, "scale_max": 5},
        {**base, "survey_id": "a", "question_code": "q2", "score": 3, "scale_min": 3, "scale_max": 3},
    ]
    con = duckdb.connect()
    con.register("answers_frame", pd.DataFrame(rows))
    dims = survey_inputs(con, "answers_frame").dimension_stats.set_index(["segment_type", "segment", "dimension"])
    everyone = dims.loc[("all", "all", "reliability")]
    assert everyone["answers"] == 2 and everyone["performance"] == 0.75
