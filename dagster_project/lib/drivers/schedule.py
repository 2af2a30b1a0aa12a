"""When the satisfaction model is refitted, and when a run only scores contacts with the stored model (issue 14 item
3: "the analysis step refits on a schedule you choose and scores new contacts every run").

A fit (screening, a tipping-point search with a multiplier bootstrap per continuous driver, the final fit, the
hold-out fit) is most of an increment's time at 1 M contacts; scoring every contact with a stored model is a
matrix product. The rule, one function (`refit_reasons`): refit when any of these holds, else score only.

- no fitted model is stored, or the last analysis is not `current` (failed, refused: stale or empty);
  an analysis with too few surveys stores no model, so it is tried again every run;
- a full refresh run (the dbt step's `full_refresh`, by config or by the job's tag: defs/location.py);
- the method changed: the settings (AnalysisSettings, the csat_* targets of seeds metric_targets included) or the
  model code (a fingerprint of the modules the fit runs: `code_fingerprint`);
- the data moved (RefitPolicy, thresholds from the run config, defaults here):
  * the fitting rows (surveyed contacts with every driver known) grew or shrank by >= `max_row_change` (5 %) of
    the fit's;
  * the newest fitting row is dated >= `max_days` (7) days after the fit's period_to;
  * >= `max_changed_share` (2 %) of the fit's rows changed: a row of the fit whose contact_id, local date,
    channel, csat or any driver value differs now, or that is no longer a fitting row, or a fitting row dated on
    or before the fit's period_to that the fit did not have (a late survey, a correction). Per-row hashes
    (`row_hashes`) are stored with the model, so this is a merge, not a refit.
- `every_run`: refit every run (the schedule off).

A threshold of 0 refits on any movement (a changed or new row, a new day). Changes of the policy itself do not
refit (they say when to refit, not what is fitted).

The survey dimension analysis (lib/drivers/surveys.py) refits on the same rule and the same thresholds, with its
responses as the rows (one per survey_id of marts.fct_survey_answers, dated by its local_date, hashed over every
column the analysis reads of its answers; counted in DuckDB, store.survey_data_state), SurveySettings as the settings
and SURVEY_MODEL_MODULES as the model code: a refit when no fit is stored (a run that fitted no segment stores none)
or the last survey analysis is not current, a full refresh, new settings or code, responses >= 5 % more or fewer
than the fit's, the newest response >= 7 days after the fit's last day, or >= 2 % of the fit's responses changed,
gone or arrived late within its period. Between refits a run keeps the three survey tables as the fit wrote them
and says so in analysis_status.reason (`kept_reason`); nothing is scored."""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from dagster_project.lib.drivers.analysis import CHANNEL, OUTCOME, AnalysisSettings, driver_values, fitting_rows

# The modules whose code decides what a fit produces (a change of any of them refits).
MODEL_MODULES = ("analysis.py", "ordinal.py", "thresholds.py", "importance.py")
# ... of the survey dimension analysis (its sums, fits, importance and quadrants).
SURVEY_MODEL_MODULES = ("surveys.py", "ordinal.py", "importance.py")


@dataclass(frozen=True)
class RefitPolicy:
    """When the data moved enough to refit (SatisfactionAnalysisConfig: refit_*)."""

    every_run: bool = False
    max_row_change: float = 0.05     # |fitting rows now - fit's| / fit's
    max_days: int = 7                # newest fitting row's date - fit's period_to, in days
    max_changed_share: float = 0.02  # changed, gone or new-in-period rows / fit's rows


@dataclass(frozen=True)
class FitRecord:
    """What the schedule needs of the stored fit."""

    run_id: str | None
    settings_fingerprint: str
    code_fingerprint: str
    nobs: int
    period_from: date
    period_to: date


@dataclass(frozen=True)
class DataState:
    """The fitting data now, against the stored fit."""

    fitting_rows: int
    newest_date: date | None          # of the fitting rows
    changed_rows: int                 # rows of the fit changed or gone, and new fitting rows dated <= its period_to


def settings_fingerprint(settings) -> str:
    """SHA-256 of every field of a settings dataclass: AnalysisSettings (the csat_* targets of metric_targets
    included), or the survey analysis's SurveySettings."""
    values = {k: (list(map(float, v)) if isinstance(v, tuple) else v) for k, v in asdict(settings).items()}
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode("utf-8")).hexdigest()


def code_fingerprint(folder: Path | None = None, modules: tuple[str, ...] = MODEL_MODULES) -> str:
    """SHA-256 of the source of the modules a fit runs (MODEL_MODULES; SURVEY_MODEL_MODULES for the survey
    analysis)."""
    from dagster_project.lib.build_state import files_fingerprint

    folder = folder or Path(__file__).parent
    return files_fingerprint(folder, [folder / name for name in modules])


def row_hashes(frame: pd.DataFrame) -> pd.Series:
    """A 64-bit hash per contact of what the fit reads from it: contact_id, local date, channel, csat and every
    driver value (model units, NaN for unknown)."""
    days = (pd.to_datetime(frame["local_date"]) - pd.Timestamp("1970-01-01")).dt.days
    values = driver_values(frame)
    parts = pd.DataFrame({
        "contact_id": frame["contact_id"].astype(str).to_numpy(),
        "local_date": days.to_numpy(dtype="float64", na_value=np.nan),
        "channel": frame[CHANNEL].astype(object).where(frame[CHANNEL].notna(), "").astype(str).to_numpy(),
        "csat": frame[OUTCOME].astype("Float64").to_numpy(dtype=float, na_value=np.nan),
    }, index=frame.index).join(values)
    return pd.util.hash_pandas_object(parts, index=False)


def fit_rows_table(frame: pd.DataFrame, used_in_fit: pd.Series, in_holdout: pd.Series) -> pd.DataFrame:
    """The rows a fit used, stored with the model: contact_id, row_hash, in_holdout."""
    used = used_in_fit.to_numpy(dtype=bool)
    rows = frame.loc[used]
    return pd.DataFrame({"contact_id": rows["contact_id"].astype(str).to_numpy(),
                         "row_hash": row_hashes(rows).to_numpy(dtype=np.uint64),
                         "in_holdout": in_holdout.to_numpy(dtype=bool)[used]})


def data_state(frame: pd.DataFrame, fit_rows: pd.DataFrame, period_to: date) -> DataState:
    """Count the fitting rows now, their newest date, and how many rows moved against the fit's `fit_rows`
    (contact_id, row_hash)."""
    usable = fitting_rows(frame)
    rows = frame.loc[usable]
    dates = pd.to_datetime(rows["local_date"])
    now = pd.DataFrame({"contact_id": rows["contact_id"].astype(str).to_numpy(),
                        "row_hash": row_hashes(rows).to_numpy(dtype=np.uint64),
                        "in_period": (dates <= pd.Timestamp(period_to)).to_numpy()})
    merged = fit_rows[["contact_id", "row_hash"]].merge(now, on="contact_id", how="outer", suffixes=("_fit", "_now"),
                                                        indicator=True)
    gone_or_changed = (merged["_merge"] == "left_only") | (
        (merged["_merge"] == "both") & (merged["row_hash_fit"] != merged["row_hash_now"]))
    new_in_period = (merged["_merge"] == "right_only") & merged["in_period"].fillna(False).astype(bool)
    newest = dates.max().date() if len(dates) else None
    return DataState(int(usable.sum()), newest, int(gone_or_changed.sum() + new_in_period.sum()))


@dataclass(frozen=True)
class Words:
    """How the reasons name an analysis's rows and settings."""

    rows: str = "fitting rows"
    fit_rows: str = "rows of the fit"
    settings: str = "the analysis settings changed (run config or seeds metric_targets csat_*)"


SURVEY_WORDS = Words("responses", "responses of the fit", "the survey analysis settings changed (SurveySettings)")


def refit_reasons(stored: FitRecord | None, last_status: str | None, full_refresh: bool, settings_fp: str,
                  code_fp: str, data: DataState | None, policy: RefitPolicy, words: Words = Words()) -> list[str]:
    """Why this run refits (empty: score with the stored model, or keep the survey tables). Every trigger that
    holds is named."""
    if policy.every_run:
        return ["refit every run (refit_every_run)"]
    if stored is None:
        return ["no fitted model stored"]
    reasons = []
    if last_status != "current":
        reasons.append(f"the last analysis is {last_status or 'missing'}, not current")
    if full_refresh:
        reasons.append("full refresh")
    if stored.settings_fingerprint != settings_fp:
        reasons.append(words.settings)
    if stored.code_fingerprint != code_fp:
        reasons.append("the model code changed")
    if data is not None:
        change = data.fitting_rows - stored.nobs
        if change != 0 and abs(change) >= policy.max_row_change * stored.nobs:
            reasons.append(f"{words.rows} {stored.nobs:,} -> {data.fitting_rows:,} "
                           f"({change / stored.nobs:+.1%}, threshold {policy.max_row_change:.0%})")
        if data.newest_date is not None and (data.newest_date - stored.period_to).days >= policy.max_days:
            reasons.append(f"data to {data.newest_date}, {(data.newest_date - stored.period_to).days} days after the "
                           f"fit's {stored.period_to} (threshold {policy.max_days})")
        if data.changed_rows > 0 and data.changed_rows >= policy.max_changed_share * stored.nobs:
            reasons.append(f"{data.changed_rows:,} {words.fit_rows}'s period changed, gone or new "
                           f"({data.changed_rows / stored.nobs:.1%} of {stored.nobs:,}, threshold "
                           f"{policy.max_changed_share:.0%})")
    return reasons


def next_refit(stored: FitRecord, policy: RefitPolicy, words: Words = Words()) -> str:
    """When the data will have moved enough (the other triggers: a full refresh, a change of settings or code)."""
    low = math.floor(stored.nobs * (1 - policy.max_row_change))
    high = math.ceil(stored.nobs * (1 + policy.max_row_change))
    changed = max(1, math.ceil(policy.max_changed_share * stored.nobs))
    return (f"{words.rows} <= {low:,} or >= {high:,}, data to {stored.period_to + timedelta(days=policy.max_days)}, "
            f"{changed:,} {words.fit_rows} changed, a full refresh, or new settings or model code")


def scored_reason(stored: FitRecord, policy: RefitPolicy) -> str:
    """analysis.analysis_status.reason of a run that scored with the stored model."""
    run = (stored.run_id or "unknown")[:8]
    return (f"scored with the model fitted in run {run} on data {stored.period_from} to {stored.period_to} "
            f"({stored.nobs:,} surveyed contacts); next refit when {next_refit(stored, policy)}")


def kept_reason(stored: FitRecord, policy: RefitPolicy) -> str:
    """analysis.analysis_status.reason of a run that kept the survey dimension tables of the stored fit."""
    run = (stored.run_id or "unknown")[:8]
    return (f"kept the tables fitted in run {run} on responses {stored.period_from} to {stored.period_to} "
            f"({stored.nobs:,} responses); next refit when {next_refit(stored, policy, SURVEY_WORDS)}")
