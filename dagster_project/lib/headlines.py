"""Headline numbers from the marts, for the end of `callqa run` / `make demo`. Every rate is recomputed from
the marts' numerators and denominators (never an average of rates); a mart that is not built yet is skipped."""
from __future__ import annotations

from dagster_project.lib.qa_stats import pooled_fleiss_kappa, wilson_interval
from dagster_project.lib.warehouse import table_exists

HEADLINES = [
    (
        "rpt_fcr_daily",
        "first contact resolution",
        """select sum(handled), sum(fcr_48h_count), sum(eligible_48h), sum(fcr_7d_count), sum(eligible_7d),
                  sum(unidentified)
           from marts.rpt_fcr_daily""",
        lambda r: (
            f"{_rate(r[1], r[2])} within 48 h ({r[1]:,} of {r[2]:,} eligible handled contacts), "
            f"{_rate(r[3], r[4])} within 7 days ({r[3]:,} of {r[4]:,}); {r[0]:,} handled, {r[5]:,} unidentified"
        ),
    ),
    (
        "rpt_service_level_interval",
        "service level",
        """select sum(answered_within_threshold), sum(offered), sum(answer_wait_seconds), sum(answered),
                  sum(abandoned), sum(short_abandoned)
           from marts.rpt_service_level_interval""",
        lambda r: (
            f"{_rate(r[0], r[1])} answered within threshold ({r[0]:,} of {r[1]:,} offered calls); "
            f"ASA {r[2] / r[3]:.1f} s; abandon rate {_rate(r[4], r[1])} ({r[5]:,} short abandons not offered)"
            if r[3] else "no calls offered"
        ),
    ),
    (
        "fct_tickets",
        "tickets",
        """select count(*), count(*) filter (where reopened_within_7d), count(reopened_within_7d),
                  count(*) filter (where resolution_sla_met and priority_at_creation = 'urgent'),
                  count(resolution_sla_met) filter (where priority_at_creation = 'urgent')
           from marts.fct_tickets""",
        lambda r: (
            f"{r[0]:,} tickets; reopened within 7 days of a solve {_rate(r[1], r[2])} ({r[1]:,} of {r[2]:,}); "
            f"urgent resolved within target {_rate(r[3], r[4])} ({r[3]:,} of {r[4]:,})"
        ),
    ),
    (
        "rpt_forecast_accuracy_daily",
        "forecast accuracy",
        """select sum(abs_error_weighted) filter (where measure = 'contacts'),
                  sum(actual_weighted) filter (where measure = 'contacts'),
                  sum(error_weighted) filter (where measure = 'contacts'),
                  sum(intervals_within_tolerance) filter (where measure = 'contacts'),
                  sum(accuracy_intervals) filter (where measure = 'contacts'),
                  sum(naive_abs_error_weighted) filter (where measure = 'contacts'),
                  sum(paired_abs_error_weighted) filter (where measure = 'contacts'),
                  sum(paired_actual_weighted) filter (where measure = 'contacts'),
                  sum(abs_error_weighted) filter (where measure = 'aht'),
                  sum(actual_weighted) filter (where measure = 'aht'),
                  sum(forecast_weighted) filter (where measure = 'shrinkage'),
                  sum(actual_weighted) filter (where measure = 'shrinkage'),
                  sum(weight) filter (where measure = 'shrinkage')
           from marts.rpt_forecast_accuracy_daily""",
        lambda r: (
            f"contacts WAPE {_rate(r[0], r[1])}, bias {r[2] / r[1]:+.1%}, {_rate(r[3], r[4])} of intervals within "
            f"tolerance; seasonal-naive WAPE {_rate(r[5], r[7])} vs {_rate(r[6], r[7])} (value added "
            f"{(r[5] - r[6]) / r[7] * 100:+.1f} pts); AHT WAPE {_rate(r[8], r[9])}; shrinkage planned "
            f"{_rate(r[10], r[12])} vs actual {_rate(r[11], r[12])}"
            if r[1] and r[7] and r[12] else "no evaluated forecast intervals"
        ),
    ),
    (
        "rpt_hiring_quality",
        "hiring quality",
        """select sum(performing_90d), sum(judged), sum(retained_90d), sum(eligible), sum(attrition_90d_voluntary),
                  sum(attrition_90d_involuntary), sum(censored), sum(insufficient_data) + sum(not_observed)
           from marts.rpt_hiring_quality""",
        lambda r: (
            f"{_rate(r[0], r[1])} of judged hires retained and performing at day 90 ({r[0]:,} of {r[1]:,}); "
            f"90-day retention {_rate(r[2], r[3])} ({r[4]:,} voluntary, {r[5]:,} involuntary exits); "
            f"{r[6]:,} hires too recent (censored), {r[7]:,} not judgeable"
        ),
    ),
    (
        "rpt_training_quality",
        "training quality",
        """select sum(proficient), sum(judged), sum(graduated), sum(started), count(*) filter (where judged > 0),
                  sum(censored)
           from marts.rpt_training_quality""",
        lambda r: (
            f"{_rate(r[0], r[1])} of judged graduates proficient in their first 30 production days ({r[0]:,} of "
            f"{r[1]:,}, {r[4]:,} classes; target 90 %); graduation rate {_rate(r[2], r[3])}; {r[5]:,} graduates "
            f"still in their window"
        ),
    ),
    (
        "rpt_critical_error_accuracy",
        "critical-error accuracy",
        """select sum(without_error) filter (where error_class = 'customer_critical'),
                  sum(evaluations) filter (where error_class = 'customer_critical'),
                  sum(without_error) filter (where error_class = 'business_critical'),
                  sum(evaluations) filter (where error_class = 'business_critical'),
                  sum(without_error) filter (where error_class = 'compliance_critical'),
                  sum(evaluations) filter (where error_class = 'compliance_critical'),
                  count(*) filter (where error_class = 'customer_critical' and evaluations > 0),
                  count(*) filter (where error_class = 'customer_critical' and sample_sufficient),
                  (select max(target) from reference.metric_targets where metric = 'qa_sample_confidence_z')
           from marts.rpt_critical_error_accuracy""",
        lambda r: (
            f"customer {_rate(r[0], r[1])} (95% CI {_wilson(r[0], r[1], r[8] or 1.96)}), "
            f"business {_rate(r[2], r[3])} ({_wilson(r[2], r[3], r[8] or 1.96)}), "
            f"compliance {_rate(r[4], r[5])} ({_wilson(r[4], r[5], r[8] or 1.96)}); "
            f"{r[1]:,} random evaluations, {r[7]} of {r[6]} queue-months with a sufficient sample"
        ),
    ),
    (
        "rpt_qa_calibration_monthly",
        "QA calibration",
        """select sum(agreement_sum), sum(items), sum(fail_ratings), sum(ratings), sum(sessions),
                  sum(agreeing_with_majority), sum(majority_ratings)
           from marts.rpt_qa_calibration_monthly""",
        lambda r: (
            f"Fleiss' kappa {_kappa(r[0], r[1], r[2], r[3])}, item agreement {_rate(r[0], r[1])} over {r[4]:,} "
            f"sessions; {_rate(r[5], r[6])} of ratings agree with the session majority"
        ),
    ),
    (
        "rpt_qa_disputes",
        "QA disputes",
        """select sum(disputes), sum(evaluations), sum(overturned), sum(decided), sum(decided_late),
                  sum(decided_with_time),
                  coalesce(string_agg(distinct case when overturn_above_team then evaluator_id end, ', '), 'none')
           from marts.rpt_qa_disputes""",
        lambda r: (
            f"dispute rate {_rate(r[0], r[1])} ({r[0]:,} of {r[1]:,} evaluations), overturned {_rate(r[2], r[3])} "
            f"of {r[3]:,} decided, {_rate(r[4], r[5])} decided after the target; overturns significantly above "
            f"the team: {r[6]}"
        ),
    ),
    (
        "rpt_qa_improvement_loop",
        "QA root causes",
        """select sum(process_system_fails), sum(classified_fails), sum(problems_found), sum(actions_opened),
                  sum(actions_done), sum(actions_open)
           from marts.rpt_qa_improvement_loop""",
        lambda r: (
            f"{_rate(r[0], r[1])} of classified QA failures are process/system, not the agent ({r[2]:,} problems); "
            f"{r[3]:,} improvement actions opened, {r[4]:,} done, {r[5]:,} open"
        ),
    ),
    (
        "rpt_red_line_monthly",
        "red line",
        """select sum(red_line_contacts), sum(transcribed_contacts), sum(red_line_hits), sum(compared_both),
                  sum(compared_red_line), sum(compared_courtesy_failed)
           from marts.rpt_red_line_monthly""",
        lambda r: (
            f"{_rate(r[0], r[1])} of transcribed contacts ({r[0]:,} of {r[1]:,}; {r[2]:,} phrases); confirmed by "
            f"the courtesy QA item {_rate(r[3], r[4])}, catching {_rate(r[3], r[5])} of courtesy failures"
        ),
    ),

    (
        "analysis.satisfaction_model_fit",
        "satisfaction drivers",
        """select max(status), max(status_reason), max(nobs), max(pseudo_r2),
                  (select string_agg(driver || ' ' || printf('%.0f', 100 * importance) || ' %', ', '
                                     order by importance desc)
                     from (select driver, importance from analysis.satisfaction_drivers
                           where role = 'driver' and importance is not null order by importance desc limit 3))
           from analysis.satisfaction_model_fit where model = 'all_surveyed'""",
        lambda r: (
            f"top drivers of csat (share of the explained effect): {r[4]}; {r[2]:,} surveyed contacts, "
            f"McFadden R2 {r[3]:.3f}" if r[0] == "fitted" else f"no model ({r[1]})"
        ),
    ),
    (
        "analysis.satisfaction_thresholds",
        "csat tipping points",
        """select string_agg(driver || ' beyond ' || printf('%.0f', threshold) || ' ' || unit || 's (interval '
                             || printf('%.0f', threshold_ci_low) || '-' || printf('%.0f', threshold_ci_high) || '): '
                             || printf('%+.2f', slope_above) || ' log-odds per ' || slope_unit || ', p = '
                             || printf('%.3f', p_value), '; ' order by p_value), count(*)
           from analysis.satisfaction_thresholds where is_tipping_point""",
        lambda r: r[0] if r[1] else "none found (no driver's hinge beats a straight line)",
    ),
]


def _rate(numerator, denominator) -> str:
    return f"{numerator / denominator:.1%}" if denominator else "n/a"


def _wilson(successes, trials, z) -> str:
    low, high = wilson_interval(successes, trials, z)
    return f"{low:.1%}-{high:.1%}" if trials else "n/a"


def _kappa(agreement_sum, items, fail_ratings, ratings) -> str:
    kappa = pooled_fleiss_kappa(agreement_sum, items, fail_ratings, ratings)
    return "n/a (no variation)" if kappa is None and items and ratings else ("n/a" if kappa is None else f"{kappa:.2f}")


def headlines(con) -> list[str]:
    lines = []
    for table, label, sql, fmt in HEADLINES:
        schema, _, name = table.rpartition(".")  # "analysis.x" names its schema; a bare name is a mart
        if not table_exists(con, schema or "marts", name):
            continue
        row = [v if v is not None else 0 for v in con.execute(sql).fetchall()[0]]
        lines.append(f"{label + ':':<28}{fmt(row)}")
    return lines
