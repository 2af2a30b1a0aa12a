"""Headline numbers from the marts, for the end of `callqa run` / `make demo`. Every rate is recomputed from
the marts' numerators and denominators (never an average of rates); a mart that is not built yet is skipped."""
from __future__ import annotations

from dagster_project.lib.warehouse import table_exists

HEADLINES = [
    (
        "rpt_fcr_daily",
        "first contact resolution",
        """select sum(handled), sum(fcr_48h_count), sum(eligible_48h), sum(fcr_7d_count), sum(eligible_7d),
                  sum(unidentified)
           from marts.rpt_fcr_daily""",
        lambda r: (
            f"{_rate(r[1], r[2])} within 48 h ({r[1]:,} of {r[2]:,} eligible handled contacts), "
            f"{_rate(r[3], r[4])} within 7 days ({r[3]:,} of {r[4]:,}); {r[0]:,} handled, {r[5]:,} unidentified"
        ),
    ),
    (
        "rpt_service_level_interval",
        "service level",
        """select sum(answered_within_threshold), sum(offered), sum(answer_wait_seconds), sum(answered),
                  sum(abandoned), sum(short_abandoned)
           from marts.rpt_service_level_interval""",
        lambda r: (
            f"{_rate(r[0], r[1])} answered within threshold ({r[0]:,} of {r[1]:,} offered calls); "
            f"ASA {r[2] / r[3]:.1f} s; abandon rate {_rate(r[4], r[1])} ({r[5]:,} short abandons not offered)"
            if r[3] else "no calls offered"
        ),
    ),
    (
        "fct_tickets",
        "tickets",
        """select count(*), count(*) filter (where reopened_within_7d), count(reopened_within_7d),
                  count(*) filter (where resolution_sla_met and priority_at_creation = 'urgent'),
                  count(resolution_sla_met) filter (where priority_at_creation = 'urgent')
           from marts.fct_tickets""",
        lambda r: (
            f"{r[0]:,} tickets; reopened within 7 days of a solve {_rate(r[1], r[2])} ({r[1]:,} of {r[2]:,}); "
            f"urgent resolved within target {_rate(r[3], r[4])} ({r[3]:,} of {r[4]:,})"
        ),
    ),
]


def _rate(numerator, denominator) -> str:
    return f"{numerator / denominator:.1%}" if denominator else "n/a"


def headlines(con) -> list[str]:
    lines = []
    for table, label, sql, fmt in HEADLINES:
        if not table_exists(con, "marts", table):
            continue
        row = [v if v is not None else 0 for v in con.execute(sql).fetchall()[0]]
        lines.append(f"{label + ':':<28}{fmt(row)}")
    return lines
