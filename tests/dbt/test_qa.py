"""QA (metrics.md §6) end to end through dbt: a raw layer made by hand, ONE `dbt build` of every QA mart and its
upstream (models, contracts, data tests and the dbt unit tests beside the models), then hand-computed
assertions, and the statistics macros against published reference values (`dbt show --inline`).

The hand-made contact center, zone America/New_York, January 2026:
- 1,000 answered inbound calls in queue billing (N = 1,000), C0000 .. C0999, agents A0 .. A4;
- 200 RANDOM evaluations (C0000 .. C0199): 20 with a customer-critical fail (C0000 has TWO, counted once), the
  others pass or rate the customer items `na` (no fail) → 180 / 200 without error;
  10 targeted evaluations with a customer-critical fail (agent level only, never process level);
- a calibration session S1 on C0500: three evaluators, four items, Q3 alone fails `closing`;
- disputes of E1's evaluations: one overturned 96 h after it was raised (late against 72 h), one upheld after 24 h;
- transcripts: a Chinese and an English red-line phrase said by agents, a near miss in each language, and a
  customer swearing (not the agent's red line).
"""
from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta, timezone

import duckdb
import pytest
from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss_kappa
from scipy.stats import binomtest

from dagster_project.lib.dbt_inprocess import release_duckdb
from dbt_helpers import DBT_DIR, create_raw_layer, dbt_env, failures, run_dbt, with_load_metadata

TZ = "America/New_York"
UTC = timezone.utc
LOADED_AT = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)
CALLS_N = 1000
FORM = ["accurate_resolution", "correct_information", "identity_verification", "greeting", "courtesy_tone", "closing"]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _calls():
    rows = []
    for i in range(CALLS_N):
        # 2026-01-05 .. 2026-01-24, 15:00Z-ish = 10:00 EST: every call in local January
        arrived = datetime(2026, 1, 5, 15, 0, tzinfo=UTC) + timedelta(days=i % 20, minutes=i % 60)
        rows.append({
            "call_id": f"C{i:04d}", "customer_id": f"K{i:04d}", "direction": "inbound", "queue": "billing",
            "arrived_at": _iso(arrived), "queued_at": _iso(arrived), "answered_at": _iso(arrived + timedelta(seconds=10)),
            "ended_at": _iso(arrived + timedelta(minutes=5)), "outcome": "answered", "agent_id": f"A{i % 5}",
            "talk_seconds": "280", "transfer_count": "0",
        })
    return rows


def _evaluations_and_items():
    evaluations, items = [], []

    def evaluation(eid, call, evaluator, sample_type, results, session=None, at="2026-01-26T15:00:00Z"):
        evaluations.append({"evaluation_id": eid, "contact_id": f"C{call:04d}", "agent_id": f"A{call % 5}",
                            "evaluator_id": evaluator, "evaluated_at": at, "sample_type": sample_type,
                            "calibration_session_id": session, "form_version": "2026.1"})
        items.extend({"evaluation_id": eid, "item_code": code, "result": result} for code, result in results.items())

    for i in range(200):
        results = {code: "pass" for code in FORM}
        if i == 0:
            results.update(accurate_resolution="fail", correct_information="fail")  # two fails of one class
        elif i < 20:
            results["accurate_resolution"] = "fail"
        elif i < 40:
            results.update(accurate_resolution="na", correct_information="na")  # na is no fail
        if i % 10 == 5:
            results["greeting"] = "fail"
        evaluation(f"R{i:03d}", i, "E1" if i < 100 else "E2", "random", results)
    for i in range(10):
        evaluation(f"T{i:03d}", 300 + i, "E2", "targeted", {**{c: "pass" for c in FORM}, "accurate_resolution": "fail"})
    for evaluator in ("Q1", "Q2", "Q3"):
        results = {code: "pass" for code in ("greeting", "courtesy_tone", "closing", "accurate_resolution")}
        if evaluator == "Q3":
            results["closing"] = "fail"
        evaluation(f"CAL-{evaluator}", 500, evaluator, "calibration", results, session="S1", at="2026-01-27T15:00:00Z")
    return evaluations, items


EVALUATIONS, ITEMS = _evaluations_and_items()

DISPUTES = [
    {"dispute_id": "D_LATE", "evaluation_id": "R001", "item_code": "accurate_resolution",
     "raised_at": "2026-01-27T10:00:00Z", "raised_by": "A1", "status": "overturned",
     "decided_at": "2026-01-31T10:00:00Z", "decided_by": "L1"},                        # 96 h > 72 h
    {"dispute_id": "D_ON_TIME", "evaluation_id": "R002", "item_code": None,
     "raised_at": "2026-01-27T10:00:00Z", "raised_by": "A2", "status": "upheld",
     "decided_at": "2026-01-28T10:00:00Z", "decided_by": "L1"},                        # 24 h
    {"dispute_id": "D_E2", "evaluation_id": "R150", "item_code": None,
     "raised_at": "2026-01-27T10:00:00Z", "raised_by": "A0", "status": "upheld",
     "decided_at": "2026-01-28T10:00:00Z", "decided_by": "L1"},
]

TRANSCRIPTS = [
    ("C0600", 1, "agent", "您好，很高兴为您服务。"),
    ("C0600", 2, "customer", "我的卡用不了。"),
    ("C0600", 3, "agent", "你有病吧，账单上都写着呢。"),                          # zh abuse
    ("C0601", 1, "agent", "Thank you for calling."),
    ("C0601", 2, "agent", "Honestly, I don\u2019t care."),                              # en, curly apostrophe
    ("C0602", 1, "agent", "您听得清楚吗？我已经帮您提交了申请。"),                # zh near misses
    ("C0602", 2, "agent", "What would you like me to do? That's an oxymoron."),  # en near misses
    ("C0603", 1, "customer", "Are you stupid? 你有病吧"),                          # customer, not agent
    ("C0603", 2, "agent", "I understand, take your time."),
]

ACTIONS = [
    {"action_id": "IA1", "opened_at": "2026-01-28T10:00:00Z", "source": "qa", "root_cause": "process",
     "action_type": "process_change", "item_code": "accurate_resolution", "queue": "billing", "status": "open"},
]


MARTS = ["rpt_critical_error_accuracy", "rpt_critical_error_accuracy_agent", "rpt_qa_non_critical_score",
         "rpt_qa_calibration_monthly", "rpt_qa_disputes", "rpt_qa_improvement_loop", "rpt_red_line_monthly",
         "rpt_qa_sampling_plan", "rpt_journey_quality_matrix", "rpt_agent_scorecard_monthly"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("dbt_qa")
    warehouse = work / "warehouse" / "callqa.duckdb"
    create_raw_layer(warehouse, {
        "calls": with_load_metadata("calls", LOADED_AT, _calls()),
        "qa_evaluations": with_load_metadata("qa_evaluations", LOADED_AT, EVALUATIONS),
        "qa_evaluation_items": with_load_metadata("qa_evaluation_items", LOADED_AT, ITEMS),
        "qa_disputes": with_load_metadata("qa_disputes", LOADED_AT, DISPUTES),
        "transcripts": with_load_metadata("transcripts", LOADED_AT, [
            {"contact_id": c, "seq": str(s), "speaker": who, "text": text} for c, s, who, text in TRANSCRIPTS]),
        "improvement_actions": with_load_metadata("improvement_actions", LOADED_AT, ACTIONS),
    })
    with dbt_env(warehouse, TZ):
        # cautious: a data test that also reads a model outside the selection (another area's relationship or
        # row-count test on fct_contacts) is not ours to run here
        result = run_dbt(["build", "--select", *[f"+{m}" for m in MARTS], "--indirect-selection", "cautious"], work)
        reference = _reference_statistics(work)
    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    yield {"result": result, "con": con, "reference": reference}
    con.close()


WIKIPEDIA_FLEISS = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
                    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]


def _reference_statistics(work):
    """The QA statistics macros on the published examples, in one `dbt show --inline` (the ln-factorial table of
    the exact binomial test is the built int_qa_ln_factorials)."""
    from dbt.cli.main import dbtRunner

    counts = ", ".join(f"({subject}, {category}, {raters})" for subject, row in enumerate(WIKIPEDIA_FLEISS, 1)
                       for category, raters in enumerate(row, 1) if raters)
    sql = f"""
        with counts as (select * from (values {counts}) as t(subject, category, raters)),
        {{{{ qa_fleiss_kappa_ctes('wikipedia', 'counts', []) }}}},
        tests as (
            select 1 as test_id, 51 as k, 235 as n, 1.0 / 6 as p
            union all select 2, 4, 4, 0.25
            union all select 3, 0, 10, 0.5
            union all select 4, 3, 10, 0.0
        ),
        {{{{ qa_binomial_upper_tail_ctes('binomial', 'tests', ['test_id'], 'k', 'n', 'p') }}}}
        select
            {{{{ qa_wilson_low(180, 200, 1.96) }}}} as wilson_low,
            {{{{ qa_wilson_high(180, 200, 1.96) }}}} as wilson_high,
            {{{{ qa_wilson_low(0, 37, 1.96) }}}} as wilson_none_low,
            {{{{ qa_wilson_high(37, 37, 1.96) }}}} as wilson_all_high,
            {{{{ qa_required_sample_n('cast(null as integer)', 1.96, 0.5, 0.05) }}}} as required_n_large,
            {{{{ qa_required_sample_n(1000000000, 1.96, 0.5, 0.05) }}}} as required_n_billion,
            {{{{ qa_required_sample_n(1000, 1.96, 0.5, 0.05) }}}} as required_n_1000,
            {{{{ qa_required_sample_n(1, 1.96, 0.5, 0.05) }}}} as required_n_1,
            (select fleiss_kappa from wikipedia) as fleiss_kappa,
            (select percent_agreement from wikipedia) as fleiss_p_bar,
            (select expected_agreement from wikipedia) as fleiss_p_e,
            (select p_value from binomial where test_id = 1) as binomial_die,
            (select p_value from binomial where test_id = 2) as binomial_all_four,
            (select p_value from binomial where test_id = 3) as binomial_none,
            (select p_value from binomial where test_id = 4) as binomial_impossible
    """
    result = dbtRunner().invoke(["show", "--inline", sql, "--project-dir", str(DBT_DIR), "--profiles-dir",
                                 str(DBT_DIR), "--target-path", str(work / "target"), "--log-path",
                                 str(work / "logs"), "--quiet"])
    release_duckdb()
    assert result.success, failures(result)
    table = result.result.results[0].agate_table
    return {name: (float(value) if value is not None else None)
            for name, value in zip(table.column_names, table.rows[0])}


def _rows(con, sql, *params):
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def test_dbt_build_passes_models_contracts_data_tests_and_unit_tests(built):
    result = built["result"]
    assert result.success, "\n".join(failures(result))
    ran = {r.node.unique_id for r in result.result.results}
    for unit_test in ("int_contacts_red_line__zh_en_near_misses_and_speakers",
                      "int_qa_evaluations_scored__classes_count_once_na_excluded",
                      "int_qa_accuracy_cells__random_only_process_level_counted_once",
                      "rpt_critical_error_accuracy__sample_size_and_sufficiency",
                      "rpt_critical_error_accuracy_agent__any_critical_target",
                      "rpt_qa_non_critical_score__pooled_weights_random_only",
                      "int_qa_calibration_ratings__majority_ties_and_na",
                      "rpt_qa_calibration__one_dissenting_evaluator",
                      "rpt_qa_calibration_monthly__pooled_counts",
                      "rpt_qa_disputes__late_decision_and_harsh_evaluator",
                      "rpt_qa_root_causes__process_wide_vs_coaching",
                      "rpt_qa_improvement_loop__problems_and_actions",
                      "rpt_red_line_monthly__precision_and_recall",
                      "rpt_qa_sampling_plan__seeded_draw_and_targets",
                      "rpt_journey_quality_matrix__thresholds_populations_censoring",
                      "rpt_agent_scorecard_monthly__qa_columns"):
        assert any(u.endswith("." + unit_test) for u in ran), unit_test


# ---- statistics against published reference values ----------------------------------------------------
def test_wilson_interval_of_180_of_200(built):
    ref = built["reference"]
    # published: 0.851 - 0.934; statsmodels (z = 1.959964) agrees to 1e-5 with our z = 1.96
    assert (round(ref["wilson_low"], 3), round(ref["wilson_high"], 3)) == (0.851, 0.934)
    z = 1.96
    centre, half = (0.9 + z * z / 400) / (1 + z * z / 200), z / (1 + z * z / 200) * math.sqrt(0.09 / 200 + z * z / 160000)
    assert ref["wilson_low"] == pytest.approx(centre - half, abs=1e-12)
    assert ref["wilson_high"] == pytest.approx(centre + half, abs=1e-12)
    # 0/n and n/n: the bound at the estimate is exactly the estimate, never a hair beyond it
    assert ref["wilson_none_low"] == 0.0 and ref["wilson_all_high"] == 1.0


def test_required_sample_size_with_finite_population_correction(built):
    ref = built["reference"]
    assert ref["required_n_large"] == 385      # N unknown: n0 = 1.96^2 x 0.25 / 0.05^2 = 384.16 → 385
    assert ref["required_n_billion"] == 385    # N very large
    assert ref["required_n_1000"] == 278       # 384.16 / (1 + 383.16 / 1000) = 277.7 → 278
    assert ref["required_n_1"] == 1            # never above N (no floating-point 1.0000000000000002 → 2)


def test_fleiss_kappa_on_the_wikipedia_example(built):
    ref = built["reference"]
    assert round(ref["fleiss_kappa"], 3) == 0.210
    assert round(ref["fleiss_p_bar"], 3) == 0.378 and round(ref["fleiss_p_e"], 3) == 0.213
    assert ref["fleiss_kappa"] == pytest.approx(statsmodels_fleiss_kappa(WIKIPEDIA_FLEISS), abs=1e-12)


def test_exact_one_sided_binomial_test(built):
    ref = built["reference"]
    # Wikipedia "Binomial test": 51 sixes in 235 rolls of a fair die, one-sided p = 0.02654
    assert round(ref["binomial_die"], 5) == 0.02654
    assert ref["binomial_die"] == pytest.approx(binomtest(51, 235, 1 / 6, alternative="greater").pvalue, rel=1e-9)
    assert ref["binomial_all_four"] == pytest.approx(0.25 ** 4, rel=1e-9)
    assert ref["binomial_none"] == 1.0 and ref["binomial_impossible"] == 0.0


# ---- critical-error accuracy ---------------------------------------------------------------------------
def test_process_accuracy_counts_a_double_failure_once_and_na_as_no_error(built):
    rows = {r["error_class"]: r for r in _rows(built["con"], """
        select * from marts.rpt_critical_error_accuracy where queue = 'billing' and local_month = date '2026-01-01'""")}
    customer = rows["customer_critical"]
    # random samples only: the 10 targeted evaluations with a fail are not here
    assert (customer["evaluations"], customer["without_error"], customer["with_error"]) == (200, 180, 20)
    assert customer["accuracy"] == pytest.approx(0.9)
    assert (round(customer["ci_low"], 3), round(customer["ci_high"], 3)) == (0.851, 0.934)
    assert customer["handled_contacts"] == CALLS_N
    assert (customer["required_n"], customer["sample_sufficient"]) == (278, False)
    assert customer["meets_target"] is False  # target 0.95
    assert rows["compliance_critical"]["without_error"] == 200


def test_agent_level_includes_targeted_but_not_calibration(built):
    rows = _rows(built["con"], """
        select agent_id, sum(evaluations) as evaluations, sum(evaluations - without_error) as with_error
        from marts.rpt_critical_error_accuracy_agent where error_class = 'customer_critical' group by agent_id""")
    assert sum(r["evaluations"] for r in rows) == 210   # 200 random + 10 targeted; 3 calibration left out
    assert sum(r["with_error"] for r in rows) == 30


def test_non_critical_score_apart(built):
    (row,) = _rows(built["con"], "select * from marts.rpt_qa_non_critical_score")
    # greeting (10) fails in 20 of 200 evaluations; courtesy (20) and closing (15) always pass
    assert (row["weight_passed"], row["weight_scored"]) == (200 * 45 - 20 * 10, 200 * 45)


# ---- calibration and disputes ---------------------------------------------------------------------------
def test_calibration_session_with_one_dissenting_evaluator(built):
    rows = {r["evaluator_id"]: r for r in _rows(built["con"], "select * from marts.rpt_qa_calibration")}
    assert sorted(rows) == ["Q1", "Q2", "Q3"]
    q3 = rows["Q3"]
    assert (q3["items"], q3["ratings"], q3["fail_ratings"], q3["unanimous_items"]) == (4, 12, 1, 3)
    # three unanimous items P_i = 1, the split one (2 pass, 1 fail) P_i = (4 + 1 - 3) / 6 = 1/3
    assert q3["percent_agreement"] == pytest.approx(10 / 12)
    # P_e = (11/12)^2 + (1/12)^2 = 122/144; kappa = (120/144 - 122/144) / (22/144) = -1/11
    assert q3["fleiss_kappa"] == pytest.approx(-1 / 11)
    table = [[3, 0], [3, 0], [3, 0], [2, 1]]
    assert q3["fleiss_kappa"] == pytest.approx(statsmodels_fleiss_kappa(table))
    assert q3["evaluator_majority_agreement"] == pytest.approx(0.75)
    assert rows["Q1"]["evaluator_majority_agreement"] == 1.0
    (month,) = _rows(built["con"], "select * from marts.rpt_qa_calibration_monthly")
    assert month["fleiss_kappa"] == pytest.approx(-1 / 11) and month["sessions"] == 1


def test_dispute_decided_late(built):
    rows = {r["evaluator_id"]: r for r in _rows(built["con"], "select * from marts.rpt_qa_disputes")}
    e1 = rows["E1"]
    assert (e1["evaluations"], e1["disputes"], e1["decided"], e1["overturned"]) == (100, 2, 2, 1)
    assert e1["dispute_rate"] == pytest.approx(0.02) and e1["overturn_rate"] == pytest.approx(0.5)
    assert (e1["decided_late"], e1["median_decision_hours"], e1["decision_hours_sum"]) == (1, 60.0, 120.0)
    # E2 (110 evaluations: 100 random + 10 targeted) had one upheld dispute: team rate for E1 = 0 / 1, so one
    # overturn is already impossible under the team's rate (p = 0) and E1 is flagged
    assert rows["E2"]["evaluations"] == 110
    assert (e1["team_overturned"], e1["team_decided"], e1["overturn_p_value"], e1["overturn_above_team"]) == (0, 1, 0.0, True)
    assert rows["E2"]["overturn_above_team"] is False


# ---- red line, sampling plan, journey matrix, scorecard ----------------------------------------------------
def test_red_line_chinese_and_english_hits_and_near_misses(built):
    rows = {r["contact_id"]: r for r in _rows(built["con"], "select * from intermediate.int_contacts_red_line")}
    assert (rows["C0600"]["red_line_abuse_hits"], rows["C0600"]["red_line_hits"]) == (1, 1)
    assert (rows["C0601"]["red_line_cold_dismissive_hits"], rows["C0601"]["red_line_phrases"]) == (1, "i don't care")
    assert (rows["C0602"]["red_line_hits"], rows["C0602"]["has_red_line"]) == (0, False)
    assert (rows["C0603"]["red_line_hits"], rows["C0603"]["has_red_line"]) == (0, False)
    (month,) = _rows(built["con"], "select * from marts.rpt_red_line_monthly")
    assert (month["transcribed_contacts"], month["red_line_contacts"], month["red_line_hits"]) == (4, 2, 2)


def test_sampling_plan_is_the_seeded_hash_order(built):
    plan = _rows(built["con"], "select * from marts.rpt_qa_sampling_plan where sample_type = 'random'")
    assert {r["stratum_required_n"] for r in plan} == {278} and len(plan) == 278
    expected = sorted((f"C{i:04d}" for i in range(CALLS_N)),
                      key=lambda c: hashlib.md5(f"callqa|{c}".encode()).hexdigest())[:278]
    assert sorted(r["contact_id"] for r in plan) == sorted(expected)
    targeted = _rows(built["con"], "select * from marts.rpt_qa_sampling_plan where sample_type = 'targeted'")
    red_line_random = {"C0600", "C0601"} & set(expected)
    assert {r["contact_id"] for r in targeted if r["target_reason"] == "red_line"} == {"C0600", "C0601"} - red_line_random


def test_journey_matrix_red_line_and_qa_points(built):
    rows = {r["quality_point"]: r for r in _rows(built["con"], """
        select * from marts.rpt_journey_quality_matrix where local_month = date '2026-01-01'""")}
    assert (rows["agent_no_red_line"]["measured"], rows["agent_no_red_line"]["passed"]) == (4, 2)
    # QA-evaluated contacts (calibration excluded): 200 random + 10 targeted; 30 with a customer-critical fail
    assert (rows["agent_no_customer_critical_error"]["measured"], rows["agent_no_customer_critical_error"]["passed"]) == (210, 180)
    assert (rows["queue_answered_within_threshold"]["measured"], rows["queue_answered_within_threshold"]["passed"]) == (CALLS_N, CALLS_N)


def test_scorecard_qa_columns(built):
    rows = {r["agent_id"]: r for r in _rows(built["con"], """
        select * from marts.rpt_agent_scorecard_monthly where local_month = date '2026-01-01'""")}
    assert sum(r["qa_evaluations"] for r in rows.values()) == 210
    assert sum(r["red_line_hits"] for r in rows.values()) == 2
    assert sum(r["disputes"] for r in rows.values()) == 3
    a0 = rows["A0"]   # C0000 (two customer fails), C0005 .. : every fifth call
    assert a0["critical_without_error"] == a0["customer_critical_without_error"]
    assert a0["qa_required_n"] == math.ceil(384.16 / (1 + 383.16 / 200))  # the agent's 200 handled calls
