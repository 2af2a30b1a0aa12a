"""Headline numbers for the end of `callqa run` / `make demo`, formatted from marts.rpt_headlines (where every rate
is recomputed from the marts' numerators and denominators, with its target) and the analysis tables."""
from __future__ import annotations

from dagster_project.lib.warehouse import table_exists

# The warehouse's headline numbers come from one place, marts.rpt_headlines (dbt: every rate from the marts' summed
# parts, targets from the seeds); this module only formats them. The analysis step runs after dbt, so its headlines
# read the analysis tables themselves.
HEADLINE_MART = "rpt_headlines"

ANALYSIS_HEADLINES = [
    (
        "analysis.analysis_status",
        "satisfaction analysis",
        """select status, reason, tables_run_id, strftime(tables_built_at, '%Y-%m-%d %H:%M UTC')
           from analysis.analysis_status where analysis = 'satisfaction_drivers'""",
        lambda r: (
            (r[1] or "fitted this run") if r[0] == "current" else  # reason: a score-only run names its fit
            f"STALE: the tables below are the last good version (run {str(r[2])[:8]}, {r[3]}); this run failed: {r[1]}"
            if r[0] == "stale" else f"NOT AVAILABLE (no good version yet): {r[1]}"
        ),
    ),
    (
        "analysis.satisfaction_model_fit",
        "satisfaction drivers",
        """select max(status), max(status_reason), max(nobs), max(pseudo_r2),
                  (select string_agg(driver || ' ' || printf('%.0f', 100 * importance) || ' %', ', '
                                     order by importance desc)
                     from (select driver, importance from analysis.satisfaction_drivers
                           where role = 'driver' and importance is not null order by importance desc limit 3))
           from analysis.satisfaction_model_fit where model = 'all_surveyed'""",
        lambda r: (
            f"top drivers of csat (share of the explained effect): {r[4]}; {r[2]:,} surveyed contacts, "
            f"McFadden R2 {r[3]:.3f}" if r[0] == "fitted" else f"no model ({r[1]})"
        ),
    ),
    (
        "analysis.satisfaction_thresholds",
        "csat tipping points",
        """select string_agg(driver || ' beyond ' || printf('%.0f', threshold) || ' ' || unit || 's (interval '
                             || printf('%.0f', threshold_ci_low) || '-' || printf('%.0f', threshold_ci_high) || '): '
                             || printf('%+.2f', slope_above) || ' log-odds per ' || slope_unit || ', p = '
                             || printf('%.3f', p_value), '; ' order by p_value), count(*)
           from analysis.satisfaction_thresholds where is_tipping_point""",
        lambda r: r[0] if r[1] else "none found (no driver's hinge beats a straight line)",
    ),
]


def format_number(unit: str, value, numerator=None, denominator=None) -> str:
    """A headline value in its unit: share 82.4%, signed_share +0.7%, points +15.5 pts, seconds 3.3 s, count 5,047,
    kappa 0.76."""
    if value is None:
        return "n/a"
    if unit == "share":
        return f"{value:.1%}"
    if unit == "signed_share":
        return f"{value:+.1%}"
    if unit == "points":
        return f"{value * 100:+.1f} pts"
    if unit == "seconds":
        return f"{value:.1f} s"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:.2f}"


def format_headline(row: dict) -> str:
    """One number of rpt_headlines as text: label, value, its parts, interval and target."""
    if row["value"] is None:
        return f"{row['label']} n/a: {row['null_reason'] or 'no data'}"
    details = []
    if row["unit"] == "share" and row["denominator"] is not None:
        details.append(f"{row['numerator']:,.0f} of {row['denominator']:,.0f}")
    if row["ci_low"] is not None:
        details.append(f"95% CI {row['ci_low']:.1%}-{row['ci_high']:.1%}")
    if row["text_value"] is not None:
        details.append(str(row["text_value"]))
    if row["target"] is not None and row["target_met"] is not None:
        sign = {"higher_is_better": ">=", "lower_is_better": "<=", "tolerance": "|x| <="}.get(row["target_direction"], "")
        target_unit = "share" if row["unit"] in ("signed_share", "points") else row["unit"]
        details.append(f"target {sign} {format_number(target_unit, row['target'])}"
                       + ("" if row["target_met"] else ", MISSED"))
    text = f"{row['label']} {format_number(row['unit'], row['value'])}"
    return text + (f" ({'; '.join(details)})" if details else "")


def headline_rows(con) -> list[dict]:
    """marts.rpt_headlines in display order (empty when the mart is not built yet)."""
    if not table_exists(con, "marts", HEADLINE_MART):
        return []
    cursor = con.execute(f"select * from marts.{HEADLINE_MART} order by area_order, metric_order")
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, r)) for r in cursor.fetchall()]


def headlines(con) -> list[str]:
    lines = []
    areas: dict[str, list[str]] = {}
    for row in headline_rows(con):
        areas.setdefault(row["area"], []).append(format_headline(row))
    for area, parts in areas.items():
        lines.append(f"{area + ':':<28}" + "; ".join(parts))
    for table, label, sql, fmt in ANALYSIS_HEADLINES:
        schema, _, name = table.rpartition(".")
        if not table_exists(con, schema, name):
            continue
        rows = con.execute(sql).fetchall()
        if rows:
            lines.append(f"{label + ':':<28}{fmt([v if v is not None else 0 for v in rows[0]])}")
    return lines
