{#- One row per improvement action (action_id): the latest valid delivered version of each key. -#}
with staged as (
    {{ landing_staged('improvement_actions') }}
)

select
    action_id,
    opened_at,
    source,
    root_cause,
    action_type,
    item_code,
    queue,
    reason_code,
    status,
    closed_at,
    {{ local_calendar_columns('opened_at') }},
    _adapter,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _rebuild_key
from staged
