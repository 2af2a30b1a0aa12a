"""On a clean synthetic contact center (fixture clean_run: 56 days x 700 contacts/day, seed 11), the QA marts
recover what the generator planted (dagster_project/lib/synth/qa.py, transcripts.py; ground_truth["qa"],
ground_truth["transcripts"]): the critical-error rates of the random samples, the process-wide failure (one
compliance item failing for every agent of one queue), the harsh evaluator, and the red-line contacts.

What "recovered" means, per planted effect:
- rates the generator computed itself from the evaluations it wrote (realised random-sample accuracy, the harsh
  and the other evaluators' overturn rates, the red-line contacts) must come back EXACTLY (to the 4 decimals
  ground_truth.json rounds to): the pipeline reads them back from the delivered files;
- a planted probability (the 30 % process-wide fail rate) must be within 3 binomial standard errors of the rate
  the planted parameters imply, widened by the evaluator noise band the generator plants (a fair evaluator
  misses 5 % of true fails and wrongly fails 0.4 % of passes; the harsh one 6 %).
"""
import math

import pytest
from statsmodels.stats.inter_rater import fleiss_kappa
from statsmodels.stats.proportion import proportion_confint

pytestmark = pytest.mark.slow


def _df(con, sql):
    return con.execute(sql).df()


def test_critical_error_accuracy_recovers_the_realised_random_sample_rates(clean_run):
    truth, con = clean_run
    pooled = _df(con, """
        select error_class, sum(without_error) as without_error, sum(evaluations) as evaluations
        from marts.rpt_critical_error_accuracy group by error_class""").set_index("error_class")
    realised = truth["qa"]["realised_accuracy_random_samples"]
    assert set(pooled.index) == set(realised)
    for error_class, rate in realised.items():
        row = pooled.loc[error_class]
        assert row["evaluations"] > 500
        assert row["without_error"] / row["evaluations"] == pytest.approx(rate, abs=5e-5), error_class
    # every cell carries a Wilson interval around its accuracy and a required n no larger than its population
    cells = _df(con, "select * from marts.rpt_critical_error_accuracy where evaluations > 0")
    assert ((cells["ci_low"] <= cells["accuracy"]) & (cells["accuracy"] <= cells["ci_high"])).all()
    assert (cells["required_n"] <= cells["handled_contacts"]).all()
    # the generator's QA team follows the sampling plan (the required n of each queue-month, plus a small margin,
    # among contacts it can evaluate before the data ends): the cells are sufficient, bar a small queue-month whose
    # last days could not be evaluated in time
    assert cells["sample_sufficient"].mean() >= 0.8, cells[["queue", "local_month", "evaluations", "required_n"]]
    assert (cells["evaluations"] >= 0.9 * cells["required_n"]).all()


def test_process_wide_failure_is_found_and_classified_process_system(clean_run):
    truth, con = clean_run
    planted = truth["qa"]["process_wide_failure"]
    item, queue, fail_rate = planted["item_code"], planted["queue"], planted["fail_rate"]
    cells = _df(con, f"""
        select * from marts.rpt_qa_root_causes
        where queue = '{queue}' and item_code = '{item}' order by local_month""")
    assert len(cells) >= 2
    # every month: many agents fail it, nobody stands out → process/system, and the planted action is linked
    assert (cells["root_cause"] == "process_system").all(), cells[["local_month", "fails", "outlier_agents"]]
    assert (cells["coaching_fails"] <= 0.2 * cells["fails"]).all()
    assert (cells["agents_failing"] >= 0.5 * cells["agents_evaluated"]).all()
    assert (cells["actions_linked"] >= 1).all()
    # observed fail rate = true fails seen (1 - missed) + false fails on true passes, the false-fail rate lying
    # between the fair and the harsh evaluator's: [0.3 x 0.95 + 0.7 x 0.004, 0.3 x 0.95 + 0.7 x 0.06]
    q = truth["qa"]
    low = fail_rate * (1 - q["evaluator_missed_fail_rate"]) + (1 - fail_rate) * q["evaluator_false_fail_rate"]
    high = fail_rate * (1 - q["evaluator_missed_fail_rate"]) + (1 - fail_rate) * q["harsh_evaluator_false_fail_rate"]
    n, fails = cells["evaluations"].sum(), cells["fails"].sum()
    se = math.sqrt(fail_rate * (1 - fail_rate) / n)
    assert low - 3 * se <= fails / n <= high + 3 * se, (fails, n, low, high, se)
    # no other critical item fails process-wide anywhere: the planted failure is the only cell above 15 %. The
    # callback item is left out: it fails by construction whenever a promised callback is late or never made (the
    # planted callback fate, about 16 % of promises), and with QA samples of the plan's size its cells reach 50
    # evaluations
    critical = _df(con, """
        select queue, item_code, sum(fails) as fails, sum(evaluations) as evaluations
        from marts.rpt_qa_root_causes
        where error_class <> 'non_critical' and item_code <> 'callback_commitment_kept'
        group by queue, item_code
        having sum(evaluations) >= 50""")
    high_rate = critical[critical["fails"] / critical["evaluations"] > 0.15]
    assert list(zip(high_rate["queue"], high_rate["item_code"])) == [(queue, item)]
    # at process level (random samples) the queue's compliance accuracy is far below the other queues'
    accuracy = _df(con, """
        select queue = '{0}' as planted_queue, sum(without_error) as ok, sum(evaluations) as n
        from marts.rpt_critical_error_accuracy where error_class = 'compliance_critical'
        group by 1""".format(queue)).set_index("planted_queue")
    planted_high = proportion_confint(accuracy.loc[True, "ok"], accuracy.loc[True, "n"], method="wilson")[1]
    others_low = proportion_confint(accuracy.loc[False, "ok"], accuracy.loc[False, "n"], method="wilson")[0]
    assert planted_high < others_low
    # most problems are the system's: the share of classified fails that are process/system
    loop = _df(con, "select sum(process_system_fails) as process, sum(classified_fails) as total from marts.rpt_qa_improvement_loop")
    assert loop.loc[0, "process"] / loop.loc[0, "total"] >= 0.6


def test_harsh_evaluator_overturns_are_recovered_and_flagged(clean_run):
    truth, con = clean_run
    harsh = truth["qa"]["harsh_evaluator"]
    disputes = _df(con, "select * from marts.rpt_qa_disputes")
    pooled = disputes.assign(is_harsh=disputes["evaluator_id"] == harsh).groupby("is_harsh")[["overturned", "decided"]].sum()
    assert pooled.loc[True, "overturned"] / pooled.loc[True, "decided"] == pytest.approx(
        truth["qa"]["overturn_rate_harsh_evaluator"], abs=5e-5)
    assert pooled.loc[False, "overturned"] / pooled.loc[False, "decided"] == pytest.approx(
        truth["qa"]["overturn_rate_other_evaluators"], abs=5e-5)
    assert disputes["disputes"].sum() == truth["qa"]["disputes"]
    # flagged (one-sided binomial test against the rest of the team, p < 0.05) in every month with enough
    # decided disputes; the others at most once in all their evaluator-months (alpha = 0.05 each)
    his = disputes[(disputes["evaluator_id"] == harsh) & (disputes["decided"] >= 10)]
    assert len(his) >= 1 and his["overturn_above_team"].all(), his
    others = disputes[disputes["evaluator_id"] != harsh]
    assert others["overturn_above_team"].fillna(False).sum() <= 1
    # the same evaluator is the one who agrees least with the calibration majorities
    calibration = _df(con, """
        select evaluator_id, sum(evaluator_agreeing_items) / sum(evaluator_majority_items) as agreement
        from marts.rpt_qa_calibration group by evaluator_id order by agreement""")
    assert calibration.iloc[0]["evaluator_id"] == harsh


def test_calibration_kappa_matches_statsmodels_on_the_same_ratings(clean_run):
    """Per session (every rater rates every item, so statsmodels' constant-n Fleiss applies) the mart's kappa is
    statsmodels'; per month the pooled kappa (raters differ between sessions) is the varying-n form of the same
    formula, recomputed here from the ratings."""
    _, con = clean_run
    ratings = _df(con, "select * from intermediate.int_qa_calibration_ratings where subject_ratings >= 2")
    sessions = _df(con, "select distinct calibration_session_id, fleiss_kappa from marts.rpt_qa_calibration").set_index(
        "calibration_session_id")["fleiss_kappa"]
    compared = 0
    for session, group in ratings.groupby("calibration_session_id"):
        table = (group.groupby(["contact_id", "item_code"])["result"].value_counts().unstack(fill_value=0)
                 .reindex(columns=["pass", "fail"], fill_value=0))
        if table.sum(axis=1).nunique() == 1 and table["fail"].sum() > 0:
            assert sessions[session] == pytest.approx(fleiss_kappa(table.to_numpy()), abs=1e-9), session
            compared += 1
    assert compared >= 5
    monthly = _df(con, "select * from marts.rpt_qa_calibration_monthly").set_index("local_month")
    assert len(monthly) >= 2
    for month, group in ratings.groupby("session_local_month"):
        table = (group.groupby(["calibration_session_id", "contact_id", "item_code"])["result"].value_counts()
                 .unstack(fill_value=0).reindex(columns=["pass", "fail"], fill_value=0)).to_numpy()
        n_i = table.sum(axis=1)
        p_bar = ((table ** 2).sum(axis=1) - n_i) / (n_i * (n_i - 1))
        p_j = table.sum(axis=0) / n_i.sum()
        kappa = (p_bar.mean() - (p_j ** 2).sum()) / (1 - (p_j ** 2).sum())
        assert monthly.loc[month, "fleiss_kappa"] == pytest.approx(kappa, abs=1e-9)
        assert monthly.loc[month, "items"] == len(table)


def test_red_line_contacts_are_exactly_the_planted_ones(clean_run):
    truth, con = clean_run
    planted = truth["transcripts"]["red_line"]
    flagged = _df(con, "select * from intermediate.int_contacts_red_line where has_red_line").set_index("contact_id")
    assert set(flagged.index) == set(planted)
    for contact_id, plant in planted.items():
        assert flagged.loc[contact_id, f"red_line_{plant['class']}_hits"] >= 1, (contact_id, plant)
    assert not set(truth["transcripts"]["near_miss_contacts"]) & set(flagged.index)
    assert not set(truth["transcripts"]["customer_only_red_line_contacts"]) & set(flagged.index)
    transcribed = _df(con, "select count(*) as n from intermediate.int_contacts_red_line")
    assert transcribed.loc[0, "n"] == truth["transcripts"]["transcribed_contacts"]
    monthly = _df(con, "select sum(red_line_contacts) as n from marts.rpt_red_line_monthly")
    assert monthly.loc[0, "n"] == len(planted)


def test_journey_matrix_reconciles_with_service_level_and_fcr_marts(clean_run):
    _, con = clean_run
    matrix = _df(con, """
        select quality_point, sum(measured) as measured, sum(passed) as passed
        from marts.rpt_journey_quality_matrix group by quality_point""").set_index("quality_point")
    service = _df(con, "select sum(offered) as offered, sum(answered_within_threshold) as within from marts.rpt_service_level_interval")
    assert (matrix.loc["queue_answered_within_threshold", "measured"],
            matrix.loc["queue_answered_within_threshold", "passed"]) == (service.loc[0, "offered"], service.loc[0, "within"])
    fcr = _df(con, "select sum(eligible_48h) as eligible, sum(fcr_48h_count) as fcr from marts.rpt_fcr_daily")
    assert (matrix.loc["follow_up_no_repeat_48h", "measured"],
            matrix.loc["follow_up_no_repeat_48h", "passed"]) == (fcr.loc[0, "eligible"], fcr.loc[0, "fcr"])
    assert (matrix["measured"] > 0).all()


def test_sampling_plan_draws_the_required_n_per_stratum(clean_run):
    _, con = clean_run
    plan = _df(con, """
        select queue, local_month, count(*) as drawn, max(stratum_required_n) as required,
               max(stratum_handled_contacts) as handled
        from marts.rpt_qa_sampling_plan where sample_type = 'random' group by queue, local_month""")
    cells = _df(con, """
        select queue, local_month, max(required_n) as required_n, max(handled_contacts) as handled_contacts
        from marts.rpt_critical_error_accuracy where handled_contacts > 0 group by queue, local_month""")
    merged = plan.merge(cells, on=["queue", "local_month"], how="outer", validate="one_to_one")
    assert merged.notna().all().all()
    assert (merged["drawn"] == merged["required"]).all() and (merged["required"] == merged["required_n"]).all()
    assert (merged["handled"] == merged["handled_contacts"]).all()
    targeted = _df(con, "select target_reason, count(*) as n from marts.rpt_qa_sampling_plan where sample_type = 'targeted' group by 1")
    assert set(targeted["target_reason"]) <= {"red_line", "low_csat", "repeat_48h"} and targeted["n"].sum() > 0
