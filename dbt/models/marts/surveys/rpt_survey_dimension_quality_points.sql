{#-
    Linking the two analyses of the seeds (metrics.md §7b to §7): for each survey dimension, the journey quality
    points of seeds journey_quality_points in that dimension with their pass rates over the whole period
    (rpt_journey_quality_matrix summed over months), beside the dimension's survey performance per survey kind
    (fct_survey_answers). "Reliability matters most and we do worst there" then reads on to the measurable
    points of reliability ("callbacks kept 71 %"). The dimension's importance and quadrant are in
    analysis.survey_dimension_drivers (same dimension and kind).
-#}

-- survey performance per kind x dimension: mean share of scale, bottom-two-box share
with survey_dimensions as (
    select
        kind,
        dimension,
        count(*) as answers,
        count(distinct survey_id) as responses,
        avg(score_share) as survey_performance,
        avg(cast(case when is_bottom_two_box then 1 else 0 end as {{ type_double() }})) as bottom_two_box_share
    from {{ ref('fct_survey_answers') }}
    where dimension not in ('overall', 'nps')
    group by kind, dimension
),

-- the target every pass rate is compared with
targets as (
    {{ metric_targets_row([('journey_quality_pass_rate', 'target')]) }}
),

-- each quality point over the whole period (every point of the seed, measured or not)
measured as (
    select quality_point, sum(measured) as measured, sum(passed) as passed
    from {{ ref('rpt_journey_quality_matrix') }}
    group by quality_point
),

points as (
    select
        lower(seed.dimension) as dimension,
        seed.touchpoint,
        seed.quality_point,
        seed.description,
        targets.target,
        measured.measured,
        measured.passed
    from {{ ref('journey_quality_points') }} as seed
    left join measured
        on measured.quality_point = seed.quality_point
    cross join targets
)

select
    survey_dimensions.kind,
    survey_dimensions.dimension,
    survey_dimensions.responses,
    survey_dimensions.answers,
    survey_dimensions.survey_performance,
    survey_dimensions.bottom_two_box_share,
    points.touchpoint,
    points.quality_point,
    points.description,
    cast(coalesce(points.measured, 0) as {{ dbt.type_bigint() }}) as measured,
    cast(coalesce(points.passed, 0) as {{ dbt.type_bigint() }}) as passed,
    {{ contacts_safe_ratio('points.passed', 'points.measured') }} as pass_rate,
    points.target,
    {{ contacts_safe_ratio('points.passed', 'points.measured') }} >= points.target as meets_target,
    case
        when points.quality_point is null then 'no_quality_point_in_dimension'
        when coalesce(points.measured, 0) = 0 then 'not_measured'
    end as pass_rate_null_reason
from survey_dimensions
left join points
    on points.dimension = survey_dimensions.dimension
