{#- One row per call: the latest valid delivered version of each call_id. -#}
with staged as (
    {{ landing_staged('calls') }}
)

select
    call_id,
    customer_id,
    caller_number as caller_number_hash,
    direction,
    queue,
    reason_code,
    arrived_at,
    ivr_ended_at,
    ivr_keypresses,
    queued_at,
    answered_at,
    ended_at,
    outcome,
    agent_id,
    talk_seconds,
    hold_seconds,
    wrap_seconds,
    case
        when talk_seconds is null and hold_seconds is null and wrap_seconds is null then null
        else coalesce(talk_seconds, 0) + coalesce(hold_seconds, 0) + coalesce(wrap_seconds, 0)
    end as handle_seconds,
    coalesce(transfer_count, 0) as transfer_count,
    ticket_id,
    promised_callback_by,
    callback_for_call_id,
    {{ local_calendar_columns('arrived_at') }},
    _adapter,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _rebuild_key
from staged
