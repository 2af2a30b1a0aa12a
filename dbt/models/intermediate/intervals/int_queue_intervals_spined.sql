{#- One row per queue and local reporting interval of every local day from the first to the last day with
    inbound calls, intervals empty of calls included. Intervals are built in local time of var('timezone'):
    instants are stepped every 15 minutes from local midnight to the next local midnight (so a 23-hour day
    has 46 half-hour intervals and a 25-hour day 50), and a queue keeps the instants whose local minute is a
    multiple of its interval_minutes (15, 30 or 60). Key: (queue, interval_start_utc); interval_start_local
    repeats in the hour clocks go back. -#}
with calls as (
    select queue_key, interval_minutes, threshold_seconds, short_abandon_seconds, service_level_target,
        queue_in_seeds, arrived_at, queue_entered_at
    from {{ ref('int_calls_queued') }}
),

queues as (
    select distinct
        queue_key,
        interval_minutes,
        threshold_seconds,
        short_abandon_seconds,
        service_level_target,
        queue_in_seeds
    from calls
),

local_days as (
    select
        min({{ to_local_date('case when queue_entered_at < arrived_at then queue_entered_at else arrived_at end') }})
            as first_local_date,
        max({{ to_local_date('case when queue_entered_at > arrived_at then queue_entered_at else arrived_at end') }})
            as last_local_date
    from calls
),

spine as (
    {{ intervals_local_spine('queues', 'local_days') }}
)

select
    queue_key as queue,
    interval_start_local,
    interval_start_utc,
    interval_end_utc,
    local_date,
    interval_minutes,
    utc_offset_minutes,
    threshold_seconds,
    short_abandon_seconds,
    service_level_target,
    queue_in_seeds
from spine
