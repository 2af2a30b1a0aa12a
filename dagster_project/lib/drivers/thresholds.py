"""Tipping points of continuous drivers: from which value on satisfaction starts to fall (metrics.md §7).

The driver x enters the ordinal model as a hinge term (x - psi)+ in place of x:

    logit P(y <= k) = theta_k - (... + gamma (x - psi)+)

no effect up to the tipping point psi, gamma per unit beyond it; psi at (or below) the smallest x gives back the
linear model. psi is chosen by likelihood over a grid of quantiles of x (of the values above its minimum, so that
a mass of zeros does not take up the grid), each with at least `min_beyond` observations on either side, then
refined between the best candidate's neighbours (Brent); its 95 % profile-likelihood interval is where the profile
log-likelihood stays within chi2(1, 0.95) / 2 of the maximum, the crossings found by root search off the grid (a
hinge, unlike a jump, has a regular change point, so the chi-square calibration holds asymptotically).

Is the hinge real, or is the effect simply linear? Without a kink psi does not exist, so the usual tests do not
apply (Davies' problem). The check is the sup-score test with the multiplier bootstrap of Hansen (1996): at the
linear fit, the efficient score of a hinge term added beside x (its score residualised on the scores of the fitted
parameters) gives LM(psi) at every grid value; the statistic is the largest LM, and its null distribution is
simulated by multiplying every observation's efficient scores by the same independent N(0, 1) draw and taking
the largest LM again: p = (1 + #{simulated >= observed}) / (1 + replicates). No refit is needed per replicate,
so a thousand replicates cost less than one model fit. As a diagnostic of the "no effect below psi" form, the
slope below psi is estimated in the model with both x and (x - psi)+ at the chosen psi.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from dagster_project.lib.drivers.ordinal import (
    OrdinalModelError,
    _outcome_codes,
    fit_ordinal_model,
    loglikelihood_at_maximum,
    score_contributions,
)

# Candidate tipping points: the 5 %, 10 %, ..., 95 % quantiles; around the best of them the search adds the
# quantiles half-way to its neighbours (a 2.5 % step where it matters, for about half the fits of a 2.5 % grid).
DEFAULT_GRID_PROBS = tuple(np.round(np.arange(0.05, 0.951, 0.05), 4))
PROFILE_LEVEL = 0.95


def hinge(x, psi: float) -> np.ndarray:
    """(x - psi)+."""
    return np.maximum(np.asarray(x, dtype=float) - psi, 0.0)


def hinge_column(driver: str) -> str:
    return f"{driver}__over_tipping_point"


def quantile_grid(x: pd.Series, probs=DEFAULT_GRID_PROBS, min_beyond: int = 30) -> np.ndarray:
    """Candidate tipping points: quantiles of the values of x above its minimum (so that a mass of zeros does not
    take up the grid), deduplicated, each with at least `min_beyond` observations below and above it."""
    values = np.asarray(x, dtype=float)
    above_min = values[values > values.min()]
    if len(above_min) == 0:
        return np.array([])
    grid = np.unique(np.quantile(above_min, probs))
    below = np.array([(values <= g).sum() for g in grid])
    beyond = np.array([(values > g).sum() for g in grid])
    return grid[(below >= min_beyond) & (beyond >= min_beyond)]


def _refinement(x: pd.Series, probs, best_value: float, grid: np.ndarray, min_beyond: int) -> np.ndarray:
    """Quantiles half-way (in probability) between the best candidate and its neighbours in `probs`."""
    values = np.asarray(x, dtype=float)
    above_min = values[values > values.min()]
    quantiles = np.quantile(above_min, probs)
    at = int(np.argmin(np.abs(quantiles - best_value)))
    mids = [(probs[at] + probs[j]) / 2 for j in (at - 1, at + 1) if 0 <= j < len(probs)]
    extra = quantile_grid(x, mids, min_beyond) if mids else np.array([])
    return np.array([v for v in extra if not np.isclose(grid, v).any()])


@dataclass
class TippingPoint:
    driver: str
    threshold: float | None            # psi, in the driver's model unit
    ci_low: float | None               # profile-likelihood interval of psi (crossings found off the grid)
    ci_high: float | None
    slope_above: float | None          # gamma: per unit of x beyond psi (hinge model)
    slope_above_std_err: float | None
    slope_below: float | None          # diagnostic: slope below psi with x and the hinge both in the model
    slope_below_std_err: float | None
    llf_linear: float
    llf_hinge: float | None
    llf_gain: float | None             # llf_hinge - llf_linear (negative: no hinge fits better than a line)
    sup_lm: float | None
    p_value: float | None
    n_bootstrap: int
    nobs: int
    profile: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)  # psi, llf, lm per grid value
    note: str | None = None


def _refine_maximum(grid: np.ndarray, llf: np.ndarray, best: int, llf_at) -> tuple[float, float]:
    """The profile maximum off the grid: Brent's bounded search between the best candidate's neighbours (the
    profile log-likelihood of a hinge is continuous in psi). Falls back to the grid's best."""
    from scipy.optimize import minimize_scalar

    psi, value = float(grid[best]), float(llf[best])
    left, right = float(grid[max(best - 1, 0)]), float(grid[min(best + 1, len(grid) - 1)])
    if right <= left:
        return psi, value

    def negative(candidate: float) -> float:
        found = llf_at(np.array([candidate]))[0]
        return -found if np.isfinite(found) else np.inf

    result = minimize_scalar(negative, bounds=(left, right), method="bounded",
                             options={"xatol": (right - left) * 1e-3})
    if np.isfinite(result.fun) and -result.fun > value:
        return float(result.x), float(-result.fun)
    return psi, value


def _profile_bound(grid: np.ndarray, llf: np.ndarray, psi: float, target: float, llf_at, direction: int
                   ) -> tuple[float, bool]:
    """Where the profile log-likelihood falls to `target` (max - chi2(1, 0.95) / 2) below (direction -1) or above
    (+1) psi: the first grid candidate beyond it, then the crossing between that candidate and the last one inside
    by Brent's root search - a profile-likelihood interval off the grid (snapping to grid values inside it made the
    interval too short: 88 of 100 simulated intervals covered a planted tipping point). Returns (bound, reached the
    edge of the grid)."""
    from scipy.optimize import brentq

    order = np.where(grid <= psi)[0][::-1] if direction < 0 else np.where(grid >= psi)[0]
    inner = psi
    for j in order:
        if np.isfinite(llf[j]) and llf[j] >= target:
            inner = float(grid[j])
            continue
        outer = float(grid[j])
        if not np.isfinite(llf[j]) or outer == inner:
            return inner, False

        def gap(candidate: float) -> float:
            found = llf_at(np.array([candidate]))[0]
            return (found if np.isfinite(found) else -np.inf) - target

        low, high = sorted((outer, inner))
        try:
            return float(brentq(gap, low, high, xtol=abs(high - low) * 1e-3)), False
        except ValueError:  # no sign change found numerically: keep the last candidate inside
            return inner, False
    return inner, True


MULTIPLIER_BUDGET = 2 ** 25   # normal draws per bootstrap chunk: 256 MB of doubles


def sup_score_test(linear_fit, data: pd.DataFrame, driver: str, grid: np.ndarray, n_bootstrap: int, seed: int,
                   chunk: int = 200) -> tuple[np.ndarray, float, float]:
    """LM(psi) for every grid value, the sup, and the multiplier-bootstrap p-value (see the module docstring)."""
    own, candidates = score_contributions(
        linear_fit, data, {str(i): hinge(data[driver], psi) for i, psi in enumerate(grid)})
    # Efficient score: the candidate scores minus their projection on the scores of the fitted parameters (the
    # outer-product estimate of I_gamma_theta I_theta_theta^-1). At the fit, the own scores sum to zero.
    coef = np.linalg.solve(own.T @ own, own.T @ candidates)
    efficient = candidates - own @ coef
    variance = (efficient ** 2).sum(axis=0)
    lm = efficient.sum(axis=0) ** 2 / variance
    observed = float(lm.max())
    rng = np.random.default_rng(seed)
    exceed = 0
    done = 0
    # The multipliers of `chunk` replicates at a time, fewer when the rows are many so that one draw stays within
    # MULTIPLIER_BUDGET numbers (800,000 fitting rows x 200 would be 1.3 GB). The draws depend on the chunk, so a
    # result is reproducible for given rows and seed; below MULTIPLIER_BUDGET / chunk rows it is as before.
    chunk = max(1, min(chunk, MULTIPLIER_BUDGET // max(1, len(efficient))))
    while done < n_bootstrap:
        size = min(chunk, n_bootstrap - done)
        multipliers = rng.standard_normal((len(efficient), size))
        simulated = ((efficient.T @ multipliers) ** 2 / variance[:, None]).max(axis=0)
        exceed += int((simulated >= observed).sum())
        done += size
    return lm, observed, (1 + exceed) / (1 + n_bootstrap)


def find_tipping_point(
    data: pd.DataFrame,
    outcome: str,
    driver: str,
    other_predictors: list[str],
    categories: list | None = None,
    *,
    probs=DEFAULT_GRID_PROBS,
    min_beyond: int = 30,
    n_bootstrap: int = 999,
    seed: int = 0,
) -> TippingPoint:
    """Grid search of psi for the hinge of `driver` (the other predictors as they are) and its check."""
    predictors = [*other_predictors, driver]
    linear = fit_ordinal_model(data, outcome, predictors, categories, standard_errors=False)
    grid = quantile_grid(data[driver], probs, min_beyond)
    empty = TippingPoint(driver, None, None, None, None, None, None, None, linear.llf, None, None, None, None,
                         n_bootstrap, linear.nobs)
    if len(grid) == 0:
        empty.note = f"no candidate tipping point with {min_beyond} observations on either side"
        return empty

    lm, sup_lm, p_value = sup_score_test(linear, data, driver, grid, n_bootstrap, seed)
    empty.sup_lm, empty.p_value = sup_lm, p_value
    column = hinge_column(driver)
    hinge_terms = [*other_predictors, column]
    start = linear.raw_params.copy()  # the hinge takes the place (and the start value) of x
    codes = np.asarray(_outcome_codes(data, outcome, linear.categories)[0].cat.codes, dtype=int)
    x = data[driver].to_numpy(dtype=float)
    exog = np.column_stack([data[other_predictors].to_numpy(dtype=float), np.zeros(len(x))])
    n_levels = len(linear.categories)

    def llf_at(candidates: np.ndarray, start: np.ndarray) -> np.ndarray:
        out = np.full(len(candidates), np.nan)
        for i, psi in enumerate(candidates):
            exog[:, -1] = hinge(x, psi)
            try:
                # checked data (the linear fit ran on them); each candidate starts from the previous estimate
                out[i], start = loglikelihood_at_maximum(codes, n_levels, exog, start)
            except OrdinalModelError:
                start = linear.raw_params.copy()  # a failed candidate stays NaN: it is not a candidate
        return out

    llf = llf_at(grid, start)
    lm_all = lm
    if np.isfinite(llf).any():
        extra = _refinement(data[driver], list(probs), float(grid[int(np.nanargmax(llf))]), grid, min_beyond)
        if len(extra):
            grid = np.concatenate([grid, extra])
            llf = np.concatenate([llf, llf_at(extra, linear.raw_params.copy())])
            lm_all = np.concatenate([lm, np.full(len(extra), np.nan)])  # the test uses the fixed grid only
            order = np.argsort(grid)
            grid, llf, lm_all = grid[order], llf[order], lm_all[order]
    work = data.copy()
    profile = pd.DataFrame({"psi": grid, "llf": llf, "lm": lm_all})
    empty.profile = profile
    if not np.isfinite(llf).any():
        empty.note = "no hinge fit converged"
        return empty
    best = int(np.nanargmax(llf))
    profile_at = lambda candidates: llf_at(candidates, linear.raw_params.copy())  # noqa: E731
    psi, llf_best = _refine_maximum(grid, llf, best, profile_at)
    work[column] = hinge(work[driver], psi)
    try:
        fit = fit_ordinal_model(work, outcome, hinge_terms, categories)
    except OrdinalModelError as exc:
        empty.note = f"the hinge model at the best candidate {psi:g} was refused: {exc}"
        return empty
    notes = []
    try:
        # The diagnostic fit with x and its hinge both in: near psi at the bottom of x the two are nearly collinear
        # and the slope below is imprecise (a large, honest standard error), which must not stop the search.
        both = fit_ordinal_model(work, outcome, [*predictors, column], categories)
        slope_below = float(both.params.loc[driver, "coef"])
        slope_below_std_err = float(both.params.loc[driver, "std_err"])
    except OrdinalModelError as exc:
        slope_below = slope_below_std_err = None
        notes.append(f"slope below the tipping point not estimated: {exc}")
    target = llf_best - stats.chi2.ppf(PROFILE_LEVEL, 1) / 2
    ci_low, low_at_edge = _profile_bound(grid, llf, psi, target, profile_at, -1)
    ci_high, high_at_edge = _profile_bound(grid, llf, psi, target, profile_at, +1)
    if best in (0, len(grid) - 1):
        notes.append("the best candidate is at the edge of the grid: the tipping point may lie beyond it")
    elif low_at_edge or high_at_edge:
        notes.append("the 95 % interval reaches the edge of the grid: it may extend beyond it")
    if fit.llf <= linear.llf:
        notes.append("no hinge fits better than a straight line")
    return TippingPoint(
        driver=driver,
        threshold=psi,
        ci_low=ci_low,
        ci_high=ci_high,
        slope_above=float(fit.params.loc[column, "coef"]),
        slope_above_std_err=float(fit.params.loc[column, "std_err"]),
        slope_below=slope_below,
        slope_below_std_err=slope_below_std_err,
        llf_linear=linear.llf,
        llf_hinge=fit.llf,
        llf_gain=fit.llf - linear.llf,
        sup_lm=sup_lm,
        p_value=p_value,
        n_bootstrap=n_bootstrap,
        nobs=linear.nobs,
        profile=profile,
        note="; ".join(notes) or None,
    )
