"""Service level per queue and day: marts.rpt_service_level_interval (service_level = within threshold / offered)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serving import ratio, rows, run  # noqa: E402

PARTS = """sum(offered) as offered, sum(answered) as answered, sum(abandoned) as abandoned,
           sum(answered_within_threshold) as answered_within_threshold, sum(answer_wait_seconds) as answer_wait_seconds"""


def rates(row):
    row["service_level"] = ratio(row["answered_within_threshold"], row["offered"])
    row["abandon_rate"] = ratio(row["abandoned"], row["offered"])
    row["asa_seconds"] = ratio(row["answer_wait_seconds"], row["answered"])
    return row


def build(con):
    (totals,) = rows(con, f"select {PARTS} from marts.rpt_service_level_interval")
    daily = rows(con, f"""
        select cast(local_date as varchar) as date, queue, {PARTS}
        from marts.rpt_service_level_interval group by local_date, queue order by local_date, queue""")
    by_queue = rows(con, f"""
        select queue, max(service_level_target) as service_level_target, max(threshold_seconds) as threshold_seconds,
               {PARTS}
        from marts.rpt_service_level_interval group by queue order by queue""")
    return {"totals": rates(totals), "daily": [rates(r) for r in daily], "by_queue": [rates(r) for r in by_queue]}


run(("marts.rpt_service_level_interval",), build)
