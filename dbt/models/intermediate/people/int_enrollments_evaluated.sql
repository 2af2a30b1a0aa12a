{#-
    One row per training enrollment with its training-quality outcome (metrics.md §5). A graduate's window is
    the first proficiency_window_days days in production (int_performance_windows_scored,
    production_first_30). training_status, for graduates only (NULL otherwise), in this order:
      not_observed        the window starts before the contact data (or has no start date)
      left_during_window  terminated on or before the last window day (did not reach proficiency; counted)
      censored            the window ends after the last day of data (not yet knowable; never a failure)
      insufficient_data   too few contacts or evaluations in the window (left out of the rate)
      proficient          meeting the performance targets over the window
      below_target        not meeting them
-#}
{#- A table, not a view: its data tests and several models read it (docs/decisions.md, "Views read many times"). -#}
{{ config(materialized='table') }}
with enrollments as (
    select * from {{ ref('stg_landing__training_enrollments') }}
),

windows as (
    select * from {{ ref('int_performance_windows_scored') }}
    where window_kind = 'production_first_30'
),

agents as (
    select agent_id, terminated_at, termination_type
    from {{ ref('stg_landing__agents') }}
)

select
    enrollments.enrollment_id,
    enrollments.agent_id,
    enrollments.class_id,
    enrollments.program,
    enrollments.started_at,
    enrollments.completed_at,
    enrollments.outcome,
    enrollments.assessment_score,
    enrollments.outcome = 'graduated' as is_graduate,
    windows.window_start_date,
    windows.window_end_date,
    agents.terminated_at,
    windows.performance_status,
    windows.insufficient_data_reason,
    windows.handled_contacts,
    windows.fcr_7d_eligible,
    windows.fcr_7d_count,
    windows.fcr_7d_rate,
    windows.aht_contacts,
    windows.handle_seconds,
    windows.aht_seconds,
    windows.evaluations,
    windows.evaluations_without_critical_error,
    windows.critical_error_accuracy,
    cast(
        case
            when enrollments.outcome <> 'graduated' then null
            when windows.performance_status = 'not_observed' or windows.window_start_date is null then 'not_observed'
            when agents.terminated_at is not null and agents.terminated_at <= windows.window_end_date
                then 'left_during_window'
            when windows.performance_status = 'censored' then 'censored'
            when windows.performance_status = 'insufficient_data' then 'insufficient_data'
            when windows.performance_status = 'meets' then 'proficient'
            else 'below_target'
        end as {{ dbt.type_string() }}
    ) as training_status
from enrollments
left join windows
    on windows.enrollment_id = enrollments.enrollment_id
left join agents
    on agents.agent_id = enrollments.agent_id
