{#-
    Agent performance over a window of local days (metrics.md §5): one row per window, of two kinds:
      hire_61_90           every hire (roster role `agent`, or no role): tenure days 61-90, day 1 = hired_at
                           (hiring_performance_window_start_days / _end_days)
      production_first_30  every graduated training enrollment: its first proficiency_window_days days in
                           production, day 1 = production_start_at, or completed_at when production_start_at is
                           missing or earlier than the class end (a tenured agent's upskilling class)
    Performance from the agent's own contacts in the window (fct_contacts, by local date): 7-day FCR, AHT of
    handled contacts with a handle time (calls), and critical-error accuracy = evaluations (not calibration)
    without a fail on any critical item / evaluations, by the evaluated contact's local date. Targets and
    minimums from seeds metric_targets. Status:
      not_observed       the window starts before the first day of contact data (performance unknowable)
      censored           the window ends after the last day of data (not yet knowable; never a failure)
      insufficient_data  fewer than min_contacts_for_performance handled contacts, or 7-day-FCR-eligible
                         contacts, or fewer than min_evaluations_for_performance evaluations
      meets              FCR >= target, critical-error accuracy >= target, and AHT <= target when it applies
                         (at least min_contacts_for_performance contacts with a handle time; an agent who
                         takes almost no calls is judged on FCR and QA)
      below_target       otherwise
-#}
{#- A table, not a view: its data tests and several models read it (docs/decisions.md, "Views read many times"). -#}
{{ config(materialized='table') }}
with targets as (
    {{ metric_targets_row([
        ('hiring_performance_window_start_days', 'hire_window_start_day'),
        ('hiring_performance_window_end_days', 'hire_window_end_day'),
        ('proficiency_window_days', 'proficiency_window_days'),
        ('min_contacts_for_performance', 'min_contacts'),
        ('min_evaluations_for_performance', 'min_evaluations'),
        ('agent_fcr_7d_rate', 'fcr_7d_target'),
        ('agent_aht_seconds', 'aht_target_seconds'),
        ('agent_critical_error_accuracy', 'critical_error_accuracy_target'),
    ]) }}
),

data_days as (
    select
        min(local_date) as data_first_date,
        max(local_date) as data_last_date
    from {{ ref('int_contacts_unioned') }}
),

agents as (
    select * from {{ ref('stg_landing__agents') }}
),

hire_windows as (
    select
        'hire_61_90' as window_kind,
        agents.agent_id,
        cast(null as {{ dbt.type_string() }}) as enrollment_id,
        cast({{ dbt.dateadd('day', 'targets.hire_window_start_day - 1', 'agents.hired_at') }} as date) as window_start_date,
        cast({{ dbt.dateadd('day', 'targets.hire_window_end_day - 1', 'agents.hired_at') }} as date) as window_end_date
    from agents
    cross join targets
    where coalesce(agents.role, 'agent') = 'agent'
),

graduates as (
    select
        enrollments.enrollment_id,
        enrollments.agent_id,
        case
            when agents.production_start_at is null then enrollments.completed_at
            when enrollments.completed_at is not null and agents.production_start_at < enrollments.completed_at
                then enrollments.completed_at
            else agents.production_start_at
        end as production_day_1
    from {{ ref('stg_landing__training_enrollments') }} as enrollments
    left join agents
        on agents.agent_id = enrollments.agent_id
    where enrollments.outcome = 'graduated'
),

training_windows as (
    select
        'production_first_30' as window_kind,
        graduates.agent_id,
        graduates.enrollment_id,
        cast(graduates.production_day_1 as date) as window_start_date,
        cast({{ dbt.dateadd('day', 'targets.proficiency_window_days - 1', 'graduates.production_day_1') }} as date)
            as window_end_date
    from graduates
    cross join targets
),

windows as (
    select * from hire_windows
    union all
    select * from training_windows
),

contacts as (
    select contact_id, agent_id, local_date, is_handled, fcr_7d, handle_seconds
    from {{ ref('fct_contacts') }}
    where agent_id is not null
),

contact_performance as (
    select
        windows.window_kind,
        windows.agent_id,
        windows.enrollment_id,
        {{ contacts_count_if('contacts.is_handled') }} as handled_contacts,
        {{ contacts_count_if('contacts.is_handled and contacts.fcr_7d is not null') }} as fcr_7d_eligible,
        {{ contacts_count_if('contacts.is_handled and contacts.fcr_7d') }} as fcr_7d_count,
        {{ contacts_count_if('contacts.is_handled and contacts.handle_seconds is not null') }} as aht_contacts,
        coalesce(sum(case when contacts.is_handled then contacts.handle_seconds end), 0) as handle_seconds
    from windows
    inner join contacts
        on contacts.agent_id = windows.agent_id
        and contacts.local_date >= windows.window_start_date
        and contacts.local_date <= windows.window_end_date
    group by 1, 2, 3
),

evaluations as (
    select
        qa.agent_id,
        coalesce(contacts.local_date, qa.evaluated_local_date) as performance_date,
        -- an error of any critical class (customer, business, compliance); NULL when no item was recorded
        case
            when qa.has_customer_critical_error is null and qa.has_business_critical_error is null
                and qa.has_compliance_critical_error is null then null
            else coalesce(qa.has_customer_critical_error, false) or coalesce(qa.has_business_critical_error, false)
                or coalesce(qa.has_compliance_critical_error, false)
        end as has_any_critical_error
    from {{ ref('int_qa_evaluations_scored') }} as qa
    left join contacts
        on contacts.contact_id = qa.contact_id
    where qa.sample_type <> 'calibration'
),

qa_performance as (
    select
        windows.window_kind,
        windows.agent_id,
        windows.enrollment_id,
        {{ contacts_count_if('evaluations.has_any_critical_error is not null') }} as evaluations,
        {{ contacts_count_if('not evaluations.has_any_critical_error') }} as evaluations_without_critical_error
    from windows
    inner join evaluations
        on evaluations.agent_id = windows.agent_id
        and evaluations.performance_date >= windows.window_start_date
        and evaluations.performance_date <= windows.window_end_date
    group by 1, 2, 3
),

measured as (
    select
        windows.*,
        data_days.data_first_date,
        data_days.data_last_date,
        targets.*,
        coalesce(c.handled_contacts, 0) as handled_contacts,
        coalesce(c.fcr_7d_eligible, 0) as fcr_7d_eligible,
        coalesce(c.fcr_7d_count, 0) as fcr_7d_count,
        coalesce(c.aht_contacts, 0) as aht_contacts,
        coalesce(c.handle_seconds, 0) as handle_seconds,
        coalesce(q.evaluations, 0) as evaluations,
        coalesce(q.evaluations_without_critical_error, 0) as evaluations_without_critical_error
    from windows
    cross join data_days
    cross join targets
    left join contact_performance as c
        on c.window_kind = windows.window_kind
        and c.agent_id = windows.agent_id
        and coalesce(c.enrollment_id, '') = coalesce(windows.enrollment_id, '')
    left join qa_performance as q
        on q.window_kind = windows.window_kind
        and q.agent_id = windows.agent_id
        and coalesce(q.enrollment_id, '') = coalesce(windows.enrollment_id, '')
),

rated as (
    select
        measured.*,
        {{ contacts_safe_ratio('fcr_7d_count', 'fcr_7d_eligible') }} as fcr_7d_rate,
        {{ contacts_safe_ratio('handle_seconds', 'aht_contacts') }} as aht_seconds,
        {{ contacts_safe_ratio('evaluations_without_critical_error', 'evaluations') }} as critical_error_accuracy,
        window_start_date is not null and window_start_date >= data_first_date as is_window_observed,
        window_end_date is not null and window_end_date <= data_last_date as is_window_complete,
        aht_contacts >= min_contacts as is_aht_applicable
    from measured
),

judged as (
    select
        rated.*,
        fcr_7d_rate >= fcr_7d_target as fcr_7d_met,
        case when is_aht_applicable then aht_seconds <= aht_target_seconds end as aht_met,
        critical_error_accuracy >= critical_error_accuracy_target as critical_error_accuracy_met,
        case
            when handled_contacts < min_contacts then 'too_few_contacts'
            when fcr_7d_eligible < min_contacts then 'too_few_fcr_eligible_contacts'
            when evaluations < min_evaluations then 'too_few_evaluations'
        end as insufficient_data_reason
    from rated
)

select
    cast(window_kind as {{ dbt.type_string() }}) as window_kind,
    agent_id,
    enrollment_id,
    window_start_date,
    window_end_date,
    data_first_date,
    data_last_date,
    is_window_observed,
    is_window_complete,
    cast(handled_contacts as {{ dbt.type_bigint() }}) as handled_contacts,
    cast(fcr_7d_eligible as {{ dbt.type_bigint() }}) as fcr_7d_eligible,
    cast(fcr_7d_count as {{ dbt.type_bigint() }}) as fcr_7d_count,
    fcr_7d_rate,
    cast(aht_contacts as {{ dbt.type_bigint() }}) as aht_contacts,
    cast(handle_seconds as {{ type_double() }}) as handle_seconds,
    aht_seconds,
    cast(evaluations as {{ dbt.type_bigint() }}) as evaluations,
    cast(evaluations_without_critical_error as {{ dbt.type_bigint() }}) as evaluations_without_critical_error,
    critical_error_accuracy,
    is_aht_applicable,
    fcr_7d_met,
    aht_met,
    critical_error_accuracy_met,
    cast(
        case
            when not is_window_observed then 'not_observed'
            when not is_window_complete then 'censored'
            when insufficient_data_reason is not null then 'insufficient_data'
            when fcr_7d_met and critical_error_accuracy_met and coalesce(aht_met, true) then 'meets'
            else 'below_target'
        end as {{ dbt.type_string() }}
    ) as performance_status,
    cast(
        case when is_window_observed and is_window_complete then insufficient_data_reason end
        as {{ dbt.type_string() }}
    ) as insufficient_data_reason,
    cast(min_contacts as {{ dbt.type_int() }}) as min_contacts,
    cast(min_evaluations as {{ dbt.type_int() }}) as min_evaluations,
    cast(fcr_7d_target as {{ type_double() }}) as fcr_7d_target,
    cast(aht_target_seconds as {{ type_double() }}) as aht_target_seconds,
    cast(critical_error_accuracy_target as {{ type_double() }}) as critical_error_accuracy_target
from judged
