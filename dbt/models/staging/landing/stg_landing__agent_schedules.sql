{#- One row per planned activity (agent_id, activity_start): the latest valid delivered version of each key. -#}
with staged as (
    {{ landing_staged('agent_schedules') }}
)

select
    agent_id,
    activity_start,
    activity_end,
    activity,
    {{ dbt.datediff('activity_start', 'activity_end', 'second') }} as duration_seconds,
    {{ local_calendar_columns('activity_start') }},
    _adapter,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _rebuild_key
from staged
