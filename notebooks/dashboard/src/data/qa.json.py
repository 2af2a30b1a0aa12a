"""QA: critical-error accuracy with Wilson intervals, calibration and disputes (marts.rpt_critical_error_accuracy,
rpt_qa_calibration_monthly, rpt_qa_disputes). Pooled over queues and months by summing counts, then dividing; the
Wilson interval is recomputed from the pooled counts at z = metric_targets qa_sample_confidence_z."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serving import missing_tables, ratio, rows, run  # noqa: E402

from dagster_project.lib.qa_stats import pooled_fleiss_kappa, wilson_interval  # noqa: E402


def wilson(successes, n, z):
    return wilson_interval(successes, n, z) if n else (None, None)


def build(con):
    z = 1.96
    if not missing_tables(con, "reference.metric_targets"):
        found = con.execute("select target from reference.metric_targets where metric = 'qa_sample_confidence_z'").fetchall()
        z = found[0][0] if found else z
    accuracy = rows(con, """
        select error_class, sum(evaluations) as evaluations, sum(without_error) as without_error,
               max(target) as target
        from marts.rpt_critical_error_accuracy group by error_class order by error_class""")
    for row in accuracy:
        row["accuracy"] = ratio(row["without_error"], row["evaluations"])
        row["ci_low"], row["ci_high"] = wilson(row["without_error"], row["evaluations"], z)
    calibration = rows(con, """
        select cast(local_month as varchar) as month, sessions, items, ratings, agreement_sum, pass_ratings,
               fail_ratings, fleiss_kappa, kappa_null_reason, percent_agreement_target, fleiss_kappa_target
        from marts.rpt_qa_calibration_monthly order by local_month""")
    for row in calibration:
        row["percent_agreement"] = ratio(row["agreement_sum"], row["items"])
    (pooled,) = rows(con, """
        select sum(agreement_sum) as agreement_sum, sum(items) as items, sum(pass_ratings) as pass_ratings,
               sum(fail_ratings) as fail_ratings, sum(ratings) as ratings
        from marts.rpt_qa_calibration_monthly""")
    pooled["percent_agreement"] = ratio(pooled["agreement_sum"], pooled["items"])
    pooled["fleiss_kappa"] = pooled_fleiss_kappa(
        pooled["agreement_sum"], pooled["items"], pooled["fail_ratings"], pooled["ratings"])
    disputes = rows(con, """
        select evaluator_id, sum(evaluations) as evaluations, sum(disputes) as disputes, sum(decided) as decided,
               sum(overturned) as overturned, sum(open_disputes) as open_disputes
        from marts.rpt_qa_disputes group by evaluator_id order by evaluator_id""")
    totals = {k: sum(r[k] or 0 for r in disputes) for k in ("evaluations", "disputes", "decided", "overturned")}
    for row in [*disputes, totals]:
        row["dispute_rate"] = ratio(row["disputes"], row["evaluations"])
        row["overturn_rate"] = ratio(row["overturned"], row["decided"])
    return {"z": z, "accuracy": accuracy, "calibration": calibration, "calibration_pooled": pooled,
            "disputes": disputes, "disputes_total": totals}


run(("marts.rpt_critical_error_accuracy", "marts.rpt_qa_calibration_monthly", "marts.rpt_qa_disputes"), build)
