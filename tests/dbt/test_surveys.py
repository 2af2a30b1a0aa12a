"""Surveys as they come (landing-contract.md surveys `kind`, survey_questions; metrics.md §7b), through dbt:
a relationship survey with no contact on a delivered 0-10 catalogue, a transactional survey whose overall
satisfaction is an answer and not csat, answers off their scale rejected with the scale named, NPS with its parts,
and the dimension-to-quality-point link. Every expected value is counted by hand from the rows below."""
from __future__ import annotations

from datetime import datetime, timezone

import duckdb
import pytest

from dbt_helpers import create_raw_layer, dbt_env, failures, query_rows, run_dbt, with_load_metadata

LOADED_AT = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
TZ = "UTC"
MARTS = ["fct_survey_answers", "rpt_nps_monthly", "rpt_survey_dimension_quality_points", "rejected_rows"]

CALLS = [{"call_id": "c1", "direction": "inbound", "queue": "billing", "outcome": "answered",
          "arrived_at": "2026-01-05 09:00:00", "answered_at": "2026-01-05 09:01:00", "ended_at": "2026-01-05 09:06:00",
          "agent_id": "a1", "talk_seconds": "300"}]
QUESTIONS = [  # the bank's own relationship catalogue, 0-10; one seed question overridden to 1-7
    {"question_code": "bank_overall", "dimension": "overall", "scale_min": "0", "scale_max": "10"},
    {"question_code": "bank_recommend", "dimension": "nps", "scale_min": "0", "scale_max": "10"},
    {"question_code": "bank_reliable", "dimension": "reliability", "scale_min": "0", "scale_max": "10"},
    {"question_code": "bank_value", "dimension": "Value", "scale_min": "0", "scale_max": "10"},
    {"question_code": "sq_tang_easy", "dimension": "tangibles", "scale_min": "1", "scale_max": "7"},
]
SURVEYS = [
    # relationship: no contact, no csat; recommend as an answer (r1 promoter 9, r2 detractor 6, r3 passive 8)
    {"survey_id": "r1", "kind": "relationship", "customer_id": "k1", "responded_at": "2026-01-10 10:00:00"},
    {"survey_id": "r2", "kind": "relationship", "customer_id": "k2", "responded_at": "2026-01-11 10:00:00"},
    {"survey_id": "r3", "kind": "relationship", "customer_id": "k3", "responded_at": "2026-01-12 10:00:00", "nps": "8"},
    # transactional: t1 has csat (and an overall answer, which csat takes precedence over); t2 only the answer
    {"survey_id": "t1", "contact_id": "c1", "responded_at": "2026-01-05 10:00:00", "csat": "4", "nps": "10"},
    {"survey_id": "t2", "contact_id": "c1", "responded_at": "2026-01-05 11:00:00"},
]
ANSWERS = [
    ("r1", "bank_overall", "9"), ("r1", "bank_recommend", "9"), ("r1", "bank_reliable", "1"), ("r1", "bank_value", "10"),
    ("r2", "bank_overall", "3"), ("r2", "bank_recommend", "6"), ("r2", "bank_reliable", "0"),
    ("r3", "bank_overall", "7"), ("r3", "bank_reliable", "10"), ("r3", "bank_recommend", "3"),
    ("t1", "sq_overall", "2"), ("t1", "sq_rel_promise", "5"), ("t1", "sq_tang_easy", "7"),
    ("t2", "sq_overall", "3"), ("t2", "sq_rel_promise", "1"),
    # rejected: off the scale of its (delivered 0-10 / overridden 1-7) question, and an unknown question
    ("r1", "sq_tang_easy", "0"), ("r2", "bank_value", "11"), ("t2", "no_such_question", "3"),
]


def build_raw_layer(warehouse) -> None:
    """The raw layer of these cases (tests/postgres/test_surveys_postgres.py builds it too)."""
    create_raw_layer(warehouse, {
        "calls": with_load_metadata("calls", LOADED_AT, CALLS),
        "survey_questions": with_load_metadata("survey_questions", LOADED_AT, QUESTIONS),
        "surveys": with_load_metadata("surveys", LOADED_AT, SURVEYS),
        "survey_answers": with_load_metadata("survey_answers", LOADED_AT, [
            {"survey_id": s, "question_code": q, "score": v} for s, q, v in ANSWERS]),
    })


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("dbt_surveys")
    warehouse = work / "warehouse" / "callqa.duckdb"
    build_raw_layer(warehouse)
    with dbt_env(warehouse, TZ):
        result = run_dbt(["build", "--select", *[f"+{m}" for m in MARTS], "--indirect-selection", "cautious"], work)
    con = duckdb.connect(str(warehouse), read_only=True)
    yield {"result": result, "con": con}
    con.close()


def test_build_passes(built):
    assert built["result"].success, "\n".join(failures(built["result"]))


def test_answers_off_their_declared_scale_are_rejected_with_the_scale(built):
    got = {(r["record_key"], r["reason"], r["detail"]) for r in query_rows(
        built["con"], "select record_key, reason, detail from audit.rejected_rows where source = 'survey_answers'")}
    assert got == {
        ("r1|sq_tang_easy", "out_of_range", "score outside the scale 1-7 of question sq_tang_easy"),
        ("r2|bank_value", "out_of_range", "score outside the scale 0-10 of question bank_value"),
        ("t2|no_such_question", "invalid_enum", "question_code not in survey_questions (seed or delivered)"),
    }
    staged = built["con"].execute("select count(*) from staging.stg_landing__survey_answers").fetchone()[0]
    assert staged == len(ANSWERS) - 3


def test_overall_is_csat_else_the_overall_answer_on_its_scale(built):
    got = {r["survey_id"]: r for r in query_rows(built["con"], "select * from intermediate.int_survey_responses")}
    assert (got["t1"]["overall_score"], got["t1"]["overall_scale_max"], got["t1"]["overall_source"]) == (4, 5, "csat")
    assert (got["t2"]["overall_score"], got["t2"]["overall_scale_max"], got["t2"]["overall_source"]) == (3, 5, "sq_overall")
    assert (got["r2"]["overall_score"], got["r2"]["overall_scale_min"], got["r2"]["overall_scale_max"],
            got["r2"]["overall_source"]) == (3, 0, 10, "bank_overall")
    assert {s: r["kind"] for s, r in got.items()} == {"r1": "relationship", "r2": "relationship", "r3": "relationship",
                                                      "t1": "transactional", "t2": "transactional"}
    assert (got["t1"]["queue"], got["t1"]["channel"]) == ("billing", "voice")
    assert got["r1"]["queue"] is None


def test_answer_shares_and_bottom_two_boxes(built):
    got = {(r["survey_id"], r["question_code"]): r for r in query_rows(built["con"], "select * from marts.fct_survey_answers")}
    assert got[("r1", "bank_reliable")]["score_share"] == pytest.approx(0.1)
    assert got[("r1", "bank_reliable")]["is_bottom_two_box"] is True      # 1 on 0-10: boxes 0 and 1
    assert got[("r3", "bank_reliable")]["is_bottom_two_box"] is False
    assert got[("t1", "sq_tang_easy")]["score_share"] == pytest.approx(1.0)  # 7 on the overridden 1-7
    assert got[("t2", "sq_rel_promise")]["is_bottom_two_box"] is True     # 1 on 1-5: boxes 1 and 2
    assert got[("r1", "bank_value")]["dimension"] == "value"               # delivered "Value", lower-cased


def test_nps_with_its_parts(built):
    got = {r["kind"]: r for r in query_rows(built["con"], "select * from marts.rpt_nps_monthly")}
    # relationship: r1 answer 9 (promoter), r2 answer 6 (detractor), r3 nps column 8 wins over its answer 3
    rel = got["relationship"]
    assert (rel["responses"], rel["promoters"], rel["passives"], rel["detractors"]) == (3, 1, 1, 1)
    assert rel["nps"] == pytest.approx(0.0)
    # transactional: only t1 has a recommend answer (10): nps 100
    assert (got["transactional"]["responses"], got["transactional"]["nps"]) == (1, pytest.approx(100.0))


def test_dimension_links_to_its_quality_points(built):
    rows = query_rows(built["con"], "select * from marts.rpt_survey_dimension_quality_points where kind = 'relationship'")
    reliability = [r for r in rows if r["dimension"] == "reliability"]
    # bank_reliable answers 1, 0, 10 on 0-10: mean share 11/30; bottom two boxes 2 of 3
    assert reliability[0]["survey_performance"] == pytest.approx(11 / 30)
    assert reliability[0]["bottom_two_box_share"] == pytest.approx(2 / 3)
    assert {r["quality_point"] for r in reliability} >= {"follow_up_callback_kept", "queue_not_abandoned"}
    value = [r for r in rows if r["dimension"] == "value"]
    assert len(value) == 1 and value[0]["quality_point"] is None
    assert value[0]["pass_rate_null_reason"] == "no_quality_point_in_dimension"
