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

bounds as (
    select
        {{ local_timestamp_to_instant('cast(first_local_date as ' ~ dbt.type_timestamp() ~ ')') }} as first_instant,
        {{ local_timestamp_to_instant('cast(' ~ dbt.dateadd('day', 1, 'last_local_date') ~ ' as ' ~ dbt.type_timestamp() ~ ')') }}
            as end_instant
    from local_days
    where first_local_date is not null
),

instants as (
    {{ intervals_instant_series('bounds', 'first_instant', 'end_instant', 15) }}
),

local_instants as (
    select
        instant,
        {{ to_local_timestamp('instant') }} as local_start
    from instants
)

select
    q.queue_key as queue,
    cast(i.local_start as {{ dbt.type_timestamp() }}) as interval_start_local,
    cast(i.instant as {{ type_timestamptz() }}) as interval_start_utc,
    cast({{ dbt.dateadd('minute', 'q.interval_minutes', 'i.instant') }} as {{ type_timestamptz() }}) as interval_end_utc,
    cast(i.local_start as date) as local_date,
    q.interval_minutes,
    cast({{ intervals_utc_offset_minutes('i.instant') }} as {{ dbt.type_int() }}) as utc_offset_minutes,
    q.threshold_seconds,
    q.short_abandon_seconds,
    q.service_level_target,
    q.queue_in_seeds
from queues as q
inner join local_instants as i
    on cast(extract(minute from i.local_start) as {{ dbt.type_int() }}) % q.interval_minutes = 0
