{#-
    Amazon Connect contact trace records -> calls: one row per voice contact (the initial contact, its
    transfer / queue-transfer / monitor / disconnect-flow legs folded in; see macros/landing/adapters/
    amazon_connect_ctr.sql for the folding rules and the .yml beside this file for every mapping choice).
    The base model (base_landing__calls) types and validates the text written here like a delivered file.
-#}

with contacts as (
    {{ amazon_connect_ctr_contacts(digital=false) }}
),

directed as (
    select
        *,
        case
            when root_method in ('INBOUND', 'WEBRTC_API') then 'inbound'
            when root_method in ('OUTBOUND', 'EXTERNAL_OUTBOUND', 'CALLBACK', 'API') then 'outbound'
        end as direction
    from contacts
),

-- answered / abandoned / self_served / failed
outcomes as (
    select
        *,
        case
            -- placed by the center: answered when the customer picked up and an agent was on it
            when direction = 'outbound' and root_system_connected_at is not null and answered_at is not null then 'answered'
            when direction = 'outbound' then 'failed'
            -- inbound: an agent connected; else queued and never connected = abandoned
            when answered_at is not null then 'answered'
            when queued_at is not null then 'abandoned'
            -- never queued: the flow (IVR) ended it = self-served; the caller hung up in it = abandoned there
            when root_disconnect_reason = 'TELECOM_PROBLEM' then 'failed'
            when root_disconnect_reason = 'CUSTOMER_DISCONNECT' then 'abandoned'
            when direction = 'inbound' then 'self_served'
        end as outcome
    from directed
)

select
    contact_id as call_id,
    customer_id,
    customer_endpoint_hash as caller_number,
    direction,
    queue,
    reason_code,
    {{ amazon_connect_ctr_instant_text('root_initiated_at', 'root_initiated_text') }} as arrived_at,
    -- every inbound Connect call starts in a contact flow: it left it when it entered the queue, else at the end
    case
        when direction = 'inbound' and queued_at is not null then {{ adapter_instant_text('queued_at') }}
        when direction = 'inbound' and outcome in ('self_served', 'abandoned') then {{ adapter_instant_text('ended_at') }}
    end as ivr_ended_at,
    {{ adapter_instant_text('queued_at') }} as queued_at,
    -- inbound: the first agent connected; placed by the center: when the customer picked up with the agent on it
    case
        when outcome = 'answered' and direction = 'outbound' then {{ adapter_instant_text('greatest(answered_at, root_system_connected_at)') }}
        when outcome = 'answered' then {{ adapter_instant_text('answered_at') }}
    end as answered_at,
    {{ adapter_instant_text('ended_at') }} as ended_at,
    outcome,
    case when outcome = 'answered' then agent_id end as agent_id,
    cast(talk_seconds as {{ dbt.type_string() }}) as talk_seconds,
    cast(hold_seconds as {{ dbt.type_string() }}) as hold_seconds,
    cast(wrap_seconds as {{ dbt.type_string() }}) as wrap_seconds,
    cast(transfer_count as {{ dbt.type_string() }}) as transfer_count,
    case when root_method = 'CALLBACK' then callback_origin_id end as callback_for_call_id,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _malformed,
    _not_mapped,
    _raw_rows
from outcomes
