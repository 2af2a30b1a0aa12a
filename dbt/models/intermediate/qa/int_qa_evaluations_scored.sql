{#-
    One row per QA evaluation with its critical-error flags per class and its non-critical score
    (metrics.md §6). The shared base of every QA mart and of the people-quality performance checks.
-#}
with evaluations as (
    select * from {{ ref('stg_landing__qa_evaluations') }}
),

contacts as (
    select contact_id, queue, channel, local_date
    from {{ ref('int_contacts_unioned') }}
),

items as (
    select
        item.evaluation_id,
        item.item_code,
        item.result,
        form.error_class,
        cast(form.weight as {{ type_double() }}) as weight
    from {{ ref('stg_landing__qa_evaluation_items') }} as item
    left join {{ ref('qa_form_items') }} as form
        on form.item_code = item.item_code
),

per_evaluation as (
    select
        evaluation_id,
        count(*) as items_recorded,
        sum(case when result <> 'na' then 1 else 0 end) as items_scored,
        sum(case when error_class is null then 1 else 0 end) as items_unknown,
        {%- for error_class in ['customer_critical', 'business_critical', 'compliance_critical'] %}
        sum(case when error_class = '{{ error_class }}' and result <> 'na' then 1 else 0 end) as {{ error_class }}_items_scored,
        sum(case when error_class = '{{ error_class }}' and result = 'fail' then 1 else 0 end) as {{ error_class }}_fails,
        {%- endfor %}
        sum(case when error_class = 'non_critical' and result = 'fail' then 1 else 0 end) as non_critical_fails,
        sum(case when error_class = 'non_critical' and result = 'pass' then weight else 0 end) as non_critical_weight_passed,
        sum(case when error_class = 'non_critical' and result in ('pass', 'fail') then weight else 0 end) as non_critical_weight_scored
    from items
    group by evaluation_id
)

select
    evaluations.evaluation_id,
    evaluations.contact_id,
    evaluations.agent_id,
    evaluations.evaluator_id,
    evaluations.evaluated_at,
    evaluations.evaluated_local_date,
    cast({{ dbt.date_trunc('month', 'evaluations.evaluated_local_date') }} as date) as evaluated_local_month,
    evaluations.sample_type,
    -- the evaluated contact: QA cells (queue x month) follow the contact, as the sample is drawn from the
    -- handled contacts of a month; an evaluation of a contact that is not in the data keeps its evaluation month
    contacts.contact_id is not null as contact_found,
    contacts.queue,
    contacts.channel,
    contacts.local_date as contact_local_date,
    cast(coalesce(
        {{ dbt.date_trunc('month', 'contacts.local_date') }},
        {{ dbt.date_trunc('month', 'evaluations.evaluated_local_date') }}
    ) as date) as qa_local_month,
    evaluations.calibration_session_id,
    evaluations.form_version,
    coalesce(per_evaluation.items_recorded, 0) as items_recorded,
    coalesce(per_evaluation.items_scored, 0) as items_scored,
    coalesce(per_evaluation.items_unknown, 0) as items_unknown,
    {%- for error_class in ['customer_critical', 'business_critical', 'compliance_critical'] %}
    coalesce(per_evaluation.{{ error_class }}_items_scored, 0) as {{ error_class }}_items_scored,
    coalesce(per_evaluation.{{ error_class }}_fails, 0) as {{ error_class }}_fails,
    -- a transaction with several errors of a class counts once; an evaluation without any recorded item
    -- measured nothing (NULL), one whose items of the class are all `na` had no error of it
    case
        when per_evaluation.evaluation_id is null then null
        else per_evaluation.{{ error_class }}_fails > 0
    end as has_{{ error_class }}_error,
    {%- endfor %}
    -- any critical class (the agent performance criterion agent_critical_error_accuracy)
    case
        when per_evaluation.evaluation_id is null then null
        else per_evaluation.customer_critical_fails + per_evaluation.business_critical_fails
            + per_evaluation.compliance_critical_fails > 0
    end as has_critical_error,
    coalesce(per_evaluation.non_critical_fails, 0) as non_critical_fails,
    coalesce(per_evaluation.non_critical_weight_passed, 0) as non_critical_weight_passed,
    coalesce(per_evaluation.non_critical_weight_scored, 0) as non_critical_weight_scored,
    -- weighted pass share of the non-critical items, `na` excluded; NULL when none was scored
    case
        when coalesce(per_evaluation.non_critical_weight_scored, 0) > 0
            then per_evaluation.non_critical_weight_passed / per_evaluation.non_critical_weight_scored
    end as non_critical_score
from evaluations
left join contacts
    on contacts.contact_id = evaluations.contact_id
left join per_evaluation
    on per_evaluation.evaluation_id = evaluations.evaluation_id
