{#-
    Genesys Cloud analytics conversation details -> digital_contacts: one row per chat, message or e-mail
    conversation (rules in macros/landing/adapters/genesys_cloud_conversations.sql; every mapping choice in the
    .yml beside this file). Participants without segments are rejects with their reason.
-#}

with contacts as (
    {{ genesys_cloud_conversations_contacts(digital=true) }}
)

select
    contact_id,
    customer_id,
    case
        when coalesce(customer_media_type, any_digital_media) = 'email' then 'email'
        when coalesce(customer_media_type, any_digital_media) = 'chat' then 'chat'
        when coalesce(customer_media_type, any_digital_media) = 'message' and customer_message_type = 'webmessaging' then 'chat'
        when coalesce(customer_media_type, any_digital_media) = 'message' then 'messaging'
    end as channel,
    case
        when conversation_start_at is null and conversation_start_text is not null then conversation_start_text
        else {{ adapter_instant_text('coalesce(conversation_start_at, first_segment_at)') }}
    end as started_at,
    {{ adapter_instant_text('first_response_at') }} as first_response_at,
    {{ adapter_instant_text('coalesce(customer_left_at, conversation_end_at, last_segment_at)') }} as ended_at,
    case when _not_mapped is not null then null when bot_handled then 'true' else 'false' end as bot_handled,
    case when _not_mapped is not null then null when bot_handled and answered_at is not null then 'true' else 'false' end as escalated_to_agent,
    case
        when _not_mapped is not null then null
        when answered_at is not null then 'handled'
        when queued_at is not null then 'abandoned'
        when bot_handled then 'resolved_by_bot'
        when had_error then 'failed'
        else 'abandoned'
    end as outcome,
    case when answered_at is not null then agent_id end as agent_id,
    queue,
    reason_code,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _malformed,
    _not_mapped,
    _raw_rows
from contacts
