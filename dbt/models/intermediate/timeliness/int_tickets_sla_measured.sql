{#- One row per ticket: priority at creation, first response, and the first-response and resolution SLAs of
    that priority (seeds sla_policies) in elapsed 24x7 time: clocks never pause, pending and hold included. -#}
{#- A table, not a view: read several times downstream, and recomputing it means re-validating staging. -#}
{{ config(materialized='table') }}
with tickets as (
    select ticket_id, created_at, priority
    from {{ ref('stg_landing__tickets') }}
),

events as (
    select * from {{ ref('stg_landing__ticket_events') }}
),

first_priority_changes as (
    select
        ticket_id,
        lower(from_value) as priority_before_change,
        row_number() over (partition by ticket_id order by event_at, event_id) as change_rank
    from events
    where event_type = 'priority_change'
),

first_responses as (
    -- The first public comment by a person (actor given and not `system`) after the ticket was created.
    select
        e.ticket_id,
        min(e.event_at) as first_response_at
    from events as e
    inner join tickets as t on e.ticket_id = t.ticket_id
    where e.event_type = 'comment'
        and e.is_public
        and e.actor_id is not null
        and lower(e.actor_id) <> 'system'
        and e.event_at > t.created_at
    group by e.ticket_id
),

resolved as (
    select ticket_id, first_solved_at
    from {{ ref('int_tickets_resolved') }}
),

status_periods as (
    {{ tickets_status_events('events') }}
),

paused as (
    -- Time spent in pending / hold between creation and the first solve: reported, never deducted.
    select
        p.ticket_id,
        sum(
            {{ intervals_elapsed_seconds(
                'case when p.event_at > t.created_at then p.event_at else t.created_at end',
                'case when p.next_status_event_at < r.first_solved_at then p.next_status_event_at else r.first_solved_at end'
            ) }}
        ) / 60 as pending_hold_minutes_to_first_solve
    from status_periods as p
    inner join tickets as t on p.ticket_id = t.ticket_id
    inner join resolved as r on p.ticket_id = r.ticket_id
    where p.to_status in ('pending', 'hold')
        and r.first_solved_at is not null
        and p.event_at < r.first_solved_at
    group by p.ticket_id
),

data_end as (
    select max(data_end_at) as data_end_at
    from {{ ref('int_ticket_data_end') }}
),

with_priority as (
    select
        t.ticket_id,
        t.created_at,
        t.priority,
        coalesce(c.priority_before_change, t.priority) as priority_at_creation,
        case when c.priority_before_change is not null then 'first_priority_change' else 'current_priority' end
            as priority_at_creation_source,
        f.first_response_at,
        r.first_solved_at
    from tickets as t
    left join first_priority_changes as c
        on t.ticket_id = c.ticket_id
        and c.change_rank = 1
    left join first_responses as f on t.ticket_id = f.ticket_id
    left join resolved as r on t.ticket_id = r.ticket_id
),

with_targets as (
    select
        w.*,
        s.priority is not null as has_sla_policy,
        s.first_response_target_minutes,
        s.resolution_target_minutes,
        {{ dbt.dateadd('minute', 's.first_response_target_minutes', 'w.created_at') }} as first_response_due_at,
        {{ dbt.dateadd('minute', 's.resolution_target_minutes', 'w.created_at') }} as resolution_due_at,
        coalesce(p.pending_hold_minutes_to_first_solve, case when w.first_solved_at is not null then 0 end)
            as pending_hold_minutes_to_first_solve,
        d.data_end_at
    from with_priority as w
    left join {{ ref('sla_policies') }} as s on w.priority_at_creation = s.priority
    left join paused as p on w.ticket_id = p.ticket_id
    cross join data_end as d
)

select
    ticket_id,
    created_at,
    priority,
    priority_at_creation,
    priority_at_creation_source,
    has_sla_policy,
    first_response_target_minutes,
    resolution_target_minutes,
    first_response_due_at,
    resolution_due_at,
    first_response_at,
    case
        when first_response_at is not null
            then {{ intervals_elapsed_seconds('created_at', 'first_response_at') }} / 60
    end as first_response_minutes,
    first_solved_at,
    case
        when first_solved_at is not null
            then {{ intervals_elapsed_seconds('created_at', 'first_solved_at') }} / 60
    end as resolution_minutes,
    pending_hold_minutes_to_first_solve,
    data_end_at,
    case
        when not has_sla_policy then null
        when first_response_at is not null then first_response_at <= first_response_due_at
        when first_response_due_at <= data_end_at then false
    end as first_response_sla_met,
    case
        when not has_sla_policy then 'no_sla_policy'
        when first_response_at is null and not coalesce(first_response_due_at <= data_end_at, false)
            then 'target_after_data_end'
    end as first_response_sla_null_reason,
    case
        when not has_sla_policy then null
        when first_solved_at is not null then first_solved_at <= resolution_due_at
        when resolution_due_at <= data_end_at then false
    end as resolution_sla_met,
    case
        when not has_sla_policy then 'no_sla_policy'
        when first_solved_at is null and not coalesce(resolution_due_at <= data_end_at, false)
            then 'target_after_data_end'
    end as resolution_sla_null_reason
from with_targets
