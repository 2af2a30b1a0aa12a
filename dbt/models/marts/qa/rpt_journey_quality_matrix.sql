{#-
    Journey quality matrix (metrics.md §6, §8): for each quality point of seeds journey_quality_points
    (touchpoint x SERVQUAL dimension x point) and local month, the contacts of its population on which its
    measure is known, and how many pass (measure <= threshold for max, >= for min, = for equals). Data-driven: a
    point added to the seed with a known measure and population is evaluated without a code change. A value that
    is only a lower bound (fct_contact_quality_measures) decides only when it already fails (max) or passes (min);
    otherwise the contact is censored, not measured.
-#}
{%- set measures = [
    ('is_failed', none), ('prior_contacts_7d', 'prior_contacts_7d_is_lower_bound'), ('bot_failed', none),
    ('first_response_seconds', none), ('ivr_seconds', none), ('ivr_keypresses', none),
    ('answered_within_threshold', none), ('is_abandoned', none), ('transfer_count', none),
    ('compliance_critical_error', none), ('customer_critical_error', none), ('red_line_hits', none),
    ('courtesy_tone_failed', none), ('callback_kept', none),
    ('ticket_resolution_minutes', 'ticket_resolution_minutes_is_lower_bound'), ('ticket_resolution_sla_met', none),
    ('has_repeat_48h', none), ('resolved_reported', none), ('survey_empathy_score', none),
] %}
{%- set populations = [
    'all_contacts', 'identified_contacts', 'bot_contacts', 'ivr_calls', 'offered_calls', 'handled_contacts',
    'qa_evaluated', 'transcribed_contacts', 'callback_promised', 'ticket_contacts', 'urgent_ticket_contacts',
    'surveyed_contacts',
] %}

with targets as (
    {{ metric_targets_row([('journey_quality_pass_rate', 'target')]) }}
),

points as (
    select
        quality_point,
        touchpoint,
        dimension,
        measure,
        population,
        cast(threshold as {{ type_double() }}) as threshold,
        direction,
        description
    from {{ ref('journey_quality_points') }}
),

measures_long as (
    {%- for measure, lower_bound in measures %}
    select
        contact_id,
        local_month,
        '{{ measure }}' as measure,
        {{ measure }} as measure_value,
        {{ lower_bound if lower_bound else 'false' }} as is_lower_bound
    from {{ ref('fct_contact_quality_measures') }}
    where {{ measure }} is not null
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

populations_long as (
    {%- for population in populations %}
    select contact_id, '{{ population }}' as population
    from {{ ref('fct_contact_quality_measures') }}
    where in_{{ population }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

judged as (
    select
        points.quality_point,
        measures_long.local_month,
        case
            when not measures_long.is_lower_bound then
                case points.direction
                    when 'max' then measures_long.measure_value <= points.threshold
                    when 'min' then measures_long.measure_value >= points.threshold
                    when 'equals' then measures_long.measure_value = points.threshold
                end
            -- a lower bound already above a maximum fails; already at or above a minimum passes
            when points.direction = 'max' and measures_long.measure_value > points.threshold then false
            when points.direction = 'min' and measures_long.measure_value >= points.threshold then true
        end as passed
    from points
    inner join measures_long
        on measures_long.measure = points.measure
    inner join populations_long
        on populations_long.contact_id = measures_long.contact_id
        and populations_long.population = points.population
),

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
