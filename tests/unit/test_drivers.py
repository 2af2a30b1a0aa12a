"""Satisfaction drivers (lib/drivers): the ordinal fit against published reference results and against plain
statsmodels, its refusals (order, constants, separation, non-convergence), importance, quadrants, the tipping-point
search and its check, and the whole analysis on a simulated modelling table."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.miscmodels.tests.results.results_ordinal_model import data_store as ucla
from statsmodels.miscmodels.tests.results.results_ordinal_model import res_ord_logit as polr
from statsmodels.tools.numdiff import approx_fprime, approx_hess

from dagster_project.lib.drivers.analysis import AnalysisSettings, calibration_table, run_driver_analysis
from dagster_project.lib.drivers.importance import importance_shares, quadrants, relative_weights, standardized_effects
from dagster_project.lib.drivers.ordinal import (
    OrdinalConvergenceError,
    OrdinalModelError,
    OrdinalSeparationError,
    fit_ordinal_model,
)
from dagster_project.lib.drivers.simulate import simulate_modelling_table
from dagster_project.lib.drivers.thresholds import find_tipping_point, hinge, quantile_grid, sup_score_test

UCLA_ORDER = ["unlikely", "somewhat likely", "very likely"]
UCLA_X = ["pared", "public", "gpa"]


@pytest.fixture(scope="module")
def ucla_data() -> pd.DataFrame:
    data = ucla.df.copy()
    data["apply"] = data["apply"].astype(str)  # plain strings: the order must come from `categories`
    return data


@pytest.fixture(scope="module")
def ucla_fit(ucla_data):
    return fit_ordinal_model(ucla_data, "apply", UCLA_X, categories=UCLA_ORDER)


# ---- reference results ---------------------------------------------------------------------------------------

def test_agrees_with_the_published_polr_results_statsmodels_ships(ucla_fit, ucla_data):
    """statsmodels/miscmodels/tests/results/results_ordinal_model.py, `res_ord_logit`: R 3.4.4 MASS::polr(apply ~
    pared + public + gpa, method = "logit") on ologit_ucla.csv (400 students; the UCLA IDRE ordinal logistic
    regression example), as used by statsmodels' own test_ordinal_model.py. Tolerances: coefficients 2.5e-4 and
    cut points 1e-3 absolute (polr's optimizer stops early: its published values are 1.9e-4 and 6.0e-4 from the
    exact maximum, see the next test; statsmodels' own test allows 2e-4 and 4e-4 for its own optimizer), standard
    errors 0.3 % relative, z 0.3 % (+7e-4), p-values 0.9 % (+1e-5) relative and the seven published predicted
    probability rows 5e-5 absolute (statsmodels' tolerances)."""
    p = ucla_fit.params
    np.testing.assert_allclose(p["coef"], polr.coefficients_val, atol=2.5e-4)
    np.testing.assert_allclose(p["std_err"], polr.coefficients_stdE, rtol=3e-3, atol=1e-5)
    np.testing.assert_allclose(p["z"], polr.coefficients_tval, rtol=3e-3, atol=7e-4)
    np.testing.assert_allclose(p["p_value"], polr.coefficients_pval, rtol=9e-3, atol=1e-5)
    np.testing.assert_allclose(ucla_fit.cutpoints, polr.thresholds, atol=1e-3)
    np.testing.assert_allclose(ucla_fit.predict_proba(ucla_data).iloc[:7], polr.prob_pred, atol=5e-5)
    assert list(ucla_fit.cutpoints.index) == ["unlikely|somewhat likely", "somewhat likely|very likely"]
    assert ucla_fit.nobs == 400 and ucla_fit.converged


def test_is_the_exact_maximum_of_plain_statsmodels_orderedmodel(ucla_fit):
    """The likelihood is statsmodels' own: plain OrderedModel(distr="logit") refined by Newton steps to a gradient
    of ~1e-7 is the exact maximum; our estimates are within 1e-6 of it, our log-likelihood equals it (1e-8) and is
    no lower than plain BFGS's, and the standard errors match the exact Hessian's within 0.1 %. Fit statistics:
    AIC counts the cut points (727.02, as R's polr reports), McFadden R2 = 1 - llf / llnull."""
    model = OrderedModel(ucla.df["apply"], ucla.df[UCLA_X], distr="logit")
    plain = model.fit(method="bfgs", disp=False)
    x = np.asarray(plain.params, dtype=float)
    for _ in range(6):
        x = x - np.linalg.solve(approx_hess(x, model.loglike), approx_fprime(x, model.loglike, centered=True))
    exact_cuts = model.transform_threshold_params(x)[1:-1]
    np.testing.assert_allclose(ucla_fit.params["coef"], x[:3], atol=1e-6)
    np.testing.assert_allclose(ucla_fit.cutpoints, exact_cuts, atol=1e-6)
    assert ucla_fit.llf == pytest.approx(model.loglike(x), abs=1e-8)
    assert ucla_fit.llf >= plain.llf - 1e-9
    exact_se = np.sqrt(np.diag(np.linalg.inv(-approx_hess(x, model.loglike))))[:3]
    np.testing.assert_allclose(ucla_fit.params["std_err"], exact_se, rtol=1e-3)
    assert ucla_fit.aic == pytest.approx(-2 * ucla_fit.llf + 2 * 5) and ucla_fit.aic == pytest.approx(727.02, abs=0.01)
    assert ucla_fit.llnull == pytest.approx(plain.llnull, abs=1e-8)
    assert ucla_fit.pseudo_r2 == pytest.approx(1 - ucla_fit.llf / ucla_fit.llnull)
    # Cut points' standard errors: the delta method, checked against a numerical Jacobian of statsmodels' own
    # transform applied to the exact inverse Hessian (0.1 %), and against the natural-scale reparameterisation
    # theta_1, theta_2 fitted directly (the inverse Hessian of the likelihood in theta: the same numbers).
    cov = np.linalg.inv(-approx_hess(x, model.loglike))
    jacobian = approx_fprime(x, lambda a: model.transform_threshold_params(a)[1:-1], centered=True)
    np.testing.assert_allclose(ucla_fit.cutpoint_std_err, np.sqrt(np.diag(jacobian @ cov @ jacobian.T)), rtol=1e-3)

    def loglike_natural(params):
        theta = params[3:]
        return model.loglike(np.concatenate([params[:3], [theta[0]], np.log(np.diff(theta))]))

    natural = np.concatenate([x[:3], exact_cuts])
    natural_se = np.sqrt(np.diag(np.linalg.inv(-approx_hess(natural, loglike_natural))))[3:]
    np.testing.assert_allclose(ucla_fit.cutpoint_std_err, natural_se, rtol=2e-3)
    # Wald interval and odds ratio
    p = ucla_fit.params
    np.testing.assert_allclose(p["ci_high"] - p["coef"], 1.959964 * p["std_err"], rtol=1e-6)
    np.testing.assert_allclose(p["odds_ratio"], np.exp(p["coef"]))


def test_probabilities_sum_to_one_and_follow_the_category_order(ucla_fit, ucla_data):
    proba = ucla_fit.predict_proba(ucla_data)
    assert list(proba.columns) == UCLA_ORDER
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    assert (proba.to_numpy() > 0).all()
    assert np.all(np.diff(ucla_fit.cutpoints.to_numpy()) > 0)
    # reversing the order reverses the signs (and never sorts the labels alphabetically)
    reversed_fit = fit_ordinal_model(ucla_data, "apply", UCLA_X, categories=UCLA_ORDER[::-1])
    np.testing.assert_allclose(reversed_fit.params["coef"], -ucla_fit.params["coef"], atol=1e-5)


def test_string_outcome_without_an_order_is_refused(ucla_data):
    with pytest.raises(OrdinalModelError, match="never"):
        fit_ordinal_model(ucla_data, "apply", UCLA_X)
    unordered = ucla_data.assign(apply=pd.Categorical(ucla_data["apply"], ordered=False))
    with pytest.raises(OrdinalModelError, match="unordered"):
        fit_ordinal_model(unordered, "apply", UCLA_X)
    ordered = ucla_data.assign(apply=pd.Categorical(ucla_data["apply"], categories=UCLA_ORDER, ordered=True))
    assert fit_ordinal_model(ordered, "apply", UCLA_X).categories == UCLA_ORDER


def test_rescaling_a_predictor_rescales_its_coefficient_only(ucla_fit, ucla_data):
    """BFGS runs on standardized predictors and maps back: gpa in thousandths gives coef / 1000, the same
    log-likelihood, the same cut points (a shift by a constant predictor is absorbed exactly)."""
    shifted = ucla_data.assign(gpa=ucla_data["gpa"] * 1000 + 5)
    fit = fit_ordinal_model(shifted, "apply", UCLA_X, categories=UCLA_ORDER)
    assert fit.params.loc["gpa", "coef"] * 1000 == pytest.approx(ucla_fit.params.loc["gpa", "coef"], rel=1e-5)
    assert fit.params.loc["gpa", "std_err"] * 1000 == pytest.approx(ucla_fit.params.loc["gpa", "std_err"], rel=1e-4)
    assert fit.llf == pytest.approx(ucla_fit.llf, abs=1e-7)
    shift = 5 * fit.params.loc["gpa", "coef"]
    np.testing.assert_allclose(fit.cutpoints - shift, ucla_fit.cutpoints, atol=1e-5)


# ---- refusals ------------------------------------------------------------------------------------------------

def test_bad_input_is_refused_with_the_column_named(ucla_data):
    with pytest.raises(OrdinalModelError, match="constant predictors \\['always_one'\\]"):
        fit_ordinal_model(ucla_data.assign(always_one=1.0), "apply", [*UCLA_X, "always_one"], UCLA_ORDER)
    with pytest.raises(OrdinalModelError, match="linearly dependent.*gpa_twice"):
        fit_ordinal_model(ucla_data.assign(gpa_twice=2 * ucla_data["gpa"] + 1), "apply", [*UCLA_X, "gpa_twice"],
                          UCLA_ORDER)
    with pytest.raises(OrdinalModelError, match="missing or infinite values in predictors \\['gpa'\\]"):
        fit_ordinal_model(ucla_data.assign(gpa=ucla_data["gpa"].where(ucla_data.index > 0)), "apply", UCLA_X,
                          UCLA_ORDER)
    with pytest.raises(OrdinalModelError, match="no observation in outcome categories \\['never'\\]"):
        fit_ordinal_model(ucla_data, "apply", UCLA_X, [*UCLA_ORDER, "never"])
    with pytest.raises(OrdinalModelError, match="not among the categories"):
        fit_ordinal_model(ucla_data, "apply", UCLA_X, UCLA_ORDER[:2])
    with pytest.raises(OrdinalModelError, match="not numeric"):
        fit_ordinal_model(ucla_data.assign(name="x"), "apply", [*UCLA_X, "name"], UCLA_ORDER)


def test_separated_data_raise_instead_of_returning_numbers():
    rng = np.random.default_rng(3)
    n = 300
    data = pd.DataFrame({"x": rng.normal(size=n), "noise": rng.normal(size=n)})
    data["y"] = np.select([data["x"] > 0.4, data["x"] > -0.4], [3, 2], 1)  # x orders y perfectly
    with pytest.raises(OrdinalSeparationError, match="running off to infinity for \\['x'\\]"):
        fit_ordinal_model(data, "y", ["x", "noise"])
    data["flag"] = (rng.random(n) < 0.1).astype(int)
    data["y2"] = np.where(data["flag"] == 1, 3, rng.integers(1, 4, n))  # every flagged row in the top category
    with pytest.raises(OrdinalSeparationError, match="flag = 1 is in the highest category"):
        fit_ordinal_model(data, "y2", ["flag", "noise"])


def test_a_combination_separating_the_outcome_raises_the_separation_error_not_a_bare_valueerror():
    """x1 + x2 orders y perfectly, neither alone does. statsmodels' covariance then fails with a bare ValueError
    ('need covariance of parameters') on some draws: fit_ordinal_model names the separation instead, on every draw,
    and says which predictors (callers leave them out and refit)."""
    for seed in range(6):
        rng = np.random.default_rng(seed)
        n = 400
        data = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.normal(size=n),
                             "f": (rng.random(n) < 0.5).astype(int)})
        z = data["a"] + data["b"]
        data["y"] = np.select([z > 0.5, z > -0.5], [3, 2], 1)
        with pytest.raises(OrdinalSeparationError) as raised:
            fit_ordinal_model(data, "y", ["a", "b", "c", "f"])
        assert {"a", "b"} <= set(raised.value.predictors), (seed, raised.value)


def test_nearly_collinear_predictors_are_not_mistaken_for_separation():
    """The refusal seen on real-sized demo data (issue 11): wait time and its hinge (x - psi)+ with psi just above
    the mass at zero are nearly collinear (VIF ~ 2e5), so their standard errors are large (39 logits per SD of x)
    but finite and honest; the data are not separated. The separation rule measures effects per SD of each
    predictor's own part (sd / sqrt(VIF)), so the fit is returned, and the identified quantity - the slope beyond
    psi, b_x + b_h - is precise and near the planted -0.5."""
    rng = np.random.default_rng(4)
    n = 400
    x = np.where(rng.random(n) < 0.6, 0.0, rng.exponential(1.0, n))
    psi = np.quantile(x[x > 0], 0.005)  # one positive value at or below psi
    cumulative = 1 / (1 + np.exp(-(np.array([-3.0, -2.0, -1.0, 0.5])[None, :] + 0.5 * x[:, None])))
    data = pd.DataFrame({"x": x, "h": hinge(x, psi), "y": 1 + (rng.random(n)[:, None] > cumulative).sum(axis=1)})
    fit = fit_ordinal_model(data, "y", ["x", "h"])
    assert (fit.params["std_err"] * data[["x", "h"]].std()).min() > 12  # the old rule refused here
    slope = fit.params["coef"].sum()
    cov = fit.cov.loc[["x", "h"], ["x", "h"]].to_numpy()
    slope_se = float(np.sqrt(cov.sum()))
    assert slope_se < 0.2 and abs(slope + 0.5) < 3 * slope_se, (slope, slope_se)


def test_a_fit_that_does_not_converge_raises(ucla_data):
    with pytest.raises(OrdinalConvergenceError, match="did not converge"):
        fit_ordinal_model(ucla_data, "apply", UCLA_X, UCLA_ORDER, maxiter=2)


# ---- importance and quadrants --------------------------------------------------------------------------------

def test_relative_weights_share_out_the_latent_r2():
    """Uncorrelated predictors: the relative weights are the squared fully standardized coefficients (their shares
    equal the shares of squared standardized betas) and sum to the McKelvey-Zavoina R2. A copy of a predictor
    with a little noise splits that predictor's weight instead of doubling it."""
    rng = np.random.default_rng(11)
    n = 4000
    data = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.normal(size=n)})
    eta = 1.0 * data["a"] + 0.5 * data["b"] + 0.0 * data["c"]
    data["y"] = 1 + (rng.random(n)[:, None] > stats.logistic.cdf(np.array([-1.0, 0.5, 2.0])[None, :] - eta.to_numpy()[:, None])).sum(axis=1)
    fit = fit_ordinal_model(data, "y", ["a", "b", "c"])
    weights, r2 = relative_weights(data, "y", ["a", "b", "c"])
    latent_var = np.var(fit.linear_predictor(data), ddof=1) + np.pi ** 2 / 3
    assert weights.sum() == pytest.approx(r2, rel=1e-9)
    assert r2 == pytest.approx(np.var(fit.linear_predictor(data), ddof=1) / latent_var, rel=0.02)
    std_beta_sq = (fit.params["coef"] * data[["a", "b", "c"]].std(ddof=1)) ** 2
    np.testing.assert_allclose(weights / weights.sum(), std_beta_sq / std_beta_sq.sum(), atol=0.01)

    data["a_copy"] = data["a"] + 0.3 * rng.normal(size=n)
    weights2, _ = relative_weights(data, "y", ["a", "a_copy", "b", "c"])
    assert weights2["a"] + weights2["a_copy"] == pytest.approx(weights["a"], rel=0.1)
    grouped, _ = relative_weights(data, "y", ["a", "a_copy", "b", "c"], groups={"a": ["a", "a_copy"], "b": ["b"]})
    assert grouped["a"] == pytest.approx(weights2["a"] + weights2["a_copy"])


def test_standardized_effects_importance_and_quadrants():
    rng = np.random.default_rng(5)
    n = 3000
    data = pd.DataFrame({"wait": rng.exponential(2, n), "flag": (rng.random(n) < 0.3).astype(float)})
    data["wait_over"] = hinge(data["wait"], 1.0)
    eta = -0.5 * data["wait"] - 1.0 * data["flag"]
    data["y"] = 1 + (rng.random(n)[:, None] > stats.logistic.cdf(np.array([-2.0, 0.0, 1.5])[None, :] - eta.to_numpy()[:, None])).sum(axis=1)
    fit = fit_ordinal_model(data, "y", ["wait", "wait_over", "flag"])
    effects = standardized_effects(fit, data, {"wait": ["wait", "wait_over"], "flag": ["flag"]})
    contribution = data[["wait", "wait_over"]].to_numpy() @ fit.params.loc[["wait", "wait_over"], "coef"].to_numpy()
    assert effects["wait"] == pytest.approx(-np.std(contribution, ddof=1))
    assert effects["flag"] == pytest.approx(fit.params.loc["flag", "coef"] * data["flag"].std(ddof=1))
    shares = importance_shares(effects)
    assert shares.sum() == pytest.approx(1.0) and (shares > 0).all()

    importance = pd.Series({"a": 0.4, "b": 0.3, "c": 0.2, "d": 0.1, "e": 0.5})
    performance = pd.Series({"a": 0.6, "b": 0.9, "c": 0.5, "d": 0.95, "e": None}, dtype=float)
    # means over a-d: importance 0.25, performance 0.7375 (e has no performance: no quadrant, not in the means)
    q = quadrants(importance, performance)
    assert q.loc["a", "quadrant"] == "concentrate here"
    assert q.loc["b", "quadrant"] == "keep up the good work"
    assert q.loc["c", "quadrant"] == "low priority"
    assert q.loc["d", "quadrant"] == "possible overkill"
    assert pd.isna(q.loc["e", "quadrant"])
    assert q["importance_mean"].iloc[0] == pytest.approx(0.25)


# ---- tipping points --------------------------------------------------------------------------------------------

def _hinge_data(n, psi, slope, seed, linear_slope=0.0):
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({"minutes": rng.gamma(2.0, 1.0, n), "other": rng.normal(size=n)})
    eta = slope * hinge(data["minutes"], psi) + linear_slope * data["minutes"] + 0.5 * data["other"]
    cuts = np.array([-3.0, -1.5, 0.0, 1.5])
    data["y"] = 1 + (rng.random(n)[:, None] > stats.logistic.cdf(cuts[None, :] - eta.to_numpy()[:, None])).sum(axis=1)
    return data


def test_tipping_point_is_found_and_checked():
    """A planted hinge at 2.5 minutes (-1 logit per minute beyond, nothing before) in 4,000 responses: found
    within 0.5 minutes (about the grid spacing there), inside its profile interval, the kink test rejects a
    straight line (p < 0.01) and the slope below is near 0."""
    data = _hinge_data(4000, psi=2.5, slope=-1.0, seed=21)
    result = find_tipping_point(data, "y", "minutes", ["other"], n_bootstrap=499, seed=1)
    assert abs(result.threshold - 2.5) <= 0.5, result
    assert result.ci_low <= 2.5 <= result.ci_high
    assert result.p_value < 0.01 and result.llf_gain > 5
    assert result.slope_above == pytest.approx(-1.0, abs=3 * result.slope_above_std_err)
    assert abs(result.slope_below) <= 3 * result.slope_below_std_err
    assert result.profile["llf"].idxmax() == result.profile["psi"].sub(result.threshold).abs().idxmin()


def test_kink_check_holds_its_level_on_straight_lines():
    """No kink (a straight-line effect): over 30 simulated data sets the multiplier-bootstrap p-value falls below
    0.05 at most 5 times (expected 1.5; P(>= 6 | level 0.05) = 0.003) and is above 0.5 at least 8 times (expected
    15; P(<= 7 | uniform) = 0.008)."""
    p_values = []
    for seed in range(30):
        data = _hinge_data(1200, psi=0.0, slope=0.0, seed=100 + seed, linear_slope=-0.6)
        linear = fit_ordinal_model(data, "y", ["other", "minutes"], standard_errors=False)
        grid = quantile_grid(data["minutes"])
        p_values.append(sup_score_test(linear, data, "minutes", grid, n_bootstrap=199, seed=seed)[2])
    p_values = np.array(p_values)
    assert (p_values < 0.05).sum() <= 5, p_values
    assert (p_values > 0.5).sum() >= 8, p_values


def test_the_bootstrap_draws_in_smaller_chunks_when_the_rows_are_many(monkeypatch):
    """The multipliers are drawn in chunks of at most MULTIPLIER_BUDGET numbers (a 10 M-contact year fits about
    800,000 rows: 200 replicates at a time would be 1.3 GB). Under the budget nothing changes; over it the draws
    are other ones, the test is the same: the planted kink is still found (p < 0.01), the straight line is not."""
    from dagster_project.lib.drivers import thresholds

    kink = _hinge_data(4000, psi=2.5, slope=-1.0, seed=21)
    straight = _hinge_data(1200, psi=0.0, slope=0.0, seed=104, linear_slope=-0.6)

    def p_value(data):
        linear = fit_ordinal_model(data, "y", ["other", "minutes"], standard_errors=False)
        return sup_score_test(linear, data, "minutes", quantile_grid(data["minutes"]), n_bootstrap=199, seed=3)[2]

    default = (p_value(kink), p_value(straight))
    monkeypatch.setattr(thresholds, "MULTIPLIER_BUDGET", 4000 * 200)   # exactly one full chunk: unchanged
    assert (p_value(kink), p_value(straight)) == default
    monkeypatch.setattr(thresholds, "MULTIPLIER_BUDGET", 4000 * 7)     # 7 replicates per draw
    small_kink, small_straight = p_value(kink), p_value(straight)
    assert small_kink < 0.01 and default[0] < 0.01
    assert small_straight > 0.05 and default[1] > 0.05


def test_quantile_grid_skips_the_mass_at_zero_and_thin_tails():
    x = pd.Series(np.concatenate([np.zeros(500), np.arange(1, 501, dtype=float)]))
    grid = quantile_grid(x, probs=(0.05, 0.5, 0.95, 0.999), min_beyond=20)
    assert grid.min() > 0  # quantiles of the values above the minimum, not of the zeros
    np.testing.assert_allclose(grid, np.quantile(np.arange(1, 501), [0.05, 0.5, 0.95]))  # 99.9 %: < 20 beyond it


# ---- the analysis -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def simulated_analysis():
    frame = simulate_modelling_table(n_contacts=8000, days=40, seed=7)
    return frame, run_driver_analysis(frame, AnalysisSettings(n_bootstrap=199))


def test_analysis_tables_on_a_simulated_contact_center(simulated_analysis):
    frame, analysis = simulated_analysis
    assert analysis.status == "fitted"
    drivers = analysis.drivers.set_index("driver")
    # abandoned contacts are never surveyed: listed, with the reason, not fitted
    assert drivers.loc["is_abandoned", "status"] == "excluded"
    assert "constant" in drivers.loc["is_abandoned", "excluded_reason"]
    estimated = drivers[drivers["status"] == "estimated"]
    assert estimated["coef"].notna().all() and (estimated["ci_low"] < estimated["ci_high"]).all()
    ranked = estimated[estimated["role"] == "driver"]
    assert ranked["importance"].sum() == pytest.approx(1.0)
    assert ranked["relative_weight_share"].sum() == pytest.approx(1.0)
    assert set(ranked["quadrant"].dropna()) <= {"concentrate here", "keep up the good work", "low priority",
                                                "possible overkill"}
    assert ranked.loc["agent_tenure_days", "quadrant_null_reason"] == "no target in the seeds"
    # performance = share of all contacts on the good side of the target
    measured = frame["ivr_meets_target"].dropna()
    assert drivers.loc["ivr_seconds", "performance"] == pytest.approx(measured.mean())
    assert drivers.loc["ivr_seconds", "performance_contacts"] == len(measured)
    # the planted IVR hinge is found and enters the model as one
    thresholds = analysis.thresholds.set_index("driver")
    assert thresholds.loc["ivr_seconds", "is_tipping_point"] and drivers.loc["ivr_seconds", "form"] == "hinge"
    assert abs(thresholds.loc["ivr_seconds", "threshold"] - 120) <= 40
    assert set(analysis.threshold_profile["driver"]) <= set(thresholds.index)


def test_scores_cover_every_contact_and_the_holdout_is_calibrated(simulated_analysis):
    frame, analysis = simulated_analysis
    scores = analysis.scores
    assert len(scores) == len(frame) and scores["contact_id"].is_unique
    p = scores[[f"p_csat_{k}" for k in range(1, 6)]].to_numpy()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(scores["expected_csat"], p @ np.arange(1, 6))
    assert scores["used_in_fit"].sum() == analysis.model_fit.set_index("model").loc["all_surveyed", "nobs"]
    # unknown drivers (the first week's prior contacts, unhandled contacts' tenure) are filled and named
    early = scores["local_date"] < frame["local_date"].min() + pd.Timedelta(days=1)
    assert scores.loc[early, "imputed_drivers"].str.contains("bot_failed_before_24h").all()
    calibration = analysis.calibration
    categories = calibration[calibration["kind"] == "category"]
    assert len(categories) == 5 and categories["within_tolerance"].all()
    assert categories["predicted"].sum() == pytest.approx(1.0)
    fit = analysis.model_fit.set_index("model")
    assert fit.loc["holdout_training", "status"] == "fitted"
    assert fit.loc["holdout_training", "period_to"] < fit.loc["holdout_training", "holdout_from"]
    assert bool(fit.loc["all_surveyed", "calibration_within_tolerance"])


def test_too_few_surveys_give_null_scores_with_the_reason():
    frame = simulate_modelling_table(n_contacts=600, days=10, survey_rate=0.2, seed=3)
    analysis = run_driver_analysis(frame)
    assert analysis.status == "insufficient_data"
    assert analysis.scores["expected_csat"].isna().all()
    assert analysis.scores["score_null_reason"].str.startswith("no model: ").all()
    assert (analysis.drivers["status"] == "not_estimated").all()
    assert analysis.thresholds.empty and analysis.calibration.empty
    assert set(analysis.model_fit["status"]) == {"insufficient_data"}


def test_calibration_table_by_hand():
    probabilities = pd.DataFrame({1: [0.1, 0.1], 2: [0.1, 0.1], 3: [0.2, 0.2], 4: [0.3, 0.3], 5: [0.3, 0.3]})
    table = calibration_table(probabilities, pd.Series([5, 4]), tolerance=0.05)
    categories = table[table["kind"] == "category"].set_index("bin")
    assert categories.loc[5, "observed"] == 0.5 and categories.loc[5, "predicted"] == pytest.approx(0.3)
    assert not categories.loc[5, "within_tolerance"] and categories.loc[3, "difference"] == pytest.approx(-0.2)
    overall = table[table["kind"] == "overall"].iloc[0]
    assert overall["predicted"] == pytest.approx(0.1 + 0.2 + 0.6 + 1.2 + 1.5) and overall["observed"] == 4.5


def test_the_dashboard_colours_every_published_quadrant_and_only_those():
    """ui.js QUADRANT_COLOURS fixes one colour per quadrant name on every page; its names are the ones published."""
    import json
    import re

    from dagster_project.lib.drivers.importance import QUADRANTS
    from tests.conftest import REPO_ROOT

    source = (REPO_ROOT / "notebooks" / "dashboard" / "src" / "components" / "ui.js").read_text()
    body = re.search(r"export const QUADRANT_COLOURS = (\{.*?\});", source, re.S).group(1)
    colours = json.loads(body)
    assert sorted(colours) == sorted(QUADRANTS.values())
    assert len(set(colours.values())) == len(colours)


def test_contacts_of_a_channel_never_surveyed_get_no_score_and_the_rest_are_unchanged():
    """Email contacts with no surveyed email contact (and contacts of unknown channel) would be scored as the
    reference channel with their own units of wait: they get NULL with the reason; every other contact's score is
    exactly what the same analysis gives without them (the fit uses surveyed contacts only)."""
    frame = simulate_modelling_table(n_contacts=3000, days=30, seed=9)
    settings = AnalysisSettings(n_bootstrap=49)
    base = run_driver_analysis(frame, settings).scores.set_index("contact_id")
    unsurveyed = frame.index[frame["csat"].isna()]
    extra = frame.loc[unsurveyed[:150]].copy()
    extra["contact_id"] = "E" + extra["contact_id"].astype(str)
    extra["channel"] = "email"
    extra["wait_seconds"] = extra["wait_seconds"] * 3600
    unknown = frame.loc[unsurveyed[150:170]].copy()
    unknown["contact_id"] = "U" + unknown["contact_id"].astype(str)
    unknown["channel"] = None
    scores = run_driver_analysis(pd.concat([frame, extra, unknown], ignore_index=True), settings).scores
    scores = scores.set_index("contact_id")
    emails = scores.loc[extra["contact_id"]]
    assert emails["expected_csat"].isna().all() and emails["p_csat_1"].isna().all()
    assert emails["score_null_reason"].str.startswith("channel email: no surveyed contact of this channel").all()
    assert emails["imputed_drivers"].isna().all()
    assert scores.loc[unknown["contact_id"], "score_null_reason"].str.startswith("unknown channel").all()
    rest = scores.loc[base.index]
    assert rest["score_null_reason"].isna().all()
    np.testing.assert_allclose(rest["expected_csat"].to_numpy(), base["expected_csat"].to_numpy(), rtol=0, atol=1e-12)


def test_a_score_only_run_scores_as_a_fit_on_the_same_fitting_data_and_scores_new_contacts(con):
    """Between refits (lib/drivers/schedule.py) a run scores every contact with the stored model. With new
    unsurveyed contacts (the fitting data unchanged) its scores are those of a full analysis of the same frame, every
    column, to 1e-12; a new surveyed contact is scored but, not being in the stored fit, is neither used_in_fit nor
    in_holdout, and the contacts of the fit keep their flags."""
    from dagster_project.lib.drivers import store

    frame = simulate_modelling_table(n_contacts=3000, days=30, seed=9)
    settings = AnalysisSettings(n_bootstrap=49)
    first = run_driver_analysis(frame, settings)
    store.write_analysis(con, first, "run-1", store.stored_model(first, frame, settings, "run-1"))
    stored = store.read_stored_model(con)

    unsurveyed = frame.index[frame["csat"].isna()]
    new = frame.loc[unsurveyed[:200]].copy()
    new["contact_id"] = "N" + new["contact_id"].astype(str)
    new["local_date"] = pd.to_datetime(frame["local_date"]).max() + pd.Timedelta(days=1)
    grown = pd.concat([frame, new], ignore_index=True)
    refit = run_driver_analysis(grown, settings).scores
    scored = store.score_only(grown, stored)
    assert len(scored) == len(grown) and scored["expected_csat"].notna().sum() == len(grown)
    probabilities = [f"p_csat_{k}" for k in range(1, 6)] + ["expected_csat"]
    np.testing.assert_allclose(scored[probabilities].to_numpy(), refit[probabilities].to_numpy(), rtol=0, atol=1e-12)
    pd.testing.assert_frame_equal(scored.drop(columns=probabilities), refit.drop(columns=probabilities))
    assert scored.tail(200)["expected_csat"].notna().all() and not scored.tail(200)["used_in_fit"].any()

    survey = frame.loc[frame["csat"].notna()].iloc[[0]].assign(contact_id="S-late", local_date=new["local_date"].iloc[0])
    with_survey = store.score_only(pd.concat([grown, survey], ignore_index=True), stored).set_index("contact_id")
    row = with_survey.loc["S-late"]
    assert row["is_surveyed"] and not row["used_in_fit"] and not row["in_holdout"] and row["expected_csat"] > 0
    before = first.scores.set_index("contact_id")
    assert with_survey.loc[before.index, "used_in_fit"].equals(before["used_in_fit"])
    assert with_survey.loc[before.index, "in_holdout"].equals(before["in_holdout"])
    assert before["in_holdout"].any()
