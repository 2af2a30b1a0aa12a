{#-
    The closed loop from QA findings to fixes (metrics.md §6), per local month: the problems the root-cause split
    found (rpt_qa_root_causes cells classified coaching or process_system, by the month of the evaluated
    contacts) and the improvement actions opened that month (improvement_actions, by opened_at), by action type,
    with how many are done and how old the open ones are at the end of the data.
-#}
{%- set action_types = ['loss_control', 'quick_win', 'product_iteration', 'process_change', 'coaching'] %}

with problems as (
    select
        local_month,
        {{ contacts_count_if("root_cause in ('coaching', 'process_system')") }} as problems_found,
        {{ contacts_count_if("root_cause = 'process_system'") }} as process_system_problems,
        {{ contacts_count_if("root_cause = 'coaching'") }} as coaching_problems,
        cast(sum(case when root_cause in ('coaching', 'process_system') then fails else 0 end) as {{ dbt.type_bigint() }}) as classified_fails,
        cast(sum(case when root_cause in ('coaching', 'process_system') then process_system_fails else 0 end) as {{ dbt.type_bigint() }}) as process_system_fails,
        cast(sum(case when root_cause in ('coaching', 'process_system') then coaching_fails else 0 end) as {{ dbt.type_bigint() }}) as coaching_fails,
        {{ contacts_count_if("root_cause in ('coaching', 'process_system') and actions_linked > 0") }} as problems_with_action
    from {{ ref('rpt_qa_root_causes') }}
    group by local_month
),

data_end as (
    select max(instant) as data_end_at
    from (
        select max(started_at) as instant from {{ ref('int_contacts_unioned') }}
        union all select max(opened_at) from {{ ref('stg_landing__improvement_actions') }}
        union all select max(closed_at) from {{ ref('stg_landing__improvement_actions') }}
    ) as instants
),

actions as (
    select
        cast({{ dbt.date_trunc('month', 'actions.opened_local_date') }} as date) as local_month,
        actions.action_type,
        actions.status,
        {{ contacts_seconds_between('actions.opened_at', 'actions.closed_at') }} / 86400.0 as days_to_close,
        case
            when actions.status in ('open', 'in_progress')
                then {{ contacts_seconds_between('actions.opened_at', 'data_end.data_end_at') }} / 86400.0
        end as open_age_days
    from {{ ref('stg_landing__improvement_actions') }} as actions
    cross join data_end
),

action_counts as (
    select
        local_month,
        count(*) as actions_opened,
        {%- for action_type in action_types %}
        {{ contacts_count_if("action_type = '" ~ action_type ~ "'") }} as actions_opened_{{ action_type }},
        {%- endfor %}
        {{ contacts_count_if("status = 'done'") }} as actions_done,
        {{ contacts_count_if("status = 'dropped'") }} as actions_dropped,
        {{ contacts_count_if("status in ('open', 'in_progress')") }} as actions_open,
        cast(sum(case when status = 'done' then days_to_close end) as {{ type_double() }}) as days_to_close_sum,
        cast({{ qa_median("case when status = 'done' then days_to_close end") }} as {{ type_double() }}) as median_days_to_close,
        cast(sum(open_age_days) as {{ type_double() }}) as open_age_days_sum,
        cast(max(open_age_days) as {{ type_double() }}) as max_open_age_days
    from actions
    group by local_month
),

months as (
    select local_month from problems
    union
    select local_month from action_counts
)

select
    months.local_month,
    cast(coalesce(problems.problems_found, 0) as {{ dbt.type_bigint() }}) as problems_found,
    cast(coalesce(problems.process_system_problems, 0) as {{ dbt.type_bigint() }}) as process_system_problems,
    cast(coalesce(problems.coaching_problems, 0) as {{ dbt.type_bigint() }}) as coaching_problems,
    cast(coalesce(problems.classified_fails, 0) as {{ dbt.type_bigint() }}) as classified_fails,
    cast(coalesce(problems.process_system_fails, 0) as {{ dbt.type_bigint() }}) as process_system_fails,
    cast(coalesce(problems.coaching_fails, 0) as {{ dbt.type_bigint() }}) as coaching_fails,
    {{ contacts_safe_ratio('problems.process_system_fails', 'problems.classified_fails') }} as process_system_share,
    cast(coalesce(problems.problems_with_action, 0) as {{ dbt.type_bigint() }}) as problems_with_action,
    cast(coalesce(action_counts.actions_opened, 0) as {{ dbt.type_bigint() }}) as actions_opened,
    {%- for action_type in action_types %}
    cast(coalesce(action_counts.actions_opened_{{ action_type }}, 0) as {{ dbt.type_bigint() }}) as actions_opened_{{ action_type }},
    {%- endfor %}
    cast(coalesce(action_counts.actions_done, 0) as {{ dbt.type_bigint() }}) as actions_done,
    cast(coalesce(action_counts.actions_dropped, 0) as {{ dbt.type_bigint() }}) as actions_dropped,
    cast(coalesce(action_counts.actions_open, 0) as {{ dbt.type_bigint() }}) as actions_open,
    action_counts.days_to_close_sum,
    action_counts.median_days_to_close,
    action_counts.open_age_days_sum,
    action_counts.max_open_age_days
from months
left join problems
    on problems.local_month = months.local_month
left join action_counts
    on action_counts.local_month = months.local_month
