"""First contact resolution and repeat contacts: marts.rpt_fcr_daily and marts.fct_contacts, as summable parts per
local date x channel x queue, so that the page's date / channel / queue filters sum the parts first, then divide.
A contact without a queue is shown under the code `no_queue`."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serving import rows, run  # noqa: E402


def build(con):
    parts = rows(con, """
        with fcr as (
            select local_date, channel, coalesce(queue, 'no_queue') as queue,
                   sum(fcr_48h_count) as fcr_48h_count, sum(eligible_48h) as eligible_48h,
                   sum(fcr_7d_count) as fcr_7d_count, sum(eligible_7d) as eligible_7d
            from marts.rpt_fcr_daily group by all
        ),
        repeats as (
            select local_date, channel, coalesce(queue, 'no_queue') as queue,
                   count(*) filter (where has_repeat_48h) as repeat_48h,
                   count(has_repeat_48h) as judged_48h,
                   count(*) filter (where has_repeat_48h is null) as not_judged_48h
            from marts.fct_contacts group by all
        )
        select cast(local_date as varchar) as date, channel, queue,
               coalesce(fcr.fcr_48h_count, 0) as fcr_48h_count, coalesce(fcr.eligible_48h, 0) as eligible_48h,
               coalesce(fcr.fcr_7d_count, 0) as fcr_7d_count, coalesce(fcr.eligible_7d, 0) as eligible_7d,
               coalesce(repeats.repeat_48h, 0) as repeat_48h, coalesce(repeats.judged_48h, 0) as judged_48h,
               coalesce(repeats.not_judged_48h, 0) as not_judged_48h
        from fcr full join repeats using (local_date, channel, queue)
        where local_date is not null
        order by local_date, channel, queue""")
    return {"parts": parts}


run(("marts.rpt_fcr_daily", "marts.fct_contacts"), build)
