{#-
    Amazon Connect contact trace records (CTRs) -> callqa contacts: the rules shared by
    base_amazon_connect_ctr__calls (VOICE) and base_amazon_connect_ctr__digital_contacts (CHAT, TASK, EMAIL).
    Field names as in the Amazon Connect contact record data model; raw.amazon_connect_ctr holds one row per
    record, nested objects flattened with '.' (Queue.EnqueueTimestamp, Agent.ConnectedToAgentTimestamp, ...),
    CustomerEndpoint.Address already replaced by its keyed hash at ingestion.

    amazon_connect_ctr_contacts(digital) selects ONE ROW PER CONTACT AS CALLQA COUNTS IT (and one per raw row
    that cannot be part of one), for the voice records (digital=false: every record whose Channel is not
    CHAT/TASK/EMAIL, so each raw row is accounted for by exactly one of the two models) or the digital ones:

      1. Versions. Connect delivers a record at least once and again when it changes: of the copies of one
         ContactId the one with the latest LastUpdateTimestamp (then the later load / line) is current; the
         others are counted in _raw_rows of their contact and contribute nothing else.
      2. Contact = the initial contact. A record created by TRANSFER (agent quick connect), QUEUE_TRANSFER (the
         queue flow moved the waiting customer), MONITOR (a supervisor listening) or DISCONNECT (the disconnect
         flow) is a leg of the contact it continues, never a contact of its own: its root is its previous
         contact when that one is a contact of its own (e.g. a transfer after a CALLBACK), else its
         InitialContactId. Every other record (INBOUND, OUTBOUND, CALLBACK, API, ...) is a contact.
      3. Legs: root = the contact's own record; queue_transfer and transfer legs; other (MONITOR, DISCONNECT,
         AGENT_REPLY: part of the contact, no handling counted); superseded copies; unkeyed rows (no ContactId,
         or a malformed record), each its own group.
      4. Aggregates over the legs: first entered the queue (root and queue-transfer legs, the waits before an
         agent), first agent connected (those legs), the agent and queue of the first answer, handle time (talk,
         hold, after-contact work) summed over the legs that handled the customer (root, queue transfer,
         transfer), transfers = TRANSFER legs + transfers out of Connect (TransferCompletedTimestamp), end =
         the last disconnect of those legs, _raw_rows = every raw row of the contact.
      5. _not_mapped (a reject with this reason) for a contact whose own record never arrived (an orphan leg),
         a record without ContactId, an unknown Channel or InitiationMethod.
    Timestamps stay instants: typed from the ISO text ('...Z') and written back as contract text
    'YYYY-MM-DD HH:MM:SS+00:00' (adapter_instant_text); a text that does not parse is written as delivered, so typing rejects the row.
-#}

{% macro amazon_connect_ctr_columns() -%}
    {{ return([
        'ContactId', 'InitialContactId', 'PreviousContactId', 'RelatedContactId', 'Channel', 'InitiationMethod',
        'InitiationTimestamp', 'ConnectedToSystemTimestamp', 'DisconnectTimestamp', 'DisconnectReason',
        'LastUpdateTimestamp', 'TransferCompletedTimestamp', 'CustomerId', 'CustomerEndpoint.Address',
        'Queue.Name', 'Queue.EnqueueTimestamp', 'Agent.Username', 'Agent.ARN', 'Agent.ConnectedToAgentTimestamp',
        'Agent.AgentInteractionDuration', 'Agent.CustomerHoldDuration', 'Agent.AfterContactWorkDuration',
        'Attributes.customer_id', 'Attributes.reason_code',
        'ChatMetrics.ChatContactMetrics.AgentFirstResponseTimestamp',
        'ChatMetrics.ChatContactMetrics.TotalBotMessages',
        'SegmentAttributes.connect:Subtype.ValueString'
    ]) }}
{%- endmacro %}


{#- Record types that are legs of another contact (rule 2). -#}
{% macro amazon_connect_ctr_leg_methods() -%}
    ('TRANSFER', 'QUEUE_TRANSFER', 'MONITOR', 'DISCONNECT', 'AGENT_REPLY')
{%- endmacro %}


{#- An ISO instant text ('2026-03-02T09:00:00Z') as contract text; unparsable text is kept for typing to reject. -#}
{% macro amazon_connect_ctr_instant_text(typed, text) -%}
    case when {{ typed }} is null then {{ text }} else {{ adapter_instant_text(typed) }} end
{%- endmacro %}


{% macro amazon_connect_ctr_contacts(digital) -%}
{%- set q = adapter.quote -%}
{%- set digital_channels = "('CHAT', 'TASK', 'EMAIL')" -%}
with delivered as (
    select *
    from {{ adapter_source('amazon_connect_ctr', amazon_connect_ctr_columns()) }} as raw_rows
),

-- one row per delivered record, the fields callqa reads, typed where they are compared or summed
records as (
    select
        nullif(trim({{ q('ContactId') }}), '') as contact_id,
        nullif(trim({{ q('InitialContactId') }}), '') as initial_contact_id,
        nullif(trim({{ q('PreviousContactId') }}), '') as previous_contact_id,
        nullif(trim({{ q('RelatedContactId') }}), '') as related_contact_id,
        upper(nullif(trim({{ q('Channel') }}), '')) as channel,
        upper(nullif(trim({{ q('InitiationMethod') }}), '')) as method,
        {{ q('InitiationTimestamp') }} as initiated_text,
        {{ parse_contract_timestamp(q('InitiationTimestamp')) }} as initiated_at,
        {{ parse_contract_timestamp(q('ConnectedToSystemTimestamp')) }} as system_connected_at,
        {{ parse_contract_timestamp(q('DisconnectTimestamp')) }} as disconnected_at,
        upper(nullif(trim({{ q('DisconnectReason') }}), '')) as disconnect_reason,
        {{ parse_contract_timestamp(q('LastUpdateTimestamp')) }} as last_update_at,
        nullif(trim({{ q('TransferCompletedTimestamp') }}), '') as transfer_completed_text,
        coalesce(nullif(trim({{ q('CustomerId') }}), ''), nullif(trim({{ q('Attributes.customer_id') }}), '')) as customer_id,
        nullif(trim({{ q('CustomerEndpoint.Address') }}), '') as customer_endpoint_hash,
        nullif(trim({{ q('Queue.Name') }}), '') as queue_name,
        {{ parse_contract_timestamp(q('Queue.EnqueueTimestamp')) }} as enqueued_at,
        coalesce(nullif(trim({{ q('Agent.Username') }}), ''), nullif(trim({{ q('Agent.ARN') }}), '')) as agent_id,
        {{ parse_contract_timestamp(q('Agent.ConnectedToAgentTimestamp')) }} as agent_connected_at,
        {{ parse_contract_int(q('Agent.AgentInteractionDuration')) }} as talk_seconds,
        {{ parse_contract_int(q('Agent.CustomerHoldDuration')) }} as hold_seconds,
        {{ parse_contract_int(q('Agent.AfterContactWorkDuration')) }} as wrap_seconds,
        nullif(trim({{ q('Attributes.reason_code') }}), '') as reason_code,
        {{ parse_contract_timestamp(q('ChatMetrics.ChatContactMetrics.AgentFirstResponseTimestamp')) }} as agent_first_response_at,
        {{ parse_contract_number(q('ChatMetrics.ChatContactMetrics.TotalBotMessages')) }} as bot_messages,
        nullif(trim({{ q('SegmentAttributes.connect:Subtype.ValueString') }}), '') as subtype,
        _load_id,
        _file,
        _line,
        _loaded_at,
        _malformed
    from delivered
),

-- rule 1: the current copy of each ContactId
versioned as (
    select
        *,
        row_number() over (
            partition by contact_id
            order by last_update_at desc nulls last, _load_id desc, _line desc
        ) as version_rank
    from records
),

-- rule 2: the contact each record belongs to; a callback's origin contact
rooted as (
    select
        leg.*,
        case
            when leg.contact_id is null then null
            when leg.method not in {{ amazon_connect_ctr_leg_methods() }} then leg.contact_id
            when previous_leg.method is not null
                 and previous_leg.method not in {{ amazon_connect_ctr_leg_methods() }} then leg.previous_contact_id
            else coalesce(
                nullif(leg.initial_contact_id, leg.contact_id),
                nullif(leg.previous_contact_id, leg.contact_id),
                nullif(leg.related_contact_id, leg.contact_id),
                leg.contact_id
            )
        end as root_id,
        case
            when leg.method = 'CALLBACK' then coalesce(
                origin_leg.root_hint,
                nullif(leg.previous_contact_id, leg.contact_id),
                nullif(leg.initial_contact_id, leg.contact_id)
            )
        end as callback_origin_id
    from versioned as leg
    left join versioned as previous_leg
        on previous_leg.contact_id = leg.previous_contact_id and previous_leg.version_rank = 1
    left join (
        select
            contact_id,
            case
                when method in {{ amazon_connect_ctr_leg_methods() }}
                    then coalesce(nullif(initial_contact_id, contact_id), nullif(previous_contact_id, contact_id), contact_id)
                else contact_id
            end as root_hint
        from versioned
        where version_rank = 1
    ) as origin_leg
        on origin_leg.contact_id = coalesce(nullif(leg.previous_contact_id, leg.contact_id), nullif(leg.initial_contact_id, leg.contact_id))
    where coalesce(leg.channel, '') {{ 'in' if digital else 'not in' }} {{ digital_channels }}
),

-- rule 3: the part each raw row plays in its contact
legs as (
    select
        *,
        coalesce(root_id, {{ dbt.concat(["'unkeyed:'", "cast(_load_id as " ~ dbt.type_string() ~ ")", "':'", "cast(_line as " ~ dbt.type_string() ~ ")"]) }}) as group_key,
        case
            when contact_id is null then 'unkeyed'
            when version_rank > 1 then 'superseded'
            when contact_id = root_id then 'root'
            when method = 'QUEUE_TRANSFER' then 'queue_transfer'
            when method = 'TRANSFER' then 'transfer'
            else 'other'
        end as role
    from rooted
),

ordered as (
    select
        *,
        role in ('root', 'queue_transfer') as before_answer,
        role in ('root', 'queue_transfer', 'transfer') as handling,
        -- the leg of the first answer, and the queue the contact last waited in before it
        row_number() over (
            partition by group_key
            order by case when role in ('root', 'queue_transfer') and agent_connected_at is not null then 0 else 1 end,
                     agent_connected_at
        ) as answer_rank,
        row_number() over (
            partition by group_key
            order by case when role in ('root', 'queue_transfer') and queue_name is not null then 0 else 1 end,
                     enqueued_at desc nulls last
        ) as queue_rank,
        -- the raw row whose load metadata the contact carries: its own record, else the latest row
        row_number() over (
            partition by group_key
            order by case when role = 'root' then 0 else 1 end, _load_id desc, _line desc
        ) as representative_rank
    from legs
),

-- rule 4: one row per contact
contacts as (
    select
        group_key,
        max(root_id) as contact_id,
        count(*) as _raw_rows,
        max(case when role = 'root' then 1 else 0 end) = 1 as has_root,
        max(case when role = 'unkeyed' then 1 else 0 end) = 1 as is_unkeyed,
        max(case when representative_rank = 1 then method end) as representative_method,
        max(case when role = 'root' then method end) as root_method,
        max(case when role = 'root' then channel end) as root_channel,
        max(case when role = 'root' then initiated_text end) as root_initiated_text,
        max(case when role = 'root' then initiated_at end) as root_initiated_at,
        max(case when role = 'root' then system_connected_at end) as root_system_connected_at,
        max(case when role = 'root' then disconnect_reason end) as root_disconnect_reason,
        max(case when role = 'root' then customer_id end) as customer_id,
        max(case when role = 'root' then customer_endpoint_hash end) as customer_endpoint_hash,
        max(case when role = 'root' then reason_code end) as reason_code,
        max(case when role = 'root' then callback_origin_id end) as callback_origin_id,
        max(case when role = 'root' then subtype end) as subtype,
        max(case when role = 'root' then bot_messages end) as bot_messages,
        min(case when before_answer then enqueued_at end) as queued_at,
        min(case when before_answer then agent_connected_at end) as answered_at,
        max(case when answer_rank = 1 and before_answer and agent_connected_at is not null then agent_id end) as agent_id,
        coalesce(
            max(case when answer_rank = 1 and before_answer and agent_connected_at is not null then queue_name end),
            max(case when queue_rank = 1 and before_answer then queue_name end)
        ) as queue,
        min(case when handling then agent_first_response_at end) as agent_first_response_at,
        max(case when handling then disconnected_at end) as ended_at,
        sum(case when handling then talk_seconds end) as talk_seconds,
        sum(case when handling then hold_seconds end) as hold_seconds,
        sum(case when handling then wrap_seconds end) as wrap_seconds,
        sum(case when role = 'transfer' then 1 else 0 end)
            + sum(case when handling and transfer_completed_text is not null then 1 else 0 end) as transfer_count,
        {{ adapter_representative_metadata('representative_rank = 1') }}
    from ordered
    group by group_key
)

-- rule 5: what cannot be mapped, with why
select
    *,
    case
        when _malformed is not null then null
        when is_unkeyed then 'the record has no ContactId'
        when not has_root then {{ dbt.concat(["'a '", "coalesce(representative_method, 'leg')", "' record of contact '", "contact_id", "' whose own record was not delivered'"]) }}
        when root_method in {{ amazon_connect_ctr_leg_methods() }} then {{ dbt.concat(["'a '", "root_method", "' record that names no contact it belongs to'"]) }}
        {%- if digital %}
        when root_method in ('OUTBOUND', 'EXTERNAL_OUTBOUND') then {{ dbt.concat(["'an '", "root_method", "' '", "root_channel", "' is sent by the center, not a customer contact'"]) }}
        when root_method not in ('INBOUND', 'API', 'WEBRTC_API', 'FLOW', 'CALLBACK') or root_method is null
            then {{ dbt.concat(["'InitiationMethod '", "coalesce(root_method, 'NULL')", "' is not mapped'"]) }}
        {%- else %}
        when root_channel is null or root_channel <> 'VOICE'
            then {{ dbt.concat(["'Channel '", "coalesce(root_channel, 'NULL')", "' is not VOICE, CHAT, TASK or EMAIL'"]) }}
        when root_method not in ('INBOUND', 'WEBRTC_API', 'OUTBOUND', 'EXTERNAL_OUTBOUND', 'CALLBACK', 'API') or root_method is null
            then {{ dbt.concat(["'InitiationMethod '", "coalesce(root_method, 'NULL')", "' is not mapped'"]) }}
        {%- endif %}
    end as _not_mapped
from contacts
{%- endmacro %}
