{#- One row per ACD state interval (agent_id, started_at): the latest valid delivered version of each key. -#}
with staged as (
    {{ landing_staged('agent_states') }}
)

select
    agent_id,
    state,
    started_at,
    ended_at,
    {{ dbt.datediff('started_at', 'ended_at', 'second') }} as duration_seconds,
    {{ local_calendar_columns('started_at') }},
    _adapter,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _rebuild_key
from staged
