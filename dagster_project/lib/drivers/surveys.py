"""Voice of the customer (metrics.md §7b): which survey dimension drives overall satisfaction, and where the center
does worst, on transactional and relationship surveys. DuckDB sums the answers of marts.fct_survey_answers into
one row per response and the segments' performance (survey_inputs: memory follows the responses, not the answers);
the rest are plain functions of those DataFrames; the Dagster asset only reads and writes.

The analysis refits on the satisfaction analysis's schedule (lib/drivers/schedule.py, its thresholds): no fit stored
or the last survey analysis not current, a full refresh, a change of SurveySettings or of this module (or ordinal.py,
importance.py: schedule.SURVEY_MODEL_MODULES), the responses >= 5 % more or fewer than the fit's, the newest response
>= 7 days after the fit's last day, or >= 2 % of the fit's responses changed, gone or late. Between refits a run
keeps the three tables as the last fit wrote them and says so in analysis.analysis_status.reason; deciding costs a
DuckDB pass over the answers (store.survey_data_state: one hash per response), not this module's work.

1. Responses: one row per survey response with its overall answer (csat, or the answer to its `overall` question,
   on that question's scale) and its dimension scores (mean of the response's items in each dimension; items on
   their own scales). `overall` and `nps` (likelihood to recommend) are outcomes, never drivers.
2. Per survey kind (and per queue / channel where at least `min_segment_responses` responses can be fitted), the
   proportional-odds logit of the overall answer with ALL its observed levels as ordered categories (a 0-10 item
   keeps its 11 levels, no binning) on the dimension scores: the same fitting function as the journey model
   (ordinal.fit_ordinal_model), the same refusals (ordinal.unestimable_predictors: a dimension with one answer
   level, a dimension linearly dependent on others; predictors separating the outcome are left out one refusal at a
   time), the same outputs (coef per scale point, std_err, 95 % CI, p-value, odds ratio, standardized effect,
   importance share, relative weight; importance.py).
   Fitting rows: responses with an overall answer on the kind's most common overall scale and a score in every
   dimension fitted (a dimension answered by fewer than `min_dimension_share` of the responses is refused, so one
   rarely asked item does not shrink the data).
3. Performance (severity): per dimension and per question, the mean score as a share of its scale
   ((score - min) / (max - min)) and the share of answers in the bottom two boxes of the scale; quadrants with
   crosshairs at the means (importance.quadrants). A question's importance is its dimension's.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from dagster_project.lib.drivers.importance import importance_shares, quadrants, relative_weights, standardized_effects
from dagster_project.lib.drivers.ordinal import (
    OrdinalFit,
    OrdinalModelError,
    OrdinalSeparationError,
    fit_ordinal_model,
    unestimable_predictors,
)

OUTCOME_DIMENSIONS = ("overall", "nps")   # answers that are outcomes, never drivers
OUTCOME = "overall_score"
ALL = "all"


@dataclass(frozen=True)
class SurveySettings:
    min_responses: int = 100           # fitting rows needed for a survey kind's model
    min_segment_responses: int = 200   # ... for a queue's or a channel's own model (docs/decisions.md)
    min_dimension_share: float = 0.5   # a dimension answered by fewer of the responses is not fitted


DIMENSION_COLUMNS = [
    "kind", "segment_type", "segment", "dimension", "status", "refused_reason", "n", "answers", "items",
    "overall_scale", "overall_levels", "coef", "std_err", "z", "p_value", "ci_low", "ci_high", "odds_ratio",
    "std_coef", "importance_share", "relative_weight", "relative_weight_share", "performance",
    "bottom_two_box_share", "quadrant", "quadrant_null_reason",
]
QUESTION_COLUMNS = [
    "kind", "segment_type", "segment", "question_code", "dimension", "answers", "scale_min", "scale_max",
    "mean_score", "performance", "bottom_two_box_share", "dimension_importance_share", "quadrant",
]
FIT_COLUMNS = [
    "kind", "segment_type", "segment", "status", "status_reason", "responses", "nobs", "overall_source",
    "overall_scale", "overall_levels", "dimensions", "llf", "llnull", "pseudo_r2", "aic", "converged",
]


@dataclass
class SurveyAnalysis:
    dimensions: pd.DataFrame
    questions: pd.DataFrame
    model_fit: pd.DataFrame


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


@dataclass
class SurveyInputs:
    """What the analysis reads of the answers, summed by DuckDB (survey_inputs), so memory follows the responses
    and the segments, not the answers (9.4 M answers in a 10 M-contact year)."""

    responses: pd.DataFrame         # one row per response: keys, overall answer and its scale, one column per dimension
    dimensions: dict[str, list[str]]  # kind -> its driver dimensions (sorted)
    dimension_stats: pd.DataFrame   # kind, segment_type, segment, dimension: answers, performance, bottom two, items
    question_stats: pd.DataFrame    # kind, segment_type, segment, question_code: dimension, scale, mean, performance...


_RESPONSE_KEYS = ["kind", "channel", "queue", OUTCOME, "overall_scale_min", "overall_scale_max", "overall_source"]
_NUMERIC = {"score", "scale_min", "scale_max", OUTCOME, "overall_scale_min", "overall_scale_max"}
# Every column survey_inputs reads of an answer (the refit schedule hashes them: store.survey_data_state).
ANSWER_COLUMNS = ["survey_id", "question_code", "dimension", *_RESPONSE_KEYS, "score", "scale_min", "scale_max"]


def _quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def survey_inputs(con, relation: str) -> SurveyInputs:
    """SurveyInputs from `relation` (marts.fct_survey_answers, or any relation with its columns) on a DuckDB
    connection, in four queries:

    - responses: a response's keys are those of its first answer in question_code order (they are the survey's);
      its score in a dimension is the mean of its items there (NULL when it answered none); `overall` and `nps`
      are outcomes, never dimensions. In survey_id order.
    - per segment (kind: all responses; each channel; each queue, by the response's keys) and per driver dimension
      and per question: answers (rows, a NULL score included), performance (mean of (score - min) / (max - min)
      over the scored answers), bottom-two-box share (score < min + 2, over every answer), the items of a
      dimension; for a question its dimension and scale (first non-NULL in survey order) and mean score.
    """
    num = {c: f"try_cast({_quote(c)} as double)" for c in _NUMERIC}
    col = {c: num.get(c, f"cast({_quote(c)} as varchar)") for c in ANSWER_COLUMNS}
    outcome_dims = ", ".join(f"'{d}'" for d in OUTCOME_DIMENSIONS)
    typed = (f"select {', '.join(f'{e} as {_quote(c)}' for c, e in col.items())} from {relation}")
    keys = ", ".join(f"first({_quote(k)} order by question_code) as {_quote(k)}" for k in _RESPONSE_KEYS)
    response_keys = f"select survey_id, {keys} from answers group by survey_id"
    dims = con.execute(f"""with answers as ({typed}), r as ({response_keys})
        select distinct r.kind, a.dimension from answers a join r using (survey_id)
        where a.dimension not in ({outcome_dims}) order by 1, 2""").fetchall()
    dimensions: dict[str, list[str]] = {}
    for kind, dimension in dims:
        dimensions.setdefault(kind, []).append(dimension)
    names = sorted({d for _, d in dims})
    pivot = "".join(f", avg(score) filter (where dimension = ?) as {_quote(d)}" for d in names)
    responses = con.execute(f"""with answers as ({typed}), r as ({response_keys}),
        d as (select survey_id{pivot} from answers where dimension not in ({outcome_dims}) group by survey_id)
        select r.*{''.join(f', d.{_quote(n)}' for n in names)} from r left join d using (survey_id)
        order by survey_id""", names).df()
    for column in ("kind", "channel", "queue", "overall_source"):
        responses[column] = responses[column].astype(object).where(responses[column].notna(), None)
    segment = """case when grouping(channel) = 0 then 'channel' when grouping(queue) = 0 then 'queue' else 'all' end
                 as segment_type, coalesce(case when grouping(channel) = 0 then channel
                                                 when grouping(queue) = 0 then queue end, 'all') as segment,
                 grouping(channel) = 0 and channel is null or grouping(queue) = 0 and queue is null as no_segment"""
    measured = f"""with answers as ({typed}), r as ({response_keys}),
        s as (select r.kind, r.channel, r.queue, a.survey_id, a.question_code, a.dimension, a.score, a.scale_min,
                     a.scale_max, (a.score - a.scale_min) / nullif(a.scale_max - a.scale_min, 0) as share,
                     case when a.score < a.scale_min + 2 then 1.0 else 0.0 end as bottom
              from answers a join r using (survey_id)
              where a.dimension is null or a.dimension not in ({outcome_dims}))"""
    sets = "grouping sets ((kind, {k}), (kind, channel, {k}), (kind, queue, {k}))"
    dimension_stats = con.execute(f"""{measured}
        select kind, {segment}, dimension, count(*) as answers, fsum(share) / count(share) as performance,
               fsum(bottom) / count(*) as bottom_two_box_share, count(distinct question_code) as items
        from s where dimension is not null group by {sets.format(k='dimension')}""").df()
    question_stats = con.execute(f"""{measured}
        select kind, {segment}, question_code, count(*) as answers, fsum(share) / count(share) as performance,
               fsum(bottom) / count(*) as bottom_two_box_share,
               first(dimension order by survey_id) filter (where dimension is not null) as dimension,
               first(scale_min order by survey_id) filter (where scale_min is not null) as scale_min,
               first(scale_max order by survey_id) filter (where scale_max is not null) as scale_max,
               fsum(score) / count(score) as mean_score
        from s where question_code is not null group by {sets.format(k='question_code')}""").df()
    return SurveyInputs(responses, dimensions, dimension_stats[~dimension_stats["no_segment"].astype(bool)],
                        question_stats[~question_stats["no_segment"].astype(bool)])


def _segments(responses: pd.DataFrame, settings: SurveySettings):
    """(segment_type, segment, rows) per kind: all responses, then each queue and channel with enough responses."""
    yield ALL, ALL, responses
    for column in ("channel", "queue"):
        for value, rows in responses.groupby(column, dropna=True):
            yield column, str(value), rows


def fit_dimensions(rows: pd.DataFrame, dimensions: list[str], settings: SurveySettings, minimum: int
                   ) -> tuple[OrdinalFit | None, pd.DataFrame, dict[str, str], dict]:
    """The dimension model on one segment's responses. Returns (fit or None, the fitting rows, refused dimensions
    with reasons, a model_fit row)."""
    refused: dict[str, str] = {}
    info: dict = {"responses": len(rows)}
    with_overall = rows[rows[OUTCOME].notna()]
    if with_overall.empty:
        return None, with_overall, refused, {**info, "status": "refused", "status_reason": "no response has an overall answer"}
    # one overall scale per model: the most common (a csat 1-5 and a 0-10 item are different outcomes)
    scales = with_overall.groupby(["overall_scale_min", "overall_scale_max"]).size().sort_values(ascending=False)
    lo, hi = scales.index[0]
    info["overall_scale"] = f"{int(lo)}-{int(hi)}"
    on_scale = with_overall[(with_overall["overall_scale_min"] == lo) & (with_overall["overall_scale_max"] == hi)]
    sources = on_scale["overall_source"].value_counts()
    info["overall_source"] = ", ".join(map(str, sources.index[:3]))
    for d in dimensions:
        share = float(on_scale[d].notna().mean()) if len(on_scale) else 0.0
        if share < settings.min_dimension_share:
            refused[d] = (f"answered by {share:.0%} of the responses with an overall answer (fewer than "
                          f"{settings.min_dimension_share:.0%}): left out so it does not shrink the data")
    candidates = [d for d in dimensions if d not in refused]
    data = on_scale.dropna(subset=candidates) if candidates else on_scale.iloc[0:0]
    info["nobs"] = len(data)
    if len(data) < minimum:
        return None, data, refused, {**info, "status": "refused", "status_reason": (
            f"{len(data)} responses with the overall answer and every dimension, fewer than the {minimum} needed")}
    levels = sorted(data[OUTCOME].unique().tolist())
    info["overall_levels"] = len(levels)
    if len(levels) < 2:
        return None, data, refused, {**info, "status": "refused", "status_reason": (
            f"every response gives the same overall answer ({levels[0]:g}): nothing to explain")}
    refused.update(unestimable_predictors(data, candidates))
    terms = [d for d in candidates if d not in refused]
    fit = None
    while terms:
        try:
            fit = fit_ordinal_model(data, OUTCOME, terms, levels)
            break
        except OrdinalSeparationError as exc:
            named = [t for t in exc.predictors if t in terms]
            if not named or len(named) == len(terms):
                return None, data, refused, {**info, "status": "refused", "status_reason": str(exc)}
            for t in named:
                refused[t] = f"separates the overall answer together with the other dimensions: {exc}"
                terms.remove(t)
        except OrdinalModelError as exc:
            return None, data, refused, {**info, "status": "refused", "status_reason": str(exc)}
    if fit is None:
        return None, data, refused, {**info, "status": "refused",
                                     "status_reason": "no dimension can be estimated: " + "; ".join(
                                         f"{d}: {r}" for d, r in refused.items())}
    info.update({"status": "fitted", "dimensions": ", ".join(fit.predictors), "llf": fit.llf, "llnull": fit.llnull,
                 "pseudo_r2": fit.pseudo_r2, "aic": fit.aic, "converged": fit.converged})
    return fit, data, refused, info


def _stats(stats: pd.DataFrame, kind: str, segment_type: str, segment: str, by: str) -> pd.DataFrame:
    """One segment's rows of SurveyInputs.dimension_stats / question_stats, indexed by `by`, in its order."""
    rows = stats[(stats["kind"] == kind) & (stats["segment_type"] == segment_type) & (stats["segment"] == segment)]
    return rows.set_index(by).sort_index()


def _segment_tables(kind: str, segment_type: str, segment: str, rows: pd.DataFrame, inputs: SurveyInputs,
                    dimensions: list[str], settings: SurveySettings) -> tuple[list[dict], list[dict], dict]:
    minimum = settings.min_responses if segment_type == ALL else settings.min_segment_responses
    fit, data, refused, info = fit_dimensions(rows, dimensions, settings, minimum)
    fit_row = {"kind": kind, "segment_type": segment_type, "segment": segment, **info}
    if segment_type != ALL and fit is None:
        return [], [], fit_row   # a queue or channel without its own model: only the reason, in model_fit
    dim_perf = _stats(inputs.dimension_stats, kind, segment_type, segment, "dimension")
    items = dim_perf["items"]
    shares = pd.Series(dtype=float)
    effects = pd.Series(dtype=float)
    weights = pd.Series(dtype=float)
    if fit is not None:
        effects = standardized_effects(fit, data, {d: [d] for d in fit.predictors})
        shares = importance_shares(effects)
        try:
            weights, _ = relative_weights(data, OUTCOME, fit.predictors, fit.categories)
        except OrdinalModelError:
            weights = pd.Series(np.nan, index=fit.predictors)
    perf = dim_perf["performance"].reindex(shares.index)
    quads = quadrants(shares, perf)
    dimension_rows = []
    for d in dimensions:
        row = {"kind": kind, "segment_type": segment_type, "segment": segment, "dimension": d,
               "n": info.get("nobs"), "overall_scale": info.get("overall_scale"),
               "overall_levels": info.get("overall_levels"),
               "items": int(items.get(d, 0)), "answers": int(dim_perf["answers"].get(d, 0)),
               "performance": dim_perf["performance"].get(d, np.nan),
               "bottom_two_box_share": dim_perf["bottom_two_box_share"].get(d, np.nan)}
        if fit is not None and d in fit.predictors:
            p = fit.params.loc[d]
            row.update({"status": "estimated", "coef": p["coef"], "std_err": p["std_err"], "z": p["z"],
                        "p_value": p["p_value"], "ci_low": p["ci_low"], "ci_high": p["ci_high"],
                        "odds_ratio": p["odds_ratio"], "std_coef": float(effects[d]),
                        "importance_share": float(shares[d]), "relative_weight": float(weights.get(d, np.nan)),
                        "relative_weight_share": float(weights.get(d, np.nan) / weights.sum())})
            quadrant = quads.loc[d, "quadrant"]
            row["quadrant"] = None if pd.isna(quadrant) else quadrant
            if row["quadrant"] is None:
                row["quadrant_null_reason"] = "no answers to measure performance"
        else:
            row.update({"status": "refused",
                        "refused_reason": refused.get(d, f"no model: {info.get('status_reason')}"),
                        "quadrant_null_reason": "not estimated"})
        dimension_rows.append(row)
    question_rows = []
    q_perf = _stats(inputs.question_stats, kind, segment_type, segment, "question_code")
    q_dim = q_perf[["dimension", "scale_min", "scale_max", "mean_score"]]
    q_importance = q_dim["dimension"].map(shares)
    q_quads = quadrants(q_importance, q_perf["performance"].reindex(q_dim.index))
    for code, q in q_dim.iterrows():
        quadrant = q_quads.loc[code, "quadrant"]
        question_rows.append({
            "kind": kind, "segment_type": segment_type, "segment": segment, "question_code": code,
            "dimension": q["dimension"], "answers": int(q_perf.loc[code, "answers"]), "scale_min": q["scale_min"],
            "scale_max": q["scale_max"], "mean_score": q["mean_score"], "performance": q_perf.loc[code, "performance"],
            "bottom_two_box_share": q_perf.loc[code, "bottom_two_box_share"],
            "dimension_importance_share": q_importance.get(code, np.nan),
            "quadrant": None if pd.isna(quadrant) else quadrant})
    return dimension_rows, question_rows, fit_row


def run_survey_analysis(answers: pd.DataFrame, settings: SurveySettings | None = None) -> SurveyAnalysis:
    """The whole analysis from a frame of marts.fct_survey_answers rows (one row per answer): the same queries as
    the warehouse's (survey_inputs) on an in-memory DuckDB."""
    import duckdb

    if not len(answers):
        return analyse_survey_inputs(None, settings)
    con = duckdb.connect()
    try:
        con.register("survey_answers_frame", answers)
        return analyse_survey_inputs(survey_inputs(con, "survey_answers_frame"), settings)
    finally:
        con.close()


def analyse_survey_inputs(inputs: SurveyInputs | None, settings: SurveySettings | None = None) -> SurveyAnalysis:
    """The whole analysis from SurveyInputs (None: no answers)."""
    settings = settings or SurveySettings()
    with threadpool_limits(limits=1):
        dimension_rows, question_rows, fit_rows = [], [], []
        if inputs is not None and len(inputs.responses):
            for kind, kind_rows in inputs.responses.groupby("kind"):
                dimensions = inputs.dimensions.get(kind, [])
                for segment_type, segment, rows in _segments(kind_rows, settings):
                    d_rows, q_rows, fit_row = _segment_tables(str(kind), segment_type, segment, rows, inputs,
                                                              dimensions, settings)
                    dimension_rows += d_rows
                    question_rows += q_rows
                    fit_rows.append(fit_row)
    return SurveyAnalysis(_frame(dimension_rows, DIMENSION_COLUMNS), _frame(question_rows, QUESTION_COLUMNS),
                          _frame(fit_rows, FIT_COLUMNS))
