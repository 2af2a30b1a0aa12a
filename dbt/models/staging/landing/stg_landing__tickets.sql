{#- One row per ticket (ticket_id), its current state: the latest valid delivered version of each key. -#}
with staged as (
    {{ landing_staged('tickets') }}
)

select
    ticket_id,
    customer_id,
    created_at,
    channel,
    priority,
    reason_code,
    status,
    assignee_group,
    solved_at,
    closed_at,
    {{ local_calendar_columns('created_at') }},
    _adapter,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _rebuild_key
from staged
