{#- One row per queue and local interval (every interval of every day in the data, empty ones included):
    service level, ASA and abandon rate over inbound calls by the interval they entered the queue, and IVR
    containment by the interval they arrived in. Each rate carries its numerator and denominator; a zero
    denominator gives a NULL rate. -#}
with spine as (
    select * from {{ ref('int_queue_intervals_spined') }}
),

calls as (
    select * from {{ ref('int_calls_queued') }}
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

counted as (
    select
        s.*,
        coalesce(q.queued_calls, 0) as queued_calls,
        coalesce(q.offered, 0) as offered,
        coalesce(q.answered, 0) as answered,
        coalesce(q.abandoned, 0) as abandoned,
        coalesce(q.short_abandoned, 0) as short_abandoned,
        coalesce(q.answered_within_threshold, 0) as answered_within_threshold,
        coalesce(q.answer_wait_seconds, 0) as answer_wait_seconds,
        q.max_answer_wait_seconds,
        coalesce(q.abandon_wait_seconds, 0) as abandon_wait_seconds,
        coalesce(q.handle_seconds, 0) as handle_seconds,
        coalesce(q.handled_with_handle_time, 0) as handled_with_handle_time,
        coalesce(v.ivr_entered, 0) as ivr_entered,
        coalesce(v.ivr_self_served, 0) as ivr_self_served
    from spine as s
    left join queue_stats as q
        on s.queue = q.queue_key
        and s.interval_start_utc = q.interval_start_utc
    left join ivr_stats as v
        on s.queue = v.queue_key
        and s.interval_start_utc = v.interval_start_utc
)

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
    cast(ivr_entered as {{ dbt.type_bigint() }}) as ivr_entered,
    cast(ivr_self_served as {{ dbt.type_bigint() }}) as ivr_self_served,
    cast(case when ivr_entered > 0 then cast(ivr_self_served as {{ type_double() }}) / ivr_entered end as {{ type_double() }})
        as ivr_containment_rate
from counted
