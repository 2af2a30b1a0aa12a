"""Voice of the customer: analysis.survey_dimension_drivers (which survey dimension drives overall satisfaction, per
survey kind, against its performance), analysis.survey_question_performance and the link to the journey quality
points (marts.rpt_survey_dimension_quality_points). All from the serving copy; when a table is missing the page
says so."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serving import rows, run  # noqa: E402


def build(con):
    dimensions = rows(con, """
        select kind, dimension, status, refused_reason, n, overall_scale, overall_levels, coef, ci_low, ci_high,
               importance_share, performance, bottom_two_box_share, quadrant
        from analysis.survey_dimension_drivers where segment_type = 'all'
        order by kind, importance_share desc nulls last, dimension""")
    questions = rows(con, """
        select kind, question_code, dimension, answers, mean_score, scale_min, scale_max, performance,
               bottom_two_box_share, quadrant
        from analysis.survey_question_performance where segment_type = 'all'
        order by kind, dimension, question_code""")
    points = rows(con, """
        select kind, dimension, quality_point, touchpoint, measured, passed, pass_rate, target, meets_target
        from marts.rpt_survey_dimension_quality_points where quality_point is not null
        order by kind, dimension, quality_point""")
    return {"dimensions": dimensions, "questions": questions, "quality_points": points}


run(("analysis.survey_dimension_drivers", "analysis.survey_question_performance",
     "marts.rpt_survey_dimension_quality_points"), build)
