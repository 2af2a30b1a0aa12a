{#-
    Calibration over time (metrics.md §6): per local month, Fleiss' kappa and percent agreement pooled over every
    subject (session x contact x item) of the month's sessions, the mean of the session kappas, and the
    evaluators' pooled agreement with their session majorities.
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
        session_local_month,
        calibration_session_id || '|' || contact_id || '|' || item_code as subject,
        result as category,
        count(*) as raters
    from ratings
    group by session_local_month, calibration_session_id || '|' || contact_id || '|' || item_code, result
),

{{ qa_fleiss_kappa_ctes('month_kappa', 'counts', ['session_local_month']) }},

months as (
    select
        session_local_month,
        count(distinct calibration_session_id) as sessions,
        count(distinct evaluator_id) as evaluators,
        {{ contacts_count_if("subject_ratings >= 2 and result = 'pass'") }} as pass_ratings,
        {{ contacts_count_if("subject_ratings >= 2 and result = 'fail'") }} as fail_ratings,
        {{ contacts_count_if('agrees_with_majority is not null') }} as majority_ratings,
        {{ contacts_count_if('agrees_with_majority') }} as agreeing_with_majority
    from ratings
    group by session_local_month
),

session_kappas as (
    select local_month, avg(fleiss_kappa) as mean_session_kappa, count(fleiss_kappa) as sessions_with_kappa
    from (
        select distinct calibration_session_id, local_month, fleiss_kappa
        from {{ ref('rpt_qa_calibration') }}
    ) as per_session
    group by local_month
)

select
    months.session_local_month as local_month,
    cast(months.sessions as {{ dbt.type_bigint() }}) as sessions,
    cast(months.evaluators as {{ dbt.type_bigint() }}) as evaluators,
    cast(coalesce(month_kappa.subjects, 0) as {{ dbt.type_bigint() }}) as items,
    months.pass_ratings + months.fail_ratings as ratings,
    months.pass_ratings,
    months.fail_ratings,
    cast(month_kappa.p_i_sum as {{ type_double() }}) as agreement_sum,
    cast(month_kappa.percent_agreement as {{ type_double() }}) as percent_agreement,
    cast(month_kappa.expected_agreement as {{ type_double() }}) as expected_agreement,
    cast(month_kappa.fleiss_kappa as {{ type_double() }}) as fleiss_kappa,
    case
        when month_kappa.subjects is null then 'no_item_rated_twice'
        when month_kappa.fleiss_kappa is null then 'no_variation'
    end as kappa_null_reason,
    cast(session_kappas.mean_session_kappa as {{ type_double() }}) as mean_session_kappa,
    cast(coalesce(session_kappas.sessions_with_kappa, 0) as {{ dbt.type_bigint() }}) as sessions_with_kappa,
    months.majority_ratings,
    months.agreeing_with_majority,
    {{ contacts_safe_ratio('months.agreeing_with_majority', 'months.majority_ratings') }} as majority_agreement,
    targets.percent_agreement_target,
    targets.fleiss_kappa_target
from months
left join month_kappa
    on month_kappa.session_local_month = months.session_local_month
left join session_kappas
    on session_kappas.local_month = months.session_local_month
cross join targets
