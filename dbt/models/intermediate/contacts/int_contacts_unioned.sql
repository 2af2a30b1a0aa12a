{#-
    One row per contact across channels: inbound calls and digital conversations (metrics.md §1).
    Outbound calls (callbacks, campaigns) are not contacts; int_callbacks_kept reads them from staging.
    A table, not a view: the repeat windows, the callbacks and the data bounds all read it, and staging views
    re-validate the raw layer on every read.
-#}
{{ config(materialized='table') }}
with inbound_calls as (
    select *
    from {{ ref('stg_landing__calls') }}
    where direction = 'inbound'
),

digital_contacts as (
    select *
    from {{ ref('stg_landing__digital_contacts') }}
),

unioned as (
    select
        call_id as contact_id,
        'calls' as contact_source,
        'voice' as channel,
        customer_id,
        -- An unidentified caller is still one customer per (hashed) calling number.
        case
            when customer_id is not null then customer_id
            when caller_number_hash is not null then 'ani:' || caller_number_hash
        end as customer_key,
        arrived_at as started_at,
        ended_at,
        queue,
        reason_code,
        agent_id,
        outcome,
        answered_at is not null as is_handled,
        outcome = 'abandoned' as is_abandoned,
        outcome = 'self_served' as is_self_served,
        false as bot_involved,
        false as is_bot_failure,
        {{ contacts_seconds_between('arrived_at', 'ivr_ended_at') }} as ivr_seconds,
        ivr_keypresses,
        case
            when queued_at is not null
                then {{ contacts_seconds_between('queued_at', 'coalesce(answered_at, ended_at)') }}
        end as queue_seconds,
        cast(null as {{ type_double() }}) as first_response_seconds,
        handle_seconds,
        transfer_count,
        ticket_id,
        promised_callback_by
    from inbound_calls

    union all

    select
        contact_id,
        'digital_contacts' as contact_source,
        channel,
        customer_id,
        customer_id as customer_key,
        started_at,
        ended_at,
        queue,
        reason_code,
        agent_id,
        outcome,
        outcome = 'handled' as is_handled,
        outcome = 'abandoned' as is_abandoned,
        outcome = 'resolved_by_bot' as is_self_served,
        bot_handled as bot_involved,
        -- A bot session that did not resolve: handed over to a person, abandoned or failed.
        bot_handled and (escalated_to_agent or outcome in ('abandoned', 'failed')) as is_bot_failure,
        cast(null as {{ type_double() }}) as ivr_seconds,
        cast(null as {{ dbt.type_bigint() }}) as ivr_keypresses,
        cast(null as {{ type_double() }}) as queue_seconds,
        {{ contacts_seconds_between('started_at', 'first_response_at') }} as first_response_seconds,
        -- The digital contract carries no handle time (talk/hold/wrap); conversation length is not one.
        cast(null as {{ type_double() }}) as handle_seconds,
        cast(null as {{ dbt.type_bigint() }}) as transfer_count,
        ticket_id,
        cast(null as {{ type_timestamptz() }}) as promised_callback_by
    from digital_contacts
)

select
    contact_id,
    contact_source,
    channel,
    customer_id,
    customer_key,
    customer_key is not null as is_identified,
    started_at,
    ended_at,
    {{ to_local_timestamp('started_at') }} as started_at_local,
    {{ to_local_date('started_at') }} as local_date,
    {{ to_local_hour('started_at') }} as local_hour,
    queue,
    reason_code,
    agent_id,
    outcome,
    is_handled,
    is_abandoned,
    is_self_served,
    bot_involved,
    is_bot_failure,
    ivr_seconds,
    ivr_keypresses,
    queue_seconds,
    first_response_seconds,
    handle_seconds,
    transfer_count,
    ticket_id,
    promised_callback_by
from unioned
