{#- The one rule that judges a contact on the journey quality points (seeds journey_quality_points, metrics.md §6):
    rpt_journey_quality_matrix counts its verdicts, fct_contact_pain_points lists the failed ones per contact (§7c).

    journey_quality_measures(): (measure, lower-bound flag or none) of fct_contact_quality_measures a point can name.
    journey_quality_populations(): the populations a point can name (a flag in_<population> per contact).
    journey_quality_judged_ctes(): CTEs `points`, `contact_points` and `judged` (one row per
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

-- one pass over the contacts, each beside every point (a handful of rows): the point's measure and population are
-- picked by name, so no contact x measure or contact x population rows are built and nothing is joined by key
-- (the unpivot-and-join shape ran out of memory at 10 M contacts; docs/decisions.md)
contact_points as (
    select
        measures.contact_id,
        points.quality_point,
        measures.local_month,
        points.direction,
        points.threshold,
        case points.measure
            {%- for measure, lower_bound in journey_quality_measures() %}
            when '{{ measure }}' then measures.{{ measure }}
            {%- endfor %}
        end as measure_value,
        case points.measure
            {%- for measure, lower_bound in journey_quality_measures() if lower_bound %}
            when '{{ measure }}' then measures.{{ lower_bound }}
            {%- endfor %}
            else false
        end as is_lower_bound,
        case points.population
            {%- for population in journey_quality_populations() %}
            when '{{ population }}' then measures.in_{{ population }}
            {%- endfor %}
        end as in_population
    from {{ ref('fct_contact_quality_measures') }} as measures
    cross join points
),

judged as (
    select
        contact_id,
        quality_point,
        local_month,
        measure_value,
        is_lower_bound,
        case
            when not is_lower_bound then
                case direction
                    when 'max' then measure_value <= threshold
                    when 'min' then measure_value >= threshold
                    when 'equals' then measure_value = threshold
                end
            -- a lower bound already above a maximum fails; already at or above a minimum passes
            when direction = 'max' and measure_value > threshold then false
            when direction = 'min' and measure_value >= threshold then true
        end as passed
    from contact_points
    -- an unknown measure or population names no column: NULL, so the point judges no contact
    where in_population
      and measure_value is not null
)
{%- endmacro %}

{#- A measure value as evidence text: whole numbers without decimals ('187'), others with one ('3.5'). -#}
{% macro journey_number_text(expr) -%}
    case
        when {{ expr }} = floor({{ expr }}) then cast(cast({{ expr }} as {{ dbt.type_bigint() }}) as {{ dbt.type_string() }})
        else cast(cast({{ expr }} as numeric(18, 1)) as {{ dbt.type_string() }})
    end
{%- endmacro %}
