"""The satisfaction-driver analysis of the warehouse (metrics.md §7), from the modelling table
marts.fct_contact_drivers to the analysis tables. Plain functions of DataFrames; the Dagster assets only read and
write.

1. Surveyed contacts with every driver known are the fitting data (csat 1-5 as an ordered outcome); drivers that
   cannot be estimated there are listed with the reason instead of being fitted: constant (e.g. abandoned
   contacts are never surveyed), too few contacts on one side of a flag, separating csat, or linearly dependent on
   drivers before them. Channel enters as a control (dummies against the most frequent channel).
2. Each continuous driver gets a tipping-point search (thresholds.py); a driver whose hinge is real (kink test
   p < alpha, and the hinge fits better than the straight line) enters the final model as (x - psi)+.
3. The final proportional-odds fit gives per driver: the coefficient per unit with its 95 % interval, p-value and
   odds ratio, the standardized effect, importance shares and relative weights; performance is the share of all
   contacts on the good side of the driver's target (fct_contact_drivers *_meets_target columns, from the
   seeds); quadrants with crosshairs at the means.
4. Calibration: the same procedure (screening, tipping points, fit) on the surveyed contacts before a cut date,
   scored on the later ones (a time-based hold-out of about `holdout_share` of the surveyed contacts).
5. Scores for every contact from the model fitted on all surveyed contacts: P(csat = k) and expected csat; a
   driver unknown for a contact is filled (flags: 0, continuous: the fitting data's median) and named in
   imputed_drivers. Between refits (schedule.py) `score_with_model` scores every contact with the stored model by
   the same code (`_score`, `_scores_table`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from dagster_project.lib.drivers.importance import importance_shares, quadrants, relative_weights, standardized_effects
from dagster_project.lib.drivers.ordinal import (
    OrdinalFit,
    OrdinalModelError,
    OrdinalSeparationError,
    fit_ordinal_model,
    redundant_predictors,
    row_dot,
    separated_predictors,
)
from dagster_project.lib.drivers.thresholds import DEFAULT_GRID_PROBS, TippingPoint, find_tipping_point, hinge, hinge_column

OUTCOME = "csat"
CSAT_CATEGORIES = [1, 2, 3, 4, 5]


@dataclass(frozen=True)
class DriverSpec:
    """A driver of the model: `name` is its column in marts.fct_contact_drivers."""

    name: str
    label: str
    kind: str                 # continuous | count | flag
    role: str                 # driver (a journey step) | control (adjusted for, not ranked)
    unit: str                 # unit of the coefficient (per ...)
    scale: float = 1.0        # model value = column / scale
    performance: str | None = None   # column: on the good side of the driver's target (NULL = does not apply)
    tipping_point: bool = False      # searched for a tipping point
    column_unit: str = ""            # unit of the column (thresholds are reported in it)


DRIVERS: tuple[DriverSpec, ...] = (
    DriverSpec("ivr_seconds", "time in the IVR", "continuous", "driver", "minute", 60.0, "ivr_meets_target", True,
               "second"),
    DriverSpec("ivr_keypresses", "IVR keypresses", "count", "driver", "keypress", 1.0, "ivr_keypresses_meet_target"),
    DriverSpec("wait_seconds", "wait for a person (queue / first response)", "continuous", "driver", "minute", 60.0,
               "wait_meets_target", True, "second"),
    DriverSpec("handle_seconds", "handle time (calls)", "continuous", "driver", "minute", 60.0, "handle_meets_target",
               True, "second"),
    DriverSpec("transfer_count", "transfers", "count", "driver", "transfer", 1.0, "transfers_meet_target"),
    DriverSpec("is_abandoned", "abandoned", "flag", "driver", "yes vs no", 1.0, "abandon_meets_target"),
    DriverSpec("bot_failed_before_24h", "failed bot session in the 24 h before", "flag", "driver", "yes vs no", 1.0,
               "bot_history_meets_target"),
    DriverSpec("had_prior_contact_7d", "contacted us in the 7 days before", "flag", "driver", "yes vs no", 1.0,
               "prior_contacts_meet_target"),
    DriverSpec("callback_broken", "promised callback late or never made", "flag", "driver", "yes vs no", 1.0,
               "callback_meets_target"),
    DriverSpec("ticket_sla_missed", "ticket resolution SLA missed", "flag", "driver", "yes vs no", 1.0,
               "ticket_sla_meets_target"),
    DriverSpec("agent_tenure_days", "agent tenure", "continuous", "driver", "30 days", 30.0, None, True, "day"),
    DriverSpec("qa_critical_error", "critical error found by QA", "flag", "driver", "yes vs no", 1.0,
               "qa_meets_target"),
    DriverSpec("has_red_line_phrase", "red-line phrase by the agent", "flag", "driver", "yes vs no", 1.0,
               "red_line_meets_target"),
    DriverSpec("bot_involved", "bot took part in the contact", "flag", "control", "yes vs no"),
    DriverSpec("callback_promised", "callback promised", "flag", "control", "yes vs no"),
    DriverSpec("has_ticket", "ticket on the contact", "flag", "control", "yes vs no"),
    DriverSpec("qa_evaluated", "evaluated by QA", "flag", "control", "yes vs no"),
    DriverSpec("is_transcribed", "transcribed", "flag", "control", "yes vs no"),
)
CHANNEL = "channel"


@dataclass(frozen=True)
class AnalysisSettings:
    """Targets and parameters from seeds metric_targets (csat_*), method settings from the Dagster run config."""

    min_responses: int = 300            # surveyed contacts with every driver known, to fit at all
    holdout_share: float = 0.2          # latest share of them held out for calibration
    calibration_tolerance: float = 0.05  # |observed share - mean predicted probability| per csat category
    tipping_point_alpha: float = 0.05
    min_flag_contacts: int = 10         # surveyed contacts needed on each side of a flag (and per channel)
    min_holdout_responses: int = 100
    grid_probs: tuple = DEFAULT_GRID_PROBS
    min_beyond: int = 30
    n_bootstrap: int = 999
    seed: int = 20260401


@dataclass
class ModelSpec:
    """What was fitted: the terms (model columns), the drivers behind them, fills for scoring."""

    terms: list[str]
    term_driver: dict[str, str]
    tipping_points: dict[str, float]          # driver -> psi (model unit) for drivers entering as a hinge
    channel_levels: list[str]                 # channels with their own dummy
    channel_reference: str | None
    fills: dict[str, float]                   # driver -> value used when unknown (model unit)
    excluded: dict[str, str]                  # driver / term -> reason
    channels_seen: list[str] = field(default_factory=list)  # channels of the fitting rows: the only ones scored


@dataclass
class FittedDrivers:
    spec: ModelSpec
    fit: OrdinalFit
    design: pd.DataFrame                      # the fitting rows' model columns (+ csat)
    tipping: dict[str, TippingPoint]


@dataclass
class DriverAnalysis:
    status: str                                # fitted | insufficient_data
    status_reason: str | None
    drivers: pd.DataFrame
    thresholds: pd.DataFrame
    threshold_profile: pd.DataFrame
    scores: pd.DataFrame
    model_fit: pd.DataFrame
    calibration: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    fitted: FittedDrivers | None = None         # the model behind the scores (stored for score-only runs)


# ---- design ------------------------------------------------------------------------------------------------

def _as_float(column: pd.Series) -> np.ndarray:
    """Numbers, booleans or nullable booleans (object with None) as float with NaN."""
    if column.dtype == object:
        column = column.map(lambda v: np.nan if v is None or (isinstance(v, float) and np.isnan(v)) else float(v))
    return column.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def driver_values(frame: pd.DataFrame) -> pd.DataFrame:
    """Every driver of the catalogue in its model unit (NaN = unknown)."""
    return pd.DataFrame({spec.name: _as_float(frame[spec.name]) / spec.scale for spec in DRIVERS}, index=frame.index)


def fitting_rows(frame: pd.DataFrame) -> pd.Series:
    """Surveyed contacts (csat 1-5) with every driver known."""
    values = driver_values(frame)
    return frame[OUTCOME].notna() & values.notna().all(axis=1) & frame[CHANNEL].notna()


def _design(frame: pd.DataFrame, spec: ModelSpec) -> tuple[pd.DataFrame, pd.Series]:
    """Model columns for any contacts, with unknown drivers filled; returns (design, names of the filled drivers)."""
    values = driver_values(frame)
    used = sorted({spec.term_driver[t] for t in spec.terms} - {CHANNEL})
    unknown = values[used].isna()
    filled = values[used].fillna(pd.Series(spec.fills))
    design = pd.DataFrame(index=frame.index)
    for term in spec.terms:
        driver = spec.term_driver[term]
        if driver == CHANNEL:
            design[term] = (frame[CHANNEL] == term.split("=", 1)[1]).astype(float)
        elif driver in spec.tipping_points:
            design[term] = hinge(filled[driver], spec.tipping_points[driver])
        else:
            design[term] = filled[driver]
    return design, _imputed_labels(unknown)


def _imputed_labels(unknown: pd.DataFrame) -> pd.Series:
    """'a, b' naming the unknown (filled) drivers of each row, NULL when none; one label per distinct pattern."""
    mask = unknown.to_numpy()
    if mask.size == 0 or not mask.any():
        return pd.Series(None, index=unknown.index, dtype=object)
    codes = mask.astype(np.int64) @ (np.int64(1) << np.arange(mask.shape[1], dtype=np.int64))
    names = list(unknown.columns)
    labels = {code: ", ".join(n for j, n in enumerate(names) if code >> j & 1) or None for code in np.unique(codes)}
    return pd.Series([labels[c] for c in codes], index=unknown.index, dtype=object)


def _screen(values: pd.DataFrame, outcome: pd.Series, channel: pd.Series, settings: AnalysisSettings
            ) -> tuple[list[str], dict[str, str], list[str], str | None]:
    """Which drivers and channel dummies can be estimated on the fitting rows (drivers first, then controls)."""
    excluded: dict[str, str] = {}
    candidates: list[str] = []
    ordered = [s for s in DRIVERS if s.role == "driver"] + [s for s in DRIVERS if s.role == "control"]
    frame = values.assign(**{OUTCOME: outcome.to_numpy()})
    for spec in ordered:
        x = values[spec.name]
        if x.nunique() <= 1:
            excluded[spec.name] = f"constant among the {len(x)} surveyed contacts (always {x.iloc[0]:g})" \
                if len(x) else "no surveyed contacts"
            continue
        if spec.kind == "flag":
            ones = int((x == 1).sum())
            fewer = min(ones, len(x) - ones)
            if fewer < settings.min_flag_contacts:
                side = "with" if ones < len(x) - ones else "without"
                excluded[spec.name] = (f"only {fewer} surveyed contacts {side} it (fewer than "
                                       f"{settings.min_flag_contacts}): too few to estimate")
                continue
            separated = separated_predictors(frame, OUTCOME, [spec.name], CSAT_CATEGORIES)
            if separated:
                excluded[spec.name] = "separates csat on its own: " + separated[spec.name]
                continue
        candidates.append(spec.name)
    counts = channel.value_counts()
    reference = str(counts.index[0]) if len(counts) else None
    levels = []
    for level, n in counts.items():
        if level == reference:
            continue
        name = f"{CHANNEL}={level}"
        if n < settings.min_flag_contacts:
            excluded[name] = (f"only {n} surveyed contacts (fewer than {settings.min_flag_contacts}): "
                              f"counted with the reference channel {reference}")
        else:
            levels.append(str(level))
    # Linear dependence: checked on drivers, then channel dummies, then controls, so a control or dummy that
    # duplicates a driver is the one left out.
    drivers = [c for c in candidates if _spec(c).role == "driver"]
    controls = [c for c in candidates if _spec(c).role == "control"]
    dummies = pd.DataFrame({f"{CHANNEL}={lv}": (channel == lv).astype(float).to_numpy() for lv in levels},
                           index=values.index)
    combined = pd.concat([values[drivers], dummies, values[controls]], axis=1)
    order = [*drivers, *dummies.columns, *controls]
    for name in redundant_predictors(combined, order) if order else []:
        excluded[name] = "linearly dependent on the drivers and controls before it (e.g. the same as a channel)"
    kept = [c for c in candidates if c not in excluded]
    levels = [lv for lv in levels if f"{CHANNEL}={lv}" not in excluded]
    return kept, excluded, levels, reference


def _spec(name: str) -> DriverSpec:
    return next(s for s in DRIVERS if s.name == name)


def fit_drivers(frame: pd.DataFrame, settings: AnalysisSettings) -> FittedDrivers:
    """Screening, tipping points and the final fit on `frame` (fitting rows only: csat and every driver known)."""
    values = driver_values(frame)
    outcome = frame[OUTCOME].astype(int)
    kept, excluded, levels, reference = _screen(values, outcome, frame[CHANNEL], settings)
    term_driver = {name: name for name in kept}
    term_driver.update({f"{CHANNEL}={lv}": CHANNEL for lv in levels})
    linear_terms = [*kept, *(f"{CHANNEL}={lv}" for lv in levels)]
    fills = {s.name: (float(values[s.name].median()) if s.kind == "continuous" else 0.0) for s in DRIVERS}
    seen = sorted(frame[CHANNEL].dropna().astype(str).unique())
    base = ModelSpec(linear_terms, term_driver, {}, levels, reference, fills, excluded, seen)
    design, _ = _design(frame, base)
    design[OUTCOME] = outcome.to_numpy()

    tipping: dict[str, TippingPoint] = {}
    tipping_points: dict[str, float] = {}
    for spec in DRIVERS:
        if not spec.tipping_point or spec.name not in kept:
            continue
        others = [t for t in linear_terms if t != spec.name]
        try:
            result = find_tipping_point(design, OUTCOME, spec.name, others, CSAT_CATEGORIES,
                                        probs=settings.grid_probs, min_beyond=settings.min_beyond,
                                        n_bootstrap=settings.n_bootstrap, seed=settings.seed)
        except OrdinalModelError as exc:  # the driver stays in the model as a straight line
            result = TippingPoint(spec.name, None, None, None, None, None, None, None, np.nan, None, None, None,
                                  None, settings.n_bootstrap, len(design), note=f"search refused: {exc}")
        tipping[spec.name] = result
        if (result.threshold is not None and result.p_value is not None
                and result.p_value < settings.tipping_point_alpha and (result.llf_gain or 0) > 0):
            tipping_points[spec.name] = result.threshold

    # The final fit. Predictors that separate csat together (each estimable on its own, so screening kept them)
    # are taken out one refusal at a time, with the reason, rather than refusing the whole model: a hinge goes back
    # to its straight line first, any other term leaves the model.
    linear_driver = dict(term_driver)
    for _ in range(len(linear_terms) + len(tipping_points) + 1):
        terms = [hinge_column(t) if t in tipping_points else t for t in linear_terms]
        term_driver = {(hinge_column(t) if t in tipping_points else t): linear_driver[t] for t in linear_terms}
        spec = ModelSpec(terms, term_driver, tipping_points, levels, reference, fills, excluded, seen)
        design, _ = _design(frame, spec)
        design[OUTCOME] = outcome.to_numpy()
        try:
            fit = fit_ordinal_model(design, OUTCOME, terms, CSAT_CATEGORIES)
            break
        except OrdinalSeparationError as exc:
            named = [t for t in exc.predictors if t in terms]
            if not named or len(named) == len(terms):
                raise
            for term in named:
                driver = term_driver[term]
                if driver in tipping_points and term == hinge_column(driver):
                    del tipping_points[driver]
                    tipping[driver].note = "; ".join(filter(None, [
                        tipping[driver].note, f"left out of the final model as a hinge (entered as a straight line): {exc}"]))
                    continue
                linear_terms.remove(term)
                excluded[term] = f"separates csat together with the other drivers: {exc}"
                if driver == CHANNEL:
                    levels.remove(term.split("=", 1)[1])
    else:  # pragma: no cover - each pass removes at least one term or raises
        raise OrdinalSeparationError("could not leave out the separating predictors")
    return FittedDrivers(spec, fit, design, tipping)


def _empty_categories(outcome: pd.Series) -> list[int]:
    counts = outcome.value_counts()
    return [k for k in CSAT_CATEGORIES if counts.get(k, 0) == 0]


# ---- output tables --------------------------------------------------------------------------------------------

DRIVER_COLUMNS = [
    "driver", "label", "role", "kind", "unit", "status", "excluded_reason", "form", "tipping_point",
    "tipping_point_unit", "coef", "std_err", "z", "p_value", "ci_low", "ci_high", "odds_ratio", "std_coef",
    "importance", "relative_weight", "relative_weight_share", "performance", "performance_contacts", "quadrant",
    "quadrant_null_reason", "surveyed_with", "mean_value",
]
THRESHOLD_COLUMNS = [
    "driver", "label", "unit", "threshold", "threshold_ci_low", "threshold_ci_high", "slope_unit", "slope_above",
    "slope_above_ci_low", "slope_above_ci_high", "slope_below", "slope_below_ci_low", "slope_below_ci_high",
    "llf_linear", "llf_hinge", "llf_gain", "sup_lm", "p_value", "n_bootstrap", "is_tipping_point", "in_model",
    "direction", "grid_points", "nobs", "note",
]
PROFILE_COLUMNS = ["driver", "unit", "threshold", "llf", "lm"]
SCORE_COLUMNS = [
    "contact_id", "local_date", "channel", "is_surveyed", "csat", "used_in_fit", "in_holdout",
    *[f"p_csat_{k}" for k in CSAT_CATEGORIES], "expected_csat", "imputed_drivers", "score_null_reason",
]
FIT_COLUMNS = [
    "model", "status", "status_reason", "nobs", "surveyed_contacts", "surveyed_with_unknown_drivers",
    "period_from", "period_to", "holdout_from", "holdout_to", "holdout_nobs", "n_terms", "terms", "llf", "llnull",
    "pseudo_r2", "aic", "converged", "gradient_evaluations",
    *[f"cutpoint_{a}_{b}" for a, b in zip(CSAT_CATEGORIES[:-1], CSAT_CATEGORIES[1:])],
    *[f"cutpoint_{a}_{b}_std_err" for a, b in zip(CSAT_CATEGORIES[:-1], CSAT_CATEGORIES[1:])],
    "relative_weights_r2", "channel_reference", "calibration_max_abs_difference", "calibration_tolerance",
    "calibration_within_tolerance",
]
CALIBRATION_COLUMNS = [
    "calibration_set", "kind", "bin", "label", "n", "predicted", "observed", "difference", "std_err",
    "within_tolerance",
]


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _performance(frame: pd.DataFrame) -> dict[str, tuple[float, int]]:
    out = {}
    for spec in DRIVERS:
        if spec.performance is None or spec.performance not in frame.columns:
            continue
        measured = _as_float(frame[spec.performance])
        measured = measured[~np.isnan(measured)]
        out[spec.name] = (float(measured.mean()) if len(measured) else np.nan, int(len(measured)))
    return out


def _drivers_table(fitted: FittedDrivers | None, frame: pd.DataFrame, excluded_all: dict[str, str] | None,
                   performance: dict[str, tuple[float, int]] | None = None) -> pd.DataFrame:
    performance = _performance(frame) if performance is None else performance
    rows = []
    if fitted is None:
        for spec in DRIVERS:
            perf, n_perf = performance.get(spec.name, (np.nan, 0))
            rows.append({"driver": spec.name, "label": spec.label, "role": spec.role, "kind": spec.kind,
                         "unit": spec.unit, "status": "not_estimated",
                         "excluded_reason": (excluded_all or {}).get(spec.name, "no model fitted"),
                         "performance": perf, "performance_contacts": n_perf,
                         "quadrant_null_reason": "no model fitted"})
        return _frame(rows, DRIVER_COLUMNS)

    spec_, fit, design = fitted.spec, fitted.fit, fitted.design
    driver_terms: dict[str, list[str]] = {}
    for term, driver in spec_.term_driver.items():
        if term in spec_.terms:
            driver_terms.setdefault(driver if driver != CHANNEL else term, []).append(term)
    effects = standardized_effects(fit, design, driver_terms)
    weights, _ = relative_weights(design, OUTCOME, spec_.terms, CSAT_CATEGORIES, groups=driver_terms)
    ranked = [s.name for s in DRIVERS if s.role == "driver" and s.name in driver_terms]
    shares = importance_shares(effects.reindex(ranked))
    weight_shares = weights.reindex(ranked) / weights.reindex(ranked).sum()
    perf = pd.Series({name: performance.get(name, (np.nan, 0))[0] for name in ranked}, dtype=float)
    quads = quadrants(shares, perf)
    values = driver_values(frame.loc[design.index])

    def estimate_row(name: str, term: str) -> dict:
        p = fit.params.loc[term]
        return {"coef": p["coef"], "std_err": p["std_err"], "z": p["z"], "p_value": p["p_value"],
                "ci_low": p["ci_low"], "ci_high": p["ci_high"], "odds_ratio": p["odds_ratio"],
                "std_coef": effects.get(name, np.nan)}

    for spec in DRIVERS:
        row = {"driver": spec.name, "label": spec.label, "role": spec.role, "kind": spec.kind, "unit": spec.unit}
        perf_value, n_perf = performance.get(spec.name, (np.nan, 0))
        row.update({"performance": perf_value, "performance_contacts": n_perf})
        x = values[spec.name]
        row["surveyed_with"] = int((x > 0).sum())
        row["mean_value"] = float(x.mean()) if len(x) else np.nan
        if spec.name in spec_.excluded:
            row.update({"status": "excluded", "excluded_reason": spec_.excluded[spec.name],
                        "quadrant_null_reason": "not estimated"})
            rows.append(row)
            continue
        term = hinge_column(spec.name) if spec.name in spec_.tipping_points else spec.name
        row.update({"status": "estimated", "form": "hinge" if spec.name in spec_.tipping_points else "linear"})
        if spec.name in spec_.tipping_points:
            row["tipping_point"] = spec_.tipping_points[spec.name] * spec.scale
            row["tipping_point_unit"] = spec.column_unit
        row.update(estimate_row(spec.name, term))
        row["relative_weight"] = float(weights.get(spec.name, np.nan))
        if spec.role == "driver":
            row["importance"] = float(shares.get(spec.name, np.nan))
            row["relative_weight_share"] = float(weight_shares.get(spec.name, np.nan))
            quadrant = quads.loc[spec.name, "quadrant"] if spec.name in quads.index else None
            row["quadrant"] = None if pd.isna(quadrant) else quadrant
            if row["quadrant"] is None:
                row["quadrant_null_reason"] = "no target in the seeds" if spec.performance is None \
                    else "no contact measured against the target"
        else:
            row["quadrant_null_reason"] = "control (adjusted for, not ranked)"
        rows.append(row)
    for term in spec_.terms:
        if spec_.term_driver[term] != CHANNEL:
            continue
        level = term.split("=", 1)[1]
        row = {"driver": term, "label": f"channel {level} (vs {spec_.channel_reference})", "role": "control",
               "kind": "flag", "unit": "yes vs no", "status": "estimated", "form": "linear",
               "relative_weight": float(weights.get(term, np.nan)),
               "quadrant_null_reason": "control (adjusted for, not ranked)",
               "surveyed_with": int(design[term].sum()), "mean_value": float(design[term].mean())}
        row.update(estimate_row(term, term))
        rows.append(row)
    for term, reason in spec_.excluded.items():
        if term.startswith(f"{CHANNEL}="):
            rows.append({"driver": term, "label": f"channel {term.split('=', 1)[1]}", "role": "control",
                         "kind": "flag", "unit": "yes vs no", "status": "excluded", "excluded_reason": reason,
                         "quadrant_null_reason": "not estimated"})
    return _frame(rows, DRIVER_COLUMNS)


def _thresholds_tables(fitted: FittedDrivers | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, profile_rows = [], []
    if fitted is None:
        return _frame(rows, THRESHOLD_COLUMNS), _frame(profile_rows, PROFILE_COLUMNS)
    z = 1.959963984540054
    for spec in DRIVERS:
        if not spec.tipping_point:
            continue
        row = {"driver": spec.name, "label": spec.label, "unit": spec.column_unit, "slope_unit": spec.unit}
        result = fitted.tipping.get(spec.name)
        if result is None:
            row.update({"is_tipping_point": False, "in_model": False,
                        "note": "not searched: " + fitted.spec.excluded.get(spec.name, "driver not in the model")})
            rows.append(row)
            continue
        scale = spec.scale
        row.update({
            "threshold": None if result.threshold is None else result.threshold * scale,
            "threshold_ci_low": None if result.ci_low is None else result.ci_low * scale,
            "threshold_ci_high": None if result.ci_high is None else result.ci_high * scale,
            "llf_linear": result.llf_linear, "llf_hinge": result.llf_hinge, "llf_gain": result.llf_gain,
            "sup_lm": result.sup_lm, "p_value": result.p_value, "n_bootstrap": result.n_bootstrap,
            "in_model": spec.name in fitted.spec.tipping_points,
            "grid_points": int(len(result.profile)), "nobs": result.nobs, "note": result.note,
        })
        row["is_tipping_point"] = row["in_model"]
        for name in ("above", "below"):
            value = getattr(result, f"slope_{name}")
            se = getattr(result, f"slope_{name}_std_err")
            row[f"slope_{name}"] = value
            row[f"slope_{name}_ci_low"] = None if value is None else value - z * se
            row[f"slope_{name}_ci_high"] = None if value is None else value + z * se
        if result.slope_above is not None:
            row["direction"] = "falls beyond" if result.slope_above < 0 else "rises beyond"
        rows.append(row)
        for _, p in result.profile.iterrows():
            profile_rows.append({"driver": spec.name, "unit": spec.column_unit, "threshold": p["psi"] * scale,
                                 "llf": p["llf"], "lm": p["lm"]})
    return _frame(rows, THRESHOLD_COLUMNS), _frame(profile_rows, PROFILE_COLUMNS)


def calibration_table(probabilities: pd.DataFrame, observed: pd.Series, tolerance: float,
                      calibration_set: str = "holdout", bins: int = 10) -> pd.DataFrame:
    """Predicted vs observed on held-out contacts: per csat category (mean P(csat = k) vs observed share, with the
    binomial-sum standard error), overall mean csat, and by deciles of the expected csat."""
    y = observed.astype(int).to_numpy()
    p = probabilities[CSAT_CATEGORIES].to_numpy()
    n = len(y)
    rows = []
    for j, k in enumerate(CSAT_CATEGORIES):
        predicted = float(p[:, j].mean())
        share = float((y == k).mean())
        se = float(np.sqrt((p[:, j] * (1 - p[:, j])).sum()) / n)
        rows.append({"calibration_set": calibration_set, "kind": "category", "bin": k, "label": f"csat = {k}",
                     "n": n, "predicted": predicted, "observed": share, "difference": share - predicted,
                     "std_err": se, "within_tolerance": abs(share - predicted) <= tolerance})
    expected = p @ np.array(CSAT_CATEGORIES, dtype=float)
    variance = p @ (np.array(CSAT_CATEGORIES, dtype=float) ** 2) - expected ** 2
    rows.append({"calibration_set": calibration_set, "kind": "overall", "bin": 0, "label": "mean csat", "n": n,
                 "predicted": float(expected.mean()), "observed": float(y.mean()),
                 "difference": float(y.mean() - expected.mean()), "std_err": float(np.sqrt(variance.sum()) / n)})
    order = np.argsort(expected, kind="stable")
    for b, idx in enumerate(np.array_split(order, min(bins, n)), start=1):
        if len(idx) == 0:
            continue
        rows.append({"calibration_set": calibration_set, "kind": "expected_csat_decile", "bin": b,
                     "label": f"{expected[idx].min():.2f}-{expected[idx].max():.2f}", "n": int(len(idx)),
                     "predicted": float(expected[idx].mean()), "observed": float(y[idx].mean()),
                     "difference": float(y[idx].mean() - expected[idx].mean()),
                     "std_err": float(np.sqrt(variance[idx].sum()) / len(idx))})
    return _frame(rows, CALIBRATION_COLUMNS)


def _fit_row(model: str, fitted: FittedDrivers | None, **extra) -> dict:
    row = {"model": model, **extra}
    if fitted is not None:
        fit = fitted.fit
        row.update({"status": "fitted", "nobs": fit.nobs, "n_terms": len(fit.predictors),
                    "terms": ", ".join(fit.predictors), "llf": fit.llf, "llnull": fit.llnull,
                    "pseudo_r2": fit.pseudo_r2, "aic": fit.aic, "converged": fit.converged,
                    "gradient_evaluations": fit.gradient_evaluations,
                    "channel_reference": fitted.spec.channel_reference})
        for name, value in fit.cutpoints.items():
            a, b = name.split("|")
            row[f"cutpoint_{a}_{b}"] = float(value)
            row[f"cutpoint_{a}_{b}_std_err"] = float(fit.cutpoint_std_err[name])
    return row


def _split_by_date(dates: pd.Series, share: float) -> object | None:
    """The first local date of the hold-out: the latest whole days holding about `share` of the rows."""
    counts = dates.value_counts().sort_index()
    if len(counts) < 2:
        return None
    from_end = counts[::-1].cumsum()
    target = share * counts.sum()
    holdout_days = from_end[from_end <= target]
    if holdout_days.empty:
        return None
    return holdout_days.index.min()


def run_driver_analysis(frame: pd.DataFrame, settings: AnalysisSettings | None = None,
                        performance: dict[str, tuple[float, int]] | None = None) -> DriverAnalysis:
    """The whole analysis from marts.fct_contact_drivers (all contacts; csat NULL when not surveyed).

    Only the surveyed contacts are fitted; the others count only in the drivers' performance and get scores. So
    `frame` may hold the surveyed contacts alone when `performance` (driver -> (share of all contacts on the good
    side of its target, contacts measured), store.read_performance) is given: the fit tables are then the same as
    from every contact, and the scores cover the rows of `frame` (store.write_analysis scores every contact from
    the warehouse in chunks, so a 10 M-contact year is never held in memory)."""
    # Hundreds of small fits: one BLAS thread each is fastest, and multi-threaded BLAS on a busy machine
    # (Dagster, dbt and DuckDB share it) is many times slower.
    with threadpool_limits(limits=1):
        return _run_driver_analysis(frame, settings or AnalysisSettings(), performance)


def _run_driver_analysis(frame: pd.DataFrame, settings: AnalysisSettings,
                         performance: dict[str, tuple[float, int]] | None = None) -> DriverAnalysis:
    frame = frame.reset_index(drop=True)
    surveyed = frame[OUTCOME].notna()
    usable = fitting_rows(frame)
    n_surveyed, n_usable = int(surveyed.sum()), int(usable.sum())
    base_fit = {"surveyed_contacts": n_surveyed, "surveyed_with_unknown_drivers": n_surveyed - n_usable,
                "calibration_tolerance": settings.calibration_tolerance}
    dates = pd.to_datetime(frame["local_date"])
    if n_usable:
        base_fit.update({"period_from": dates[usable].min().date(), "period_to": dates[usable].max().date()})

    reason = None
    if n_usable < settings.min_responses:
        reason = (f"{n_usable} surveyed contacts with every driver known, fewer than the {settings.min_responses} "
                  "needed (metric_targets csat_model_min_responses)")
    else:
        empty = _empty_categories(frame.loc[usable, OUTCOME].astype(int))
        if empty:
            reason = f"no surveyed contact answered csat {empty}: those cut points cannot be estimated"
    if reason is not None:
        return _insufficient(frame, surveyed, usable, reason, base_fit, performance=performance)

    fitted = fit_drivers(frame.loc[usable], settings)
    probabilities, imputed, unscored = _score(frame, fitted)

    # Time-based hold-out: the same procedure on the earlier surveyed contacts, scored on the later ones.
    notes = []
    calibration = _frame([], CALIBRATION_COLUMNS)
    in_holdout = pd.Series(False, index=frame.index)
    holdout_row = {"status": "not_fitted"}
    cut = _split_by_date(dates[usable], settings.holdout_share)
    train = usable & (dates < cut) if cut is not None else usable & False
    test = usable & (dates >= cut) if cut is not None else usable & False
    max_difference = None
    if (cut is None or int(test.sum()) < settings.min_holdout_responses or int(train.sum()) < settings.min_responses
            or _empty_categories(frame.loc[train, OUTCOME].astype(int))):
        holdout_row["status_reason"] = (
            f"hold-out not possible: {int(train.sum())} earlier and {int(test.sum())} later surveyed contacts "
            f"(need {settings.min_responses} and {settings.min_holdout_responses}, every csat value in the earlier)")
        notes.append(holdout_row["status_reason"])
    else:
        in_holdout = test
        train_fit = fit_drivers(frame.loc[train], settings)
        test_probabilities, _, test_unscored = _score(frame.loc[test], train_fit)
        scorable = test_unscored.isna()
        if not scorable.all():
            notes.append(f"calibration: {int((~scorable).sum())} held-out contacts of a channel the training period "
                         "never surveyed are left out (no score)")
        calibration = calibration_table(test_probabilities[scorable.to_numpy()],
                                        frame.loc[test, OUTCOME][scorable.to_numpy()], settings.calibration_tolerance)
        categories = calibration[calibration["kind"] == "category"]
        max_difference = float(categories["difference"].abs().max())
        holdout_row = _fit_row("holdout_training", train_fit,
                               period_from=dates[train].min().date(), period_to=dates[train].max().date(),
                               holdout_from=dates[test].min().date(), holdout_to=dates[test].max().date(),
                               holdout_nobs=int(test.sum()))
    within = None if max_difference is None else bool(max_difference <= settings.calibration_tolerance)
    calibration_fields = {"calibration_max_abs_difference": max_difference,
                          "calibration_within_tolerance": within}
    fit_rows = [
        _fit_row("all_surveyed", fitted, **base_fit, **calibration_fields,
                 relative_weights_r2=relative_weights(fitted.design, OUTCOME, fitted.spec.terms, CSAT_CATEGORIES)[1],
                 holdout_from=(dates[test].min().date() if bool(test.any()) else None),
                 holdout_to=(dates[test].max().date() if bool(test.any()) else None),
                 holdout_nobs=int(test.sum())),
        {"model": "holdout_training", **{k: v for k, v in base_fit.items() if k not in ("period_from", "period_to")},
         **calibration_fields, **holdout_row},
    ]
    scores = _scores_table(frame, surveyed, usable, in_holdout, probabilities, imputed, unscored)
    thresholds, profile = _thresholds_tables(fitted)
    return DriverAnalysis(
        status="fitted",
        status_reason=None,
        drivers=_drivers_table(fitted, frame, None, performance),
        thresholds=thresholds,
        threshold_profile=profile,
        scores=scores,
        model_fit=_frame(fit_rows, FIT_COLUMNS),
        calibration=calibration,
        notes=notes,
        fitted=fitted,
    )


def score_with_model(frame: pd.DataFrame, fitted: FittedDrivers, fit_contacts, holdout_contacts) -> pd.DataFrame:
    """contact_satisfaction_scores of every contact of `frame` from a stored model, by the same code as a fit
    (`_score`, `_scores_table`): used_in_fit and in_holdout describe the stored fit (its contact ids), so a contact
    that arrived or became a fitting row after it is in neither."""
    frame = frame.reset_index(drop=True)
    surveyed = frame[OUTCOME].notna()
    contact_ids = frame["contact_id"].astype(str)
    used = pd.Series(contact_index(fit_contacts).get_indexer(contact_ids) >= 0, index=frame.index)
    in_holdout = pd.Series(contact_index(holdout_contacts).get_indexer(contact_ids) >= 0, index=frame.index)
    probabilities, imputed, unscored = _score(frame, fitted)
    return _scores_table(frame, surveyed, used, in_holdout, probabilities, imputed, unscored)


def contact_index(contact_ids) -> pd.Index:
    """Distinct contact ids as an Index (kept as it is when it already is one): its hash table is built once and
    reused for every chunk scored against it (Series.isin rebuilds it from the values on every call)."""
    if isinstance(contact_ids, pd.Index) and contact_ids.is_unique:
        return contact_ids
    return pd.Index(pd.unique(pd.Series(list(contact_ids), dtype=object).astype(str)))


def _score(frame: pd.DataFrame, fitted: FittedDrivers) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """P(csat = k) of every contact the model can speak for, the filled drivers, and why a contact has no score
    (NULL = scored). A contact of a channel no fitting row has (e.g. email when no email contact was surveyed), or
    of an unknown channel, gets no score: with every channel dummy 0 the model would score it as the reference
    channel and carry that channel's relation to waits and handle times into another channel's units (an email's
    hours of wait), which is extrapolation, not a prediction (docs/decisions.md)."""
    design, imputed = _design(frame, fitted.spec)
    probabilities = fitted.fit.predict_proba(design)
    channel = frame[CHANNEL]
    seen = channel.astype("string").isin(fitted.spec.channels_seen).fillna(False).astype(bool)
    unscored = pd.Series(None, index=frame.index, dtype=object)
    unscored[channel.isna().to_numpy()] = "unknown channel: the model is fitted per channel and cannot score it"
    unseen = (~seen & channel.notna()).to_numpy()
    unscored[unseen] = [f"channel {c}: no surveyed contact of this channel in the fitting data, so the model "
                        f"cannot score it (it would extrapolate from other channels)" for c in channel[unseen]]
    probabilities.loc[unscored.notna().to_numpy(), :] = np.nan
    return probabilities, imputed, unscored


def _scores_table(frame, surveyed, usable, in_holdout, probabilities, imputed, null_reason) -> pd.DataFrame:
    out = pd.DataFrame({
        "contact_id": frame["contact_id"].to_numpy(),
        "local_date": pd.to_datetime(frame["local_date"]).dt.date.to_numpy(),
        "channel": frame[CHANNEL].to_numpy(),
        "is_surveyed": surveyed.to_numpy(),
        "csat": frame[OUTCOME].astype("Int64").to_numpy(),
        "used_in_fit": usable.to_numpy(),
        "in_holdout": in_holdout.to_numpy(),
    })
    if probabilities is None:
        for k in CSAT_CATEGORIES:
            out[f"p_csat_{k}"] = np.nan
        out["expected_csat"] = np.nan
        out["imputed_drivers"] = None
        out["score_null_reason"] = null_reason
    else:
        for k in CSAT_CATEGORIES:
            out[f"p_csat_{k}"] = probabilities[k].to_numpy()
        out["expected_csat"] = row_dot(probabilities[CSAT_CATEGORIES].to_numpy(),
                                       np.array(CSAT_CATEGORIES, dtype=float))
        out["imputed_drivers"] = imputed.reindex(frame.index).where(null_reason.isna()).to_numpy()
        out["score_null_reason"] = null_reason.to_numpy()
    return out[SCORE_COLUMNS]


def failed_analysis(frame: pd.DataFrame, reason: str, performance: dict[str, tuple[float, int]] | None = None
                    ) -> DriverAnalysis:
    """The tables of an analysis that failed or was refused (no good version to keep): every contact with a NULL
    score carrying the reason, the drivers not estimated, the fit rows with status failed."""
    frame = frame.reset_index(drop=True)
    surveyed = frame[OUTCOME].notna()
    usable = fitting_rows(frame)
    base_fit = {"surveyed_contacts": int(surveyed.sum()),
                "surveyed_with_unknown_drivers": int(surveyed.sum() - usable.sum())}
    return _insufficient(frame, surveyed, usable, reason, base_fit, status="failed", performance=performance)


def null_scores(frame: pd.DataFrame, reason: str) -> pd.DataFrame:
    """contact_satisfaction_scores of `frame` without a model: every score NULL carrying `reason` (as
    `_insufficient` writes them), used_in_fit marking the rows a fit would have used."""
    frame = frame.reset_index(drop=True)
    return _scores_table(frame, frame[OUTCOME].notna(), fitting_rows(frame), pd.Series(False, index=frame.index),
                         None, None, reason)


def _insufficient(frame, surveyed, usable, reason, base_fit, status: str = "insufficient_data",
                  performance=None) -> DriverAnalysis:
    fit_rows = [{"model": m, "status": status, "status_reason": reason, **base_fit}
                for m in ("all_surveyed", "holdout_training")]
    thresholds, profile = _thresholds_tables(None)
    return DriverAnalysis(
        status=status,
        status_reason=reason,
        drivers=_drivers_table(None, frame, None, performance),
        thresholds=thresholds,
        threshold_profile=profile,
        scores=_scores_table(frame, surveyed, usable, pd.Series(False, index=frame.index), None, None,
                             f"no model: {reason}"),
        model_fit=_frame(fit_rows, FIT_COLUMNS),
        calibration=_frame([], CALIBRATION_COLUMNS),
        notes=[reason],
    )
