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
        else cast(coalesce(conversation_start_at, first_segment_at) as {{ dbt.type_string() }})
    end as arrived_at,
    case when direction = 'inbound' then cast(ivr_ended_at as {{ dbt.type_string() }}) end as ivr_ended_at,
    cast(queued_at as {{ dbt.type_string() }}) as queued_at,
    case when outcome = 'answered' then cast(answered_at as {{ dbt.type_string() }}) end as answered_at,
    cast(coalesce(customer_left_at, conversation_end_at, last_segment_at) as {{ dbt.type_string() }}) as ended_at,
    outcome,
    case when outcome = 'answered' then agent_id end as agent_id,
    cast(talk_seconds as {{ dbt.type_string() }}) as talk_seconds,
    cast(hold_seconds as {{ dbt.type_string() }}) as hold_seconds,
    cast(wrap_seconds as {{ dbt.type_string() }}) as wrap_seconds,
    cast(case when agents_interacting > 1 then agents_interacting - 1 else 0 end as {{ dbt.type_string() }}) as transfer_count,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _malformed,
    _not_mapped,
    _raw_rows
from outcomes
