"""Proportional-odds (ordinal logit) fits for satisfaction drivers (metrics.md §7).

    logit P(y <= k) = theta_k - x.beta        (k = 1 .. K-1; positive beta = a higher category is more likely)

`fit_ordinal_model` takes a plain DataFrame, fits statsmodels' `OrderedModel` with the logit link by BFGS, no
constant (the cut points play its part), and returns the coefficients with standard errors, Wald 95 % intervals,
p-values and odds ratios, the cut points on their natural scale, the fit statistics and `predict_proba`. Bad input
(missing values, a constant or redundant predictor, a category without observations, an outcome whose order is
not given) raises `OrdinalModelError`; a fit that does not converge raises `OrdinalConvergenceError`; perfectly
separated data raise `OrdinalSeparationError`. Numbers are never returned silently from a failed fit.

The model class is a subclass of statsmodels' OrderedModel that changes no statistics, only speed: the logistic
cdf and density through `scipy.special.expit` instead of the generic `scipy.stats.logistic` (the same function),
and the analytic score (statsmodels' own `score_obs_` is marked incomplete, so BFGS would otherwise differentiate
numerically). The standard errors come from the Hessian, differentiated numerically from that analytic score.
BFGS runs on standardized predictors (the same likelihood, reparameterised) and the estimates and their covariance
are mapped back exactly. tests/unit/test_drivers.py checks it against plain OrderedModel and against the published reference results
statsmodels ships for this model (R MASS::polr on the UCLA ologit data).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit
from statsmodels.base.model import GenericLikelihoodModel
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools.numdiff import approx_fprime

CI_LEVEL = 0.95
# A coefficient whose effect over one standard deviation of its predictor exceeds this many logits (an odds ratio
# above e^12 ~ 160,000 per SD), or whose standard error does, is a coefficient running off to infinity: the data
# are (quasi-)separated, and the finite number BFGS stops at means nothing. The standard deviation is that of the
# predictor's own part, the residual of its regression on the other predictors (sd / sqrt(VIF)): two nearly
# collinear predictors (x and a hinge (x - psi)+ with psi near the bottom of x) have large but finite, honest
# standard errors that scale with sqrt(VIF), which is not separation. With one predictor the two are the same.
SEPARATION_LOGITS_PER_SD = 12.0
# BFGS stops when every component of the gradient of the mean log-likelihood (per observation, on standardized
# predictors) is below this: 100 times stricter than scipy's default, so that estimates are stable to ~1e-6.
GRADIENT_TOLERANCE = 1e-7


class OrdinalModelError(ValueError):
    """The data cannot be fitted as given (the message says why and which column)."""


class OrdinalConvergenceError(OrdinalModelError):
    """The optimizer did not converge: no estimates are returned."""


class OrdinalSeparationError(OrdinalModelError):
    """A predictor (or a combination) separates the outcome categories: its coefficient is infinite.
    `predictors` names the separating predictors (callers may leave them out and refit)."""

    def __init__(self, message: str, predictors: list[str] | None = None):
        super().__init__(message)
        self.predictors = list(predictors or [])


class _LogitOrderedModel(OrderedModel):
    """statsmodels OrderedModel(distr="logit") with a fast logistic cdf and the analytic score."""

    def initialize(self):
        # GenericLikelihoodModel.initialize takes the rank of exog (an SVD of the whole data) only to set df_model
        # and df_resid, which OrderedModel.__init__ then overwrites; fit_ordinal_model checks the rank itself.
        self.df_model = float(self.exog.shape[1] - 1)
        self.df_resid = float(self.exog.shape[0] - self.exog.shape[1])
        super(GenericLikelihoodModel, self).initialize()

    def _at(self, params):
        """Bounds and cdf values at params; the last evaluation is kept, because BFGS asks for the likelihood and
        the score at the same point."""
        key = params.tobytes()
        cached = getattr(self, "_last_evaluation", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        low, upp = self._bounds(params)
        cdf_low, cdf_upp = expit(low), expit(upp)
        prob = np.maximum(cdf_upp - cdf_low, 0.0) + 1e-20  # as OrderedModel.loglikeobs
        value = (cdf_low, cdf_upp, prob)
        self._last_evaluation = (key, value)
        return value

    def loglike(self, params):
        return float(np.log(self._at(np.asarray(params, dtype=float))[2]).sum())

    def cdf(self, x):
        return expit(x)

    def pdf(self, x):
        p = expit(x)
        return p * (1.0 - p)

    def score_obs(self, params):
        params = np.asarray(params, dtype=float)
        k_exog = self.k_vars
        low, upp = self._bounds(params)
        cdf_low, cdf_upp = expit(low), expit(upp)
        prob = np.maximum(cdf_upp - cdf_low, 0.0) + 1e-20  # as OrderedModel.loglikeobs
        pdf_low, pdf_upp = cdf_low * (1.0 - cdf_low), cdf_upp * (1.0 - cdf_upp)
        score = np.empty((self.nobs, len(params)))
        score[:, :k_exog] = (-(pdf_upp - pdf_low) / prob)[:, None] * self.exog
        # d log p / d theta_j for the natural cut points theta_1..theta_{K-1}: only the observation's own two
        # bounds depend on them (the infinite outer bounds have density 0).
        n_cuts = self.k_levels - 1
        rows = np.arange(self.nobs)
        y = np.asarray(self.endog, dtype=int)
        d_theta = np.zeros((self.nobs, n_cuts))
        upper = y < n_cuts
        d_theta[rows[upper], y[upper]] += pdf_upp[upper] / prob[upper]
        lower = y > 0
        d_theta[rows[lower], y[lower] - 1] -= pdf_low[lower] / prob[lower]
        # statsmodels parameterises theta_1 = a_1, theta_j = a_1 + sum_{i=2..j} exp(a_i): the chain rule sums the
        # cut-point derivatives from the parameter's own cut upwards.
        from_here_up = np.cumsum(d_theta[:, ::-1], axis=1)[:, ::-1]
        increments = params[k_exog:]
        score[:, k_exog] = from_here_up[:, 0]
        score[:, k_exog + 1:] = from_here_up[:, 1:] * np.exp(increments[1:])[None, :]
        return score

    def score(self, params):
        # score_obs summed, without the n x k intermediate (BFGS calls this at every step).
        params = np.asarray(params, dtype=float)
        k_exog = self.k_vars
        cdf_low, cdf_upp, prob = self._at(params)
        up = cdf_upp * (1.0 - cdf_upp) / prob
        down = cdf_low * (1.0 - cdf_low) / prob
        n_cuts = self.k_levels - 1
        y = np.asarray(self.endog, dtype=int)
        d_theta = (np.bincount(y, weights=up, minlength=n_cuts + 1)[:n_cuts]
                   - np.bincount(y, weights=down, minlength=n_cuts + 1)[1:])
        from_here_up = np.cumsum(d_theta[::-1])[::-1]
        increments = params[k_exog:]
        return np.concatenate([
            self.exog.T @ (down - up),
            from_here_up[:1],
            from_here_up[1:] * np.exp(increments[1:]),
        ])

    def hessian(self, params):
        hess = approx_fprime(np.asarray(params, dtype=float), self.score, centered=True)
        return (hess + hess.T) / 2.0


@dataclass
class OrdinalFit:
    """An ordinal logit fit. `params` is indexed by predictor: coef, std_err, z, p_value, ci_low, ci_high (Wald
    95 %), odds_ratio (exp(coef): the odds of a higher category per unit of the predictor). `cutpoints` are theta_k
    on their natural scale, indexed 'k|k+1' in category order."""

    outcome: str
    predictors: list[str]
    categories: list
    params: pd.DataFrame
    cutpoints: pd.Series
    cutpoint_std_err: pd.Series  # delta method from the covariance of statsmodels' parameters (NaN without it)
    llf: float
    llnull: float
    pseudo_r2: float
    aic: float
    nobs: int
    converged: bool
    gradient_evaluations: int | None  # BFGS gradient calls (scipy reports no iteration count)
    cov: pd.DataFrame | None = field(repr=False, default=None)
    raw_params: np.ndarray | None = field(repr=False, default=None)

    def design(self, data: pd.DataFrame) -> np.ndarray:
        missing = [p for p in self.predictors if p not in data.columns]
        if missing:
            raise OrdinalModelError(f"predictors missing from the data: {missing}")
        exog = data[self.predictors].astype(float).to_numpy()
        if not np.isfinite(exog).all():
            bad = [p for p in self.predictors if not np.isfinite(data[p].astype(float)).all()]
            raise OrdinalModelError(f"missing or infinite predictor values in {bad}: impute or drop them first")
        return exog

    def linear_predictor(self, data: pd.DataFrame) -> np.ndarray:
        """x.beta per row (the latent location; higher = more likely a higher category)."""
        return row_dot(self.design(data), self.params["coef"].to_numpy())

    def predict_proba(self, data: pd.DataFrame) -> pd.DataFrame:
        """P(y = k) per row, one column per category (in category order); each row sums to 1."""
        eta = self.linear_predictor(data)
        cuts = np.concatenate(([-np.inf], self.cutpoints.to_numpy(), [np.inf]))
        cumulative = expit(cuts[None, :] - eta[:, None])
        return pd.DataFrame(np.diff(cumulative, axis=1), index=data.index, columns=list(self.categories))

    def expected_value(self, data: pd.DataFrame) -> pd.Series:
        """E[y] per row for numeric categories (e.g. expected csat on 1-5)."""
        values = np.asarray(self.categories, dtype=float)
        return pd.Series(row_dot(self.predict_proba(data).to_numpy(), values), index=data.index)


def row_dot(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """matrix @ vector, one row at a time in column order: the same bits for a row wherever it stands in `matrix`.
    A BLAS matrix-vector product computes the rows left after its blocks of rows with other code, so a contact's
    score could differ in the last bit between scoring the whole table and scoring it a chunk at a time."""
    matrix = np.asarray(matrix, dtype=float)
    out = np.zeros(matrix.shape[0])
    for j, weight in enumerate(np.asarray(vector, dtype=float)):
        out += matrix[:, j] * weight
    return out


def _categories(values: pd.Series, categories: list | None) -> list:
    if categories is not None:
        categories = list(categories)
        if len(set(categories)) != len(categories):
            raise OrdinalModelError(f"categories must be distinct: {categories}")
        return categories
    if isinstance(values.dtype, pd.CategoricalDtype):
        if not values.dtype.ordered:
            raise OrdinalModelError(
                "the outcome is an unordered Categorical: pass `categories` in their order (never alphabetical)")
        return list(values.dtype.categories)
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return sorted(values.dropna().unique().tolist())
    raise OrdinalModelError(
        "the outcome is not numeric: pass `categories` in their order (they are never sorted alphabetically)")


def _outcome_codes(data: pd.DataFrame, outcome: str, categories: list | None) -> tuple[pd.Series, list]:
    if outcome not in data.columns:
        raise OrdinalModelError(f"outcome column {outcome!r} is not in the data")
    values = data[outcome]
    if values.isna().any():
        raise OrdinalModelError(f"{int(values.isna().sum())} missing values in the outcome {outcome!r}: drop them first")
    cats = _categories(values, categories)
    if len(cats) < 2:
        raise OrdinalModelError(f"the outcome needs at least two categories, got {cats}")
    plain = values.astype(object) if isinstance(values.dtype, pd.CategoricalDtype) else values
    unknown = plain[~plain.isin(cats)]
    if len(unknown):
        raise OrdinalModelError(
            f"outcome values not among the categories {cats}: {sorted(map(str, unknown.unique()))[:10]}")
    coded = pd.Categorical(plain, categories=cats, ordered=True)
    counts = np.bincount(coded.codes, minlength=len(cats))
    empty = [c for c, n in zip(cats, counts) if n == 0]
    if empty:
        raise OrdinalModelError(
            f"no observation in outcome categories {empty}: their cut points cannot be estimated; "
            "merge them with a neighbour or pass fewer categories")
    # statsmodels rejects a bare Categorical: it must be a Series.
    return pd.Series(coded, index=data.index, name=outcome), cats


def _exog(data: pd.DataFrame, predictors: list[str]) -> pd.DataFrame:
    if not predictors:
        raise OrdinalModelError("at least one predictor is needed")
    if len(set(predictors)) != len(predictors):
        raise OrdinalModelError(f"predictors must be distinct: {predictors}")
    missing = [p for p in predictors if p not in data.columns]
    if missing:
        raise OrdinalModelError(f"predictors missing from the data: {missing}")
    exog = pd.DataFrame(index=data.index)
    for name in predictors:
        column = data[name]
        if not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)):
            raise OrdinalModelError(f"predictor {name!r} is not numeric ({column.dtype}): encode it (e.g. dummies) first")
        exog[name] = column.astype(float)
    bad = [p for p in predictors if not np.isfinite(exog[p]).all()]
    if bad:
        raise OrdinalModelError(f"missing or infinite values in predictors {bad}: impute or drop those rows first")
    constant = [p for p in predictors if exog[p].nunique() <= 1]
    if constant:
        raise OrdinalModelError(
            f"constant predictors {constant}: their effect cannot be told apart from the cut points; leave them out")
    # The cut points act as the intercept: predictors that are linearly dependent with each other or with a constant
    # (e.g. every dummy of a category) are not identified.
    redundant = _redundant_predictors(exog.to_numpy(), predictors)
    if redundant:
        raise OrdinalModelError(
            f"predictors are linearly dependent (with each other or with the cut points): {redundant}; drop them")
    return exog


def _redundant_predictors(x: np.ndarray, predictors: list[str], tol: float = 1e-9) -> list[str]:
    """Predictors that are (numerically) a linear combination of the earlier ones and a constant, in order.
    Works on the p x p correlation matrix (a Cholesky-like sweep), never on the n x p data: cheap at any n."""
    centered = x - x.mean(axis=0)
    scale = np.sqrt((centered ** 2).sum(axis=0))
    scale[scale == 0] = 1.0
    gram = (centered / scale).T @ (centered / scale)
    kept, redundant = [], []
    for j, name in enumerate(predictors):
        if kept:
            sub = gram[np.ix_(kept, kept)]
            cross = gram[kept, j]
            residual = gram[j, j] - cross @ np.linalg.solve(sub, cross)
        else:
            residual = gram[j, j]
        if residual < tol:
            redundant.append(name)
        else:
            kept.append(j)
    return redundant


def variance_inflation(x: np.ndarray) -> np.ndarray:
    """Variance inflation factor of every column of x (with a constant): 1 / (1 - R^2_j), R^2_j of column j regressed
    on the others; the diagonal of the inverse correlation matrix. 1 for a single column. The columns must be
    linearly independent and non-constant (fit_ordinal_model checks both first)."""
    if x.shape[1] == 1:
        return np.ones(1)
    corr = np.atleast_2d(np.corrcoef(x, rowvar=False))
    return np.maximum(np.diag(np.linalg.inv(corr)), 1.0)


def unestimable_predictors(data: pd.DataFrame, predictors: list[str]) -> dict[str, str]:
    """Predictors fit_ordinal_model would refuse, each with the reason, so a caller can leave them out and fit the
    rest: missing values, a single value (e.g. a survey dimension everybody answered the same), or a linear
    combination of the predictors before it (and the constant the cut points provide)."""
    reasons: dict[str, str] = {}
    for name in predictors:
        column = pd.to_numeric(data[name], errors="coerce").astype(float)
        if not np.isfinite(column).all():
            reasons[name] = f"{int((~np.isfinite(column)).sum())} missing or non-numeric values"
        elif column.nunique() <= 1:
            value = f" (always {column.iloc[0]:g})" if len(column) else ""
            reasons[name] = f"one answer level among the {len(column)} rows{value}: its effect cannot be estimated"
    rest = [p for p in predictors if p not in reasons]
    for name in redundant_predictors(data, rest) if rest else []:
        reasons[name] = "linearly dependent on the predictors before it: its effect cannot be told apart"
    return reasons


def redundant_predictors(data: pd.DataFrame, predictors: list[str]) -> list[str]:
    """Predictors linearly dependent on the ones before them (and the constant the cut points provide)."""
    return _redundant_predictors(data[predictors].astype(float).to_numpy(), list(predictors))


def separated_predictors(data: pd.DataFrame, outcome: str, predictors: list[str], categories: list | None = None
                         ) -> dict[str, str]:
    """Binary (0/1) predictors that on their own separate the outcome, with the reason: all rows with one value in
    the lowest or in the highest category, or the two groups on opposite sides of a cut point. Any of these makes
    the maximum-likelihood coefficient infinite whatever the other predictors are."""
    codes, cats = _outcome_codes(data, outcome, categories)
    y = np.asarray(codes.cat.codes)
    top = len(cats) - 1
    found = {}
    for name in predictors:
        x = data[name]
        values = set(pd.unique(x.astype(float)))
        if not values <= {0.0, 1.0} or len(values) < 2:
            continue
        ones, zeros = y[x.astype(float).to_numpy() == 1.0], y[x.astype(float).to_numpy() == 0.0]
        for label, group in (("1", ones), ("0", zeros)):
            if (group == 0).all():
                found[name] = f"every row with {name} = {label} is in the lowest category {cats[0]!r}"
            elif (group == top).all():
                found[name] = f"every row with {name} = {label} is in the highest category {cats[-1]!r}"
        if name not in found and (ones.max() < zeros.min() or zeros.max() < ones.min()):
            found[name] = f"the rows with {name} = 1 and = 0 lie on opposite sides of a cut point"
    return found


@dataclass
class _Maximum:
    model: "_LogitOrderedModel"   # on the standardized predictors
    raw: np.ndarray               # parameters for the original predictors (statsmodels parameterisation)
    cov_raw: np.ndarray | None
    llf: float
    spread: np.ndarray
    retvals: dict


def _maximize(codes: np.ndarray, n_levels: int, exog: np.ndarray, start_params=None, maxiter: int = 2000,
              gtol: float = GRADIENT_TOLERANCE, standard_errors: bool = True) -> _Maximum:
    """BFGS on OrderedModel(distr="logit") with no constant. It runs on standardized predictors
    (z = (x - mean) / sd: the same model and likelihood, reparameterised - badly scaled predictors otherwise cost many
    iterations); the estimates and their covariance are mapped back exactly (a linear map). `codes` are 0..K-1,
    every level observed. Raises OrdinalConvergenceError when BFGS does not converge."""
    k = exog.shape[1]
    n_params = k + n_levels - 1
    centre = exog.mean(axis=0)
    spread = exog.std(axis=0, ddof=1)
    to_raw = np.eye(n_params)
    to_raw[np.arange(k), np.arange(k)] = 1.0 / spread
    to_raw[k, :k] = centre / spread  # first cut point: theta_1 = theta_1(z) + sum_j beta_j mean_j
    start_z = None if start_params is None else np.linalg.solve(to_raw, np.asarray(start_params, dtype=float))
    # hasconst=False: fit_ordinal_model checks constant and collinear predictors itself (statsmodels' own check is
    # an SVD of the whole data).
    model = _LogitOrderedModel(codes, (exog - centre) / spread, distr="logit", hasconst=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence and Hessian problems are checked explicitly
        result = model.fit(method="bfgs", maxiter=maxiter, disp=False, start_params=start_z, gtol=gtol,
                           skip_hessian=not standard_errors)
    retvals = result.mle_retvals or {}
    params_z = np.asarray(result.params, dtype=float)
    if not retvals.get("converged", False) or not np.isfinite(params_z).all():
        gradient = np.abs(model.score(params_z)).max() / len(codes) if np.isfinite(params_z).all() else float("nan")
        raise OrdinalConvergenceError(
            f"BFGS did not converge in {maxiter} iterations (largest mean gradient {gradient:.3g}, tolerance "
            f"{gtol:g}): no estimates returned; check for separated or nearly collinear predictors")
    cov_raw = None
    if standard_errors:
        try:
            cov_z = result.cov_params()
        except (ValueError, np.linalg.LinAlgError):  # statsmodels: the Hessian could not be inverted
            cov_z = None
        cov_raw = None if cov_z is None else to_raw @ np.asarray(cov_z, dtype=float) @ to_raw.T
    return _Maximum(model, to_raw @ params_z, cov_raw, float(result.llf), spread, retvals)


def loglikelihood_at_maximum(codes: np.ndarray, n_levels: int, exog: np.ndarray, start_params=None
                             ) -> tuple[float, np.ndarray]:
    """Maximum log-likelihood and parameters for arrays already checked (the grid search of thresholds.py calls
    this hundreds of times; fit_ordinal_model's checks ran once on the same data)."""
    result = _maximize(codes, n_levels, exog, start_params, standard_errors=False)
    return result.llf, result.raw


def _cutpoint_std_err(threshold_params: np.ndarray, cov: np.ndarray | None) -> np.ndarray:
    """Standard errors of the natural cut points by the delta method. statsmodels parameterises
    theta_1 = a_1, theta_j = a_1 + sum_{i=2..j} exp(a_i), so d theta_j / d a_1 = 1 and d theta_j / d a_i = exp(a_i)
    for 2 <= i <= j (0 beyond j): Var(theta) = J Cov(a) J'."""
    n = len(threshold_params)
    if cov is None:
        return np.full(n, np.nan)
    jacobian = np.tril(np.ones((n, n))) * np.concatenate(([1.0], np.exp(threshold_params[1:])))[None, :]
    return np.sqrt(np.diag(jacobian @ cov @ jacobian.T))


def _separation(runaway: list[str]) -> OrdinalSeparationError:
    return OrdinalSeparationError(
        f"coefficients running off to infinity for {runaway} (more than {SEPARATION_LOGITS_PER_SD:g} logits per "
        "standard deviation of what each adds beyond the other predictors): the data are (quasi-)separated by these "
        "predictors", predictors=runaway)


def fit_ordinal_model(
    data: pd.DataFrame,
    outcome: str,
    predictors: list[str],
    categories: list | None = None,
    *,
    start_params: np.ndarray | None = None,
    maxiter: int = 2000,
    gtol: float = GRADIENT_TOLERANCE,
    standard_errors: bool = True,
) -> OrdinalFit:
    """Fit logit P(outcome <= k) = theta_k - x.beta by maximum likelihood (statsmodels OrderedModel, logit, BFGS,
    no constant). A numeric outcome takes its numeric order; a string outcome needs `categories` in their order.

    `standard_errors=False` skips the Hessian (std_err, z, p_value and the interval are then NaN): for searches
    that only need the log-likelihood. `start_params` is in statsmodels' parameterisation (coefficients, first cut
    point, log-increments), e.g. `previous_fit.raw_params`."""
    endog, cats = _outcome_codes(data, outcome, categories)
    exog = _exog(data, list(predictors))
    separated = separated_predictors(data.assign(**{outcome: endog}), outcome, list(predictors), cats)
    if separated:
        raise OrdinalSeparationError(
            "perfectly separated data, the maximum-likelihood coefficients are infinite: "
            + "; ".join(separated.values()), predictors=list(separated))
    n_params = len(predictors) + len(cats) - 1
    if len(exog) <= n_params:
        raise OrdinalModelError(f"{len(exog)} observations for {n_params} parameters: too few to fit")

    k = len(predictors)
    core = _maximize(np.asarray(endog.cat.codes, dtype=int), len(cats), exog.to_numpy(), start_params, maxiter,
                     gtol, standard_errors)
    model, raw, spread = core.model, core.raw, core.spread
    retvals = core.retvals
    converged = bool(retvals.get("converged"))  # always True here: a fit that does not converge raised above

    coef = raw[:k]
    # Separation first: a coefficient running off to infinity (per SD of the predictor's own part, see
    # SEPARATION_LOGITS_PER_SD; collinearity alone never counts) makes the Hessian near singular as well, and the
    # reason to report is the separation.
    own_spread = spread / np.sqrt(variance_inflation(exog.to_numpy()))
    effect = np.abs(coef) * own_spread
    runaway = [p for p, e in zip(predictors, effect) if e > SEPARATION_LOGITS_PER_SD]
    if runaway:
        raise _separation(runaway)
    if standard_errors:
        cov_raw = core.cov_raw
        if cov_raw is None or not np.isfinite(cov_raw).all() or (np.diag(cov_raw) <= 0).any():
            # The predictors are not collinear (checked above) and no coefficient is out of range yet, so a flat
            # direction of the likelihood is a combination of predictors separating the outcome.
            largest = [p for p, e in zip(predictors, effect) if e >= effect.max() / 2]
            raise OrdinalSeparationError(
                "the Hessian at the estimate is singular although the predictors are not collinear: a combination "
                f"of predictors separates the outcome (largest effects: {largest}); the maximum-likelihood "
                "coefficients are infinite", predictors=largest)
        std_err = np.sqrt(np.diag(cov_raw)[:k])
    else:
        cov_raw = None
        std_err = np.full(k, np.nan)
    # Separation inflates every standard error, so these are named only when no coefficient itself is out of range.
    runaway = [p for p, s, sd in zip(predictors, std_err, own_spread) if np.isfinite(s) and s * sd > SEPARATION_LOGITS_PER_SD]
    if runaway:
        raise _separation(runaway)

    z_crit = stats.norm.ppf(0.5 + CI_LEVEL / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = coef / std_err
    params = pd.DataFrame(
        {
            "coef": coef,
            "std_err": std_err,
            "z": z,
            "p_value": 2 * stats.norm.sf(np.abs(z)),
            "ci_low": coef - z_crit * std_err,
            "ci_high": coef + z_crit * std_err,
            "odds_ratio": np.exp(coef),
        },
        index=pd.Index(list(predictors), name="predictor"),
    )
    cuts = model.transform_threshold_params(raw)[1:-1]
    cut_names = [f"{a}|{b}" for a, b in zip(cats[:-1], cats[1:])]
    llf = core.llf
    llnull = float(model.loglike(model.start_params))
    cov = None
    if cov_raw is not None:
        names = list(predictors) + [f"_cut_param_{i}" for i in range(len(cats) - 1)]
        cov = pd.DataFrame(cov_raw, index=names, columns=names)
    return OrdinalFit(
        outcome=outcome,
        predictors=list(predictors),
        categories=cats,
        params=params,
        cutpoints=pd.Series(cuts, index=cut_names, name="cutpoint"),
        cutpoint_std_err=pd.Series(_cutpoint_std_err(raw[k:], None if cov_raw is None else cov_raw[k:, k:]),
                                   index=cut_names, name="cutpoint_std_err"),
        llf=llf,
        llnull=llnull,
        pseudo_r2=1.0 - llf / llnull,
        aic=-2.0 * llf + 2.0 * n_params,
        nobs=int(len(exog)),
        converged=converged,
        gradient_evaluations=retvals.get("gcalls"),
        cov=cov,
        raw_params=raw,
    )


def score_contributions(fit: OrdinalFit, data: pd.DataFrame, extra: dict[str, np.ndarray] | None = None
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Per-observation scores at the fitted parameters: (scores of the fitted parameters, scores of the coefficients
    of `extra` candidate predictors at coefficient 0). The candidates' score is what a score (LM) test uses."""
    endog, _ = _outcome_codes(data, fit.outcome, fit.categories)
    model = _LogitOrderedModel(endog, _exog(data, fit.predictors), distr="logit", hasconst=False)
    own = model.score_obs(fit.raw_params)
    if not extra:
        return own, np.empty((len(data), 0))
    # d log p / d gamma for a new predictor h at gamma = 0: the same factor as for every coefficient, times h.
    low, upp = model._bounds(fit.raw_params)
    cdf_low, cdf_upp = expit(low), expit(upp)
    prob = np.maximum(cdf_upp - cdf_low, 0.0) + 1e-20
    factor = -(cdf_upp * (1 - cdf_upp) - cdf_low * (1 - cdf_low)) / prob
    candidates = np.column_stack([factor * np.asarray(v, dtype=float) for v in extra.values()])
    return own, candidates
