{#- One row per inbound call: its queue parameters (seeds queues, else the metric_targets defaults), whether
    and when it entered the agent queue, its wait, its service-level class (answered / abandoned / short
    abandon), its IVR containment, and the local reporting intervals it falls in (DST-safe keys). -#}
{#- A table, not a view: read several times downstream, and recomputing it means re-validating staging. -#}
{{ config(materialized='table') }}
with calls as (
    select *
    from {{ ref('stg_landing__calls') }}
    where direction = 'inbound'
),

defaults as (
    {{ metric_targets_row([
        ('default_service_level_threshold_seconds', 'threshold_seconds'),
        ('default_short_abandon_seconds', 'short_abandon_seconds'),
        ('service_level', 'service_level_target'),
    ]) }}
),

queues as (
    select
        queue,
        service_level_threshold_seconds,
        service_level_target,
        short_abandon_seconds,
        interval_minutes
    from {{ ref('queues') }}
),

parameterized as (
    select
        c.call_id,
        c.customer_id,
        c.queue,
        coalesce(c.queue, 'unassigned') as queue_key,
        q.queue is not null as queue_in_seeds,
        {{ intervals_queue_parameters('q', 'd') }},
        c.arrived_at,
        c.ivr_ended_at,
        c.queued_at,
        c.answered_at,
        c.ended_at,
        c.outcome,
        c.handle_seconds,
        -- Queue entry: queued_at when delivered. Without it, an answered call entered the queue when it left
        -- the IVR (or arrived, with no IVR leg); an abandoned call only if it ended after that point (else it
        -- was abandoned in the IVR and never reached the queue).
        case
            when c.queued_at is not null then c.queued_at
            when c.answered_at is not null then coalesce(c.ivr_ended_at, c.arrived_at)
            when c.outcome = 'abandoned' and c.ended_at > coalesce(c.ivr_ended_at, c.arrived_at)
                then coalesce(c.ivr_ended_at, c.arrived_at)
        end as queue_entered_at,
        c.ivr_ended_at is not null or c.outcome = 'self_served' as entered_ivr,
        c.outcome = 'self_served' as ivr_self_served
    from calls as c
    left join queues as q on c.queue = q.queue
    cross join defaults as d
),

waited as (
    select
        *,
        case
            when answered_at is not null then {{ intervals_elapsed_seconds('queue_entered_at', 'answered_at') }}
            when queue_entered_at is not null and outcome = 'abandoned'
                then {{ intervals_elapsed_seconds('queue_entered_at', 'ended_at') }}
        end as wait_seconds,
        {{ to_local_timestamp('queue_entered_at') }} as queue_entered_at_local,
        {{ to_local_timestamp('arrived_at') }} as arrived_at_local
    from parameterized
),

classified as (
    select
        *,
        answered_at is not null as is_answered,
        answered_at is null and outcome = 'abandoned' and queue_entered_at is not null
            and wait_seconds <= short_abandon_seconds as is_short_abandoned,
        answered_at is null and outcome = 'abandoned' and queue_entered_at is not null
            and wait_seconds > short_abandon_seconds as is_abandoned,
        answered_at is not null and wait_seconds <= threshold_seconds as is_answered_within_threshold,
        {{ intervals_local_floor('queue_entered_at_local', 'interval_minutes') }} as queue_interval_start_local,
        {{ intervals_local_floor('arrived_at_local', 'interval_minutes') }} as arrival_interval_start_local
    from waited
)

select
    call_id,
    customer_id,
    queue,
    queue_key,
    queue_in_seeds,
    threshold_seconds,
    short_abandon_seconds,
    service_level_target,
    interval_minutes,
    arrived_at,
    ivr_ended_at,
    queued_at,
    queue_entered_at,
    answered_at,
    ended_at,
    outcome,
    handle_seconds,
    queue_entered_at is not null as entered_queue,
    is_answered,
    coalesce(is_abandoned, false) as is_abandoned,
    coalesce(is_short_abandoned, false) as is_short_abandoned,
    is_answered or coalesce(is_abandoned, false) as is_offered,
    coalesce(is_answered_within_threshold, false) as is_answered_within_threshold,
    wait_seconds,
    entered_ivr,
    ivr_self_served,
    queue_interval_start_local,
    {{ intervals_start_instant('queue_entered_at', 'queue_entered_at_local', 'queue_interval_start_local') }}
        as queue_interval_start_utc,
    arrival_interval_start_local,
    {{ intervals_start_instant('arrived_at', 'arrived_at_local', 'arrival_interval_start_local') }}
        as arrival_interval_start_utc
from classified
