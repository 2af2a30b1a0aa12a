"""Forecast accuracy: marts.rpt_forecast_accuracy_daily as summable parts per local date x queue x measure (the
page's date and queue filters sum them, then divide) and marts.rpt_forecast_accuracy_horizon per queue x horizon
bucket x measure. wape = sum w|F - A| / sum wA; bias = sum w(F - A) / sum wA. Shrinkage is not a WAPE: the page
shows planned (sum wF / sum w) against actual (sum wA / sum w), in points."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serving import rows, run  # noqa: E402

PARTS = """sum(abs_error_weighted) as abs_error_weighted, sum(error_weighted) as error_weighted,
           sum(actual_weighted) as actual_weighted, sum(forecast_weighted) as forecast_weighted,
           sum(weight) as weight, sum(intervals) as intervals"""


def build(con):
    daily = rows(con, f"""
        select cast(local_date as varchar) as date, queue, measure, {PARTS}
        from marts.rpt_forecast_accuracy_daily group by local_date, queue, measure
        order by local_date, queue, measure""")
    by_horizon = rows(con, f"""
        select queue, horizon_bucket, min(horizon_bucket_order) as horizon_bucket_order, measure, {PARTS}
        from marts.rpt_forecast_accuracy_horizon group by queue, horizon_bucket, measure
        order by horizon_bucket_order, measure, queue""")
    return {"daily": daily, "by_horizon": by_horizon}


run(("marts.rpt_forecast_accuracy_daily", "marts.rpt_forecast_accuracy_horizon"), build)
