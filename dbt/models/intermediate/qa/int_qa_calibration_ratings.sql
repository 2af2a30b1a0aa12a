{#-
    Calibration ratings (metrics.md §6): one row per calibration evaluation x form item rated pass or fail, with
    the session's ratings of the same subject (contact x item) and the majority result. `na` ratings carry no
    pass/fail judgment and are left out. Rater = evaluation (an evaluator who scored the same contact twice in a
    session counts twice).
-#}
with calibration_evaluations as (
    select
        evaluation_id,
        calibration_session_id,
        contact_id,
        evaluator_id,
        evaluated_local_date
    from {{ ref('stg_landing__qa_evaluations') }}
    where sample_type = 'calibration'
      and calibration_session_id is not null
),

sessions as (
    select
        calibration_session_id,
        cast({{ dbt.date_trunc('month', 'min(evaluated_local_date)') }} as date) as session_local_month
    from calibration_evaluations
    group by calibration_session_id
),

ratings as (
    select
        evaluations.calibration_session_id,
        evaluations.contact_id,
        items.item_code,
        evaluations.evaluation_id,
        evaluations.evaluator_id,
        items.result
    from calibration_evaluations as evaluations
    inner join {{ ref('stg_landing__qa_evaluation_items') }} as items
        on items.evaluation_id = evaluations.evaluation_id
    where items.result in ('pass', 'fail')
),

subjects as (
    select
        calibration_session_id,
        contact_id,
        item_code,
        count(*) as subject_ratings,
        sum(case when result = 'pass' then 1 else 0 end) as subject_passes,
        sum(case when result = 'fail' then 1 else 0 end) as subject_fails
    from ratings
    group by calibration_session_id, contact_id, item_code
)

select
    ratings.calibration_session_id,
    sessions.session_local_month,
    ratings.contact_id,
    ratings.item_code,
    ratings.evaluation_id,
    ratings.evaluator_id,
    ratings.result,
    cast(subjects.subject_ratings as {{ dbt.type_bigint() }}) as subject_ratings,
    cast(subjects.subject_passes as {{ dbt.type_bigint() }}) as subject_passes,
    cast(subjects.subject_fails as {{ dbt.type_bigint() }}) as subject_fails,
    -- strictly more ratings than the other result; a tie has no majority
    case
        when subjects.subject_passes > subjects.subject_fails then 'pass'
        when subjects.subject_fails > subjects.subject_passes then 'fail'
    end as majority_result,
    case
        when subjects.subject_passes = subjects.subject_fails then null
        else ratings.result = case when subjects.subject_passes > subjects.subject_fails then 'pass' else 'fail' end
    end as agrees_with_majority
from ratings
inner join subjects
    on subjects.calibration_session_id = ratings.calibration_session_id
    and subjects.contact_id = ratings.contact_id
    and subjects.item_code = ratings.item_code
inner join sessions
    on sessions.calibration_session_id = ratings.calibration_session_id
