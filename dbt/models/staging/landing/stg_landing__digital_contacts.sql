{#- One row per digital conversation (contact_id): the latest valid delivered version of each key. -#}
with staged as (
    {{ landing_staged('digital_contacts') }}
)

select
    contact_id,
    customer_id,
    channel,
    started_at,
    first_response_at,
    ended_at,
    bot_handled,
    escalated_to_agent,
    outcome,
    agent_id,
    queue,
    reason_code,
    ticket_id,
    {{ local_calendar_columns('started_at') }},
    _adapter,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _rebuild_key
from staged
