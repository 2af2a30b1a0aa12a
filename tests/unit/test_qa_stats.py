"""The Python QA statistics readers use for pooled cells (lib/qa_stats.py), against the same published values the
SQL macros are tested against (tests/dbt/test_qa.py) and against statsmodels."""
import math

import numpy as np
import pytest
from statsmodels.stats.inter_rater import fleiss_kappa
from statsmodels.stats.proportion import proportion_confint

from dagster_project.lib.qa_stats import pooled_fleiss_kappa, wilson_interval


def test_wilson_180_of_200_is_the_published_interval():
    low, high = wilson_interval(180, 200, 1.96)
    assert round(low, 3) == 0.851 and round(high, 3) == 0.934
    ref_low, ref_high = proportion_confint(180, 200, alpha=0.05, method="wilson")
    assert low == pytest.approx(ref_low, abs=2e-5) and high == pytest.approx(ref_high, abs=2e-5)  # z 1.96 vs 1.95996


def test_wilson_on_arrays_and_without_trials():
    low, high = wilson_interval(np.array([0, 10, 0]), np.array([10, 10, 0]))
    assert low[0] == pytest.approx(0.0, abs=1e-12) and high[1] == pytest.approx(1.0) and math.isnan(low[2]) and math.isnan(high[2])
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


def test_wilson_bounds_never_fall_on_the_wrong_side_of_the_estimate():
    k = np.arange(0, 201)
    low, high = wilson_interval(k, np.full_like(k, 200))
    p = k / 200
    assert (low <= p).all() and (high >= p).all() and low[0] == 0 and high[-1] == 1


def test_pooled_kappa_from_summable_parts_equals_fleiss():
    # 6 subjects (contact x item) rated pass/fail by 3 raters: counts of (pass, fail) per subject
    table = np.array([[3, 0], [2, 1], [0, 3], [3, 0], [1, 2], [3, 0]])
    raters = table.sum(axis=1)
    agreement = ((table * (table - 1)).sum(axis=1) / (raters * (raters - 1))).sum()  # sum of P_i
    kappa = pooled_fleiss_kappa(agreement, len(table), table[:, 1].sum(), table.sum())
    assert kappa == pytest.approx(fleiss_kappa(table), abs=1e-12)


def test_pooled_kappa_is_undefined_without_variation_or_data():
    assert pooled_fleiss_kappa(4.0, 4, 0, 12) is None       # every rating a pass: chance agreement is perfect
    assert pooled_fleiss_kappa(0, 0, 0, 0) is None
