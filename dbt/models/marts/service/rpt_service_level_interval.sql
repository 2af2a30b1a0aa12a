{#- One row per queue and local interval (every interval of every day in the data, empty ones included):
    service level, ASA and abandon rate over inbound calls by the interval they entered the queue, and IVR
    containment by the interval they arrived in. Each rate carries its numerator and denominator; a zero
    denominator gives a NULL rate.
    Where the queue has no call in the agent queue in an interval, the ACD's interval report fills it
    (stg_landing__queue_intervals rolled up to the queue's interval length; call-level rows win where both
    exist, docs/decisions.md): offered = answered + abandoned when both are reported (the definition above,
    abandoned being after the ACD's short-abandon cut), else the ACD's offered; service level from its
    answered_within_threshold. actuals_source says which source a row's counts come from.

    Incremental by local date (delete+insert on local_date, every queue at once; a table rebuilt whole on Spark): a
    build rewrites the dates of every version of the calls and interval-report rows delivered since its last build
    (macros/intervals/intervals_recompute_scope.sql, the one rule), the dates the data range gained or lost, and
    every date when the set of queues changed; its mark in intermediate.interval_chain_build_marks. A date left
    without a row is emptied by a placeholder row (actuals_source '') deleted after the build. -#}
{{ config(**kept_in_place_config('local_date',
    ['{{ intervals_delete_placeholders(this, "length(actuals_source) = 0") }}'] + interval_chain_mark_hooks('newest'))) }}
{{- intervals_declare_base_models() }}
with spine_all as (
    select * from {{ ref('int_queue_intervals_spined') }}
),
{%- if is_incremental() %}

previous_state as (
    select count(*) as stored_rows, min(local_date) as first_local_date, max(local_date) as last_local_date
    from {{ this }}
),

local_days as (
    select min(local_date) as first_local_date, max(local_date) as last_local_date from spine_all
),

queue_set_changes as (
    {{ intervals_set_differences('select distinct queue from spine_all', 'select distinct queue from ' ~ this) }}
),

-- the dates to rewrite, as ranges of local dates
recompute_ranges as (
    -- every version of the calls and interval reports delivered since the last build
    select local_date as range_first, local_date as range_last
    from ({{ intervals_changed_dates(interval_chain_mark(this.identifier), ['calls', 'queue_intervals']) }}) as changed

    union all

    -- the data range moved; every date: nothing stored, or another set of queues (every queue has a row on every
    -- date)
    {{ intervals_range_moves('previous_state', 'local_days',
        'p.stored_rows = 0 or (select differences from queue_set_changes) > 0') }}
),

recompute_dates as (
    {{ intervals_dates_of_ranges('recompute_ranges') }}
),
{%- endif %}

spine as (
    select * from spine_all
    {%- if is_incremental() %}
    where local_date in (select local_date from recompute_dates)
    {%- endif %}
),

calls as (
    select * from {{ ref('int_calls_queued') }}
    {%- if is_incremental() %}
    where cast(queue_interval_start_local as date) in (select local_date from recompute_dates)
        or cast(arrival_interval_start_local as date) in (select local_date from recompute_dates)
    {%- endif %}
),

queue_stats as (
    select
        queue_key,
        queue_interval_start_utc as interval_start_utc,
        count(*) as queued_calls,
        sum(case when is_offered then 1 else 0 end) as offered,
        sum(case when is_answered then 1 else 0 end) as answered,
        sum(case when is_abandoned then 1 else 0 end) as abandoned,
        sum(case when is_short_abandoned then 1 else 0 end) as short_abandoned,
        sum(case when is_answered_within_threshold then 1 else 0 end) as answered_within_threshold,
        sum(case when is_answered then wait_seconds end) as answer_wait_seconds,
        max(case when is_answered then wait_seconds end) as max_answer_wait_seconds,
        sum(case when is_abandoned then wait_seconds end) as abandon_wait_seconds,
        sum(case when is_answered then handle_seconds end) as handle_seconds,
        sum(case when is_answered and handle_seconds is not null then 1 else 0 end) as handled_with_handle_time
    from calls
    where entered_queue
    group by queue_key, queue_interval_start_utc
),

report_targets as (
    select distinct queue, interval_minutes from spine
),

report_stats as (
    {{ intervals_reports_rolled('report_targets') }}
),

ivr_stats as (
    select
        queue_key,
        arrival_interval_start_utc as interval_start_utc,
        count(*) as ivr_entered,
        sum(case when ivr_self_served then 1 else 0 end) as ivr_self_served
    from calls
    where entered_ivr
    group by queue_key, arrival_interval_start_utc
),

joined as (
    select
        s.*,
        {{ intervals_actuals_source('q.queued_calls', 'r.report_rows') }} as actuals_source,
        q.queued_calls as calls_queued,
        q.offered as calls_offered,
        q.answered as calls_answered,
        q.abandoned as calls_abandoned,
        q.short_abandoned as calls_short_abandoned,
        q.answered_within_threshold as calls_answered_within_threshold,
        q.answer_wait_seconds as calls_answer_wait_seconds,
        q.max_answer_wait_seconds as calls_max_answer_wait_seconds,
        q.abandon_wait_seconds as calls_abandon_wait_seconds,
        q.handle_seconds as calls_handle_seconds,
        q.handled_with_handle_time as calls_handled_with_handle_time,
        r.report_minutes,
        r.report_rows_not_nested,
        r.offered as report_offered,
        r.answered as report_answered,
        r.abandoned as report_abandoned,
        r.short_abandoned as report_short_abandoned,
        r.answered_within_threshold as report_answered_within_threshold,
        r.wait_seconds as report_wait_seconds,
        r.handle_seconds as report_handle_seconds,
        r.answered_with_handle_time as report_answered_with_handle_time,
        coalesce(v.ivr_entered, 0) as ivr_entered,
        coalesce(v.ivr_self_served, 0) as ivr_self_served
    from spine as s
    left join queue_stats as q
        on s.queue = q.queue_key
        and s.interval_start_utc = q.interval_start_utc
    left join report_stats as r
        on s.queue = r.queue
        and s.interval_minutes = r.interval_minutes
        and s.interval_start_utc = r.interval_start_utc
    left join ivr_stats as v
        on s.queue = v.queue_key
        and s.interval_start_utc = v.interval_start_utc
),

-- an interval-report count the ACD did not deliver stays NULL (never 0), and so do the rates built on it
counted as (
    select
        joined.*,
        case when actuals_source = 'queue_intervals' then report_offered end as reported_offered,
        case when actuals_source = 'queue_intervals' then null else coalesce(calls_queued, 0) end as queued_calls,
        case
            when actuals_source = 'queue_intervals' then coalesce(report_answered + report_abandoned, report_offered)
            else coalesce(calls_offered, 0)
        end as offered,
        case when actuals_source = 'queue_intervals' then report_answered else coalesce(calls_answered, 0) end as answered,
        case when actuals_source = 'queue_intervals' then report_abandoned else coalesce(calls_abandoned, 0) end as abandoned,
        case when actuals_source = 'queue_intervals' then report_short_abandoned else coalesce(calls_short_abandoned, 0) end
            as short_abandoned,
        case when actuals_source = 'queue_intervals' then report_answered_within_threshold
            else coalesce(calls_answered_within_threshold, 0) end as answered_within_threshold,
        case when actuals_source = 'queue_intervals' then report_wait_seconds else coalesce(calls_answer_wait_seconds, 0) end
            as answer_wait_seconds,
        case when actuals_source = 'queue_intervals' then null else calls_max_answer_wait_seconds end as max_answer_wait_seconds,
        case when actuals_source = 'queue_intervals' then null else coalesce(calls_abandon_wait_seconds, 0) end
            as abandon_wait_seconds,
        case when actuals_source = 'queue_intervals' then coalesce(report_handle_seconds, 0) else coalesce(calls_handle_seconds, 0) end
            as handle_seconds,
        case when actuals_source = 'queue_intervals' then coalesce(report_answered_with_handle_time, 0)
            else coalesce(calls_handled_with_handle_time, 0) end as handled_with_handle_time
    from joined
),

interval_rows as (
select
    cast(queue as {{ dbt.type_string() }}) as queue,
    cast(local_date as date) as local_date,
    cast(interval_start_local as {{ dbt.type_timestamp() }}) as interval_start_local,
    cast(interval_start_utc as {{ type_timestamptz() }}) as interval_start_utc,
    cast(interval_end_utc as {{ type_timestamptz() }}) as interval_end_utc,
    cast(interval_minutes as {{ dbt.type_int() }}) as interval_minutes,
    cast(utc_offset_minutes as {{ dbt.type_int() }}) as utc_offset_minutes,
    cast(queue_in_seeds as {{ dbt.type_boolean() }}) as queue_in_seeds,
    cast(threshold_seconds as {{ dbt.type_int() }}) as threshold_seconds,
    cast(short_abandon_seconds as {{ dbt.type_int() }}) as short_abandon_seconds,
    cast(service_level_target as {{ type_double() }}) as service_level_target,
    cast(queued_calls as {{ dbt.type_bigint() }}) as queued_calls,
    cast(offered as {{ dbt.type_bigint() }}) as offered,
    cast(answered as {{ dbt.type_bigint() }}) as answered,
    cast(abandoned as {{ dbt.type_bigint() }}) as abandoned,
    cast(short_abandoned as {{ dbt.type_bigint() }}) as short_abandoned,
    cast(answered_within_threshold as {{ dbt.type_bigint() }}) as answered_within_threshold,
    cast(case when offered > 0 then cast(answered_within_threshold as {{ type_double() }}) / offered end as {{ type_double() }})
        as service_level,
    cast(
        case when offered > 0 then cast(answered_within_threshold as {{ type_double() }}) / offered >= service_level_target end
        as {{ dbt.type_boolean() }}
    ) as service_level_target_met,
    cast(answer_wait_seconds as {{ type_double() }}) as answer_wait_seconds,
    cast(case when answered > 0 then answer_wait_seconds / answered end as {{ type_double() }}) as asa_seconds,
    cast(max_answer_wait_seconds as {{ type_double() }}) as max_answer_wait_seconds,
    cast(case when offered > 0 then cast(abandoned as {{ type_double() }}) / offered end as {{ type_double() }}) as abandon_rate,
    cast(abandon_wait_seconds as {{ type_double() }}) as abandon_wait_seconds,
    cast(handle_seconds as {{ type_double() }}) as handle_seconds,
    cast(handled_with_handle_time as {{ dbt.type_bigint() }}) as handled_with_handle_time,
    cast(actuals_source as {{ dbt.type_string() }}) as actuals_source,
    cast(case when actuals_source = 'queue_intervals' then report_minutes end as {{ dbt.type_int() }}) as report_minutes,
    cast(reported_offered as {{ dbt.type_bigint() }}) as reported_offered,
    cast(coalesce(report_rows_not_nested, 0) as {{ dbt.type_bigint() }}) as report_rows_not_nested,
    cast(ivr_entered as {{ dbt.type_bigint() }}) as ivr_entered,
    cast(ivr_self_served as {{ dbt.type_bigint() }}) as ivr_self_served,
    cast(case when ivr_entered > 0 then cast(ivr_self_served as {{ type_double() }}) / ivr_entered end as {{ type_double() }})
        as ivr_containment_rate
from counted
)

select * from interval_rows
{%- if is_incremental() %}

union all

{{ intervals_placeholder_rows('recompute_dates', this, {
    'queue': "''", 'interval_start_utc': 'recompute_dates.local_date', 'actuals_source': "''"}) }}
{%- endif %}
