{#-
    Genesys Cloud analytics conversation details -> callqa contacts: the rules shared by
    base_genesys_cloud_conversations__calls (voice, callback) and base_genesys_cloud_conversations__digital_contacts
    (chat, message, email). raw.genesys_cloud_conversations holds one row per segment (conversation ->
    participants -> sessions -> segments exploded; a participant or session without segments still gives one row
    with the segment columns NULL); ani / dnis are already keyed hashes.

    genesys_cloud_conversations_contacts(digital) selects one row per conversation (and one per raw row that
    cannot be part of one) for the voice conversations (digital=false: every conversation that is not purely
    chat / message / email, so each raw row is accounted for by exactly one of the two models) or the digital ones:

      1. Versions. A conversation exported again (the details job re-exports it as it completes) is taken from
         its latest load (then latest record); the rows of earlier exports count in _raw_rows, nothing else.
      2. Segments carry the times: IVR = the ivr participants' segments; queue = the acd participants'
         segments (first start = queued, the acd participant's name = the queue); agents = the agent
         participants' interact / hold / wrapup segments (first interact = answered, its user = the agent,
         durations summed = talk / hold / wrap); bot = a botflow participant.
      3. Transfers = agents who handled the customer after the first one (distinct agent participants with an
         interact segment, minus one): a transfer within the conversation is part of it, never a contact.
      4. A participant or session without segments has nothing to map: its row is a reject (_not_mapped says
         which participant); the conversation's other rows still make the contact.
    Session metrics (tAcd, tTalk, ...) are JSON arrays in raw and are not read: the segments give the same times
    portably.
-#}

{% macro genesys_cloud_conversations_columns() -%}
    {{ return([
        'conversationId', 'conversationStart', 'conversationEnd', 'originatingDirection',
        'participants.participantId', 'participants.purpose', 'participants.userId', 'participants.participantName',
        'participants.externalContactId',
        'participants.sessions.mediaType', 'participants.sessions.messageType', 'participants.sessions.direction',
        'participants.sessions.ani', 'participants.sessions.dnis',
        'participants.sessions.segments.segmentType', 'participants.sessions.segments.segmentStart',
        'participants.sessions.segments.segmentEnd', 'participants.sessions.segments.queueId',
        'participants.sessions.segments.disconnectType', 'participants.sessions.segments.wrapUpCode'
    ]) }}
{%- endmacro %}


{% macro genesys_cloud_conversations_contacts(digital) -%}
{%- set q = adapter.quote -%}
{%- set p = 'participants.' -%}
{%- set s = 'participants.sessions.' -%}
{%- set g = 'participants.sessions.segments.' -%}
with delivered as (
    select *
    from {{ adapter_source('genesys_cloud_conversations', genesys_cloud_conversations_columns()) }} as raw_rows
),

segments as (
    select
        nullif(trim({{ q('conversationId') }}), '') as conversation_id,
        {{ q('conversationStart') }} as conversation_start_text,
        {{ parse_contract_timestamp(q('conversationStart')) }} as conversation_start_at,
        {{ parse_contract_timestamp(q('conversationEnd')) }} as conversation_end_at,
        lower(nullif(trim({{ q('originatingDirection') }}), '')) as originating_direction,
        nullif(trim({{ q(p ~ 'participantId') }}), '') as participant_id,
        lower(nullif(trim({{ q(p ~ 'purpose') }}), '')) as purpose,
        nullif(trim({{ q(p ~ 'userId') }}), '') as user_id,
        nullif(trim({{ q(p ~ 'participantName') }}), '') as participant_name,
        nullif(trim({{ q(p ~ 'externalContactId') }}), '') as external_contact_id,
        lower(nullif(trim({{ q(s ~ 'mediaType') }}), '')) as media_type,
        lower(nullif(trim({{ q(s ~ 'messageType') }}), '')) as message_type,
        nullif(trim({{ q(s ~ 'ani') }}), '') as ani_hash,
        nullif(trim({{ q(s ~ 'dnis') }}), '') as dnis_hash,
        lower(nullif(trim({{ q(g ~ 'segmentType') }}), '')) as segment_type,
        {{ parse_contract_timestamp(q(g ~ 'segmentStart')) }} as segment_start_at,
        {{ parse_contract_timestamp(q(g ~ 'segmentEnd')) }} as segment_end_at,
        nullif(trim({{ q(g ~ 'segmentStart') }}), '') as segment_start_text,
        nullif(trim({{ q(g ~ 'queueId') }}), '') as queue_id,
        lower(nullif(trim({{ q(g ~ 'disconnectType') }}), '')) as disconnect_type,
        nullif(trim({{ q(g ~ 'wrapUpCode') }}), '') as wrap_up_code,
        _load_id,
        _file,
        _line,
        _record,
        _loaded_at,
        _malformed
    from delivered
),

-- rule 1: the latest export of each conversation; the conversation's media decides voice or digital
versioned as (
    select
        *,
        case
            when conversation_id is null then true
            else _load_id = max(_load_id) over (partition by conversation_id)
        end as in_latest_load,
        max(case when media_type in ('voice', 'callback') then 1 else 0 end) over (partition by conversation_id) as has_voice,
        max(case when media_type in ('chat', 'message', 'email') then 1 else 0 end) over (partition by conversation_id) as has_digital,
        max(case when media_type = 'callback' then 1 else 0 end) over (partition by conversation_id) as has_callback
    from segments
),

current_rows as (
    select
        *,
        in_latest_load and (conversation_id is null
            or _record = max(case when in_latest_load then _record end) over (partition by conversation_id)) as is_current,
        coalesce(conversation_id, {{ dbt.concat(["'unkeyed:'", "cast(_load_id as " ~ dbt.type_string() ~ ")", "':'", "cast(_line as " ~ dbt.type_string() ~ ")"]) }}) as group_key
    from versioned
    where {{ '' if digital else 'not (' }}conversation_id is not null and has_voice = 0 and has_digital = 1{{ '' if digital else ')' }}
),

-- rule 4: a current row without a segment stands alone (a reject), the others make the contact
split as (
    select
        *,
        is_current and conversation_id is not null and segment_type is null and segment_start_at is null
            and _malformed is null as is_segmentless,
        {{ intervals_elapsed_seconds('segment_start_at', 'segment_end_at') }} as segment_seconds
    from current_rows
),

mapped_rows as (
    select * from split where not is_segmentless
),

-- rule 2: per conversation, the first answer (the agent's first interact segment)
answers as (
    select
        group_key,
        min(case when is_current and purpose = 'agent' and segment_type = 'interact' then segment_start_at end) as answered_at
    from mapped_rows
    group by group_key
),

ranked as (
    select
        mapped_rows.*,
        answers.answered_at as conversation_answered_at,
        row_number() over (
            partition by mapped_rows.group_key
            order by case when is_current and purpose = 'agent' and segment_type = 'interact' then 0 else 1 end,
                     segment_start_at
        ) as agent_rank,
        -- the queue it was answered from (the last queue entered before the answer), else the last one it waited in
        row_number() over (
            partition by mapped_rows.group_key
            order by case
                         when is_current and purpose = 'acd' and segment_start_at is not null
                              and (answers.answered_at is null or segment_start_at <= answers.answered_at) then 0
                         else 1
                     end,
                     segment_start_at desc
        ) as queue_rank,
        row_number() over (
            partition by mapped_rows.group_key
            order by case when is_current and purpose = 'agent' and segment_type = 'wrapup' and wrap_up_code is not null then 0 else 1 end,
                     segment_start_at
        ) as wrapup_rank,
        row_number() over (
            partition by mapped_rows.group_key
            order by case when is_current then 0 else 1 end, _load_id desc, _record, _line
        ) as representative_rank
    from mapped_rows
    left join answers on answers.group_key = mapped_rows.group_key
),

contacts as (
    select
        group_key,
        max(conversation_id) as contact_id,
        count(*) as _raw_rows,
        max(case when conversation_id is null then 1 else 0 end) = 1 as is_unkeyed,
        max(case when is_current then originating_direction end) as originating_direction,
        max(has_callback) = 1 as has_callback,
        max(case when is_current then conversation_start_text end) as conversation_start_text,
        max(case when is_current then conversation_start_at end) as conversation_start_at,
        max(case when is_current then conversation_end_at end) as conversation_end_at,
        min(case when is_current then segment_start_at end) as first_segment_at,
        max(case when is_current and purpose in ('customer', 'external') then segment_end_at end) as customer_left_at,
        max(case when is_current then segment_end_at end) as last_segment_at,
        max(case when is_current and purpose = 'customer' then external_contact_id end) as customer_id,
        max(case when is_current and purpose = 'customer' then ani_hash end) as customer_ani_hash,
        max(case when is_current and purpose in ('customer', 'external') then dnis_hash end) as customer_dnis_hash,
        max(case when is_current and purpose = 'customer' then media_type end) as customer_media_type,
        max(case when is_current and purpose = 'customer' then message_type end) as customer_message_type,
        max(case when is_current and media_type in ('chat', 'message', 'email') then media_type end) as any_digital_media,
        max(case when is_current and purpose = 'ivr' then segment_end_at end) as ivr_ended_at,
        max(case when is_current and purpose = 'ivr' and disconnect_type = 'peer' then 1 else 0 end) = 1 as hung_up_in_ivr,
        max(case when is_current and disconnect_type in ('error', 'transportfailure') then 1 else 0 end) = 1 as had_error,
        min(case when is_current and purpose = 'acd' then segment_start_at end) as queued_at,
        max(conversation_answered_at) as answered_at,
        max(case when agent_rank = 1 and is_current and purpose = 'agent' and segment_type = 'interact' then user_id end) as agent_id,
        max(case when queue_rank = 1 and is_current and purpose = 'acd' then coalesce(participant_name, queue_id) end) as queue,
        max(case when wrapup_rank = 1 and is_current and purpose = 'agent' and segment_type = 'wrapup' then wrap_up_code end) as reason_code,
        max(case when is_current and purpose = 'botflow' then 1 else 0 end) = 1 as bot_handled,
        min(case when is_current and purpose in ('botflow', 'agent') and segment_type = 'interact' then segment_start_at end) as first_response_at,
        sum(case when is_current and purpose = 'agent' and segment_type = 'interact' then segment_seconds end) as talk_seconds,
        sum(case when is_current and purpose = 'agent' and segment_type = 'hold' then segment_seconds end) as hold_seconds,
        sum(case when is_current and purpose = 'agent' and segment_type = 'wrapup' then segment_seconds end) as wrap_seconds,
        count(distinct case when is_current and purpose = 'agent' and segment_type = 'interact' then participant_id end) as agents_interacting,
        {{ adapter_representative_metadata('representative_rank = 1') }}
    from ranked
    group by group_key
)

select
    *,
    case
        when _malformed is not null then null
        when is_unkeyed then 'the record has no conversationId'
        {%- if not digital %}
        when not has_callback and (originating_direction is null or originating_direction not in ('inbound', 'outbound'))
            then {{ dbt.concat(["'originatingDirection '", "coalesce(originating_direction, 'NULL')", "' is not inbound or outbound'"]) }}
        when customer_media_type is null and any_digital_media is null and not has_callback and queued_at is null and answered_at is null
             and ivr_ended_at is null
            then 'no voice, callback, chat, message or email session with segments'
        {%- endif %}
    end as _not_mapped
from contacts

union all

-- rule 4: participants / sessions without segments
select
    group_key,
    conversation_id as contact_id,
    1 as _raw_rows,
    false as is_unkeyed,
    originating_direction,
    has_callback = 1 as has_callback,
    conversation_start_text,
    conversation_start_at,
    conversation_end_at,
    cast(null as {{ type_timestamptz() }}) as first_segment_at,
    cast(null as {{ type_timestamptz() }}) as customer_left_at,
    cast(null as {{ type_timestamptz() }}) as last_segment_at,
    cast(null as {{ dbt.type_string() }}) as customer_id,
    cast(null as {{ dbt.type_string() }}) as customer_ani_hash,
    cast(null as {{ dbt.type_string() }}) as customer_dnis_hash,
    media_type as customer_media_type,
    message_type as customer_message_type,
    cast(null as {{ dbt.type_string() }}) as any_digital_media,
    cast(null as {{ type_timestamptz() }}) as ivr_ended_at,
    false as hung_up_in_ivr,
    false as had_error,
    cast(null as {{ type_timestamptz() }}) as queued_at,
    cast(null as {{ type_timestamptz() }}) as answered_at,
    cast(null as {{ dbt.type_string() }}) as agent_id,
    cast(null as {{ dbt.type_string() }}) as queue,
    cast(null as {{ dbt.type_string() }}) as reason_code,
    false as bot_handled,
    cast(null as {{ type_timestamptz() }}) as first_response_at,
    cast(null as {{ type_double() }}) as talk_seconds,
    cast(null as {{ type_double() }}) as hold_seconds,
    cast(null as {{ type_double() }}) as wrap_seconds,
    0 as agents_interacting,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _malformed,
    {{ dbt.concat(["'participant '", "coalesce(participant_id, '?')", "' ('", "coalesce(purpose, 'no purpose')", "') has '",
                   "case when media_type is null then 'no session' else 'a session without segments' end", "': nothing to map'"]) }} as _not_mapped
from split
where is_segmentless
{%- endmacro %}
