"""Hiring and training quality: marts.rpt_hiring_quality and marts.rpt_training_quality."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serving import ratio, rows, run  # noqa: E402

HIRING = """sum(hires) as hires, sum(eligible) as eligible, sum(retained_90d) as retained_90d,
            sum(judged) as judged, sum(performing_90d) as performing_90d"""


def hiring_rates(row):
    row["retention_90d_rate"] = ratio(row["retained_90d"], row["eligible"])
    row["hiring_quality_rate"] = ratio(row["performing_90d"], row["judged"])
    return row


def build(con):
    (hiring,) = rows(con, f"select {HIRING}, max(retention_90d_target) as retention_90d_target from marts.rpt_hiring_quality")
    by_source = rows(con, f"""
        select coalesce(hire_source, '(not recorded)') as hire_source, {HIRING}
        from marts.rpt_hiring_quality group by 1 order by 1""")
    (training,) = rows(con, """
        select sum(started) as started, sum(graduated) as graduated, sum(judged) as judged, sum(proficient) as proficient
        from marts.rpt_training_quality""")
    training["graduation_rate"] = ratio(training["graduated"], training["started"])
    training["training_quality_rate"] = ratio(training["proficient"], training["judged"])
    classes = rows(con, """
        select class_id, program, cast(class_started_at as varchar) as class_started_at, started, graduated,
               judged, proficient, training_quality_null_reason
        from marts.rpt_training_quality order by class_started_at, class_id""")
    for row in classes:
        row["graduation_rate"] = ratio(row["graduated"], row["started"])
        row["training_quality_rate"] = ratio(row["proficient"], row["judged"])
    return {"hiring": hiring_rates(hiring), "by_source": [hiring_rates(r) for r in by_source],
            "training": training, "classes": classes}


run(("marts.rpt_hiring_quality", "marts.rpt_training_quality"), build)
