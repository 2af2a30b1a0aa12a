{#-
    Callback promises and whether they were kept (metrics.md §3): one row per inbound call with a
    promised_callback_by. Kept = an outbound call with callback_for_call_id = this call started (dialled,
    arrived_at) at or before promised_callback_by; any outcome of the attempt counts (a dial is the kept promise).
-#}
{#- A table, not a view: its data tests and several models read it (docs/decisions.md, "Views read many times"). -#}
{{ config(materialized='table') }}
with contacts as (
    select * from {{ ref('int_contacts_unioned') }}
),

data_bounds as (
    -- the same end of the data as the repeat windows: the last contact delivered so far
    select max(started_at) as data_end_at from contacts
),

promises as (
    select
        contact_id as call_id,
        customer_key,
        agent_id,
        queue,
        started_at as call_started_at,
        ended_at as call_ended_at,
        promised_callback_by
    from contacts
    where contact_source = 'calls'
      and promised_callback_by is not null
),

callbacks as (
    select
        callback_for_call_id as call_id,
        count(*) as callback_attempts,
        min(arrived_at) as first_callback_at
    from {{ ref('stg_landing__calls') }}
    where direction = 'outbound'
      and callback_for_call_id is not null
    group by callback_for_call_id
),

judged as (
    select
        promises.*,
        coalesce(callbacks.callback_attempts, 0) as callback_attempts,
        callbacks.first_callback_at,
        data_bounds.data_end_at,
        case
            when callbacks.first_callback_at <= promises.promised_callback_by then 'kept'
            when callbacks.first_callback_at is not null then 'late'
            when promises.promised_callback_by <= data_bounds.data_end_at then 'missed'
            else 'pending'
        end as callback_status
    from promises
    left join callbacks on callbacks.call_id = promises.call_id
    cross join data_bounds
)

select
    call_id,
    customer_key,
    agent_id,
    queue,
    call_started_at,
    call_ended_at,
    promised_callback_by,
    callback_attempts,
    first_callback_at,
    callback_status,
    -- NULL = censored: the promise falls after the end of the data and no callback has been made yet
    case
        when callback_status = 'kept' then true
        when callback_status in ('late', 'missed') then false
    end as callback_kept,
    {{ contacts_seconds_between('promised_callback_by', 'first_callback_at') }} as first_callback_seconds_after_promise,
    data_end_at
from judged
