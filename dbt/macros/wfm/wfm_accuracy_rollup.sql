{#- A roll-up of rpt_forecast_accuracy_daily to local weeks or months: the parts summed per queue, period and
    measure, then the rates from the sums (never an average of daily rates). period: 'week' (weeks start on
    Monday, date_trunc) or 'month'. -#}
{% macro wfm_accuracy_rollup(period) -%}
with daily as (
    select * from {{ ref('rpt_forecast_accuracy_daily') }}
),

summed as (
    select
        queue,
        cast({{ dbt.date_trunc(period, 'local_date') }} as date) as period_start,
        measure,
        count(*) as days,
        {{ contacts_count_if('intervals > 0') }} as days_evaluated,
        {{ wfm_accuracy_summed_parts() }},
        sum(unforecast_intervals) as unforecast_intervals,
        sum(unforecast_contacts) as unforecast_contacts,
        max(tolerance) as tolerance,
        max(interval_accuracy_target) as interval_accuracy_target,
        max(wape_target) as wape_target,
        max(bias_tolerance) as bias_tolerance,
        max(daily_accuracy_target) as daily_accuracy_target
    from daily
    group by 1, 2, 3
)

select
    cast(queue as {{ dbt.type_string() }}) as queue,
    cast(period_start as date) as {{ period }}_start,
    cast(measure as {{ dbt.type_string() }}) as measure,
    cast(days as {{ dbt.type_bigint() }}) as days,
    cast(days_evaluated as {{ dbt.type_bigint() }}) as days_evaluated,
    {{ wfm_accuracy_rates() }},
    {{ wfm_accuracy_context_columns(['unforecast_intervals', 'unforecast_contacts', 'tolerance', 'interval_accuracy_target', 'wape_target', 'bias_tolerance', 'daily_accuracy_target']) }}
from summed
{%- endmacro %}
