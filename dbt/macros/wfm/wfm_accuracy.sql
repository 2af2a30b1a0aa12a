{#-
    Forecast accuracy (metrics.md §4) from interval rows of fct_forecast_intervals, for the accuracy marts
    (daily, weekly, monthly, by horizon). Accuracy is carried as additive parts (counts and weighted sums),
    computed per local day; any roll-up sums the parts and only then divides (wfm_accuracy_rates), never
    averaging rates. Measures, each with its weight w per interval:
      contacts   F = forecast_contacts, A = offered contacts, w = 1
      aht        F = forecast_aht_seconds, A = handle seconds / handled contacts, w = handled contacts with a
                 handle time (so sum(w A) = handle seconds)
      shrinkage  F = planned shrinkage (forecast, else schedule), A = 1 - productive / scheduled paid time,
                 w = scheduled paid seconds; its tolerance is in points (|F - A|), not relative
    Names are prefixed `wfm_` because macro names are global to the project.
-#}

{#- Added to every tolerance so that a boundary case (|F - A| / A exactly at the tolerance) is inside despite
    floating-point rounding: 105 vs 100 at 5 % is within. -#}
{% macro wfm_tolerance_epsilon() -%}
    1e-9
{%- endmacro %}


{% macro wfm_measures() -%}
    {{ return([
        {'name': 'contacts', 'forecast': 'forecast_contacts', 'actual': 'actual_contacts', 'weight': '1',
         'naive': 'naive_contacts', 'within': 'contacts_within_tolerance', 'tolerance_base': 'actual_contacts > 0'},
        {'name': 'aht', 'forecast': 'forecast_aht_seconds', 'actual': 'actual_aht_seconds',
         'weight': 'actual_handled_with_handle_time', 'naive': 'naive_aht_seconds', 'within': 'aht_within_tolerance',
         'tolerance_base': 'actual_aht_seconds > 0'},
        {'name': 'shrinkage', 'forecast': 'planned_shrinkage', 'actual': 'actual_shrinkage',
         'weight': 'scheduled_paid_seconds', 'naive': 'naive_shrinkage', 'within': 'shrinkage_within_tolerance',
         'tolerance_base': 'true'},
    ]) }}
{%- endmacro %}


{#- The additive parts, one row per group (group_columns, which must include local_date) and measure, from the
    interval rows of `rows` (already filtered to the versions to evaluate). -#}
{% macro wfm_accuracy_day_parts(rows, group_columns) -%}
    {%- for m in wfm_measures() %}
    select
        {% for c in group_columns %}{{ c }}, {% endfor %}
        cast('{{ m.name }}' as {{ dbt.type_string() }}) as measure,
        {%- set usable = '(' ~ m.forecast ~ ' is not null and ' ~ m.actual ~ ' is not null)' %}
        {%- set w = 'cast(' ~ m.weight ~ ' as ' ~ type_double() ~ ')' %}
        {%- set paired = '(' ~ usable ~ ' and ' ~ m.naive ~ ' is not null)' %}
        count(*) as candidate_intervals,
        count({{ m.forecast }}) as intervals_with_forecast_value,
        count({{ m.actual }}) as intervals_with_actual_value,
        {{ contacts_count_if(usable) }} as intervals,
        {{ contacts_count_if(usable ~ ' and ' ~ m.tolerance_base) }} as accuracy_intervals,
        {{ contacts_count_if(usable ~ ' and ' ~ m.tolerance_base ~ ' and ' ~ m.within) }} as intervals_within_tolerance,
        coalesce(sum(case when {{ usable }} then {{ w }} end), 0) as weight,
        coalesce(sum(case when {{ usable }} then {{ w }} * {{ m.forecast }} end), 0) as forecast_weighted,
        coalesce(sum(case when {{ usable }} then {{ w }} * {{ m.actual }} end), 0) as actual_weighted,
        coalesce(sum(case when {{ usable }} then {{ w }} * abs({{ m.forecast }} - {{ m.actual }}) end), 0) as abs_error_weighted,
        coalesce(sum(case when {{ usable }} then {{ w }} * ({{ m.forecast }} - {{ m.actual }}) end), 0) as error_weighted,
        -- the day's own absolute error |sum F - sum A|: summed over days it gives the roll-up's daily accuracy
        abs(coalesce(sum(case when {{ usable }} then {{ w }} * {{ m.forecast }} end), 0)
            - coalesce(sum(case when {{ usable }} then {{ w }} * {{ m.actual }} end), 0)) as daily_abs_error_weighted,
        coalesce(sum(case when {{ usable }} and {{ m.actual }} > 0 then {{ w }} end), 0) as pct_error_weight,
        coalesce(sum(case when {{ usable }} and {{ m.actual }} > 0
            then {{ w }} * abs({{ m.forecast }} - {{ m.actual }}) / {{ m.actual }} end), 0) as abs_pct_error_weighted,
        {{ contacts_count_if(paired) }} as paired_intervals,
        coalesce(sum(case when {{ paired }} then {{ w }} * {{ m.actual }} end), 0) as paired_actual_weighted,
        coalesce(sum(case when {{ paired }} then {{ w }} * abs({{ m.forecast }} - {{ m.actual }}) end), 0) as paired_abs_error_weighted,
        coalesce(sum(case when {{ paired }} then {{ w }} * abs({{ m.naive }} - {{ m.actual }}) end), 0) as naive_abs_error_weighted
    from {{ rows }}
    group by {% for c in group_columns %}{{ c }}{{ ", " if not loop.last }}{% endfor %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}


{#- The additive parts as column names (select lists, sums in roll-ups). -#}
{% macro wfm_accuracy_part_columns() -%}
    {{ return([
        'candidate_intervals', 'intervals_with_forecast_value', 'intervals_with_actual_value', 'intervals',
        'accuracy_intervals', 'intervals_within_tolerance', 'weight', 'forecast_weighted', 'actual_weighted',
        'abs_error_weighted', 'error_weighted', 'daily_abs_error_weighted', 'pct_error_weight',
        'abs_pct_error_weighted', 'paired_intervals', 'paired_actual_weighted', 'paired_abs_error_weighted',
        'naive_abs_error_weighted',
    ]) }}
{%- endmacro %}


{#- Select-list of `sum(part) as part` for a roll-up. -#}
{% macro wfm_accuracy_summed_parts() -%}
    {%- for c in wfm_accuracy_part_columns() %}
    sum({{ c }}) as {{ c }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{#- Select-list of the parts (typed) and the rates computed from them, for a relation with `measure` and the
    part columns. Every rate is NULL when its denominator is 0 (null_reason says why a row has none). -#}
{% macro wfm_accuracy_rates() -%}
    {%- set dbl = type_double() %}
    {%- for c in wfm_accuracy_part_columns() %}
    {%- if c.endswith('intervals') or c.startswith('intervals') %}
    cast({{ c }} as {{ dbt.type_bigint() }}) as {{ c }},
    {%- else %}
    cast({{ c }} as {{ dbl }}) as {{ c }},
    {%- endif %}
    {%- endfor %}
    -- the measure in its own unit: contacts summed; AHT (seconds) and shrinkage (fraction) weighted means
    cast(case when measure = 'contacts' then forecast_weighted else forecast_weighted / nullif(weight, 0) end as {{ dbl }})
        as forecast,
    cast(case when measure = 'contacts' then actual_weighted else actual_weighted / nullif(weight, 0) end as {{ dbl }})
        as actual,
    cast(abs_error_weighted / nullif(actual_weighted, 0) as {{ dbl }}) as wape,
    cast(error_weighted / nullif(actual_weighted, 0) as {{ dbl }}) as bias,
    cast(abs_pct_error_weighted / nullif(pct_error_weight, 0) as {{ dbl }}) as mape,
    cast(cast(intervals_within_tolerance as {{ dbl }}) / nullif(accuracy_intervals, 0) as {{ dbl }}) as interval_accuracy,
    cast(1 - daily_abs_error_weighted / nullif(actual_weighted, 0) as {{ dbl }}) as daily_accuracy,
    cast(naive_abs_error_weighted / nullif(paired_actual_weighted, 0) as {{ dbl }}) as naive_wape,
    cast(paired_abs_error_weighted / nullif(paired_actual_weighted, 0) as {{ dbl }}) as paired_wape,
    cast((naive_abs_error_weighted - paired_abs_error_weighted) / nullif(paired_actual_weighted, 0) as {{ dbl }})
        as forecast_value_added,
    cast(case when measure = 'shrinkage' then error_weighted / nullif(weight, 0) end as {{ dbl }}) as bias_points,
    cast(case when measure = 'shrinkage' then abs_error_weighted / nullif(weight, 0) end as {{ dbl }}) as mean_abs_error_points,
    cast(
        case
            when candidate_intervals = 0 then 'no_evaluated_forecast'
            when intervals_with_forecast_value = 0 then 'no_forecast_value'
            when intervals = 0 then 'no_actual'
            when actual_weighted = 0 then 'zero_actual'
        end as {{ dbt.type_string() }}
    ) as null_reason
{%- endmacro %}


{#- One row per measure with its tolerance and targets from seeds metric_targets (NULL where the seed has no
    target for the measure). -#}
{% macro wfm_accuracy_targets() -%}
    with wfm_target_row as (
        {{ metric_targets_row([
            ('forecast_interval_tolerance', 'contacts_tolerance'),
            ('forecast_interval_accuracy', 'contacts_interval_accuracy_target'),
            ('forecast_wape', 'contacts_wape_target'),
            ('forecast_bias_tolerance', 'bias_tolerance'),
            ('forecast_daily_accuracy', 'contacts_daily_accuracy_target'),
            ('forecast_aht_tolerance', 'aht_tolerance'),
            ('forecast_aht_wape', 'aht_wape_target'),
            ('shrinkage_tolerance_points', 'shrinkage_tolerance_points'),
        ]) }}
    )
    select
        cast('contacts' as {{ dbt.type_string() }}) as measure,
        contacts_tolerance as tolerance,
        contacts_interval_accuracy_target as interval_accuracy_target,
        contacts_wape_target as wape_target,
        bias_tolerance,
        contacts_daily_accuracy_target as daily_accuracy_target
    from wfm_target_row
    union all
    select 'aht', aht_tolerance, cast(null as {{ type_double() }}), aht_wape_target, bias_tolerance,
        cast(null as {{ type_double() }})
    from wfm_target_row
    union all
    select 'shrinkage', shrinkage_tolerance_points, cast(null as {{ type_double() }}), cast(null as {{ type_double() }}),
        shrinkage_tolerance_points, cast(null as {{ type_double() }})
    from wfm_target_row
{%- endmacro %}


{#- Select-list of the typed context columns that follow the rates (unforecast counts, tolerance, targets):
    unforecast_intervals is a count, the others are doubles. -#}
{% macro wfm_accuracy_context_columns(columns) -%}
    {%- for c in columns %}
    cast({{ c }} as {{ dbt.type_bigint() if c == 'unforecast_intervals' else type_double() }}) as {{ c }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
