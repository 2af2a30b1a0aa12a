{#- The one rule that judges a contact on the journey quality points (seeds journey_quality_points, metrics.md §6):
    rpt_journey_quality_matrix counts its verdicts, fct_contact_pain_points lists the failed ones per contact (§7c).

    journey_quality_measures(): (measure, lower-bound flag or none) of fct_contact_quality_measures a point can name.
    journey_quality_populations(): the populations a point can name (a flag in_<population> per contact).
    journey_quality_judged_ctes(): CTEs `points`, `measures_long`, `populations_long` and `judged` (one row per
    contact x applicable point whose measure is known: passed true / false, or NULL when a lower bound cannot
    decide yet), to follow a `with`. A value that is only a lower bound decides only when it already fails (max) or
    passes (min). -#}
{% macro journey_quality_measures() -%}
    {{ return([
        ('is_failed', none), ('prior_contacts_7d', 'prior_contacts_7d_is_lower_bound'), ('bot_failed', none),
        ('first_response_seconds', none), ('ivr_seconds', none), ('ivr_keypresses', none),
        ('answered_within_threshold', none), ('is_abandoned', none), ('transfer_count', none),
        ('compliance_critical_error', none), ('customer_critical_error', none), ('red_line_hits', none),
        ('courtesy_tone_failed', none), ('callback_kept', none),
        ('ticket_resolution_minutes', 'ticket_resolution_minutes_is_lower_bound'), ('ticket_resolution_sla_met', none),
        ('has_repeat_48h', none), ('resolved_reported', none), ('survey_empathy_score', none),
    ]) }}
{%- endmacro %}

{% macro journey_quality_populations() -%}
    {{ return([
        'all_contacts', 'identified_contacts', 'bot_contacts', 'ivr_calls', 'offered_calls', 'handled_contacts',
        'qa_evaluated', 'transcribed_contacts', 'callback_promised', 'ticket_contacts', 'urgent_ticket_contacts',
        'surveyed_contacts',
    ]) }}
{%- endmacro %}

{% macro journey_quality_judged_ctes() -%}
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
    {%- for measure, lower_bound in journey_quality_measures() %}
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
    {%- for population in journey_quality_populations() %}
    select contact_id, '{{ population }}' as population
    from {{ ref('fct_contact_quality_measures') }}
    where in_{{ population }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

judged as (
    select
        measures_long.contact_id,
        points.quality_point,
        measures_long.local_month,
        measures_long.measure_value,
        measures_long.is_lower_bound,
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
)
{%- endmacro %}

{#- A measure value as evidence text: whole numbers without decimals ('187'), others with one ('3.5'). -#}
{% macro journey_number_text(expr) -%}
    case
        when {{ expr }} = floor({{ expr }}) then cast(cast({{ expr }} as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
        else cast(cast({{ expr }} as numeric(18, 1)) as {{ dbt.type_string() }})
    end
{%- endmacro %}
