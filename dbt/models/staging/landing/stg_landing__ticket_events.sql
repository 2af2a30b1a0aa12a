{#- One row per ticket change (event_id): the latest valid delivered version of each key. -#}
with staged as (
    {{ landing_staged('ticket_events') }}
)

select
    event_id,
    ticket_id,
    event_at,
    event_type,
    from_value,
    to_value,
    actor_id,
    is_public,
    {{ local_calendar_columns('event_at') }},
    _adapter,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _rebuild_key
from staged
