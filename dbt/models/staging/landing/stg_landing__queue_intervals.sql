{#- One row per queue and ACD report interval (queue, interval_start, interval_minutes): the latest valid delivered version of each key. -#}
with staged as (
    {{ landing_staged('queue_intervals') }}
)

select
    queue,
    interval_start,
    interval_minutes,
    offered,
    answered,
    abandoned,
    short_abandoned,
    answered_within_threshold,
    handle_seconds,
    wait_seconds,
    {{ dbt.dateadd('minute', 'interval_minutes', 'interval_start') }} as interval_end,
    {{ local_calendar_columns('interval_start') }},
    _adapter,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _rebuild_key
from staged
