{#-
    Amazon Connect contact trace records -> digital_contacts: one row per CHAT, TASK or EMAIL contact (the
    initial contact, transfer legs and agent replies folded in; see macros/landing/adapters/amazon_connect_ctr.sql
    and the .yml beside this file for every mapping choice).
-#}

with contacts as (
    {{ amazon_connect_ctr_contacts(digital=true) }}
),

flagged as (
    select
        *,
        coalesce(bot_messages, 0) > 0 as bot_handled
    from contacts
)

select
    contact_id,
    customer_id,
    case
        when root_channel = 'CHAT' and subtype in ('connect:SMS', 'connect:WhatsApp', 'connect:Apple') then 'messaging'
        when root_channel = 'CHAT' then 'chat'
        when root_channel = 'EMAIL' then 'email'
        when root_channel = 'TASK' then 'app'
    end as channel,
    {{ amazon_connect_ctr_instant_text('root_initiated_at', 'root_initiated_text') }} as started_at,
    {{ adapter_instant_text('coalesce(agent_first_response_at, answered_at)') }} as first_response_at,
    {{ adapter_instant_text('ended_at') }} as ended_at,
    case when bot_handled then 'true' else 'false' end as bot_handled,
    case when bot_handled and answered_at is not null then 'true' else 'false' end as escalated_to_agent,
    case
        when answered_at is not null then 'handled'
        when queued_at is not null then 'abandoned'
        when bot_handled then 'resolved_by_bot'
        when root_disconnect_reason = 'CUSTOMER_DISCONNECT' then 'abandoned'
        else 'failed'
    end as outcome,
    agent_id,
    queue,
    reason_code,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _malformed,
    _not_mapped,
    _raw_rows
from flagged
