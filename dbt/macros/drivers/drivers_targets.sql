{#- Targets of the satisfaction drivers, read from the seeds (metrics.md §7: performance = share of contacts on the
    good side of the driver's target).

    drivers_quality_points_row(points): one row with <alias>_threshold and <alias>_direction for each
      (quality_point, alias) of seeds journey_quality_points; a point missing from the seed gives NULLs (and so
      a NULL judgement, never a guessed target).
    drivers_meets(measure, alias): the seed's rule for a measured value - direction max: measure <= threshold,
      min: measure >= threshold, equals: measure = threshold (booleans as 1/0); NULL when either is NULL. -#}
{% macro drivers_quality_points_row(points) -%}
    select
    {%- for point, alias in points %}
        max(case when quality_point = {{ sql_string(point) }} then threshold end) as {{ alias }}_threshold,
        max(case when quality_point = {{ sql_string(point) }} then direction end) as {{ alias }}_direction{{ "," if not loop.last }}
    {%- endfor %}
    from {{ ref('journey_quality_points') }}
{%- endmacro %}

{% macro drivers_meets(measure, alias) -%}
    case
        when {{ alias }}_direction = 'max' then {{ measure }} <= {{ alias }}_threshold
        when {{ alias }}_direction = 'min' then {{ measure }} >= {{ alias }}_threshold
        when {{ alias }}_direction = 'equals' then {{ measure }} = {{ alias }}_threshold
    end
{%- endmacro %}
