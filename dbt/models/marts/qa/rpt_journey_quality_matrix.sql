{#-
    Journey quality matrix (metrics.md §6, §8): for each quality point of seeds journey_quality_points
    (touchpoint x SERVQUAL dimension x point) and local month, the contacts of its population on which its
    measure is known, and how many pass (measure <= threshold for max, >= for min, = for equals). Data-driven: a
    point added to the seed with a known measure and population is evaluated without a code change. A value that
    is only a lower bound (fct_contact_quality_measures) decides only when it already fails (max) or passes (min);
    otherwise the contact is censored, not measured.
-#}
{%- set measures = journey_quality_measures() %}
{%- set populations = journey_quality_populations() %}

with targets as (
    {{ metric_targets_row([('journey_quality_pass_rate', 'target')]) }}
),

-- points, contact_points, judged: one verdict per contact x point (macros/journey/journey_quality.sql)
{{ journey_quality_judged_ctes() }},

counted as (
    select
        quality_point,
        local_month,
        {{ contacts_count_if('passed is not null') }} as measured,
        {{ contacts_count_if('passed') }} as passed,
        {{ contacts_count_if('passed is null') }} as censored
    from judged
    group by quality_point, local_month
),

months as (
    select distinct local_month from {{ ref('fct_contact_quality_measures') }}
)

select
    points.touchpoint,
    points.dimension,
    points.quality_point,
    months.local_month,
    cast(coalesce(counted.measured, 0) as {{ dbt.type_bigint() }}) as measured,
    cast(coalesce(counted.passed, 0) as {{ dbt.type_bigint() }}) as passed,
    {{ contacts_safe_ratio('counted.passed', 'counted.measured') }} as pass_rate,
    cast(coalesce(counted.censored, 0) as {{ dbt.type_bigint() }}) as censored,
    case
        when points.measure not in ({% for m, lb in measures %}'{{ m }}'{{ ', ' if not loop.last }}{% endfor %}) then 'unknown_measure'
        when points.population not in ({% for p in populations %}'{{ p }}'{{ ', ' if not loop.last }}{% endfor %}) then 'unknown_population'
        when coalesce(counted.measured, 0) = 0 then 'not_measured'
    end as pass_rate_null_reason,
    points.measure,
    points.population,
    points.threshold,
    points.direction,
    points.description,
    targets.target,
    {{ contacts_safe_ratio('counted.passed', 'counted.measured') }} >= targets.target as meets_target
from points
cross join months
left join counted
    on counted.quality_point = points.quality_point
    and counted.local_month = months.local_month
cross join targets
