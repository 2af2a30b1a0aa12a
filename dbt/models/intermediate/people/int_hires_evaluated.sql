{#-
    One row per hire (roster role `agent`, or no role) with the hiring-quality outcome (metrics.md §5). Tenure
    day 1 = hired_at, so day 90 = hired_at + 89 days. A hire is eligible when day 90 is within the data (else
    censored: not yet knowable, never a failure); retained at day 90 = not terminated on or before day 90.
    hiring_status, in this order:
      censored           not eligible
      not_observed       eligible, but the performance window (days 61-90) starts before the contact data,
                         so the outcome cannot be judged; retention still counts
      not_retained       terminated on or before day 90 (a failure)
      insufficient_data  retained, too few contacts or evaluations in days 61-90 (left out of the rate)
      performing         retained and meeting the performance targets over days 61-90
      below_target       retained, not meeting them
-#}
{#- A table, not a view: its data tests and several models read it (docs/decisions.md, "Views read many times"). -#}
{{ config(materialized='table') }}
with windows as (
    select * from {{ ref('int_performance_windows_scored') }}
    where window_kind = 'hire_61_90'
),

targets as (
    {{ metric_targets_row([('hiring_eligibility_days', 'eligibility_days')]) }}
),

hires as (
    select
        agents.agent_id,
        agents.hired_at,
        cast({{ dbt.date_trunc('month', 'agents.hired_at') }} as date) as hire_month,
        agents.hire_source,
        agents.recruiter_id,
        agents.site,
        agents.terminated_at,
        agents.termination_type,
        cast({{ dbt.dateadd('day', 'targets.eligibility_days - 1', 'agents.hired_at') }} as date) as day_90_date,
        windows.data_last_date,
        windows.performance_status,
        windows.insufficient_data_reason,
        windows.handled_contacts,
        windows.fcr_7d_rate,
        windows.aht_seconds,
        windows.critical_error_accuracy
    from {{ ref('stg_landing__agents') }} as agents
    cross join targets
    inner join windows
        on windows.agent_id = agents.agent_id
),

classified as (
    select
        hires.*,
        day_90_date <= data_last_date as is_eligible,
        terminated_at is null or terminated_at > day_90_date as is_retained_90d
    from hires
)

select
    agent_id,
    hired_at,
    hire_month,
    hire_source,
    recruiter_id,
    site,
    terminated_at,
    termination_type,
    day_90_date,
    is_eligible,
    case when is_eligible then is_retained_90d end as is_retained_90d,
    case
        when is_eligible and not is_retained_90d then coalesce(termination_type, 'unknown')
    end as attrition_90d_type,
    performance_status,
    insufficient_data_reason,
    handled_contacts,
    fcr_7d_rate,
    aht_seconds,
    critical_error_accuracy,
    cast(
        case
            when not is_eligible then 'censored'
            when performance_status = 'not_observed' then 'not_observed'
            when not is_retained_90d then 'not_retained'
            when performance_status = 'insufficient_data' then 'insufficient_data'
            when performance_status = 'meets' then 'performing'
            else 'below_target'
        end as {{ dbt.type_string() }}
    ) as hiring_status
from classified
