{#-
    One row per contact across channels: inbound calls, digital conversations, and tickets that a customer
    opened and that no call or digital contact represents (metrics.md §1; landing-contract.md, "Exports of other
    systems": contact identity). Outbound calls (callbacks, campaigns) are not contacts; int_callbacks_kept reads
    them from staging.
    Tickets as contacts (docs/decisions.md, "Tickets as contacts"): a ticket is represented - and so not a
    contact of its own - when a call (inbound or outbound) or a digital contact names it (ticket_id) and started
    no later than the ticket's created_at + ticket_contact_grace_minutes: that contact opened it. A ticket
    first named only by later contacts was opened before them, by the customer: it is a contact, and the later
    contacts are its repeats. Tickets of channels the center opens itself (ticket_contact_excluded_channels) are
    never contacts.
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

ticket_namings as (
    -- The earliest start of a call (either direction) or digital contact that names each ticket.
    select ticket_id, min(arrived_at) as first_named_at
    from {{ ref('stg_landing__calls') }}
    where ticket_id is not null
    group by ticket_id

    union all

    select ticket_id, min(started_at) as first_named_at
    from digital_contacts
    where ticket_id is not null
    group by ticket_id
),

ticket_first_named as (
    select ticket_id, min(first_named_at) as first_named_at
    from ticket_namings
    group by ticket_id
),

ticket_contacts as (
    -- Customer-opened tickets that no call or digital contact represents.
    select
        tickets.*,
        measured.first_response_at,
        measured.first_solved_at
    from {{ ref('stg_landing__tickets') }} as tickets
    left join ticket_first_named as named
        on named.ticket_id = tickets.ticket_id
    left join {{ ref('int_tickets_sla_measured') }} as measured
        on measured.ticket_id = tickets.ticket_id
    where {{ contacts_ticket_is_customer_opened('tickets.channel') }}
        and (named.first_named_at is null
            or named.first_named_at > {{ dbt.dateadd('minute', contacts_ticket_grace_minutes(), 'tickets.created_at') }})
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

    union all

    select
        -- prefixed: ticket ids are another system's keys and may equal a call or digital contact id
        'ticket:' || ticket_id as contact_id,
        'tickets' as contact_source,
        {{ contacts_ticket_channel('channel') }} as channel,
        customer_id,
        -- tickets carry no caller number: without customer_id the customer is unidentified
        customer_id as customer_key,
        created_at as started_at,
        -- a ticket's submission has no end as a contact; its resolution is in fct_tickets
        cast(null as {{ type_timestamptz() }}) as ended_at,
        assignee_group as queue,
        reason_code,
        -- the contract's tickets name no agent (assignee_group only)
        cast(null as {{ dbt.type_string() }}) as agent_id,
        -- handled: a person answered (first public reply) or the ticket was solved
        case
            when first_response_at is not null or first_solved_at is not null then 'handled'
            else 'unanswered'
        end as outcome,
        first_response_at is not null or first_solved_at is not null as is_handled,
        false as is_abandoned,
        false as is_self_served,
        false as bot_involved,
        false as is_bot_failure,
        cast(null as {{ type_double() }}) as ivr_seconds,
        cast(null as {{ dbt.type_bigint() }}) as ivr_keypresses,
        cast(null as {{ type_double() }}) as queue_seconds,
        {{ contacts_seconds_between('created_at', 'first_response_at') }} as first_response_seconds,
        cast(null as {{ type_double() }}) as handle_seconds,
        cast(null as {{ dbt.type_bigint() }}) as transfer_count,
        ticket_id,
        cast(null as {{ type_timestamptz() }}) as promised_callback_by
    from ticket_contacts
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
