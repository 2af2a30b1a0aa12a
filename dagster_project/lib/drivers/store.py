"""The satisfaction-driver analysis and the warehouse: settings from seeds metric_targets, the modelling table in,
the analysis tables out (typed, replaced together in one transaction), the fitted model kept between refits
(runs.satisfaction_model: the refit decision and the score-only write, lib/drivers/schedule.py), and the checks read
back from them."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from dagster_project.lib.drivers.analysis import (
    CALIBRATION_COLUMNS,
    CHANNEL,
    CSAT_CATEGORIES,
    DRIVERS,
    OUTCOME,
    DRIVER_COLUMNS,
    FIT_COLUMNS,
    PROFILE_COLUMNS,
    SCORE_COLUMNS,
    THRESHOLD_COLUMNS,
    AnalysisSettings,
    DriverAnalysis,
    FittedDrivers,
    ModelSpec,
    contact_index,
    null_scores,
    score_with_model,
)
from dagster_project.lib.drivers.ordinal import OrdinalFit
from dagster_project.lib.drivers.schedule import (
    SURVEY_MODEL_MODULES,
    SURVEY_WORDS,
    DataState,
    FitRecord,
    RefitPolicy,
    code_fingerprint,
    data_state,
    fit_rows_table,
    refit_reasons,
    settings_fingerprint,
)
from dagster_project.lib.sql import transaction

SCHEMA = "analysis"
INPUT_TABLE = "marts.fct_contact_drivers"
# seeds metric_targets row -> AnalysisSettings field (and its type)
TARGET_SETTINGS = {
    "csat_model_min_responses": ("min_responses", int),
    "csat_holdout_share": ("holdout_share", float),
    "csat_calibration_tolerance": ("calibration_tolerance", float),
    "csat_tipping_point_alpha": ("tipping_point_alpha", float),
    "csat_min_flag_contacts": ("min_flag_contacts", int),
}

_P = {f"p_csat_{k}": "DOUBLE" for k in CSAT_CATEGORIES}
_PAIRS = list(zip(CSAT_CATEGORIES[:-1], CSAT_CATEGORIES[1:]))
_CUTS = {**{f"cutpoint_{a}_{b}": "DOUBLE" for a, b in _PAIRS}, **{f"cutpoint_{a}_{b}_std_err": "DOUBLE" for a, b in _PAIRS}}
# Every analysis table with its columns and types (the order of the *_COLUMNS lists in analysis.py).
TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "satisfaction_drivers": ("drivers", {
        "driver": "VARCHAR", "label": "VARCHAR", "role": "VARCHAR", "kind": "VARCHAR", "unit": "VARCHAR",
        "status": "VARCHAR", "excluded_reason": "VARCHAR", "form": "VARCHAR", "tipping_point": "DOUBLE",
        "tipping_point_unit": "VARCHAR", "coef": "DOUBLE", "std_err": "DOUBLE", "z": "DOUBLE", "p_value": "DOUBLE",
        "ci_low": "DOUBLE", "ci_high": "DOUBLE", "odds_ratio": "DOUBLE", "std_coef": "DOUBLE",
        "importance": "DOUBLE", "relative_weight": "DOUBLE", "relative_weight_share": "DOUBLE",
        "performance": "DOUBLE", "performance_contacts": "BIGINT", "quadrant": "VARCHAR",
        "quadrant_null_reason": "VARCHAR", "surveyed_with": "BIGINT", "mean_value": "DOUBLE",
    }),
    "satisfaction_thresholds": ("thresholds", {
        "driver": "VARCHAR", "label": "VARCHAR", "unit": "VARCHAR", "threshold": "DOUBLE",
        "threshold_ci_low": "DOUBLE", "threshold_ci_high": "DOUBLE", "slope_unit": "VARCHAR",
        "slope_above": "DOUBLE", "slope_above_ci_low": "DOUBLE", "slope_above_ci_high": "DOUBLE",
        "slope_below": "DOUBLE", "slope_below_ci_low": "DOUBLE", "slope_below_ci_high": "DOUBLE",
        "llf_linear": "DOUBLE", "llf_hinge": "DOUBLE", "llf_gain": "DOUBLE", "sup_lm": "DOUBLE",
        "p_value": "DOUBLE", "n_bootstrap": "BIGINT", "is_tipping_point": "BOOLEAN", "in_model": "BOOLEAN",
        "direction": "VARCHAR", "grid_points": "BIGINT", "nobs": "BIGINT", "note": "VARCHAR",
    }),
    "satisfaction_threshold_profile": ("threshold_profile", {
        "driver": "VARCHAR", "unit": "VARCHAR", "threshold": "DOUBLE", "llf": "DOUBLE", "lm": "DOUBLE",
    }),
    "contact_satisfaction_scores": ("scores", {
        "contact_id": "VARCHAR", "local_date": "DATE", "channel": "VARCHAR", "is_surveyed": "BOOLEAN",
        "csat": "BIGINT", "used_in_fit": "BOOLEAN", "in_holdout": "BOOLEAN", **_P, "expected_csat": "DOUBLE",
        "imputed_drivers": "VARCHAR", "score_null_reason": "VARCHAR",
    }),
    "satisfaction_model_fit": ("model_fit", {
        "model": "VARCHAR", "status": "VARCHAR", "status_reason": "VARCHAR", "nobs": "BIGINT",
        "surveyed_contacts": "BIGINT", "surveyed_with_unknown_drivers": "BIGINT", "period_from": "DATE",
        "period_to": "DATE", "holdout_from": "DATE", "holdout_to": "DATE", "holdout_nobs": "BIGINT",
        "n_terms": "BIGINT", "terms": "VARCHAR", "llf": "DOUBLE", "llnull": "DOUBLE", "pseudo_r2": "DOUBLE",
        "aic": "DOUBLE", "converged": "BOOLEAN", "gradient_evaluations": "BIGINT", **_CUTS,
        "relative_weights_r2": "DOUBLE", "channel_reference": "VARCHAR", "calibration_max_abs_difference": "DOUBLE",
        "calibration_tolerance": "DOUBLE", "calibration_within_tolerance": "BOOLEAN",
    }),
    "satisfaction_calibration": ("calibration", {
        "calibration_set": "VARCHAR", "kind": "VARCHAR", "bin": "BIGINT", "label": "VARCHAR", "n": "BIGINT",
        "predicted": "DOUBLE", "observed": "DOUBLE", "difference": "DOUBLE", "std_err": "DOUBLE",
        "within_tolerance": "BOOLEAN",
    }),
}
_COLUMN_LISTS = {
    "satisfaction_drivers": DRIVER_COLUMNS, "satisfaction_thresholds": THRESHOLD_COLUMNS,
    "satisfaction_threshold_profile": PROFILE_COLUMNS, "contact_satisfaction_scores": SCORE_COLUMNS,
    "satisfaction_model_fit": FIT_COLUMNS, "satisfaction_calibration": CALIBRATION_COLUMNS,
}
assert all(list(TABLES[t][1]) == cols for t, cols in _COLUMN_LISTS.items()), "analysis table columns drifted"


def read_settings(con: duckdb.DuckDBPyConnection, base: AnalysisSettings | None = None) -> AnalysisSettings:
    """AnalysisSettings with the csat_* values of seeds metric_targets (a missing row keeps the default)."""
    names = list(TARGET_SETTINGS)
    rows = con.execute(
        f"select metric, target from reference.metric_targets where metric in ({', '.join('?' for _ in names)})",
        names,
    ).fetchall()
    return settings_from_targets(rows, base)


def settings_from_targets(rows, base: AnalysisSettings | None = None) -> AnalysisSettings:
    """`base` (default AnalysisSettings()) with the values of the (metric, target) rows of seeds metric_targets
    named in TARGET_SETTINGS; other rows and NULL targets are ignored. Shared by every engine's reader."""
    values = {TARGET_SETTINGS[m][0]: TARGET_SETTINGS[m][1](t) for m, t in rows if m in TARGET_SETTINGS and t is not None}
    return replace(base or AnalysisSettings(), **values)


def read_modelling_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every contact of the modelling table (small warehouses, tests, Spark's twin); the pipeline reads the
    surveyed contacts (read_fitting_table) and scores the rest in chunks (write_analysis, write_scores)."""
    return con.execute(f"select * from {INPUT_TABLE} order by contact_id").df()


def read_fitting_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The surveyed contacts of the modelling table (csat known), every column, in contact_id order: all the fit,
    the hold-out and the refit schedule read (the fitting rows are surveyed contacts with every driver known), in
    the order read_modelling_table would give them, so the fit is the same."""
    return con.execute(f"select * from {INPUT_TABLE} where {OUTCOME} is not null order by contact_id").df()


def read_performance(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[float, int]]:
    """Per driver with a target: the share of ALL contacts on the good side of it and how many were measured
    (analysis._performance over every contact), summed by DuckDB instead of read into memory. The 0/1 sums are
    exact, so the share is the same number as pandas' mean of the same column."""
    specs = [s for s in DRIVERS if s.performance is not None]
    parts = ", ".join(f"sum(cast({s.performance} as double)), count({s.performance})" for s in specs)
    row = con.execute(f"select {parts} from {INPUT_TABLE}").fetchall()[0]
    out = {}
    for i, spec in enumerate(specs):
        total, n = row[2 * i], int(row[2 * i + 1])
        out[spec.name] = (float(total) / n if n else np.nan, n)
    return out


# What scoring reads of a contact (analysis._score, _scores_table, null_scores).
SCORE_INPUT_COLUMNS = ["contact_id", "local_date", CHANNEL, OUTCOME, *(s.name for s in DRIVERS)]
SCORE_CHUNK_VECTORS = 100     # DuckDB vectors of 2,048 rows: about 200,000 contacts scored at a time


def contact_score_chunks(con: duckdb.DuckDBPyConnection, scorer, vectors: int | None = None,
                         where: str | None = None):
    """contact_satisfaction_scores of every contact of the modelling table (or those matching the SQL condition
    `where`), a chunk at a time: `scorer` turns a frame of SCORE_INPUT_COLUMNS into score rows. Read on a cursor of
    its own (DuckDB: another connection to the same database, which sees what is committed), so the caller's
    connection can write the chunks inside its transaction meanwhile; in contact_id order (DuckDB sorts out of
    core, within its memory limit), so the scores table is stored in that order and a look-up of one contact reads
    one row group (at 10 M contacts 1.4 ms, against 160-220 ms in the modelling table's arbitrary order:
    docs/decisions.md)."""
    reader = con.cursor()
    try:
        reader.execute(f"select {', '.join(SCORE_INPUT_COLUMNS)} from {INPUT_TABLE}"
                       + (f" where {where}" if where else "") + " order by contact_id")
        while True:
            chunk = reader.fetch_df_chunk(vectors or SCORE_CHUNK_VECTORS)
            if chunk.empty:
                break
            yield scorer(chunk)
    finally:
        reader.close()


def analysis_scorer(analysis: DriverAnalysis):
    """How `analysis` scores a contact: with its model (the contacts it was fitted on and held out, from its own
    score rows), or NULL with its reason when nothing was fitted: the same rows it gives the contacts of its frame."""
    if analysis.fitted is not None and analysis.status == "fitted":
        scores = analysis.scores
        fit_ids = contact_index(scores.loc[scores["used_in_fit"].astype(bool), "contact_id"])
        holdout_ids = contact_index(scores.loc[scores["in_holdout"].astype(bool), "contact_id"])
        return lambda chunk: score_with_model(chunk, analysis.fitted, fit_ids, holdout_ids)
    reason = f"no model: {analysis.status_reason}"
    return lambda chunk: null_scores(chunk, reason)


def model_scorer(stored: StoredModel):
    """How a score-only run scores a contact: the stored model and its fitting rows (score_only, in chunks)."""
    rows = stored.rows
    fit_ids = contact_index(rows["contact_id"])
    holdout_ids = contact_index(rows.loc[rows["in_holdout"].astype(bool), "contact_id"])
    return lambda chunk: score_with_model(chunk, stored.fitted, fit_ids, holdout_ids)


# One row per analysis: whether its tables are this run's (current), the last good version kept after a failed or
# refused run (stale), or empty (no good version yet), with the reason. Readers (headlines, notebooks, dashboard)
# take the freshness from here; a failed analysis never blocks publishing the marts.
STATUS_TABLE = "analysis_status"
STATUS_COLUMNS = {
    "analysis": "VARCHAR", "status": "VARCHAR", "reason": "VARCHAR", "tables_run_id": "VARCHAR",
    "tables_built_at": "TIMESTAMP", "attempted_run_id": "VARCHAR", "attempted_at": "TIMESTAMP",
}
ANALYSIS_NAME = "satisfaction_drivers"


def write_analysis(con: duckdb.DuckDBPyConnection, analysis: DriverAnalysis, run_id: str | None = None,
                   model: StoredModel | None = None, score_every_contact: bool = False) -> dict[str, int]:
    """Replace every analysis table in one transaction (readers never see a mix of two runs), and mark them
    current in analysis.analysis_status; the stored model (runs.satisfaction_model) is replaced by `model` in the
    same transaction, or removed without one, so it always belongs to the fit tables. With `score_every_contact`
    the scores are not `analysis.scores` (the analysed frame's rows, e.g. the surveyed contacts only) but every
    contact of the modelling table, scored in chunks by the same model (analysis_scorer). Rows per table."""
    chunks = {"contact_satisfaction_scores": contact_score_chunks(con, analysis_scorer(analysis))} \
        if score_every_contact else None

    def also():
        _store_model(con, model)
        # what the scores were computed from, for the score-only runs until the next refit (rescore_changed)
        _record_scored_inputs(con, _stored_model_key(con) if score_every_contact and model is not None else None)

    return _write_tables(con, TABLES, analysis, run_id, ANALYSIS_NAME, also=also, chunks=chunks)


def _write_tables(con, tables: dict[str, tuple[str, dict[str, str]]], analysis, run_id: str | None,
                  analysis_name: str, also=None, chunks: dict | None = None) -> dict[str, int]:
    """Replace an analysis's tables (attribute of `analysis` -> table; or table -> frames in `chunks`) in one
    transaction and mark it current; `also()` runs inside the transaction."""
    counts = {}
    con.execute(f"create schema if not exists {SCHEMA}")
    with transaction(con):
        for table, (attribute, columns) in tables.items():
            if chunks and table in chunks:
                counts[table] = _replace_table_chunks(con, table, chunks[table], columns)
                continue
            counts[table] = _replace_table(con, table, getattr(analysis, attribute)[list(columns)], columns)
        if also is not None:
            also()
        _set_status(con, "current", None, run_id, tables_built=True, analysis=analysis_name)
    return counts


def _replace_table(con, table: str, frame: pd.DataFrame, columns: dict[str, str], schema: str = SCHEMA) -> int:
    view = f"_callqa_{table}"
    con.register(view, frame)
    try:
        select = ", ".join(f'cast("{c}" as {t}) as "{c}"' for c, t in columns.items())
        con.execute(f'create or replace table {schema}."{table}" as select {select} from {view}')
    finally:
        con.unregister(view)
    return len(frame)


def _replace_table_chunks(con, table: str, frames, columns: dict[str, str], schema: str = SCHEMA) -> int:
    """`_replace_table` from an iterable of frames, appended one at a time (the typed table exists even without
    rows)."""
    con.execute(f'create or replace table {schema}."{table}" ('
                + ", ".join(f'"{c}" {t}' for c, t in columns.items()) + ")")
    return _append_chunks(con, table, frames, columns, schema)


def _append_chunks(con, table: str, frames, columns: dict[str, str], schema: str = SCHEMA) -> int:
    """Insert an iterable of frames into an existing table, one at a time; rows inserted."""
    view = f"_callqa_{table}"
    select = ", ".join(f'cast("{c}" as {t}) as "{c}"' for c, t in columns.items())
    rows = 0
    try:
        for frame in frames:
            con.register(view, frame[list(columns)])
            try:
                con.execute(f'insert into {schema}."{table}" select {select} from {view}')
            finally:
                con.unregister(view)
            rows += len(frame)
    finally:  # a failed insert: close the chunks' reading cursor now, not when the generator is collected
        getattr(frames, "close", lambda: None)()
    return rows


def _set_status(con, status: str, reason: str | None, run_id: str | None, tables_built: bool,
                analysis: str = ANALYSIS_NAME) -> None:
    """Upsert an analysis's row of analysis.analysis_status (inside the caller's transaction). Times in UTC."""
    columns = ", ".join(f'"{c}" {t}' for c, t in STATUS_COLUMNS.items())
    con.execute(f"create table if not exists {SCHEMA}.{STATUS_TABLE} ({columns})")
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    previous = con.execute(f"select tables_run_id, tables_built_at from {SCHEMA}.{STATUS_TABLE} where analysis = ?",
                           [analysis]).fetchall()
    built_run, built_at = (run_id, now) if tables_built else (previous[0] if previous else (None, None))
    con.execute(f"delete from {SCHEMA}.{STATUS_TABLE} where analysis = ?", [analysis])
    con.execute(f"insert into {SCHEMA}.{STATUS_TABLE} values (?, ?, ?, ?, ?, ?, ?)",
                [analysis, status, reason, built_run, built_at, run_id, now])


def analysis_tables_exist(con: duckdb.DuckDBPyConnection, tables=TABLES) -> bool:
    """Whether every table of an analysis (TABLES, or SURVEY_TABLES) is in the analysis schema."""
    present = {r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_catalog = current_database() "
        "and table_schema = ?", [SCHEMA]).fetchall()}
    return set(tables) <= present


def keep_last_good_analysis(con: duckdb.DuckDBPyConnection, reason: str, run_id: str | None,
                            fallback: DriverAnalysis | None = None, score_every_contact: bool = False
                            ) -> tuple[str, dict[str, int]]:
    """After a failed or refused analysis: keep the last good tables and mark them stale with the reason; with no
    good version yet, write `fallback` (e.g. NULL scores carrying the reason; with `score_every_contact`, for
    every contact of the modelling table, as write_analysis) or empty tables, marked empty. Writing the fallback
    can fail the way the analysis did (reading every contact a chunk at a time): then empty tables, and the
    reason says so, so that a failure never leaves the step without its status row.
    Returns (status, rows per table)."""
    try:
        return _keep_last_good_analysis(con, reason, run_id, fallback, score_every_contact)
    except Exception as exc:
        if fallback is None:
            raise
        return _keep_last_good_analysis(
            con, f"{reason}; its NULL scores could not be written either ({type(exc).__name__}: {exc})", run_id)


def _keep_last_good_analysis(con: duckdb.DuckDBPyConnection, reason: str, run_id: str | None,
                             fallback: DriverAnalysis | None = None, score_every_contact: bool = False
                             ) -> tuple[str, dict[str, int]]:
    con.execute(f"create schema if not exists {SCHEMA}")
    with transaction(con):
        if analysis_tables_exist(con):
            status = "stale"
            counts = {t: int(con.execute(f'select count(*) from {SCHEMA}."{t}"').fetchall()[0][0]) for t in TABLES}
        else:
            status = "empty"
            counts = {}
            for table, (attribute, columns) in TABLES.items():
                if fallback is not None and score_every_contact and table == "contact_satisfaction_scores":
                    counts[table] = _replace_table_chunks(
                        con, table, contact_score_chunks(con, analysis_scorer(fallback)), columns)
                    continue
                frame = (getattr(fallback, attribute)[list(columns)] if fallback is not None
                         else pd.DataFrame({c: pd.Series(dtype=object) for c in columns}))
                counts[table] = _replace_table(con, table, frame, columns)
        _record_scored_inputs(con, None)  # the next run refits (the analysis is not current) and scores everyone
        _set_status(con, status, reason, run_id, tables_built=False)
    return status, counts


def read_status(con: duckdb.DuckDBPyConnection, analysis: str = ANALYSIS_NAME) -> dict | None:
    """An analysis's row of analysis.analysis_status (None before the first run); by default the satisfaction
    analysis's."""
    try:
        cursor = con.execute(f"select * from {SCHEMA}.{STATUS_TABLE} where analysis = ?", [analysis])
    except duckdb.CatalogException:
        return None
    rows = cursor.fetchall()
    return dict(zip(STATUS_COLUMNS, rows[0])) if rows else None


# ---- the stored model: score-only runs between refits (lib/drivers/schedule.py) ---------------------------------
# In `runs` (the state runs keep between them, like runs.builds), not in a published schema: readers get the fit
# tables and analysis_status; the model is the pipeline's own state, dropped with every derived schema by
# `callqa run --rebuild` (so the next run refits).
MODEL_SCHEMA = "runs"
MODEL_TABLE = "satisfaction_model"            # one row: the model behind the fit tables, as JSON
MODEL_ROWS_TABLE = "satisfaction_model_rows"  # the rows it was fitted on: contact_id, row_hash, in_holdout
MODEL_COLUMNS = {
    "fit_run_id": "VARCHAR", "fitted_at": "TIMESTAMP", "settings_fingerprint": "VARCHAR",
    "code_fingerprint": "VARCHAR", "nobs": "BIGINT", "period_from": "DATE", "period_to": "DATE", "model": "VARCHAR",
}
MODEL_ROWS_COLUMNS = {"contact_id": "VARCHAR", "row_hash": "UBIGINT", "in_holdout": "BOOLEAN"}


@dataclass
class StoredModel:
    """A fitted model as stored: the record the schedule reads, the model (spec and fit) and its fitting rows."""

    record: FitRecord
    fitted: FittedDrivers
    rows: pd.DataFrame                        # MODEL_ROWS_COLUMNS


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def model_json(fitted: FittedDrivers) -> str:
    """What scoring needs of a fit (ModelSpec; predictors, categories, coefficients, cut points), as JSON. Floats
    are written by repr, so they read back bit for bit."""
    fit = fitted.fit
    return json.dumps({
        "spec": json.loads(json.dumps(asdict(fitted.spec), default=_plain)),
        "fit": {"outcome": fit.outcome, "predictors": list(fit.predictors),
                "categories": [_plain(c) for c in fit.categories],
                "coef": [float(v) for v in fit.params.loc[fit.predictors, "coef"]],
                "cutpoints": {str(k): float(v) for k, v in fit.cutpoints.items()},
                "nobs": int(fit.nobs)},
    }, sort_keys=True)


def model_from_json(text: str) -> FittedDrivers:
    """The inverse of model_json: a FittedDrivers that scores exactly as the fit did (no design, no tipping-point
    results, no standard errors: those are in the fit tables)."""
    data = json.loads(text)
    fit = data["fit"]
    nan = float("nan")
    params = pd.DataFrame({"coef": fit["coef"]}, index=pd.Index(fit["predictors"], dtype=object))
    for column in ("std_err", "z", "p_value", "ci_low", "ci_high", "odds_ratio"):
        params[column] = nan
    cutpoints = pd.Series(fit["cutpoints"], dtype=float)
    ordinal = OrdinalFit(fit["outcome"], list(fit["predictors"]), list(fit["categories"]), params, cutpoints,
                         pd.Series(nan, index=cutpoints.index), nan, nan, nan, nan, int(fit["nobs"]), True, None)
    return FittedDrivers(ModelSpec(**data["spec"]), ordinal, pd.DataFrame(), {})


def stored_model(analysis: DriverAnalysis, frame: pd.DataFrame, settings: AnalysisSettings, run_id: str | None
                 ) -> StoredModel | None:
    """The model of a fitted analysis of `frame` (as run_driver_analysis got it), to store; None without a fit."""
    if analysis.fitted is None or analysis.status != "fitted":
        return None
    fit_row = analysis.model_fit.set_index("model").loc["all_surveyed"]
    record = FitRecord(run_id, settings_fingerprint(settings), code_fingerprint(), int(fit_row["nobs"]),
                       fit_row["period_from"], fit_row["period_to"])
    frame = frame.reset_index(drop=True)
    rows = fit_rows_table(frame, analysis.scores["used_in_fit"], analysis.scores["in_holdout"])
    return StoredModel(record, analysis.fitted, rows)


def _store_model(con, model: StoredModel | None) -> None:
    """Replace the stored model (inside the caller's transaction); None removes it."""
    con.execute(f"create schema if not exists {MODEL_SCHEMA}")
    model_frame = pd.DataFrame({c: pd.Series(dtype=object) for c in MODEL_COLUMNS})
    rows = pd.DataFrame({c: pd.Series(dtype=object) for c in MODEL_ROWS_COLUMNS})
    if model is not None:
        r = model.record
        model_frame = pd.DataFrame([{
            "fit_run_id": r.run_id, "fitted_at": datetime.now(timezone.utc).replace(tzinfo=None),
            "settings_fingerprint": r.settings_fingerprint, "code_fingerprint": r.code_fingerprint, "nobs": r.nobs,
            "period_from": r.period_from, "period_to": r.period_to, "model": model_json(model.fitted)}])
        rows = model.rows
    _replace_table(con, MODEL_TABLE, model_frame[list(MODEL_COLUMNS)], MODEL_COLUMNS, MODEL_SCHEMA)
    _replace_table(con, MODEL_ROWS_TABLE, rows[list(MODEL_ROWS_COLUMNS)], MODEL_ROWS_COLUMNS, MODEL_SCHEMA)


def _read_fit_record(con, table: str, rows_table: str, columns: dict[str, str] = MODEL_COLUMNS
                     ) -> tuple[FitRecord, dict] | None:
    """The one fit stored in runs.`table` (beside its rows in runs.`rows_table`): its FitRecord and the row as read
    (`columns`); None when there is none. The satisfaction model's and the survey analysis's."""
    from dagster_project.lib.warehouse import table_exists

    if not all(table_exists(con, MODEL_SCHEMA, t) for t in (table, rows_table)):
        return None
    found = con.execute(f"select {', '.join(columns)} from {MODEL_SCHEMA}.{table}").fetchall()
    if len(found) != 1:
        return None
    row = dict(zip(columns, found[0]))
    return FitRecord(row["fit_run_id"], row["settings_fingerprint"], row["code_fingerprint"], int(row["nobs"]),
                     _as_date(row["period_from"]), _as_date(row["period_to"])), row


def read_stored_model(con: duckdb.DuckDBPyConnection) -> StoredModel | None:
    """The stored model (None when there is none)."""
    found = _read_fit_record(con, MODEL_TABLE, MODEL_ROWS_TABLE)
    if found is None:
        return None
    record, row = found
    rows = con.execute(f"select contact_id, row_hash, in_holdout from {MODEL_SCHEMA}.{MODEL_ROWS_TABLE}").df()
    rows["row_hash"] = rows["row_hash"].astype(np.uint64)
    return StoredModel(record, model_from_json(row["model"]), rows)


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


@dataclass
class RefitDecision:
    reasons: list[str]                        # empty: score only
    stored: StoredModel | None

    @property
    def refit(self) -> bool:
        return bool(self.reasons)


def refit_decision(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, settings: AnalysisSettings,
                   policy: RefitPolicy, full_refresh: bool) -> RefitDecision:
    """Whether this run refits (schedule.refit_reasons on the stored model, analysis_status and the data now)."""
    if policy.every_run:
        return RefitDecision(refit_reasons(None, None, full_refresh, "", "", None, policy), None)
    stored = read_stored_model(con)
    status = read_status(con)
    data = data_state(frame, stored.rows, stored.record.period_to) if stored is not None else None
    reasons = refit_reasons(stored.record if stored else None, status["status"] if status else None, full_refresh,
                            settings_fingerprint(settings), code_fingerprint(), data, policy)
    return RefitDecision(reasons, stored)


def score_only(frame: pd.DataFrame, stored: StoredModel) -> pd.DataFrame:
    """contact_satisfaction_scores of every contact from the stored model (analysis.score_with_model)."""
    rows = stored.rows
    return score_with_model(frame, stored.fitted, rows["contact_id"], rows.loc[rows["in_holdout"], "contact_id"])


def write_scores(con: duckdb.DuckDBPyConnection, scores, run_id: str | None, reason: str) -> dict[str, int]:
    """A score-only run: replace contact_satisfaction_scores (a frame, or an iterable of frames such as
    contact_score_chunks(con, model_scorer(stored))) and mark the analysis current with `reason` (which fit scored
    it), in one transaction; the fit tables stay as the last fit wrote them. Rows per table."""
    columns = TABLES["contact_satisfaction_scores"][1]
    frames = [scores] if isinstance(scores, pd.DataFrame) else scores
    with transaction(con):
        counts = {t: int(con.execute(f'select count(*) from {SCHEMA}."{t}"').fetchall()[0][0]) for t in TABLES}
        counts["contact_satisfaction_scores"] = _replace_table_chunks(con, "contact_satisfaction_scores", frames,
                                                                      columns)
        _record_scored_inputs(con, _stored_model_key(con))
        _set_status(con, "current", reason, run_id, tables_built=True)
    return counts


# ---- a score-only run rescores only the contacts whose inputs changed (issue 14 item 3: "scores new contacts every
# run"). A contact's score is a function of the stored model (its coefficients, cut points and the contacts it was
# fitted on and held out) and of the contact's SCORE_INPUT_COLUMNS only, so between refits a score changes only when
# those inputs do. Every write of the scores records, per contact, a 64-bit hash of the inputs it was scored from,
# and which stored model scored them; a score-only run compares the modelling table with it in DuckDB, deletes the
# scores of contacts gone, and scores the new and changed contacts alone. The result is the table a full scoring
# with the same model writes, row for row (tests/unit/test_drivers_rescore.py); a changed row goes unseen only if
# its hash collides with its old one (2^-64 per changed contact). Without a record that belongs to the stored
# model (a refit that scored only the analysed frame, a failed run, a DuckDB whose hash() differs, a first run)
# every contact is scored, as before.
SCORED_INPUTS_TABLE = "satisfaction_scored_inputs"  # contact_id, input_hash: what each score was computed from
SCORING_TABLE = "satisfaction_scoring"              # one row: model_key of the stored model that scored them
RESCORE_TABLE = "satisfaction_rescore"              # a run's new and changed contacts (dropped after it)
INPUT_HASH_SQL = "hash(" + ", ".join(f'"{c}"' for c in SCORE_INPUT_COLUMNS) + ")"


def scoring_code_fingerprint() -> str:
    """SHA-256 of this module's source: how a stored model's scores are written (model_scorer, the casts). The
    fit's own modules are the model's (schedule.MODEL_MODULES: a change refits and so rescores every contact); a
    change here alone must rescore every contact too."""
    from dagster_project.lib.build_state import files_fingerprint

    here = Path(__file__)
    return files_fingerprint(here.parent, [here])


def _stored_model_key(con) -> str | None:
    """An identity of the stored model as written (its JSON, its fit run and the instant it was stored: a refit on
    the same data stores a new key) and of the scoring code; None without a stored model."""
    from dagster_project.lib.warehouse import table_exists

    if not table_exists(con, MODEL_SCHEMA, MODEL_TABLE):
        return None
    rows = con.execute(f"select md5(concat_ws('|', model, coalesce(fit_run_id, ''), cast(fitted_at as varchar))) "
                       f"from {MODEL_SCHEMA}.{MODEL_TABLE}").fetchall()
    return f"{rows[0][0]}:{scoring_code_fingerprint()}" if len(rows) == 1 else None


def _record_scored_inputs(con, model_key: str | None) -> None:
    """Inside the caller's transaction, after every contact was scored by the stored model `model_key`: record each
    contact's input hash; None forgets the record (the scores were not all written by a stored model)."""
    con.execute(f"create schema if not exists {MODEL_SCHEMA}")
    if model_key is None:
        con.execute(f"drop table if exists {MODEL_SCHEMA}.{SCORING_TABLE}")
        con.execute(f"drop table if exists {MODEL_SCHEMA}.{SCORED_INPUTS_TABLE}")
        return
    con.execute(f"create or replace table {MODEL_SCHEMA}.{SCORED_INPUTS_TABLE} as "
                f"select contact_id, {INPUT_HASH_SQL} as input_hash from {INPUT_TABLE} order by contact_id")
    con.execute(f"create or replace table {MODEL_SCHEMA}.{SCORING_TABLE} as select cast(? as varchar) as model_key",
                [model_key])


def _recorded_model_key(con) -> str | None:
    from dagster_project.lib.warehouse import table_exists

    if not all(table_exists(con, s, t) for s, t in ((MODEL_SCHEMA, SCORING_TABLE), (MODEL_SCHEMA, SCORED_INPUTS_TABLE),
                                                    (SCHEMA, "contact_satisfaction_scores"))):
        return None
    rows = con.execute(f"select model_key from {MODEL_SCHEMA}.{SCORING_TABLE}").fetchall()
    return rows[0][0] if len(rows) == 1 else None


def rescore_changed(con: duckdb.DuckDBPyConnection, stored: StoredModel, run_id: str | None, reason: str
                    ) -> tuple[dict[str, int], dict[str, int]]:
    """A score-only run: rescore the new and changed contacts with the stored model, delete the scores of contacts
    no longer in the modelling table, and mark the analysis current with `reason`, in one transaction; every contact
    (write_scores) when the recorded inputs do not belong to the stored model. Returns (rows per table, what was
    done: rescored, removed, kept, and whole = 1 when every contact was scored)."""
    key = _stored_model_key(con)
    if key is None or _recorded_model_key(con) != key:
        counts = write_scores(con, contact_score_chunks(con, model_scorer(stored)), run_id, reason)
        n = counts["contact_satisfaction_scores"]
        return counts, {"rescored": n, "removed": 0, "kept": 0, "whole": 1}
    inputs = f"{MODEL_SCHEMA}.{SCORED_INPUTS_TABLE}"
    rescore = f"{MODEL_SCHEMA}.{RESCORE_TABLE}"
    scores = f'{SCHEMA}."contact_satisfaction_scores"'
    gone = f"not exists (select 1 from {INPUT_TABLE} as now where now.contact_id = {{t}}.contact_id)"
    # committed before the transaction: the chunks' reader (a cursor: another connection) must see it
    con.execute(f"""create or replace table {rescore} as
        select now.contact_id, now.input_hash
        from (select contact_id, {INPUT_HASH_SQL} as input_hash from {INPUT_TABLE}) as now
        left join {inputs} as recorded on recorded.contact_id = now.contact_id
        where recorded.input_hash is distinct from now.input_hash""")
    try:
        with transaction(con):
            counts = {t: int(con.execute(f'select count(*) from {SCHEMA}."{t}"').fetchall()[0][0]) for t in TABLES}
            (removed,) = con.execute(f"select count(*) from {scores} as t where {gone.format(t='t')}").fetchall()[0]
            con.execute(f"delete from {scores} as t where t.contact_id in (select contact_id from {rescore}) "
                        f"or {gone.format(t='t')}")
            rescored = _append_chunks(con, "contact_satisfaction_scores", contact_score_chunks(
                con, model_scorer(stored), where=f"contact_id in (select contact_id from {rescore})"),
                TABLES["contact_satisfaction_scores"][1])
            con.execute(f"delete from {inputs} as t where t.contact_id in (select contact_id from {rescore}) "
                        f"or {gone.format(t='t')}")
            con.execute(f"insert into {inputs} select contact_id, input_hash from {rescore} order by contact_id")
            (total,) = con.execute(f"select count(*) from {scores}").fetchall()[0]
            counts["contact_satisfaction_scores"] = int(total)
            _set_status(con, "current", reason, run_id, tables_built=True)
    finally:
        con.execute(f"drop table if exists {rescore}")
    return counts, {"rescored": rescored, "removed": int(removed), "kept": int(total) - rescored, "whole": 0}


@dataclass
class CheckOutcome:
    passed: bool
    description: str
    metadata: dict


def check_model_converged(con) -> CheckOutcome:
    rows = con.execute(
        f"select model, status, status_reason, converged from {SCHEMA}.satisfaction_model_fit order by model"
    ).fetchall()
    fitted = [r for r in rows if r[1] == "fitted"]
    bad = [r[0] for r in fitted if r[3] is not True]
    metadata = {f"{r[0]}": f"{r[1]}" + (f" ({r[2]})" if r[2] else "") for r in rows}
    if not fitted:
        return CheckOutcome(True, "no model fitted (insufficient data; scores are NULL with the reason)", metadata)
    return CheckOutcome(not bad, "every fitted model converged" if not bad else f"not converged: {bad}", metadata)


def check_probabilities(con, tolerance: float = 1e-9) -> CheckOutcome:
    p_sum = " + ".join(f"p_csat_{k}" for k in CSAT_CATEGORIES)
    p_min = ", ".join(f"p_csat_{k}" for k in CSAT_CATEGORIES)
    scored, worst, negative = con.execute(
        f"""select count(*) filter (where expected_csat is not null),
                   coalesce(max(abs(({p_sum}) - 1)), 0),
                   count(*) filter (where least({p_min}) < 0 or greatest({p_min}) > 1)
            from {SCHEMA}.contact_satisfaction_scores"""
    ).fetchall()[0]
    passed = worst <= tolerance and negative == 0
    return CheckOutcome(passed, f"P(csat = 1..5) sum to 1 within {tolerance:g} for every scored contact",
                        {"scored_contacts": int(scored), "max_abs_sum_error": float(worst),
                         "probabilities_outside_0_1": int(negative)})


def check_every_contact_scored(con) -> CheckOutcome:
    contacts, scores, distinct, missing, fitted = con.execute(
        f"""select (select count(*) from {INPUT_TABLE}),
                   (select count(*) from {SCHEMA}.contact_satisfaction_scores),
                   (select count(distinct contact_id) from {SCHEMA}.contact_satisfaction_scores),
                   (select count(*) from {SCHEMA}.contact_satisfaction_scores
                     where expected_csat is null and score_null_reason is null),
                   (select count(*) from {SCHEMA}.satisfaction_model_fit
                     where model = 'all_surveyed' and status = 'fitted')"""
    ).fetchall()[0]
    passed = contacts == scores == distinct and missing == 0
    return CheckOutcome(passed, "one score row per contact; a NULL score always carries its reason",
                        {"contacts": int(contacts), "score_rows": int(scores), "distinct_contacts": int(distinct),
                         "null_without_reason": int(missing), "model_fitted": bool(fitted)})


def check_calibration(con) -> CheckOutcome:
    rows = con.execute(
        f"""select status, status_reason, calibration_max_abs_difference, calibration_tolerance,
                   calibration_within_tolerance, holdout_nobs
            from {SCHEMA}.satisfaction_model_fit where model = 'holdout_training'"""
    ).fetchall()
    if not rows or rows[0][0] != "fitted":
        reason = rows[0][1] if rows else "no fit table"
        return CheckOutcome(True, f"hold-out calibration not computed: {reason}", {"status": "not computed"})
    status, _, worst, tolerance, within, n = rows[0]
    return CheckOutcome(bool(within), f"hold-out: every csat share within {tolerance:g} of the mean prediction",
                        {"max_abs_difference": float(worst), "tolerance": float(tolerance), "holdout_contacts": int(n)})


# ---- the survey dimension analysis (metrics.md §7b, lib/drivers/surveys.py) -------------------------------------
SURVEY_ANALYSIS_NAME = "survey_dimension_drivers"
SURVEY_INPUT_TABLE = "marts.fct_survey_answers"
_SEGMENT = {"kind": "VARCHAR", "segment_type": "VARCHAR", "segment": "VARCHAR"}
SURVEY_TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "survey_dimension_drivers": ("dimensions", {
        **_SEGMENT, "dimension": "VARCHAR", "status": "VARCHAR", "refused_reason": "VARCHAR", "n": "BIGINT",
        "answers": "BIGINT", "items": "BIGINT", "overall_scale": "VARCHAR", "overall_levels": "BIGINT",
        "coef": "DOUBLE", "std_err": "DOUBLE", "z": "DOUBLE", "p_value": "DOUBLE", "ci_low": "DOUBLE",
        "ci_high": "DOUBLE", "odds_ratio": "DOUBLE", "std_coef": "DOUBLE", "importance_share": "DOUBLE",
        "relative_weight": "DOUBLE", "relative_weight_share": "DOUBLE", "performance": "DOUBLE",
        "bottom_two_box_share": "DOUBLE", "quadrant": "VARCHAR", "quadrant_null_reason": "VARCHAR",
    }),
    "survey_question_performance": ("questions", {
        **_SEGMENT, "question_code": "VARCHAR", "dimension": "VARCHAR", "answers": "BIGINT", "scale_min": "DOUBLE",
        "scale_max": "DOUBLE", "mean_score": "DOUBLE", "performance": "DOUBLE", "bottom_two_box_share": "DOUBLE",
        "dimension_importance_share": "DOUBLE", "quadrant": "VARCHAR",
    }),
    "survey_dimension_model_fit": ("model_fit", {
        **_SEGMENT, "status": "VARCHAR", "status_reason": "VARCHAR", "responses": "BIGINT", "nobs": "BIGINT",
        "overall_source": "VARCHAR", "overall_scale": "VARCHAR", "overall_levels": "BIGINT", "dimensions": "VARCHAR",
        "llf": "DOUBLE", "llnull": "DOUBLE", "pseudo_r2": "DOUBLE", "aic": "DOUBLE", "converged": "BOOLEAN",
    }),
}


def read_survey_inputs(con: duckdb.DuckDBPyConnection):
    """What the survey analysis reads of marts.fct_survey_answers, summed by DuckDB (surveys.survey_inputs): one
    row per response and the segments' performance, never the answers themselves."""
    from dagster_project.lib.drivers.surveys import survey_inputs

    return survey_inputs(con, SURVEY_INPUT_TABLE)


def write_survey_analysis(con: duckdb.DuckDBPyConnection, analysis, run_id: str | None = None, settings=None,
                          relation: str = SURVEY_INPUT_TABLE) -> dict[str, int]:
    """Replace the survey analysis tables in one transaction and mark them current in analysis.analysis_status; the
    stored fit (runs.survey_model: what the refit schedule compares the next runs' responses with) is replaced in
    the same transaction from `relation`, the answers the analysis read with `settings` (default SurveySettings()),
    or removed when no segment was fitted, so the next run tries again."""
    return _write_tables(con, SURVEY_TABLES, analysis, run_id, SURVEY_ANALYSIS_NAME,
                         also=lambda: _store_survey_fit(con, analysis, run_id, settings, relation))


def mark_survey_analysis_failed(con: duckdb.DuckDBPyConnection, reason: str, run_id: str | None) -> str:
    """After a failed survey analysis: the last good tables stay (stale), or empty tables are written (empty)."""
    con.execute(f"create schema if not exists {SCHEMA}")
    status = "stale" if analysis_tables_exist(con, SURVEY_TABLES) else "empty"
    with transaction(con):
        if status == "empty":
            for table, (_, columns) in SURVEY_TABLES.items():
                _replace_table(con, table, pd.DataFrame({c: pd.Series(dtype=object) for c in columns}), columns)
        _set_status(con, status, reason, run_id, tables_built=False, analysis=SURVEY_ANALYSIS_NAME)
    return status


# ---- the survey analysis's refit schedule (lib/drivers/schedule.py: the satisfaction analysis's rule and thresholds,
# its responses as the rows). The fit is not scored with, so only what the schedule compares is stored, in `runs`
# beside the satisfaction model: one row (fit run, time, fingerprints, responses, first and last response date) and a
# 64-bit hash per response of every column the analysis reads of its answers (surveys.ANSWER_COLUMNS) and its date:
# a count, a max(date) and a merge on survey_id, all in DuckDB, decide a run. Written in the transaction that
# replaces the three tables, so the record always belongs to them.
SURVEY_MODEL_TABLE = "survey_model"            # one row: the fit behind the survey tables
SURVEY_MODEL_ROWS_TABLE = "survey_model_rows"  # the responses it read: survey_id, row_hash, local_date
SURVEY_MODEL_COLUMNS = {c: t for c, t in MODEL_COLUMNS.items() if c != "model"}


def _response_hashes(con, relation: str) -> str:
    """SQL: one row per response of `relation` (survey_id as the analysis reads it, its local_date, a hash of its
    answers: order-free, a sum of the answers' hashes with their count). Without a local_date column (a frame given
    to run_survey_analysis) the date is NULL, and no fit is stored."""
    from dagster_project.lib.drivers.surveys import ANSWER_COLUMNS

    present = {d[0] for d in con.execute(f"select * from {relation} limit 0").description}
    day = '"local_date"' if "local_date" in present else "cast(null as date)"
    answer = ", ".join(f'"{c}"' for c in ANSWER_COLUMNS)
    return (f"select cast(survey_id as varchar) as survey_id, max({day}) as local_date, "
            f"hash(count(*), sum(hash({answer}, {day}))) as row_hash from {relation} group by survey_id")


def _store_survey_fit(con, analysis, run_id: str | None, settings, relation: str) -> None:
    """Inside write_survey_analysis's transaction: store the fit's record and response hashes, or remove them when
    no segment was fitted or the responses have no date (the schedule cannot measure days then: refit every run)."""
    from dagster_project.lib.drivers.surveys import SurveySettings

    con.execute(f"create schema if not exists {MODEL_SCHEMA}")
    rows, record = f"{MODEL_SCHEMA}.{SURVEY_MODEL_ROWS_TABLE}", f"{MODEL_SCHEMA}.{SURVEY_MODEL_TABLE}"
    fitted = bool((analysis.model_fit["status"] == "fitted").any()) if len(analysis.model_fit) else False
    if fitted:
        con.execute(f"create or replace table {rows} as select survey_id, row_hash, local_date "
                    f"from ({_response_hashes(con, relation)}) order by survey_id")
        nobs, first, last = con.execute(f"select count(*), min(local_date), max(local_date) from {rows}").fetchall()[0]
        if last is not None:
            con.execute(f"create or replace table {record} as select ?::varchar as fit_run_id, ?::timestamp as "
                        f"fitted_at, ?::varchar as settings_fingerprint, ?::varchar as code_fingerprint, "
                        f"?::bigint as nobs, ?::date as period_from, ?::date as period_to",
                        [run_id, datetime.now(timezone.utc).replace(tzinfo=None),
                         settings_fingerprint(settings or SurveySettings()), survey_code_fingerprint(), nobs, first,
                         last])
            return
    con.execute(f"drop table if exists {record}")
    con.execute(f"drop table if exists {rows}")


def survey_code_fingerprint() -> str:
    """SHA-256 of the survey analysis's modules (schedule.SURVEY_MODEL_MODULES: surveys.py and the fit's)."""
    return code_fingerprint(modules=SURVEY_MODEL_MODULES)


def read_survey_fit(con: duckdb.DuckDBPyConnection) -> FitRecord | None:
    """The stored survey fit (None when there is none)."""
    found = _read_fit_record(con, SURVEY_MODEL_TABLE, SURVEY_MODEL_ROWS_TABLE, SURVEY_MODEL_COLUMNS)
    return found[0] if found is not None else None


def survey_data_state(con: duckdb.DuckDBPyConnection, period_to: date, relation: str = SURVEY_INPUT_TABLE
                      ) -> DataState:
    """The responses now against the stored fit's, in one DuckDB query: how many, the newest date, and how many
    moved (a response of the fit whose answers changed or that is gone, and a new response dated on or before the
    fit's period_to: a late survey or a correction)."""
    (rows, newest, changed), = con.execute(f"""
        with now as ({_response_hashes(con, relation)})
        select count(now.survey_id), max(now.local_date),
               count(*) filter (where fit.survey_id is not null
                                  and (now.survey_id is null or fit.row_hash <> now.row_hash))
               + count(*) filter (where fit.survey_id is null and now.local_date <= ?)
        from {MODEL_SCHEMA}.{SURVEY_MODEL_ROWS_TABLE} as fit full join now on fit.survey_id = now.survey_id""",
        [period_to]).fetchall()
    return DataState(int(rows), _as_date(newest), int(changed))


def survey_refit_decision(con: duckdb.DuckDBPyConnection, settings, policy: RefitPolicy, full_refresh: bool,
                          relation: str = SURVEY_INPUT_TABLE) -> tuple[list[str], FitRecord | None]:
    """Whether this run refits the survey analysis (schedule.refit_reasons on the stored fit, its analysis_status
    row and the responses now): (reasons, empty to keep the tables; the stored fit)."""
    if policy.every_run:
        return refit_reasons(None, None, full_refresh, "", "", None, policy, SURVEY_WORDS), None
    record = read_survey_fit(con)
    status = read_status(con, SURVEY_ANALYSIS_NAME)
    data = survey_data_state(con, record.period_to, relation) if record is not None else None
    reasons = refit_reasons(record, status["status"] if status else None, full_refresh, settings_fingerprint(settings),
                            survey_code_fingerprint(), data, policy, SURVEY_WORDS)
    if record is not None and not reasons and not analysis_tables_exist(con, SURVEY_TABLES):
        reasons.append("a survey analysis table is missing")
    return reasons, record


def keep_survey_analysis(con: duckdb.DuckDBPyConnection, reason: str, run_id: str | None) -> dict[str, int]:
    """Between refits: the three survey tables stay as the fit wrote them (tables_run_id and tables_built_at stay
    the fit's); analysis_status says current with `reason` (kept, and when the next refit comes). Rows per table."""
    with transaction(con):
        counts = {t: int(con.execute(f'select count(*) from {SCHEMA}."{t}"').fetchall()[0][0]) for t in SURVEY_TABLES}
        _set_status(con, "current", reason, run_id, tables_built=False, analysis=SURVEY_ANALYSIS_NAME)
    return counts
