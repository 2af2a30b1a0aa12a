"""QA statistics for readers that pool the marts' parts in Python (headlines, notebooks, the dashboard). The marts
compute the same formulas in SQL (dbt/macros/qa/qa_stats.sql); these exist for pooled cells no mart row holds,
e.g. every queue and month together. Both are tested against the same published values."""
from __future__ import annotations

import numpy as np


def wilson_interval(successes, trials, z: float = 1.96):
    """Wilson score interval of successes / trials (scalars or arrays). NaN where there are no trials."""
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
        # the interval contains p; at p = 0 or 1 rounding can put a bound a hair on the wrong side of it
        # (1 - 1e-17) or outside [0, 1] (1 + 2e-16), which charts drawing p - low and high - p as error bars reject as negative
        low = np.where(n > 0, np.clip(np.minimum(centre - half, p), 0, 1), np.nan)
        high = np.where(n > 0, np.clip(np.maximum(centre + half, p), 0, 1), np.nan)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def pooled_fleiss_kappa(agreement_sum, items, fail_ratings, ratings) -> float | None:
    """Fleiss' kappa over pass/fail from rpt_qa_calibration_monthly's summable parts: P-bar = agreement_sum / items,
    P_e = p_fail² + p_pass². None without items or ratings, or when P_e = 1 (no variation: kappa undefined)."""
    if not items or not ratings:
        return None
    p_bar, p_fail = agreement_sum / items, fail_ratings / ratings
    p_e = p_fail**2 + (1 - p_fail) ** 2
    return (p_bar - p_e) / (1 - p_e) if p_e < 1 else None
