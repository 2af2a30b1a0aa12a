{#- One row per ticket: priority at creation, first response, and the first-response and resolution SLAs of
    that priority (seeds sla_policies), counted on the policy's clock: elapsed 24x7 time when the policy names no
    schedule, else the open time of its business schedule (int_business_open_intervals); the resolution clock
    stops in pending / hold when the policy says so. Calendar and business minutes are both reported. -#}
{#- Incremental (delete+insert on ticket_id; a table rebuilt whole on Spark, cross_db.sql updated_in_place): a build
    recomputes only the tickets of macros/tickets/tickets_recompute_scope.sql (the one rule): those whose row or
    events changed, every ticket still waiting for its first response or first solve under a policy (its clock
    runs to the end of the data), and all of them when a policy, a schedule, a holiday or the default schedule
    changed. A ticket's result depends on its own row and events and on that reference data only: the open
    intervals cover every span of every ticket (int_business_open_intervals reaches past the end of the data). -#}
{{ config(**tickets_kept_in_place_config()) }}
with reference as (
    {{ reference_fingerprint([
        ['sla_policies', ref('sla_policies'),
            ['priority', 'first_response_target_minutes', 'resolution_target_minutes', 'schedule_id', 'pauses_in_pending_hold']],
        ['schedules', ref('int_business_schedules'), ['schedule_id', 'time_zone', 'weekday', 'opens_at', 'closes_at']],
        ['holidays', ref('int_business_holidays'), ['schedule_id', 'holiday_date']],
        ['default_schedule', '(select ' ~ sql_string(var('default_business_schedule')) ~ ' as schedule_id) as default_schedule',
            ['schedule_id']]
    ]) }}
),
{% if is_incremental() %}

recompute as (
    {{ tickets_recompute_triggers(
        this,
        'stored_rows.has_sla_policy and (stored_rows.first_response_at is null or stored_rows.first_solved_at is null)',
        '(select reference_hash from reference)'
    ) }}
),
{% endif %}

tickets as (
    {{ tickets_in_scope(ref('stg_landing__tickets'), 'ticket_id, created_at, priority') }}
),

events as (
    {{ tickets_in_scope(ref('stg_landing__ticket_events')) }}
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

known_schedules as (
    select distinct schedule_id
    from {{ ref('int_business_schedules') }}
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
        d.data_end_at,
        cast(s.schedule_id as {{ dbt.type_string() }}) as sla_schedule_id,
        coalesce(s.pauses_in_pending_hold, false) as sla_pauses_in_pending_hold,
        -- business minutes are reported on the policy's schedule, else on the default one (when it exists)
        coalesce(cast(s.schedule_id as {{ dbt.type_string() }}), k.schedule_id) as business_schedule_id
    from with_priority as w
    left join {{ ref('sla_policies') }} as s on w.priority_at_creation = s.priority
    left join paused as p on w.ticket_id = p.ticket_id
    cross join data_end as d
    left join known_schedules as k on k.schedule_id = {{ sql_string(var('default_business_schedule')) }}
),

open_intervals as (
    select schedule_id, open_at, close_at
    from {{ ref('int_business_open_intervals') }}
),

spans as (
    -- One row per time span to measure. The SLA clocks run to the event, or to the end of the data while it
    -- has not happened (so a target already used up there is missed).
    select
        ticket_id,
        cast('first_response_business' as {{ dbt.type_string() }}) as measure,
        cast('' as {{ dbt.type_string() }}) as span_id,
        business_schedule_id as schedule_id,
        created_at as span_start, first_response_at as span_end
    from with_targets
    where first_response_at is not null and business_schedule_id is not null

    union all

    select
        ticket_id, 'resolution_business', '', business_schedule_id, created_at, first_solved_at
    from with_targets
    where first_solved_at is not null and business_schedule_id is not null

    union all

    select
        ticket_id, 'first_response_clock', '', sla_schedule_id, created_at, coalesce(first_response_at, data_end_at)
    from with_targets
    where has_sla_policy

    union all

    select
        ticket_id, 'resolution_clock', '', sla_schedule_id, created_at, coalesce(first_solved_at, data_end_at)
    from with_targets
    where has_sla_policy

    union all

    -- pending / hold periods inside the resolution clock's span, deducted when the policy pauses
    select
        w.ticket_id, 'resolution_paused', p.event_id, w.sla_schedule_id,
        case when p.event_at > w.created_at then p.event_at else w.created_at end,
        case
            when p.next_status_event_at is not null
                and p.next_status_event_at < coalesce(w.first_solved_at, w.data_end_at)
                then p.next_status_event_at
            else coalesce(w.first_solved_at, w.data_end_at)
        end
    from status_periods as p
    inner join with_targets as w on p.ticket_id = w.ticket_id
    where w.has_sla_policy
        and w.sla_pauses_in_pending_hold
        and p.to_status in ('pending', 'hold')
        and p.event_at < coalesce(w.first_solved_at, w.data_end_at)
        and (p.next_status_event_at is null or p.next_status_event_at > w.created_at)
        and coalesce(w.first_solved_at, w.data_end_at) > w.created_at
),

span_seconds as (
    {{ business_open_seconds('spans', 'open_intervals', ['ticket_id', 'measure', 'span_id']) }}
),

measured as (
    select
        ticket_id,
        sum(case when measure = 'first_response_business' then open_seconds end) / 60
            as first_response_business_minutes,
        sum(case when measure = 'resolution_business' then open_seconds end) / 60
            as resolution_business_minutes,
        sum(case when measure = 'first_response_clock' then open_seconds end) as first_response_clock_seconds,
        sum(case when measure = 'resolution_clock' then open_seconds end)
            - coalesce(sum(case when measure = 'resolution_paused' then open_seconds end), 0)
            as resolution_clock_seconds
    from span_seconds
    group by ticket_id
),

with_clocks as (
    select
        t.*,
        m.first_response_business_minutes,
        m.resolution_business_minutes,
        m.first_response_clock_seconds,
        m.resolution_clock_seconds
    from with_targets as t
    left join measured as m on t.ticket_id = m.ticket_id
),

with_inputs as (
    select
        c.*,
        i.inputs_hash,
        f.reference_hash
    from with_clocks as c
    cross join reference as f
    left join {{ ref('int_ticket_inputs') }} as i on i.ticket_id = c.ticket_id
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
    -- Met = the policy's clock at the event is within the target (boundary inclusive). No event yet: false once
    -- the clock at the end of the data has reached the target, else censored. On calendar time without pauses
    -- this is exactly `event <= created_at + target` and `created_at + target <= data end`.
    case
        when not has_sla_policy then null
        when first_response_at is not null then first_response_clock_seconds <= first_response_target_minutes * 60
        when first_response_clock_seconds >= first_response_target_minutes * 60 then false
    end as first_response_sla_met,
    case
        when not has_sla_policy then 'no_sla_policy'
        when first_response_at is null
            and not coalesce(first_response_clock_seconds >= first_response_target_minutes * 60, false)
            then 'target_after_data_end'
    end as first_response_sla_null_reason,
    case
        when not has_sla_policy then null
        when first_solved_at is not null then resolution_clock_seconds <= resolution_target_minutes * 60
        when resolution_clock_seconds >= resolution_target_minutes * 60 then false
    end as resolution_sla_met,
    case
        when not has_sla_policy then 'no_sla_policy'
        when first_solved_at is null
            and not coalesce(resolution_clock_seconds >= resolution_target_minutes * 60, false)
            then 'target_after_data_end'
    end as resolution_sla_null_reason,
    business_schedule_id,
    first_response_business_minutes,
    resolution_business_minutes,
    case when has_sla_policy then case when sla_schedule_id is null then 'calendar' else 'business' end end
        as sla_clock,
    sla_schedule_id,
    case when has_sla_policy then sla_pauses_in_pending_hold end as sla_pauses_in_pending_hold,
    case when first_response_at is not null then first_response_clock_seconds / 60 end
        as first_response_sla_clock_minutes,
    case when first_solved_at is not null then resolution_clock_seconds / 60 end as resolution_sla_clock_minutes,
    -- what the row was computed from (tickets_recompute_scope.sql)
    inputs_hash,
    reference_hash
from with_inputs
