{#-
    The counts behind critical-error accuracy (metrics.md §6), per cell:
      process level: queue x local month x error class, RANDOM-sample evaluations only;
      agent level:   agent x local month x error class (plus any_critical), every sample type but calibration.
    evaluations = evaluations with at least one recorded item; without_error = those without a fail on an item
    of the class (several fails of a class count once; `na` items are no fail). handled_contacts = the cell's
    handled contacts in fct_contacts (the population N of the sample-size formula). A cell with handled
    contacts and no evaluation is kept with evaluations = 0. The month is the evaluated contact's local month.
-#}
{#- A table, not a view: its data tests and several models read it (docs/decisions.md, "Views read many times"). -#}
{{ config(materialized='table') }}
{%- set classes = ['customer_critical', 'business_critical', 'compliance_critical'] %}

with evaluations as (
    select
        evaluation_id,
        sample_type,
        coalesce(queue, 'unassigned') as queue,
        agent_id,
        qa_local_month as local_month,
        {%- for error_class in classes %}
        has_{{ error_class }}_error,
        {%- endfor %}
        has_critical_error as has_any_critical_error
    from {{ ref('int_qa_evaluations_scored') }}
    where items_recorded > 0  -- an evaluation without any recorded item measured nothing
),

error_classes as (
    {%- for error_class in classes + ['any_critical'] %}
    select '{{ error_class }}' as error_class{{ ' union all' if not loop.last }}
    {%- endfor %}
),

evaluated as (
    {%- for level, key, condition in [
        ('process', 'queue', "sample_type = 'random'"),
        ('agent', 'agent_id', "sample_type <> 'calibration' and agent_id is not null")] %}
    {%- set level_loop = loop %}
    {%- for error_class in (classes if level == 'process' else classes + ['any_critical']) %}
    select
        '{{ level }}' as cell_level,
        {{ key }} as cell_key,
        local_month,
        '{{ error_class }}' as error_class,
        count(*) as evaluations,
        {{ contacts_count_if('not has_' ~ error_class ~ '_error') }} as without_error
    from evaluations
    where {{ condition }}
    group by {{ key }}, local_month
    {{ 'union all' if not (loop.last and level_loop.last) }}
    {%- endfor %}
    {%- endfor %}
),

handled as (
    {%- for level, key in [('process', "coalesce(queue, 'unassigned')"), ('agent', 'agent_id')] %}
    select
        '{{ level }}' as cell_level,
        {{ key }} as cell_key,
        cast({{ dbt.date_trunc('month', 'local_date') }} as date) as local_month,
        {{ contacts_count_if('is_handled') }} as handled_contacts
    from {{ ref('fct_contacts') }}
    -- the population QA samples from: calls and conversations, not ticket contacts (rpt_qa_sampling_plan)
    where is_handled and contact_source <> 'tickets'
      {%- if level == 'agent' %} and agent_id is not null{% endif %}
    group by {{ key }}, cast({{ dbt.date_trunc('month', 'local_date') }} as date)
    {{ 'union all' if not loop.last }}
    {%- endfor %}
),

cells as (
    select cell_level, cell_key, local_month, error_class
    from handled
    cross join error_classes
    where cell_level = 'agent' or error_class <> 'any_critical'
    union
    select cell_level, cell_key, local_month, error_class
    from evaluated
)

select
    cells.cell_level,
    case when cells.cell_level = 'process' then cells.cell_key end as queue,
    case when cells.cell_level = 'agent' then cells.cell_key end as agent_id,
    cells.local_month,
    cells.error_class,
    cast(coalesce(evaluated.evaluations, 0) as {{ dbt.type_bigint() }}) as evaluations,
    cast(coalesce(evaluated.without_error, 0) as {{ dbt.type_bigint() }}) as without_error,
    cast(coalesce(handled.handled_contacts, 0) as {{ dbt.type_bigint() }}) as handled_contacts
from cells
left join evaluated
    on evaluated.cell_level = cells.cell_level
    and evaluated.cell_key = cells.cell_key
    and evaluated.local_month = cells.local_month
    and evaluated.error_class = cells.error_class
left join handled
    on handled.cell_level = cells.cell_level
    and handled.cell_key = cells.cell_key
    and handled.local_month = cells.local_month
