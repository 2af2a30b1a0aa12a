{#- One row per ticket: current state, priority at creation, first response, first solve, reopens,
    resolution at first contact (ticket FCR) and the SLA results with the targets used. -#}
with tickets as (
    select * from {{ ref('stg_landing__tickets') }}
),

resolved as (
    select * from {{ ref('int_tickets_resolved') }}
),

sla as (
    select * from {{ ref('int_tickets_sla_measured') }}
),

reopen_window as (
    {{ metric_targets_row([('ticket_reopen_window_days', 'reopen_window_days')]) }}
),

data_end as (
    -- the end of the ticket data of this build (the incremental ticket models do not keep it on their rows)
    select max(data_end_at) as data_end_at
    from {{ ref('int_ticket_data_end') }}
)

select
    cast(t.ticket_id as {{ dbt.type_string() }}) as ticket_id,
    cast(t.customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(t.channel as {{ dbt.type_string() }}) as channel,
    cast(t.reason_code as {{ dbt.type_string() }}) as reason_code,
    cast(t.assignee_group as {{ dbt.type_string() }}) as assignee_group,
    cast(t.status as {{ dbt.type_string() }}) as status,
    cast(t.priority as {{ dbt.type_string() }}) as priority,
    cast(s.priority_at_creation as {{ dbt.type_string() }}) as priority_at_creation,
    cast(s.priority_at_creation_source as {{ dbt.type_string() }}) as priority_at_creation_source,
    cast(t.created_at as {{ type_timestamptz() }}) as created_at,
    cast(t.created_local_date as date) as created_local_date,
    cast(s.first_response_at as {{ type_timestamptz() }}) as first_response_at,
    cast(r.first_solved_at as {{ type_timestamptz() }}) as first_solved_at,
    cast(r.first_solved_at_source as {{ dbt.type_string() }}) as first_solved_at_source,
    cast(t.solved_at as {{ type_timestamptz() }}) as solved_at,
    cast(t.closed_at as {{ type_timestamptz() }}) as closed_at,
    cast(r.has_status_history as {{ dbt.type_boolean() }}) as has_status_history,
    cast(r.solve_count as {{ dbt.type_int() }}) as solve_count,
    cast(r.reopen_count as {{ dbt.type_int() }}) as reopen_count,
    cast(r.reopened_within_window as {{ dbt.type_boolean() }}) as reopened_within_7d,
    cast(r.reopened_within_window_null_reason as {{ dbt.type_string() }}) as reopened_within_7d_null_reason,
    cast(r.resolved_first_time as {{ dbt.type_boolean() }}) as resolved_first_time,
    cast(r.resolved_first_time_null_reason as {{ dbt.type_string() }}) as resolved_first_time_null_reason,
    cast(w.reopen_window_days as {{ type_double() }}) as reopen_window_days,
    cast(s.first_response_target_minutes as {{ dbt.type_int() }}) as first_response_target_minutes,
    cast(s.resolution_target_minutes as {{ dbt.type_int() }}) as resolution_target_minutes,
    cast(s.first_response_due_at as {{ type_timestamptz() }}) as first_response_due_at,
    cast(s.resolution_due_at as {{ type_timestamptz() }}) as resolution_due_at,
    cast(s.first_response_minutes as {{ type_double() }}) as first_response_minutes,
    cast(s.resolution_minutes as {{ type_double() }}) as resolution_minutes,
    cast(s.pending_hold_minutes_to_first_solve as {{ type_double() }}) as pending_hold_minutes_to_first_solve,
    cast(s.first_response_sla_met as {{ dbt.type_boolean() }}) as first_response_sla_met,
    cast(s.first_response_sla_null_reason as {{ dbt.type_string() }}) as first_response_sla_null_reason,
    cast(s.resolution_sla_met as {{ dbt.type_boolean() }}) as resolution_sla_met,
    cast(s.resolution_sla_null_reason as {{ dbt.type_string() }}) as resolution_sla_null_reason,
    cast(d.data_end_at as {{ type_timestamptz() }}) as ticket_data_end_at,
    cast(s.business_schedule_id as {{ dbt.type_string() }}) as business_schedule_id,
    cast(s.first_response_business_minutes as {{ type_double() }}) as first_response_business_minutes,
    cast(s.resolution_business_minutes as {{ type_double() }}) as resolution_business_minutes,
    cast(s.sla_clock as {{ dbt.type_string() }}) as sla_clock,
    cast(s.sla_schedule_id as {{ dbt.type_string() }}) as sla_schedule_id,
    cast(s.sla_pauses_in_pending_hold as {{ dbt.type_boolean() }}) as sla_pauses_in_pending_hold,
    cast(s.first_response_sla_clock_minutes as {{ type_double() }}) as first_response_sla_clock_minutes,
    cast(s.resolution_sla_clock_minutes as {{ type_double() }}) as resolution_sla_clock_minutes
from tickets as t
left join resolved as r on t.ticket_id = r.ticket_id
left join sla as s on t.ticket_id = s.ticket_id
cross join reopen_window as w
cross join data_end as d
