{#-
    Genesys Cloud analytics conversation details -> calls: one row per voice (or callback) conversation, its
    IVR, queue, agent, hold, wrap-up and transfer segments folded in (rules in macros/landing/adapters/
    genesys_cloud_conversations.sql; every mapping choice in the .yml beside this file). Participants without
    segments are rejects with their reason.
-#}

with contacts as (
    {{ genesys_cloud_conversations_contacts(digital=false) }}
),

directed as (
    select
        *,
        -- a callback conversation is a call the center places
        case when has_callback then 'outbound' else originating_direction end as direction
    from contacts
),

outcomes as (
    select
        *,
        case
            when _not_mapped is not null then null
            when direction = 'outbound' and answered_at is not null and customer_left_at is not null then 'answered'
            when direction = 'outbound' then 'failed'
            when answered_at is not null then 'answered'
            when queued_at is not null then 'abandoned'
            when had_error then 'failed'
            when hung_up_in_ivr then 'abandoned'
            else 'self_served'
        end as outcome
    from directed
)

select
    contact_id as call_id,
    customer_id,
    case when direction = 'outbound' then customer_dnis_hash else customer_ani_hash end as caller_number,
    direction,
    queue,
    reason_code,
    case
        when conversation_start_at is null and conversation_start_text is not null then conversation_start_text
        else {{ adapter_instant_text('coalesce(conversation_start_at, first_segment_at)') }}
    end as arrived_at,
    case when direction = 'inbound' then {{ adapter_instant_text('ivr_ended_at') }} end as ivr_ended_at,
    {{ adapter_instant_text('queued_at') }} as queued_at,
    case when outcome = 'answered' then {{ adapter_instant_text('answered_at') }} end as answered_at,
    {{ adapter_instant_text('coalesce(customer_left_at, conversation_end_at, last_segment_at)') }} as ended_at,
    outcome,
    case when outcome = 'answered' then agent_id end as agent_id,
    {{ adapter_seconds_text('talk_seconds') }} as talk_seconds,
    {{ adapter_seconds_text('hold_seconds') }} as hold_seconds,
    {{ adapter_seconds_text('wrap_seconds') }} as wrap_seconds,
    cast(case when agents_interacting > 1 then agents_interacting - 1 else 0 end as {{ dbt.type_string() }}) as transfer_count,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _malformed,
    _not_mapped,
    _raw_rows
from outcomes
