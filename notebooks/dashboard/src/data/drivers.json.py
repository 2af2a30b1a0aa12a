"""Satisfaction drivers: analysis.satisfaction_drivers (importance vs performance quadrant) and
analysis.satisfaction_thresholds (tipping points). Both are written by the drivers analysis, after dbt: when either
is missing from the serving copy the page says so."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serving import rows, run  # noqa: E402


def build(con):
    drivers = rows(con, """
        select driver, label, role, status, importance, relative_weight_share, performance, performance_contacts,
               quadrant, quadrant_null_reason, p_value, odds_ratio
        from analysis.satisfaction_drivers order by importance desc nulls last, driver""")
    thresholds = rows(con, """
        select driver, label, unit, threshold, threshold_ci_low, threshold_ci_high, slope_unit, slope_below,
               slope_above, p_value, is_tipping_point, direction, nobs, note
        from analysis.satisfaction_thresholds order by driver""")
    return {"drivers": drivers, "thresholds": thresholds}


run(("analysis.satisfaction_drivers", "analysis.satisfaction_thresholds"), build)
