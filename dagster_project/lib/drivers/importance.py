"""Driver importance and the importance-performance quadrants (metrics.md §7).

- Standardized effect of a driver = the standard deviation of its contribution to the latent index, with the sign
  of its (upper) slope: beta * sd(x) for a driver with one term; for a driver with several terms (a slope and a
  tipping-point hinge, or the dummies of a category) sd(sum of beta_t * x_t). In logits per standard deviation.
- Importance share = |standardized effect| / sum over the drivers compared.
- Relative weights: Johnson's (2000) relative weights carried to the latent scale of the ordinal model. The
  predictors are replaced by their closest orthonormal counterparts Z, the ordinal model is refitted on Z, and each
  predictor receives sum_k lambda_jk^2 beta*_k^2, lambda = the correlations of the predictors with Z, beta*_k the
  coefficients of the Z model fully standardized with McKelvey & Zavoina's (1975) latent variance
  var(Z beta) + pi^2/3. The raw weights sum to the McKelvey-Zavoina R^2 of the Z model; unlike |standardized beta|
  they share out the effect of correlated predictors instead of counting it twice. This is not Tonidandel &
  LeBreton's (2010) logistic extension, which standardizes the coefficients Menard's way (b sd(Z) R / sd(logit p),
  R the correlation of the observed binary outcome with its predicted probability) and has no single counterpart
  for an ordinal outcome with K - 1 cut points; the latent-variable scaling is the one the proportional-odds model
  defines (see docs/decisions.md).
- Quadrants: crosshairs at the mean importance and the mean performance of the drivers shown.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dagster_project.lib.drivers.ordinal import OrdinalFit, fit_ordinal_model

QUADRANTS = {
    (True, False): "concentrate here",       # important, performing poorly
    (True, True): "keep up the good work",    # important, performing well
    (False, False): "low priority",           # unimportant, performing poorly
    (False, True): "possible overkill",       # unimportant, performing well
}
LOGISTIC_VARIANCE = np.pi ** 2 / 3


def standardized_effects(fit: OrdinalFit, data: pd.DataFrame, terms: dict[str, list[str]],
                         sign_terms: dict[str, list[str]] | None = None) -> pd.Series:
    """Per driver: sd over `data` of sum(beta_t * x_t) over the driver's terms, signed by the sum of the
    coefficients in `sign_terms[driver]` (default: all its terms; for a hinge driver pass the slope above the
    tipping point, i.e. both terms)."""
    coef = fit.params["coef"]
    out = {}
    for driver, names in terms.items():
        contribution = data[names].astype(float).to_numpy() @ coef.loc[names].to_numpy()
        spread = float(np.std(contribution, ddof=1)) if len(contribution) > 1 else float("nan")
        signed = coef.loc[(sign_terms or {}).get(driver, names)].sum()
        out[driver] = spread if signed >= 0 else -spread
    return pd.Series(out, dtype=float)


def importance_shares(effects: pd.Series) -> pd.Series:
    """|effect| / sum |effect| (NaN effects get NaN and are left out of the sum)."""
    magnitude = effects.abs()
    total = magnitude.sum(skipna=True)
    if not np.isfinite(total) or total <= 0:
        return pd.Series(np.nan, index=effects.index)
    return magnitude / total


def relative_weights(data: pd.DataFrame, outcome: str, predictors: list[str], categories: list | None = None,
                     groups: dict[str, list[str]] | None = None) -> tuple[pd.Series, float]:
    """Relative weights of `predictors` (summed per group when `groups` maps a name to its predictors) and the
    McKelvey-Zavoina R^2 of the orthogonalised model (= the sum of the raw weights)."""
    x = data[predictors].astype(float).to_numpy()
    n = len(x)
    standardized = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    # With X = P D Q' (SVD), Z = sqrt(n-1) P Q' is the orthonormal matrix closest to the standardized X (unit
    # variance columns) and X = Z lambda with lambda = Q D Q' / sqrt(n-1) = R^(1/2), R the correlation matrix:
    # both from the eigen-decomposition of R (p x p), never an SVD of the n x p data.
    corr = standardized.T @ standardized / (n - 1)
    eigenvalues, q = np.linalg.eigh(corr)
    eigenvalues = np.clip(eigenvalues, 1e-12, None)
    lam = q @ np.diag(np.sqrt(eigenvalues)) @ q.T            # symmetric: lam[j, k] = corr(x_j, z_k)
    z = standardized @ (q @ np.diag(1.0 / np.sqrt(eigenvalues)) @ q.T)
    z_names = [f"_rw_z{j}" for j in range(len(predictors))]
    z_frame = pd.DataFrame(z, columns=z_names, index=data.index)
    z_frame[outcome] = data[outcome].to_numpy()
    fit = fit_ordinal_model(z_frame, outcome, z_names, categories, standard_errors=False)
    beta = fit.params["coef"].to_numpy()
    latent_sd = np.sqrt(np.var(z @ beta, ddof=1) + LOGISTIC_VARIANCE)
    beta_star = beta / latent_sd
    raw = (lam ** 2) @ (beta_star ** 2)
    weights = pd.Series(raw, index=predictors)
    if groups:
        weights = pd.Series({g: float(weights.loc[names].sum()) for g, names in groups.items()})
    r2 = float((beta_star ** 2).sum())
    return weights, r2


def quadrants(importance: pd.Series, performance: pd.Series) -> pd.DataFrame:
    """Quadrant of each driver with both values; crosshairs at the means over those drivers (a value equal to the
    mean counts as high). Returns quadrant, importance_mean, performance_mean."""
    both = importance.notna() & performance.notna()
    out = pd.DataFrame({"quadrant": pd.Series(None, index=importance.index, dtype=object)})
    if not both.any():
        out["importance_mean"] = np.nan
        out["performance_mean"] = np.nan
        return out
    imp_mean = float(importance[both].mean())
    perf_mean = float(performance[both].mean())
    for name in importance.index[both]:
        out.loc[name, "quadrant"] = QUADRANTS[(bool(importance[name] >= imp_mean),
                                                bool(performance[name] >= perf_mean))]
    out["importance_mean"] = imp_mean
    out["performance_mean"] = perf_mean
    return out
