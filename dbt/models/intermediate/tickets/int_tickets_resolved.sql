{#- One row per ticket: its solves and reopens from the status history, and resolution at first contact
    (solved, and that first solve not reopened within the reopen window). -#}
{#- A table, not a view: read several times downstream, and recomputing it means re-validating staging. -#}
{{ config(materialized='table') }}
with tickets as (
    select ticket_id, solved_at, closed_at
    from {{ ref('stg_landing__tickets') }}
),

status_events as (
    {{ tickets_status_events(ref('stg_landing__ticket_events')) }}
),

history as (
    select
        ticket_id,
        count(*) as status_events,
        sum(case when is_solve then 1 else 0 end) as solve_count,
        sum(case when is_reopen then 1 else 0 end) as reopen_count
    from status_events
    group by ticket_id
),

solves as (
    select * from {{ ref('int_ticket_solves_reopened') }}
),

solve_outcomes as (
    select
        ticket_id,
        max(case when reopened_within_window then 1 else 0 end) as any_reopen_within_window,
        max(case when reopened_within_window is null then 1 else 0 end) as any_window_open
    from solves
    group by ticket_id
),

first_solves as (
    select ticket_id, solved_at, reopened_within_window
    from solves
    where solve_number = 1
),

joined as (
    select
        t.ticket_id,
        h.ticket_id is not null as has_status_history,
        case
            when h.ticket_id is not null then f.solved_at
            -- No status history delivered: the ticket's own solved_at (its only known solve) stands in.
            else coalesce(t.solved_at, t.closed_at)
        end as first_solved_at,
        case
            when h.ticket_id is not null and f.solved_at is not null then 'status_events'
            when h.ticket_id is null and coalesce(t.solved_at, t.closed_at) is not null then 'ticket_state'
        end as first_solved_at_source,
        h.solve_count,
        h.reopen_count,
        f.solved_at as first_solve_event_at,
        f.reopened_within_window as first_solve_reopened_within_window,
        o.any_reopen_within_window,
        o.any_window_open
    from tickets as t
    left join history as h on t.ticket_id = h.ticket_id
    left join first_solves as f on t.ticket_id = f.ticket_id
    left join solve_outcomes as o on t.ticket_id = o.ticket_id
)

select
    ticket_id,
    has_status_history,
    first_solved_at,
    first_solved_at_source,
    cast(solve_count as {{ dbt.type_int() }}) as solve_count,
    cast(reopen_count as {{ dbt.type_int() }}) as reopen_count,
    case
        when not has_status_history or first_solve_event_at is null then null
        when any_reopen_within_window = 1 then true
        when any_window_open = 1 then null
        else false
    end as reopened_within_window,
    case
        when not has_status_history then 'no_status_history'
        when first_solve_event_at is null then 'not_solved'
        when any_reopen_within_window = 0 and any_window_open = 1 then 'reopen_window_open'
    end as reopened_within_window_null_reason,
    case
        when not has_status_history or first_solve_event_at is null then null
        else not first_solve_reopened_within_window
    end as resolved_first_time,
    case
        when not has_status_history then 'no_status_history'
        when first_solve_event_at is null then 'not_solved'
        when first_solve_reopened_within_window is null then 'reopen_window_open'
    end as resolved_first_time_null_reason
from joined
