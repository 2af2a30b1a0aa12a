"""Forecast accuracy: marts.rpt_forecast_accuracy_daily (per queue and measure) and _horizon (per horizon bucket).
wape = sum w|F - A| / sum wA; bias = sum w(F - A) / sum wA, from the summed weighted parts."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serving import ratio, rows, run  # noqa: E402

PARTS = """sum(abs_error_weighted) as abs_error_weighted, sum(error_weighted) as error_weighted,
           sum(actual_weighted) as actual_weighted, sum(intervals) as intervals"""


def rates(row):
    row["wape"] = ratio(row["abs_error_weighted"], row["actual_weighted"])
    row["bias"] = ratio(row["error_weighted"], row["actual_weighted"])
    return row


def build(con):
    by_measure = rows(con, f"""
        select measure, max(wape_target) as wape_target, {PARTS}
        from marts.rpt_forecast_accuracy_daily group by measure order by measure""")
    by_queue = rows(con, f"""
        select queue, measure, {PARTS}
        from marts.rpt_forecast_accuracy_daily where measure = 'contacts' group by queue, measure order by queue""")
    by_horizon = rows(con, f"""
        select horizon_bucket, min(horizon_bucket_order) as horizon_bucket_order, measure, {PARTS}
        from marts.rpt_forecast_accuracy_horizon group by horizon_bucket, measure
        order by horizon_bucket_order, measure""")
    return {
        "by_measure": [rates(r) for r in by_measure],
        "by_queue": [rates(r) for r in by_queue],
        "by_horizon": [rates(r) for r in by_horizon],
    }


run(("marts.rpt_forecast_accuracy_daily", "marts.rpt_forecast_accuracy_horizon"), build)
