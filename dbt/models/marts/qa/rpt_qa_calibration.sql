{#-
    Calibration (metrics.md §6, §8): per calibration session and evaluator, the session's item percent agreement
    and Fleiss' kappa over pass/fail, and the evaluator's agreement with the session majority. Session columns
    repeat on each evaluator row of the session.
-#}
with targets as (
    {{ metric_targets_row([
        ('calibration_percent_agreement', 'percent_agreement_target'),
        ('calibration_fleiss_kappa', 'fleiss_kappa_target'),
    ]) }}
),

ratings as (
    select * from {{ ref('int_qa_calibration_ratings') }}
),

counts as (
    select
        calibration_session_id,
        contact_id || '|' || item_code as subject,
        result as category,
        count(*) as raters
    from ratings
    group by calibration_session_id, contact_id || '|' || item_code, result
),

{{ qa_fleiss_kappa_ctes('session_kappa', 'counts', ['calibration_session_id']) }},

sessions as (
    select
        calibration_session_id,
        min(session_local_month) as local_month,
        count(distinct contact_id) as contacts,
        count(distinct evaluator_id) as evaluators,
        count(distinct evaluation_id) as session_evaluations,
        -- subjects rated by at least two raters: the base of agreement and kappa
        count(distinct case when subject_ratings >= 2 then contact_id || '|' || item_code end) as subjects,
        {{ contacts_count_if("subject_ratings >= 2 and result = 'pass'") }} as pass_ratings,
        {{ contacts_count_if("subject_ratings >= 2 and result = 'fail'") }} as fail_ratings,
        count(distinct case when subject_ratings >= 2 and (subject_passes = 0 or subject_fails = 0)
            then contact_id || '|' || item_code end) as unanimous_subjects
    from ratings
    group by calibration_session_id
),

evaluators as (
    select
        calibration_session_id,
        evaluator_id,
        count(*) as evaluator_ratings,
        {{ contacts_count_if("result = 'fail'") }} as evaluator_fails,
        {{ contacts_count_if('agrees_with_majority is not null') }} as majority_subjects,
        {{ contacts_count_if('agrees_with_majority') }} as agreeing_with_majority
    from ratings
    group by calibration_session_id, evaluator_id
)

select
    sessions.calibration_session_id,
    evaluators.evaluator_id,
    sessions.local_month,
    cast(sessions.contacts as {{ dbt.type_bigint() }}) as contacts,
    cast(sessions.evaluators as {{ dbt.type_bigint() }}) as evaluators,
    cast(sessions.session_evaluations as {{ dbt.type_bigint() }}) as session_evaluations,
    cast(sessions.subjects as {{ dbt.type_bigint() }}) as items,
    sessions.pass_ratings + sessions.fail_ratings as ratings,
    sessions.pass_ratings,
    sessions.fail_ratings,
    cast(sessions.unanimous_subjects as {{ dbt.type_bigint() }}) as unanimous_items,
    cast(session_kappa.p_i_sum as {{ type_double() }}) as agreement_sum,
    cast(session_kappa.percent_agreement as {{ type_double() }}) as percent_agreement,
    cast(session_kappa.expected_agreement as {{ type_double() }}) as expected_agreement,
    cast(session_kappa.fleiss_kappa as {{ type_double() }}) as fleiss_kappa,
    case
        when session_kappa.subjects is null then 'no_item_rated_twice'
        when session_kappa.fleiss_kappa is null then 'no_variation'
    end as kappa_null_reason,
    evaluators.evaluator_ratings,
    evaluators.evaluator_fails,
    evaluators.majority_subjects as evaluator_majority_items,
    evaluators.agreeing_with_majority as evaluator_agreeing_items,
    {{ contacts_safe_ratio('evaluators.agreeing_with_majority', 'evaluators.majority_subjects') }} as evaluator_majority_agreement,
    targets.percent_agreement_target,
    targets.fleiss_kappa_target
from sessions
inner join evaluators
    on evaluators.calibration_session_id = sessions.calibration_session_id
left join session_kappa
    on session_kappa.calibration_session_id = sessions.calibration_session_id
cross join targets
