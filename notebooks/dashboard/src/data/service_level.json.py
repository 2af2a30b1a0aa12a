"""Service level: marts.rpt_service_level_interval as summable parts per local date x queue (the headline numbers
and the table, under the page's date and queue filters) and per local date x queue x half-hour of the local day
(the intraday heatmap). service level = answered within threshold / offered; abandon rate = abandoned / offered;
ASA = answer wait / answered; every one from summed parts."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serving import rows, run  # noqa: E402

PARTS = """sum(offered) as offered, sum(answered) as answered, sum(abandoned) as abandoned,
           sum(answered_within_threshold) as answered_within_threshold, sum(answer_wait_seconds) as answer_wait_seconds"""
SLOT_FIELDS = ["date", "queue", "slot", "offered", "answered_within_threshold"]


def build(con):
    daily = rows(con, f"""
        select cast(local_date as varchar) as date, queue, {PARTS}
        from marts.rpt_service_level_interval group by local_date, queue order by local_date, queue""")
    queues = rows(con, """
        select queue, max(service_level_target) as service_level_target, max(threshold_seconds) as threshold_seconds
        from marts.rpt_service_level_interval group by queue order by queue""")
    # Half-hour of the local day: 0 = 00:00-00:30 ... 47 = 23:30-24:00. A 15-minute interval falls in its half hour.
    # Rows with nothing offered are left out (a closed queue has no service level); compact rows, field names once.
    slots = con.execute("""
        select cast(local_date as varchar), queue,
               cast((hour(interval_start_local) * 60 + minute(interval_start_local)) // 30 as integer) as slot,
               sum(offered), sum(answered_within_threshold)
        from marts.rpt_service_level_interval group by all having sum(offered) > 0 order by 1, 2, 3""").fetchall()
    return {"daily": daily, "queues": queues, "slot_fields": SLOT_FIELDS, "slots": [list(r) for r in slots]}


run(("marts.rpt_service_level_interval",), build)
