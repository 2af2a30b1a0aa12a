"""Satisfaction drivers (metrics.md §7): the analysis tables, fitted from the marts after every dbt build.

One multi-asset reads marts.fct_contact_drivers (and the csat_* rows of seeds metric_targets), runs
lib/drivers (ordinal regression, tipping points, importance-performance, hold-out calibration, scores for every
contact) and replaces the analysis.* tables together. Its checks read the written tables back.

It refits on a schedule (lib/drivers/schedule.py: no model stored or the last analysis not current, a full
refresh, new settings or model code, the data moved by the SatisfactionAnalysisConfig refit_* thresholds, or
refit_every_run); between refits a run scores the new and changed contacts with the stored model
(runs.satisfaction_model; store.rescore_changed: the others keep their score, which would be the same), rewrites
only contact_satisfaction_scores, leaves the fit tables as the last fit wrote them and says so in
analysis.analysis_status (status current, the reason naming the fit and when the next refit comes).

A failed or refused analysis (a fit that does not converge, data the model cannot take, any error) never stops the
warehouse: the step succeeds, the last good tables are kept and marked stale in analysis.analysis_status with the
reason (or, with no good version yet, every contact gets a NULL score carrying it), the check `analysis_current`
fails, and the marts are published; `callqa run` then exits 2 ("published with a failed check")."""

import dagster as dg

from dagster_project.defs.location import is_full_refresh_run
from dagster_project.lib.build_state import built_as_full_refresh
from dagster_project.lib.drivers.analysis import AnalysisSettings, failed_analysis, run_driver_analysis
from dagster_project.lib.drivers.schedule import RefitPolicy, scored_reason
from dagster_project.lib.drivers.store import (
    STATUS_TABLE,
    TABLES,
    CheckOutcome,
    check_calibration,
    check_every_contact_scored,
    check_model_converged,
    check_probabilities,
    keep_last_good_analysis,
    read_fitting_table,
    read_performance,
    read_settings,
    refit_decision,
    rescore_changed,
    stored_model,
    write_analysis,
)
from dagster_project.lib.drivers.schedule import kept_reason
from dagster_project.lib.drivers.store import (
    SURVEY_TABLES,
    keep_survey_analysis,
    mark_survey_analysis_failed,
    read_survey_inputs,
    survey_refit_decision,
    write_survey_analysis,
)
from dagster_project.lib.drivers.surveys import SurveySettings, analyse_survey_inputs
from dagster_project.resources import WAREHOUSE_POOL, WarehouseResource

MODELLING_TABLE = dg.AssetKey(["marts", "fct_contact_drivers"])
METRIC_TARGETS = dg.AssetKey(["reference", "metric_targets"])
ANALYSIS_KEYS = {table: dg.AssetKey(["analysis", table]) for table in [*TABLES, STATUS_TABLE]}

DESCRIPTIONS = {
    "satisfaction_drivers": "Grain: one row per driver (journey metric, control, or channel level). Proportional-odds "
    "coefficient per unit with 95 % interval, p-value, odds ratio, standardized effect, importance share, relative "
    "weight, performance against the seed target and the importance-performance quadrant; excluded drivers with "
    "the reason.",
    "satisfaction_thresholds": "Grain: one row per continuous driver. Tipping point from the hinge (x - psi)+ chosen "
    "by likelihood over a grid of quantiles, its profile interval, slopes, log-likelihood gain over a straight line "
    "and the sup-score kink test's multiplier-bootstrap p-value.",
    "satisfaction_threshold_profile": "Grain: driver x candidate tipping point. The profile log-likelihood and score "
    "statistic behind satisfaction_thresholds (for plots).",
    "contact_satisfaction_scores": "Grain: one row per contact (surveyed or not), rewritten every run. Predicted "
    "P(csat = 1..5) and expected csat from the model fitted on all surveyed contacts by the last refit (used_in_fit, "
    "in_holdout: in that fit); filled drivers named; NULL with the reason when there is no model.",
    "satisfaction_model_fit": "Grain: one row per fitted model (all_surveyed, holdout_training). n, log-likelihood, "
    "null log-likelihood, McFadden pseudo-R2, AIC, convergence, cut points, hold-out calibration summary.",
    "satisfaction_calibration": "Grain: hold-out x kind x bin. Predicted vs observed csat on the latest surveyed "
    "contacts, for a model fitted on the earlier ones (per csat value, overall, by expected-csat decile).",
    STATUS_TABLE: "Grain: one row per analysis. Whether its tables are this run's (current), the last good version "
    "kept after a failed or refused run (stale), or empty, with the reason, the run that built the tables and the "
    "last attempt. A current satisfaction analysis that only scored (no refit this run) names in `reason` the fit "
    "that scored it and when the next refit comes.",
}
SCORES = ANALYSIS_KEYS["contact_satisfaction_scores"]
MODEL_FIT = ANALYSIS_KEYS["satisfaction_model_fit"]
CALIBRATION = ANALYSIS_KEYS["satisfaction_calibration"]
STATUS = ANALYSIS_KEYS[STATUS_TABLE]
CHECKS = {
    "model_converged": (MODEL_FIT, check_model_converged),
    "probabilities_sum_to_one": (SCORES, check_probabilities),
    "every_contact_scored": (SCORES, check_every_contact_scored),
    "holdout_calibration_within_tolerance": (CALIBRATION, check_calibration),
}


class SatisfactionAnalysisConfig(dg.Config):
    """Method settings (targets and tolerances come from seeds metric_targets), and when to refit
    (lib/drivers/schedule.py): between refits a run scores the new and changed contacts with the stored model.

    refit_every_run: refit every run (the schedule off).
    refit_row_change: refit when the fitting rows (surveyed contacts with every driver known) grew or shrank by at
    least this share of the fit's.
    refit_max_days: refit when the newest fitting row is at least this many days after the fit's last day.
    refit_changed_share: refit when at least this share of the fit's rows changed, left the fitting rows, or arrived
    late within the fit's period."""

    n_bootstrap: int = 999
    grid_step: float = 0.05
    seed: int = 20260401
    refit_every_run: bool = False
    refit_row_change: float = RefitPolicy.max_row_change
    refit_max_days: int = RefitPolicy.max_days
    refit_changed_share: float = RefitPolicy.max_changed_share

    def policy(self) -> RefitPolicy:
        return RefitPolicy(self.refit_every_run, self.refit_row_change, self.refit_max_days, self.refit_changed_share)


@dg.multi_asset(
    name="satisfaction_analysis",
    specs=[
        dg.AssetSpec(key, deps=[MODELLING_TABLE, METRIC_TARGETS], group_name="analysis",
                     kinds={"duckdb", "python"}, description=DESCRIPTIONS[table])
        for table, key in ANALYSIS_KEYS.items()
    ],
    check_specs=[dg.AssetCheckSpec(name, asset=key, blocking=False) for name, (key, _) in CHECKS.items()]
    + [dg.AssetCheckSpec("analysis_current", asset=STATUS, blocking=False,
                         description="The analysis ran this run (not a stale or empty version kept after a failure).")],
    pool=WAREHOUSE_POOL,
)
def satisfaction_analysis(context: dg.AssetExecutionContext, config: SatisfactionAnalysisConfig,
                          warehouse: WarehouseResource):
    """Satisfaction drivers, tipping points, scores for every contact and hold-out calibration."""
    import numpy as np

    run_id = context.run.run_id
    con = warehouse.connect()
    try:
        frame = performance = scored_now = None
        try:
            settings = read_settings(con, AnalysisSettings(
                n_bootstrap=config.n_bootstrap, seed=config.seed,
                grid_probs=tuple(np.round(np.arange(0.05, 0.95 + 1e-9, config.grid_step), 4))))
            # Memory follows the surveyed contacts, not the history: the fit reads the surveyed contacts, the
            # drivers' performance is summed in DuckDB, every contact is scored a chunk at a time.
            frame = read_fitting_table(con)
            performance = read_performance(con)
            decision = refit_decision(con, frame, settings, config.policy(),
                                      _full_refresh(context, con))
            if decision.refit:
                context.log.info(f"satisfaction analysis: refit ({'; '.join(decision.reasons)})")
                analysis = run_driver_analysis(frame, settings, performance)
                counts = write_analysis(con, analysis, run_id, stored_model(analysis, frame, settings, run_id),
                                        score_every_contact=True)
                status, reason, notes = "current", None, analysis.notes
                mode = "refit: " + "; ".join(decision.reasons)
                scored_now = counts["contact_satisfaction_scores"]
            else:
                scored = scored_reason(decision.stored.record, config.policy())
                counts, done = rescore_changed(con, decision.stored, run_id, scored)
                status, reason, notes = "current", None, []
                mode, scored_now = scored, done["rescored"]
                context.log.info(f"satisfaction analysis: {scored}; " + (
                    f"every contact scored ({done['rescored']:,})" if done["whole"] else
                    f"{done['rescored']:,} new or changed contacts scored, {done['removed']:,} gone, "
                    f"{done['kept']:,} kept"))
        except Exception as exc:  # degrade, never block: the marts are published with the last good analysis
            reason = f"{type(exc).__name__}: {exc}"
            context.log.exception(f"satisfaction analysis failed; keeping the last good tables: {reason}")
            fallback = None
            if frame is not None:
                try:
                    # performance unknown when it could not be read: NULL, not the surveyed contacts' share
                    fallback = failed_analysis(frame, f"analysis failed: {reason}",
                                               performance if performance is not None else {})
                except Exception:  # noqa: BLE001 - empty tables then
                    fallback = None
            status, counts = keep_last_good_analysis(con, reason, run_id, fallback, score_every_contact=True)
            notes, mode = [], "failed"
        counts.setdefault(STATUS_TABLE, 1)
        outcomes = {name: _run_check(check, con) for name, (_, check) in CHECKS.items()}
    finally:
        con.close()
    for note in notes:
        context.log.warning(note)
    for table, key in ANALYSIS_KEYS.items():
        yield dg.MaterializeResult(asset_key=key, metadata={
            "rows": counts[table], "analysis_status": status, "analysis_mode": mode,
            **({"stale_reason": reason} if reason else {}),
            **({"contacts_scored_this_run": scored_now} if key == SCORES and scored_now is not None else {})})
    for name, (key, _) in CHECKS.items():
        outcome = outcomes[name]
        yield dg.AssetCheckResult(asset_key=key, check_name=name, passed=outcome.passed,
                                  description=outcome.description, metadata=outcome.metadata)
    current = CheckOutcome(status == "current", ("the analysis tables are this run's" if mode.startswith("refit")
                                                 else f"this run's scores, {mode}") if status == "current" else
                           f"analysis {status} ({'last good version kept' if status == 'stale' else 'no good version yet'}): "
                           f"{reason}", {"status": status})
    yield dg.AssetCheckResult(asset_key=STATUS, check_name="analysis_current", passed=current.passed,
                              description=current.description, metadata=current.metadata)


def _run_check(check, con) -> CheckOutcome:
    try:
        return check(con)
    except Exception as exc:  # noqa: BLE001 - a check that cannot run fails with the reason, it does not fail the step
        return CheckOutcome(False, f"could not check: {type(exc).__name__}: {exc}", {})


SURVEY_ANSWERS = dg.AssetKey(["marts", "fct_survey_answers"])
SURVEY_KEYS = {table: dg.AssetKey(["analysis", table]) for table in SURVEY_TABLES}
SURVEY_DESCRIPTIONS = {
    "survey_dimension_drivers": "Grain: survey kind x segment (all, or a queue / channel with enough responses) x "
    "dimension. Proportional-odds logit of the overall answer (all its observed levels) on the respondents' dimension "
    "scores: coefficient per scale point with 95 % interval, odds ratio, standardized effect, importance share, "
    "relative weight; performance (mean share of scale), bottom-two-box share, importance-performance quadrant; "
    "refused dimensions with the reason (metrics.md §7b).",
    "survey_question_performance": "Grain: survey kind x segment x question. Mean score, share of scale, "
    "bottom-two-box share, the importance share of the question's dimension and the quadrant.",
    "survey_dimension_model_fit": "Grain: survey kind x segment. Whether the dimension model was fitted or refused "
    "(with the reason), n, overall scale and levels, log-likelihood, pseudo-R2, AIC.",
}


@dg.multi_asset(
    name="survey_dimension_analysis",
    specs=[dg.AssetSpec(key, deps=[SURVEY_ANSWERS], group_name="analysis", kinds={"duckdb", "python"},
                        description=SURVEY_DESCRIPTIONS[table]) for table, key in SURVEY_KEYS.items()],
    pool=WAREHOUSE_POOL,
)
def survey_dimension_analysis(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Which survey dimension drives overall satisfaction, per survey kind (lib/drivers/surveys.py).

    It refits on the satisfaction analysis's schedule (lib/drivers/schedule.py) and thresholds (that step's
    SatisfactionAnalysisConfig refit_* run config: one schedule for both analyses), its responses as the rows: a
    refit when no fit is stored (none is when no segment was fitted) or the last survey analysis is not current, a
    full refresh run (defs/location.is_full_refresh_run), a change of SurveySettings or of the survey model code
    (surveys.py, ordinal.py, importance.py), the responses >= 5 % more or fewer than the fit's, the newest response
    >= 7 days after the fit's last day, >= 2 % of the fit's responses changed, gone or late, or refit_every_run.
    Between refits the three tables stay as the fit wrote them (tables_run_id the fit's run) and analysis_status says
    current, with a reason naming the kept fit and when the next refit comes; deciding is one DuckDB pass over the
    answers (store.survey_data_state). A decision that fails refits (what every run did before the schedule). A
    failure keeps the last good tables, marked stale in analysis.analysis_status, and never blocks publishing."""
    run_id = context.run.run_id
    settings = SurveySettings()
    con = warehouse.connect()
    try:
        try:
            try:
                policy = _refit_policy(context.run.run_config)
                reasons, record = survey_refit_decision(
                    con, settings, policy, _full_refresh(context, con))
            except Exception as exc:  # noqa: BLE001 - deciding is an optimisation: refit, as before the schedule
                context.log.warning(f"survey dimension analysis: could not decide whether to refit, refitting: "
                                    f"{type(exc).__name__}: {exc}")
                reasons, record = [f"the refit decision failed ({type(exc).__name__}: {exc})"], None
            if reasons:
                context.log.info(f"survey dimension analysis: refit ({'; '.join(reasons)})")
                analysis = analyse_survey_inputs(read_survey_inputs(con), settings)
                counts = write_survey_analysis(con, analysis, run_id, settings)
                mode = "refit: " + "; ".join(reasons)
            else:
                mode = kept_reason(record, policy)
                counts = keep_survey_analysis(con, mode, run_id)
                context.log.info(f"survey dimension analysis: {mode}")
            status, reason = "current", None
        except Exception as exc:  # degrade, never block
            reason = f"{type(exc).__name__}: {exc}"
            context.log.exception(f"survey dimension analysis failed: {reason}")
            status = mark_survey_analysis_failed(con, reason, run_id)
            counts, mode = {t: 0 for t in SURVEY_KEYS}, "failed"
    finally:
        con.close()
    for table, key in SURVEY_KEYS.items():
        yield dg.MaterializeResult(asset_key=key, metadata={
            "rows": counts.get(table, 0), "analysis_status": status, "analysis_mode": mode,
            **({"stale_reason": reason} if reason else {})})


def _full_refresh(context: dg.AssetExecutionContext, con) -> bool:
    """Whether this run is a full refresh (the analyses refit then): asked by its config or tag, or made one by the
    dbt step because the dbt models changed (lib/build_state.forced_refresh_reason)."""
    return is_full_refresh_run(context.run.run_config, context.run.tags) or built_as_full_refresh(con, context.run.run_id)


def _refit_policy(run_config: dict | None) -> RefitPolicy:
    """The refit thresholds of the run: the satisfaction step's run config (its refit_* fields), defaults without."""
    ops = (run_config or {}).get("ops") or {}
    return SatisfactionAnalysisConfig(**((ops.get("satisfaction_analysis") or {}).get("config") or {})).policy()


analysis_assets = [satisfaction_analysis, survey_dimension_analysis]
# every analysis table (the serving copy waits for all of them)
ALL_ANALYSIS_KEYS = {**ANALYSIS_KEYS, **SURVEY_KEYS}
