{#- One row per queue and local reporting interval of every local day from the first to the last day with
    inbound calls or ACD interval-report rows, intervals empty of calls included. Queues: every queue of the
    inbound calls, and every queue of the interval report (stg_landing__queue_intervals) that has no inbound
    call, with the same parameters (seeds queues, else the metric_targets defaults). Intervals are built in
    local time of var('timezone'): each queue's interval_minutes is stepped in elapsed time from local
    midnight to the next local midnight (so a 23-hour day has 46 half-hour intervals and a 25-hour day 50).
    Key: (queue, interval_start_utc); interval_start_local repeats in the hour clocks go back. -#}
with calls as (
    select queue_key, interval_minutes, threshold_seconds, short_abandon_seconds, service_level_target,
        queue_in_seeds, arrived_at, queue_entered_at
    from {{ ref('int_calls_queued') }}
),

reports as (
    select queue, interval_start
    from {{ ref('stg_landing__queue_intervals') }}
),

defaults as (
    {{ metric_targets_row([
        ('default_service_level_threshold_seconds', 'threshold_seconds'),
        ('default_short_abandon_seconds', 'short_abandon_seconds'),
        ('service_level', 'service_level_target'),
    ]) }}
),

report_only_queues as (
    select distinct
        r.queue as queue_key,
        {{ intervals_queue_parameters('q', 'd') }},
        q.queue is not null as queue_in_seeds
    from reports as r
    left join {{ ref('queues') }} as q
        on q.queue = r.queue
    cross join defaults as d
    where not exists (select 1 from calls as c where c.queue_key = r.queue)
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

    union all

    select
        queue_key,
        interval_minutes,
        threshold_seconds,
        short_abandon_seconds,
        service_level_target,
        queue_in_seeds
    from report_only_queues
),

instants as (
    select arrived_at as instant from calls
    union all
    select queue_entered_at from calls
    union all
    select interval_start from reports
),

local_days as (
    select
        min({{ to_local_date('instant') }}) as first_local_date,
        max({{ to_local_date('instant') }}) as last_local_date
    from instants
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
