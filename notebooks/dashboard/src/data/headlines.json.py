"""The overview's headline numbers: marts.rpt_headlines as it is (value, numerator, denominator, target, direction,
target_met, null_reason). Nothing is recomputed here: the mart is the one place that says what a headline is and
whether it meets its target; the page only formats it and splits a missed target into amber and red (ui.js)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serving import missing_tables, rows, run  # noqa: E402


def build(con):
    headlines = rows(con, """
        select area_order, area, metric_order, metric, label, unit, numerator, denominator, value, ci_low, ci_high,
               target_metric, target, target_direction, target_met, text_value, null_reason
        from marts.rpt_headlines order by area_order, metric_order""")
    (period,) = rows(con, """
        select cast(min(local_date) as varchar) as first_date, cast(max(local_date) as varchar) as last_date
        from marts.rpt_fcr_daily""")
    # A synthetic center's weak spots planted on purpose (reference.planted_weak_spots, lib/planted.py): absent for
    # real data.
    planted = [] if missing_tables(con, "reference.planted_weak_spots") else rows(con, """
        select name, what, where_it_shows from reference.planted_weak_spots order by spot_order""")
    return {"headlines": headlines, "period": period, "planted": planted}


run(("marts.rpt_headlines", "marts.rpt_fcr_daily"), build)
