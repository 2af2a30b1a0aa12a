{#-
    Root causes of QA failures (metrics.md §6): for each form item that failed in a queue and local month, whether
    the fails concentrate in a few agents (coaching) or spread across the agents (process / system). Deming's
    common vs special causes, per cell: an agent is a special cause when the agent's fails are significantly
    above the rate of the OTHER agents of the cell (exact one-sided binomial test, p < qa_root_cause_outlier_alpha);
    those fails are coaching fails, the rest are process/system fails; the cell is `coaching` when coaching fails
    are the majority, else `process_system`. With the improvement_actions source: the actions about the item
    (same item_code, and the same queue or no queue) - the closed loop.
-#}
with targets as (
    {{ metric_targets_row([
        ('qa_root_cause_outlier_alpha', 'outlier_alpha'),
        ('qa_root_cause_min_fails', 'min_fails'),
    ]) }}
),

results as (
    select
        coalesce(evaluations.queue, 'unassigned') as queue,
        evaluations.qa_local_month as local_month,
        items.item_code,
        evaluations.agent_id,
        items.result
    from {{ ref('int_qa_evaluations_scored') }} as evaluations
    inner join {{ ref('stg_landing__qa_evaluation_items') }} as items
        on items.evaluation_id = evaluations.evaluation_id
    where evaluations.sample_type <> 'calibration'
      and evaluations.agent_id is not null
      and items.result in ('pass', 'fail')
),

agent_cells as (
    select
        queue,
        local_month,
        item_code,
        agent_id,
        count(*) as agent_evaluations,
        {{ contacts_count_if("result = 'fail'") }} as agent_fails
    from results
    group by queue, local_month, item_code, agent_id
),

cells as (
    select
        queue,
        local_month,
        item_code,
        sum(agent_evaluations) as evaluations,
        sum(agent_fails) as fails,
        count(*) as agents_evaluated,
        {{ contacts_count_if('agent_fails > 0') }} as agents_failing
    from agent_cells
    group by queue, local_month, item_code
    having sum(agent_fails) > 0
),

agent_tests as (
    select
        agent_cells.queue,
        agent_cells.local_month,
        agent_cells.item_code,
        agent_cells.agent_id,
        agent_cells.agent_fails,
        agent_cells.agent_evaluations,
        cast(cells.fails - agent_cells.agent_fails as {{ type_double() }})
            / (cells.evaluations - agent_cells.agent_evaluations) as rest_fail_rate
    from agent_cells
    inner join cells
        on cells.queue = agent_cells.queue
        and cells.local_month = agent_cells.local_month
        and cells.item_code = agent_cells.item_code
    where agent_cells.agent_fails > 0
      and cells.evaluations > agent_cells.agent_evaluations
),

{{ qa_binomial_upper_tail_ctes('agent_outlier', 'agent_tests', ['queue', 'local_month', 'item_code', 'agent_id'],
    'agent_fails', 'agent_evaluations', 'rest_fail_rate') }},

outliers as (
    select
        agent_tests.queue,
        agent_tests.local_month,
        agent_tests.item_code,
        count(*) as outlier_agents,
        sum(agent_tests.agent_fails) as outlier_fails
    from agent_tests
    inner join agent_outlier
        on agent_outlier.queue = agent_tests.queue
        and agent_outlier.local_month = agent_tests.local_month
        and agent_outlier.item_code = agent_tests.item_code
        and agent_outlier.agent_id = agent_tests.agent_id
    cross join targets
    where agent_outlier.p_value < targets.outlier_alpha
    group by agent_tests.queue, agent_tests.local_month, agent_tests.item_code
),

actions as (
    select
        cells.queue,
        cells.local_month,
        cells.item_code,
        count(*) as actions_linked,
        {{ contacts_count_if("actions.status = 'done'") }} as actions_done,
        {{ contacts_count_if("actions.status in ('open', 'in_progress')") }} as actions_open
    from cells
    inner join {{ ref('stg_landing__improvement_actions') }} as actions
        on actions.item_code = cells.item_code
        and (actions.queue = cells.queue or actions.queue is null)
    group by cells.queue, cells.local_month, cells.item_code
)

select
    cells.queue,
    cells.local_month,
    cells.item_code,
    form.error_class,
    form.touchpoint,
    cast(cells.evaluations as {{ dbt.type_bigint() }}) as evaluations,
    cast(cells.fails as {{ dbt.type_bigint() }}) as fails,
    {{ contacts_safe_ratio('cells.fails', 'cells.evaluations') }} as fail_rate,
    cast(cells.agents_evaluated as {{ dbt.type_bigint() }}) as agents_evaluated,
    cast(cells.agents_failing as {{ dbt.type_bigint() }}) as agents_failing,
    cast(coalesce(outliers.outlier_agents, 0) as {{ dbt.type_bigint() }}) as outlier_agents,
    cast(coalesce(outliers.outlier_fails, 0) as {{ dbt.type_bigint() }}) as coaching_fails,
    cast(cells.fails - coalesce(outliers.outlier_fails, 0) as {{ dbt.type_bigint() }}) as process_system_fails,
    {{ contacts_safe_ratio('coalesce(outliers.outlier_fails, 0)', 'cells.fails') }} as coaching_share,
    case
        when cells.fails < targets.min_fails then 'too_few_failures'
        when cells.agents_evaluated < 2 then 'single_agent'
        when 2 * coalesce(outliers.outlier_fails, 0) > cells.fails then 'coaching'
        else 'process_system'
    end as root_cause,
    cast(coalesce(actions.actions_linked, 0) as {{ dbt.type_bigint() }}) as actions_linked,
    cast(coalesce(actions.actions_done, 0) as {{ dbt.type_bigint() }}) as actions_done,
    cast(coalesce(actions.actions_open, 0) as {{ dbt.type_bigint() }}) as actions_open,
    targets.outlier_alpha,
    cast(targets.min_fails as {{ dbt.type_bigint() }}) as min_fails
from cells
cross join targets
left join outliers
    on outliers.queue = cells.queue
    and outliers.local_month = cells.local_month
    and outliers.item_code = cells.item_code
left join actions
    on actions.queue = cells.queue
    and actions.local_month = cells.local_month
    and actions.item_code = cells.item_code
left join {{ ref('qa_form_items') }} as form
    on form.item_code = cells.item_code
