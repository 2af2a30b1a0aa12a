{#-
    Forecast accuracy per queue, local date and measure (contacts, aht, shrinkage), over the evaluated
    forecast version of every observed interval (fct_forecast_intervals.is_evaluated: the latest version
    published at least forecast_lock_hours before the interval). Every local day of the forecast queues' data
    has its three rows; a day without an evaluated interval has zero parts and NULL rates (null_reason).
    Additive parts beside every rate: roll up by summing them (rpt_forecast_accuracy_weekly / _monthly).
    actuals_source says where the day's evaluated actuals came from: calls, queue_intervals (the ACD's interval
    report) or mixed (call-level rows win interval by interval where both exist; docs/decisions.md).

    Incremental by local date, by the rule of fct_forecast_intervals (a day reads that mart's rows and the interval
    actuals of the same date, macros/intervals/intervals_recompute_scope.sql); its own mark in
    intermediate.interval_chain_build_marks. A date left without a row is emptied by a placeholder row (measure '')
    deleted after the build.
-#}
{{ config(**kept_in_place_config('local_date',
    ['{{ intervals_delete_placeholders(this, "length(measure) = 0") }}'] + interval_chain_mark_hooks())) }}
{#- read by the recompute scope in incremental builds only: declared here for dbt's graph -#}
{{- intervals_declare_base_models(['wfm_forecasts']) }}
-- depends_on: {{ ref('metric_targets') }}
{%- set parts = wfm_accuracy_part_columns() %}
with
{%- if is_incremental() %}
naive_lag as (
    {{ metric_targets_row([('forecast_naive_lag_days', 'naive_lag_days')]) }}
),

recompute_ranges as (
    {{ wfm_forecast_recompute_ranges(interval_chain_mark(this.identifier), this,
        '(select naive_lag_days from naive_lag)') }}
),

recompute_dates as (
    {{ intervals_dates_of_ranges('recompute_ranges') }}
),
{%- endif %}

evaluated as (
    select * from {{ ref('fct_forecast_intervals') }}
    where is_evaluated
    {%- if is_incremental() %}
        and local_date in (select local_date from recompute_dates)
    {%- endif %}
),

day_parts as (
    {{ wfm_accuracy_day_parts('evaluated', ['queue', 'local_date']) }}
),

targets as (
    {{ wfm_accuracy_targets() }}
),

day_sources as (
    select
        queue,
        local_date,
        sum(case when actuals_source = 'calls' then 1 else 0 end) as intervals_from_calls,
        sum(case when actuals_source = 'queue_intervals' then 1 else 0 end) as intervals_from_queue_intervals
    from evaluated
    group by queue, local_date
),

measured as (
    select * from {{ ref('int_wfm_intervals_measured') }}
    {%- if is_incremental() %}
    where local_date in (select local_date from recompute_dates)
    {%- endif %}
),

queue_days as (
    select distinct queue, local_date from measured
),

-- offered contacts in observed intervals that have no evaluated forecast (not forecast, or only after the lock)
unforecast as (
    select
        m.queue,
        m.local_date,
        sum(case when m.offered > 0 then 1 else 0 end) as unforecast_intervals,
        sum(m.offered) as unforecast_contacts
    from measured as m
    left join evaluated as e
        on e.queue = m.queue
        and e.interval_minutes = m.interval_minutes
        and e.interval_start_utc = m.interval_start_utc
    where m.is_observed
        and e.queue is null
    group by m.queue, m.local_date
),

filled as (
    select
        queue_days.queue,
        queue_days.local_date,
        targets.measure,
        {%- for c in parts %}
        coalesce(day_parts.{{ c }}, 0) as {{ c }},
        {%- endfor %}
        targets.tolerance,
        targets.interval_accuracy_target,
        targets.wape_target,
        targets.bias_tolerance,
        targets.daily_accuracy_target,
        case when targets.measure = 'contacts' then coalesce(unforecast.unforecast_intervals, 0) end as unforecast_intervals,
        case when targets.measure = 'contacts' then coalesce(unforecast.unforecast_contacts, 0) end as unforecast_contacts,
        case
            when day_sources.intervals_from_calls > 0 and day_sources.intervals_from_queue_intervals > 0 then 'mixed'
            when day_sources.intervals_from_queue_intervals > 0 then 'queue_intervals'
            when day_sources.intervals_from_calls > 0 then 'calls'
        end as actuals_source,
        coalesce(day_sources.intervals_from_queue_intervals, 0) as intervals_from_queue_intervals
    from queue_days
    cross join targets
    left join day_parts
        on day_parts.queue = queue_days.queue
        and day_parts.local_date = queue_days.local_date
        and day_parts.measure = targets.measure
    left join unforecast
        on unforecast.queue = queue_days.queue
        and unforecast.local_date = queue_days.local_date
    left join day_sources
        on day_sources.queue = queue_days.queue
        and day_sources.local_date = queue_days.local_date
),

daily_rows as (
select
    cast(queue as {{ dbt.type_string() }}) as queue,
    cast(local_date as date) as local_date,
    cast(measure as {{ dbt.type_string() }}) as measure,
    {{ wfm_accuracy_rates() }},
    {{ wfm_accuracy_context_columns(['unforecast_intervals', 'unforecast_contacts', 'tolerance', 'interval_accuracy_target', 'wape_target', 'bias_tolerance', 'daily_accuracy_target']) }},
    cast(actuals_source as {{ dbt.type_string() }}) as actuals_source,
    cast(intervals_from_queue_intervals as {{ dbt.type_bigint() }}) as intervals_from_queue_intervals
from filled
)

select * from daily_rows
{%- if is_incremental() %}

union all

{{ intervals_placeholder_rows('recompute_dates', this, {'queue': "''", 'measure': "''"}) }}
{%- endif %}
