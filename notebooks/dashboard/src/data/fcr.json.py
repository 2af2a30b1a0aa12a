"""First contact resolution and repeat contacts: marts.rpt_fcr_daily and marts.fct_contacts."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serving import ratio, rows, run  # noqa: E402


def build(con):
    (totals,) = rows(con, """
        select sum(fcr_48h_count) as fcr_48h_count, sum(eligible_48h) as eligible_48h,
               sum(fcr_7d_count) as fcr_7d_count, sum(eligible_7d) as eligible_7d,
               max(fcr_48h_target) as fcr_48h_target, max(fcr_7d_target) as fcr_7d_target,
               cast(min(local_date) as varchar) as first_date, cast(max(local_date) as varchar) as last_date
        from marts.rpt_fcr_daily""")
    totals["fcr_48h_rate"] = ratio(totals["fcr_48h_count"], totals["eligible_48h"])
    totals["fcr_7d_rate"] = ratio(totals["fcr_7d_count"], totals["eligible_7d"])
    (repeats,) = rows(con, """
        select count(*) filter (where has_repeat_48h) as repeat_48h,
               count(has_repeat_48h) as judged_48h,
               count(*) filter (where has_repeat_48h is null) as not_judged_48h
        from marts.fct_contacts""")
    repeats["repeat_48h_rate"] = ratio(repeats["repeat_48h"], repeats["judged_48h"])
    daily = rows(con, """
        select cast(local_date as varchar) as date, sum(fcr_48h_count) as fcr_48h_count,
               sum(eligible_48h) as eligible_48h
        from marts.rpt_fcr_daily group by local_date order by local_date""")
    for row in daily:
        row["fcr_48h_rate"] = ratio(row["fcr_48h_count"], row["eligible_48h"])
    by_channel = rows(con, """
        select channel, sum(eligible_48h) as eligible_48h, sum(fcr_48h_count) as fcr_48h_count,
               sum(eligible_7d) as eligible_7d, sum(fcr_7d_count) as fcr_7d_count
        from marts.rpt_fcr_daily group by channel order by channel""")
    for row in by_channel:
        row["fcr_48h_rate"] = ratio(row["fcr_48h_count"], row["eligible_48h"])
        row["fcr_7d_rate"] = ratio(row["fcr_7d_count"], row["eligible_7d"])
    return {"totals": {**totals, **repeats}, "daily": daily, "by_channel": by_channel}


run(("marts.rpt_fcr_daily", "marts.fct_contacts"), build)
