{#-
    Forecast accuracy at interval level (metrics.md §4): one row per published forecast version (queue,
    interval_minutes, interval_start_utc, published_at) with the interval's actuals (int_wfm_intervals_measured)
    and the seasonal-naive forecast (the actuals of the same local interval forecast_naive_lag_days earlier).
    The version evaluated for an interval (is_evaluated) is the latest one published at least
    forecast_lock_hours before the interval start; every version also carries its horizon (local calendar days
    from publication to the interval) and bucket, and whether it is the latest of its bucket (accuracy by
    horizon). Percentage errors are NULL when the actual is 0; tolerances are boundary-inclusive.

    Incremental by local date (delete+insert on local_date; a table rebuilt whole on Spark): a build rewrites the
    dates of the int_wfm_intervals_measured rows written since its last build and those dates plus the naive lag,
    the dates of the forecast versions delivered since, and the dates it holds that the actuals no longer cover
    (macros/intervals/intervals_recompute_scope.sql, the one rule; its mark in
    intermediate.interval_chain_build_marks). Every version of a rewritten date is computed (the locked version and
    the horizon buckets read only the versions of their interval). A date left without a row is emptied by a
    placeholder row (interval_minutes 0) deleted after the build.
-#}
{{ config(**kept_in_place_config('local_date',
    ['{{ intervals_delete_placeholders(this, "interval_minutes = 0") }}'] + interval_chain_mark_hooks())) }}
{#- read by the recompute scope in incremental builds only: declared here for dbt's graph -#}
{{- intervals_declare_base_models(['wfm_forecasts']) }}
with targets as (
    {{ metric_targets_row([
        ('forecast_lock_hours', 'lock_hours'),
        ('forecast_naive_lag_days', 'naive_lag_days'),
        ('forecast_interval_tolerance', 'contacts_tolerance'),
        ('forecast_aht_tolerance', 'aht_tolerance'),
        ('shrinkage_tolerance_points', 'shrinkage_tolerance_points'),
    ]) }}
),

{%- if is_incremental() %}

recompute_ranges as (
    {{ wfm_forecast_recompute_ranges(interval_chain_mark(this.identifier), this,
        '(select naive_lag_days from targets)', 'interval_end_utc is not null') }}
),

recompute_dates as (
    {{ intervals_dates_of_ranges('recompute_ranges') }}
),
{%- endif %}

forecasts as (
    select
        queue,
        interval_minutes,
        interval_start as interval_start_utc,
        published_at,
        forecast_contacts,
        forecast_aht_seconds,
        forecast_shrinkage
    from {{ ref('stg_landing__wfm_forecasts') }}
    {%- if is_incremental() %}
    where interval_start_local_date in (select local_date from recompute_dates)
    {%- endif %}
),

versions as (
    select
        forecasts.*,
        targets.*,
        forecasts.published_at <= {{ dbt.dateadd('hour', '-targets.lock_hours', 'forecasts.interval_start_utc') }}
            as is_published_before_lock,
        {{ to_local_date('forecasts.published_at') }} as published_local_date,
        {{ to_local_date('forecasts.interval_start_utc') }} as interval_local_date
    from forecasts
    cross join targets
),

locked as (
    select
        versions.*,
        max(case when is_published_before_lock then published_at end) over (
            partition by queue, interval_minutes, interval_start_utc
        ) as locked_published_at,
        count(*) over (partition by queue, interval_minutes, interval_start_utc) as versions_published,
        cast({{ dbt.datediff('published_local_date', 'interval_local_date', 'day') }} as {{ dbt.type_int() }})
            as horizon_days
    from versions
),

bucketed as (
    select
        locked.*,
        case
            when published_at > interval_start_utc then 'after_start'
            when horizon_days = 0 then 'same_day'
            when horizon_days <= 6 then '1_6_days'
            when horizon_days <= 13 then '1_2_weeks'
            else 'over_2_weeks'
        end as horizon_bucket
    from locked
),

ranked as (
    select
        bucketed.*,
        row_number() over (
            partition by queue, interval_minutes, interval_start_utc, horizon_bucket
            order by published_at desc
        ) as bucket_recency
    from bucketed
),

measured as (
    select * from {{ ref('int_wfm_intervals_measured') }}
    {%- if is_incremental() %}
    -- a rewritten date's intervals, and those its naive values read
    where local_date in (select local_date from recompute_dates)
        or {{ dbt.dateadd('day', '(select naive_lag_days from targets)', 'local_date') }}
            in (select local_date from recompute_dates)
    {%- endif %}
),

joined as (
    select
        r.*,
        m.queue is not null as is_in_spine,
        m.interval_end_utc,
        m.interval_start_local,
        m.local_date,
        m.utc_offset_minutes,
        coalesce(m.is_observed, false) as is_observed,
        m.actuals_source,
        m.report_minutes,
        coalesce(m.actuals_source = 'none' and m.report_rows_not_nested > 0, false) as is_finer_than_actuals,
        m.offered,
        m.handled,
        m.handled_with_handle_time,
        m.handle_seconds,
        m.agents_scheduled,
        m.scheduled_paid_seconds,
        m.scheduled_work_seconds,
        m.productive_in_paid_seconds,
        m.productive_unscheduled_seconds,
        n.interval_start_utc as naive_interval_start_utc,
        coalesce(n.is_observed, false) as naive_is_observed,
        n.offered as naive_offered_measured,
        n.handled_with_handle_time as naive_handled_with_handle_time,
        n.handle_seconds as naive_handle_seconds,
        n.scheduled_paid_seconds as naive_scheduled_paid_seconds,
        n.productive_in_paid_seconds as naive_productive_in_paid_seconds
    from ranked as r
    left join measured as m
        on m.queue = r.queue
        and m.interval_minutes = r.interval_minutes
        and m.interval_start_utc = r.interval_start_utc
    -- seasonal naive: the same local wall-clock interval lag days earlier (its first occurrence when clocks
    -- went back that day; none when it fell in the hour clocks skipped)
    left join measured as n
        on n.queue = m.queue
        and n.interval_minutes = m.interval_minutes
        and n.interval_start_local = {{ dbt.dateadd('day', '-r.naive_lag_days', 'm.interval_start_local') }}
        and n.local_occurrence = 1
),

valued as (
    select
        joined.*,
        case when is_observed and not is_finer_than_actuals then offered end as actual_contacts,
        case when is_observed and handled_with_handle_time > 0 then handle_seconds / handled_with_handle_time end
            as actual_aht_seconds,
        case when scheduled_paid_seconds > 0 then 1 - scheduled_work_seconds / scheduled_paid_seconds end
            as schedule_planned_shrinkage,
        case when is_observed and scheduled_paid_seconds > 0 then 1 - productive_in_paid_seconds / scheduled_paid_seconds end
            as actual_shrinkage,
        case when naive_is_observed then naive_offered_measured end as naive_contacts,
        case when naive_is_observed and naive_handled_with_handle_time > 0
            then naive_handle_seconds / naive_handled_with_handle_time end as naive_aht_seconds,
        case when naive_is_observed and naive_scheduled_paid_seconds > 0
            then 1 - naive_productive_in_paid_seconds / naive_scheduled_paid_seconds end as naive_shrinkage
    from joined
),

planned as (
    select
        valued.*,
        coalesce(forecast_shrinkage, schedule_planned_shrinkage) as planned_shrinkage,
        case
            when forecast_shrinkage is not null then 'forecast'
            when schedule_planned_shrinkage is not null then 'schedule'
        end as planned_shrinkage_source
    from valued
),

forecast_rows as (
select
    cast(queue as {{ dbt.type_string() }}) as queue,
    cast(interval_minutes as {{ dbt.type_int() }}) as interval_minutes,
    cast(interval_start_utc as {{ type_timestamptz() }}) as interval_start_utc,
    cast(interval_end_utc as {{ type_timestamptz() }}) as interval_end_utc,
    cast(interval_start_local as {{ dbt.type_timestamp() }}) as interval_start_local,
    cast(coalesce(local_date, interval_local_date) as date) as local_date,
    cast(utc_offset_minutes as {{ dbt.type_int() }}) as utc_offset_minutes,
    cast(published_at as {{ type_timestamptz() }}) as published_at,
    cast(published_local_date as date) as published_local_date,
    cast({{ intervals_elapsed_seconds('published_at', 'interval_start_utc') }} / 3600 as {{ type_double() }}) as horizon_hours,
    cast(horizon_days as {{ dbt.type_int() }}) as horizon_days,
    cast(horizon_bucket as {{ dbt.type_string() }}) as horizon_bucket,
    cast(bucket_recency = 1 as {{ dbt.type_boolean() }}) as is_latest_in_horizon_bucket,
    cast(versions_published as {{ dbt.type_bigint() }}) as versions_published,
    cast(lock_hours as {{ type_double() }}) as lock_hours,
    cast(is_published_before_lock as {{ dbt.type_boolean() }}) as is_published_before_lock,
    cast(coalesce(published_at = locked_published_at, false) as {{ dbt.type_boolean() }}) as is_locked_version,
    cast(is_observed as {{ dbt.type_boolean() }}) as is_observed,
    cast(coalesce(published_at = locked_published_at, false) and is_observed and not is_finer_than_actuals
        as {{ dbt.type_boolean() }}) as is_evaluated,
    cast(
        case
            when not is_in_spine then 'outside_data_or_off_grid'
            when not is_observed then 'not_yet_observed'
            when is_finer_than_actuals then 'forecast_finer_than_actuals'
            when locked_published_at is null then 'no_version_before_lock'
            when not is_published_before_lock then 'published_after_lock'
            when published_at < locked_published_at then 'superseded_before_lock'
        end as {{ dbt.type_string() }}
    ) as not_evaluated_reason,

    cast(actuals_source as {{ dbt.type_string() }}) as actuals_source,
    cast(report_minutes as {{ dbt.type_int() }}) as report_minutes,

    -- contacts (offered)
    cast(forecast_contacts as {{ type_double() }}) as forecast_contacts,
    cast(actual_contacts as {{ type_double() }}) as actual_contacts,
    cast(forecast_contacts - actual_contacts as {{ type_double() }}) as contacts_error,
    cast(case when actual_contacts > 0 then (forecast_contacts - actual_contacts) / actual_contacts end as {{ type_double() }})
        as contacts_pct_error,
    cast(
        case when actual_contacts > 0
            then abs(forecast_contacts - actual_contacts) / actual_contacts <= contacts_tolerance + {{ wfm_tolerance_epsilon() }} end
        as {{ dbt.type_boolean() }}
    ) as contacts_within_tolerance,

    -- average handle time, weighted by handled contacts with a handle time
    cast(forecast_aht_seconds as {{ type_double() }}) as forecast_aht_seconds,
    cast(case when is_observed then handled end as {{ dbt.type_bigint() }}) as actual_handled,
    cast(case when is_observed then handled_with_handle_time end as {{ dbt.type_bigint() }}) as actual_handled_with_handle_time,
    cast(case when is_observed then handle_seconds end as {{ type_double() }}) as actual_handle_seconds,
    cast(actual_aht_seconds as {{ type_double() }}) as actual_aht_seconds,
    cast(case when actual_aht_seconds > 0 then (forecast_aht_seconds - actual_aht_seconds) / actual_aht_seconds end as {{ type_double() }})
        as aht_pct_error,
    cast(
        case when actual_aht_seconds > 0 and forecast_aht_seconds is not null
            then abs(forecast_aht_seconds - actual_aht_seconds) / actual_aht_seconds <= aht_tolerance + {{ wfm_tolerance_epsilon() }} end
        as {{ dbt.type_boolean() }}
    ) as aht_within_tolerance,

    -- shrinkage, weighted by scheduled paid time of the queue's agents
    cast(forecast_shrinkage as {{ type_double() }}) as forecast_shrinkage,
    cast(schedule_planned_shrinkage as {{ type_double() }}) as schedule_planned_shrinkage,
    cast(planned_shrinkage as {{ type_double() }}) as planned_shrinkage,
    cast(planned_shrinkage_source as {{ dbt.type_string() }}) as planned_shrinkage_source,
    cast(agents_scheduled as {{ dbt.type_bigint() }}) as agents_scheduled,
    cast(scheduled_paid_seconds as {{ type_double() }}) as scheduled_paid_seconds,
    cast(scheduled_work_seconds as {{ type_double() }}) as scheduled_work_seconds,
    cast(productive_in_paid_seconds as {{ type_double() }}) as productive_in_paid_seconds,
    cast(productive_unscheduled_seconds as {{ type_double() }}) as productive_unscheduled_seconds,
    cast(actual_shrinkage as {{ type_double() }}) as actual_shrinkage,
    cast(planned_shrinkage - actual_shrinkage as {{ type_double() }}) as shrinkage_error_points,
    cast(
        case when actual_shrinkage is not null and planned_shrinkage is not null
            then abs(planned_shrinkage - actual_shrinkage) <= shrinkage_tolerance_points + {{ wfm_tolerance_epsilon() }} end
        as {{ dbt.type_boolean() }}
    ) as shrinkage_within_tolerance,

    -- seasonal-naive forecast: the actuals of the same local interval naive_lag_days earlier
    cast(naive_lag_days as {{ dbt.type_int() }}) as naive_lag_days,
    cast(naive_interval_start_utc as {{ type_timestamptz() }}) as naive_interval_start_utc,
    cast(naive_contacts as {{ type_double() }}) as naive_contacts,
    cast(naive_aht_seconds as {{ type_double() }}) as naive_aht_seconds,
    cast(naive_shrinkage as {{ type_double() }}) as naive_shrinkage,

    cast(contacts_tolerance as {{ type_double() }}) as contacts_tolerance,
    cast(aht_tolerance as {{ type_double() }}) as aht_tolerance,
    cast(shrinkage_tolerance_points as {{ type_double() }}) as shrinkage_tolerance_points
from planned
)

select * from forecast_rows
{%- if is_incremental() %}

union all

{{ intervals_placeholder_rows('recompute_dates', this, {
    'queue': "''", 'interval_minutes': '0', 'interval_start_utc': 'recompute_dates.local_date',
    'published_at': 'recompute_dates.local_date', 'is_evaluated': 'false'}) }}
{%- endif %}
