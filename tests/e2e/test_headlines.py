"""Every headline number of marts.rpt_headlines against an independent pandas computation from the marts it
summarises (on the shared clean pipeline run), and the run summary printing exactly those rows."""
import math

import pandas as pd
import pytest

from dagster_project.lib.headlines import format_headline, headline_rows, headlines
from dagster_project.lib.qa_stats import pooled_fleiss_kappa, wilson_interval

pytestmark = pytest.mark.slow


def _mart(con, name) -> pd.DataFrame:
    return con.execute(f"select * from marts.{name}").df()


def _ratio(numerator, denominator):
    return (float(numerator), float(denominator), float(numerator) / denominator if denominator else None)


def _expected(con) -> dict[str, tuple]:
    """metric -> (numerator, denominator, value) from the marts, in pandas."""
    fcr, sl, tk = _mart(con, "rpt_fcr_daily"), _mart(con, "rpt_service_level_interval"), _mart(con, "fct_tickets")
    fa, hq, tq = _mart(con, "rpt_forecast_accuracy_daily"), _mart(con, "rpt_hiring_quality"), _mart(con, "rpt_training_quality")
    ce, cal = _mart(con, "rpt_critical_error_accuracy"), _mart(con, "rpt_qa_calibration_monthly")
    dis, imp, rl = _mart(con, "rpt_qa_disputes"), _mart(con, "rpt_qa_improvement_loop"), _mart(con, "rpt_red_line_monthly")
    c, a, s = (fa[fa.measure == m] for m in ("contacts", "aht", "shrinkage"))
    urgent = tk[tk.priority_at_creation == "urgent"]
    out = {
        "fcr_48h": _ratio(fcr.fcr_48h_count.sum(), fcr.eligible_48h.sum()),
        "fcr_7d": _ratio(fcr.fcr_7d_count.sum(), fcr.eligible_7d.sum()),
        "handled_contacts": (fcr.handled.sum(), None, fcr.handled.sum()),
        "unidentified_contacts": (fcr.unidentified.sum(), None, fcr.unidentified.sum()),
        "service_level": _ratio(sl.answered_within_threshold.sum(), sl.offered.sum()),
        "asa_seconds": _ratio(sl.answer_wait_seconds.sum(), sl.answered.sum()),
        "abandon_rate": _ratio(sl.abandoned.sum(), sl.offered.sum()),
        "short_abandons": (sl.short_abandoned.sum(), None, sl.short_abandoned.sum()),
        "tickets": (len(tk), None, len(tk)),
        "ticket_reopen_7d_rate": _ratio(tk.reopened_within_7d.fillna(False).astype(bool).sum(), tk.reopened_within_7d.notna().sum()),
        "urgent_resolution_sla_rate": _ratio(urgent.resolution_sla_met.fillna(False).astype(bool).sum(), urgent.resolution_sla_met.notna().sum()),
        "contacts_wape": _ratio(c.abs_error_weighted.sum(), c.actual_weighted.sum()),
        "contacts_bias": _ratio(c.error_weighted.sum(), c.actual_weighted.sum()),
        "intervals_within_tolerance": _ratio(c.intervals_within_tolerance.sum(), c.accuracy_intervals.sum()),
        "naive_wape": _ratio(c.naive_abs_error_weighted.sum(), c.paired_actual_weighted.sum()),
        "paired_wape": _ratio(c.paired_abs_error_weighted.sum(), c.paired_actual_weighted.sum()),
        "forecast_value_added": _ratio(c.naive_abs_error_weighted.sum() - c.paired_abs_error_weighted.sum(), c.paired_actual_weighted.sum()),
        "aht_wape": _ratio(a.abs_error_weighted.sum(), a.actual_weighted.sum()),
        "shrinkage_planned": _ratio(s.forecast_weighted.sum(), s.weight.sum()),
        "shrinkage_actual": _ratio(s.actual_weighted.sum(), s.weight.sum()),
        "hiring_quality_rate": _ratio(hq.performing_90d.sum(), hq.judged.sum()),
        "retention_90d_rate": _ratio(hq.retained_90d.sum(), hq.eligible.sum()),
        "voluntary_exits_90d": (hq.attrition_90d_voluntary.sum(), None, hq.attrition_90d_voluntary.sum()),
        "involuntary_exits_90d": (hq.attrition_90d_involuntary.sum(), None, hq.attrition_90d_involuntary.sum()),
        "hires_censored": (hq.censored.sum(), None, hq.censored.sum()),
        "hires_not_judgeable": ((hq.insufficient_data + hq.not_observed).sum(), None, (hq.insufficient_data + hq.not_observed).sum()),
        "training_quality_rate": _ratio(tq.proficient.sum(), tq.judged.sum()),
        "classes_judged": ((tq.judged > 0).sum(), None, (tq.judged > 0).sum()),
        "graduation_rate": _ratio(tq.graduated.sum(), tq.started.sum()),
        "graduates_in_window": (tq.censored.sum(), None, tq.censored.sum()),
        "calibration_item_agreement": _ratio(cal.agreement_sum.sum(), cal["items"].sum()),
        "calibration_sessions": (cal.sessions.sum(), None, cal.sessions.sum()),
        "calibration_majority_agreement": _ratio(cal.agreeing_with_majority.sum(), cal.majority_ratings.sum()),
        "dispute_rate": _ratio(dis.disputes.sum(), dis.evaluations.sum()),
        "dispute_overturn_rate": _ratio(dis.overturned.sum(), dis.decided.sum()),
        "disputes_decided_late": _ratio(dis.decided_late.sum(), dis.decided_with_time.sum()),
        "evaluators_overturned_above_team": (dis[dis.overturn_above_team.fillna(False).astype(bool)].evaluator_id.nunique(), None, None),
        "process_system_share": _ratio(imp.process_system_fails.sum(), imp.classified_fails.sum()),
        "problems_found": (imp.problems_found.sum(), None, imp.problems_found.sum()),
        "actions_opened": (imp.actions_opened.sum(), None, imp.actions_opened.sum()),
        "actions_done": (imp.actions_done.sum(), None, imp.actions_done.sum()),
        "actions_open": (imp.actions_open.sum(), None, imp.actions_open.sum()),
        "red_line_contact_rate": _ratio(rl.red_line_contacts.sum(), rl.transcribed_contacts.sum()),
        "red_line_phrases": (rl.red_line_hits.sum(), None, rl.red_line_hits.sum()),
        "red_line_confirmed_by_qa": _ratio(rl.compared_both.sum(), rl.compared_red_line.sum()),
        "courtesy_failures_caught": _ratio(rl.compared_both.sum(), rl.compared_courtesy_failed.sum()),
    }
    for cls in ("customer", "business", "compliance"):
        rows = ce[ce.error_class == f"{cls}_critical"]
        out[f"{cls}_critical_accuracy"] = _ratio(rows.without_error.sum(), rows.evaluations.sum())
    cust = ce[ce.error_class == "customer_critical"]
    out["sufficient_queue_months"] = _ratio(cust.sample_sufficient.fillna(False).astype(bool).sum(), (cust.evaluations > 0).sum())
    kappa = pooled_fleiss_kappa(cal.agreement_sum.sum(), cal["items"].sum(), cal.fail_ratings.sum(), cal.ratings.sum())
    out["calibration_fleiss_kappa"] = (None, None, kappa)
    return out


def test_every_headline_equals_the_marts(clean_run):
    _, con = clean_run
    rows = {r["metric"]: r for r in headline_rows(con)}
    expected = _expected(con)
    assert set(rows) == set(expected)
    for metric, (numerator, denominator, value) in expected.items():
        row = rows[metric]
        if numerator is not None:
            assert row["numerator"] == pytest.approx(float(numerator), rel=1e-12, abs=1e-9), metric
        if denominator is not None:
            assert row["denominator"] == pytest.approx(float(denominator), rel=1e-12), metric
        if value is None or (isinstance(value, float) and math.isnan(value)):
            if metric != "evaluators_overturned_above_team":
                assert row["value"] is None and row["null_reason"], (metric, row)
        else:
            assert row["value"] == pytest.approx(float(value), rel=1e-12, abs=1e-12), metric
            assert row["null_reason"] is None, (metric, row)
    z = con.execute("select target from reference.metric_targets where metric = 'qa_sample_confidence_z'").fetchall()[0][0]
    for cls in ("customer", "business", "compliance"):
        row = rows[f"{cls}_critical_accuracy"]
        low, high = wilson_interval(row["numerator"], row["denominator"], z)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), abs=1e-12)
    targets = dict(con.execute("select metric, target from reference.metric_targets").fetchall())
    for row in rows.values():
        if row["target_metric"]:
            assert row["target"] == targets[row["target_metric"]], row["metric"]
            if row["value"] is not None:
                good = {"higher_is_better": row["value"] >= row["target"], "lower_is_better": row["value"] <= row["target"],
                        "tolerance": abs(row["value"]) <= row["target"]}[row["target_direction"]]
                assert row["target_met"] == good, row["metric"]


def test_the_summary_prints_the_headline_rows(clean_run):
    _, con = clean_run
    lines = headlines(con)
    for row in headline_rows(con):
        line = next(l for l in lines if l.startswith(row["area"] + ":"))
        assert format_headline(row) in line, row["metric"]
