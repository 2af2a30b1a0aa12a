{#-
    Training quality per class (metrics.md §5): one row per class_id over int_enrollments_evaluated.
    graduation_rate = graduated / started, started = enrollments that ended (graduated + failed + withdrawn;
    in_progress excluded). training_quality_rate = proficient / judged, judged = graduates whose first
    proficiency_window_days in production are known (proficient + below_target + left_during_window);
    censored, not observed and insufficient-data graduates are counted in their own columns and left out.
    The window's contact and QA measures of the judged and insufficient-data graduates are summed beside
    (pooled FCR, AHT and critical-error accuracy of the class's new producers).
-#}
with enrollments as (
    select * from {{ ref('int_enrollments_evaluated') }}
),

targets as (
    {{ metric_targets_row([
        ('training_quality_rate', 'training_quality_target'),
        ('training_graduation_rate', 'graduation_rate_target'),
    ]) }}
),

classes as (
    select
        class_id,
        max(program) as program,
        min(started_at) as class_started_at,
        max(completed_at) as class_completed_at,
        count(*) as enrolled,
        {{ contacts_count_if("outcome = 'in_progress'") }} as in_progress,
        {{ contacts_count_if("outcome <> 'in_progress'") }} as started,
        {{ contacts_count_if("outcome = 'graduated'") }} as graduated,
        {{ contacts_count_if("outcome = 'failed'") }} as failed,
        {{ contacts_count_if("outcome = 'withdrawn'") }} as withdrawn,
        count(assessment_score) as assessed,
        sum(assessment_score) as assessment_score_sum,
        {{ contacts_count_if("training_status = 'censored'") }} as censored,
        {{ contacts_count_if("training_status = 'not_observed'") }} as not_observed,
        {{ contacts_count_if("training_status = 'insufficient_data'") }} as insufficient_data,
        {{ contacts_count_if("training_status = 'left_during_window'") }} as left_during_window,
        {{ contacts_count_if("training_status = 'below_target'") }} as below_target,
        {{ contacts_count_if("training_status = 'proficient'") }} as proficient,
        {{ contacts_count_if("training_status in ('proficient', 'below_target', 'left_during_window')") }} as judged,
        {%- set pooled = "training_status in ('proficient', 'below_target', 'insufficient_data')" %}
        coalesce(sum(case when {{ pooled }} then handled_contacts end), 0) as window_handled_contacts,
        coalesce(sum(case when {{ pooled }} then fcr_7d_eligible end), 0) as window_fcr_7d_eligible,
        coalesce(sum(case when {{ pooled }} then fcr_7d_count end), 0) as window_fcr_7d_count,
        coalesce(sum(case when {{ pooled }} then aht_contacts end), 0) as window_aht_contacts,
        coalesce(sum(case when {{ pooled }} then handle_seconds end), 0) as window_handle_seconds,
        coalesce(sum(case when {{ pooled }} then evaluations end), 0) as window_evaluations,
        coalesce(sum(case when {{ pooled }} then evaluations_without_critical_error end), 0)
            as window_evaluations_without_critical_error
    from enrollments
    group by class_id
)

select
    cast(classes.class_id as {{ dbt.type_string() }}) as class_id,
    cast(classes.program as {{ dbt.type_string() }}) as program,
    cast(classes.class_started_at as date) as class_started_at,
    cast(classes.class_completed_at as date) as class_completed_at,
    cast(classes.enrolled as {{ dbt.type_bigint() }}) as enrolled,
    classes.in_progress,
    classes.started,
    classes.graduated,
    classes.failed,
    classes.withdrawn,
    cast({{ contacts_safe_ratio('classes.graduated', 'classes.started') }} as {{ type_double() }}) as graduation_rate,
    cast(targets.graduation_rate_target as {{ type_double() }}) as graduation_rate_target,
    cast(classes.assessed as {{ dbt.type_bigint() }}) as assessed,
    cast(classes.assessment_score_sum as {{ type_double() }}) as assessment_score_sum,
    cast({{ contacts_safe_ratio('classes.assessment_score_sum', 'classes.assessed') }} as {{ type_double() }})
        as assessment_score_avg,
    classes.censored,
    classes.not_observed,
    classes.insufficient_data,
    classes.left_during_window,
    classes.below_target,
    classes.proficient,
    classes.judged,
    cast({{ contacts_safe_ratio('classes.proficient', 'classes.judged') }} as {{ type_double() }}) as training_quality_rate,
    cast(targets.training_quality_target as {{ type_double() }}) as target,
    cast(
        case when classes.judged > 0
            then cast(classes.proficient as {{ type_double() }}) / classes.judged >= targets.training_quality_target end
        as {{ dbt.type_boolean() }}
    ) as target_met,
    cast(
        case when classes.judged = 0 then
            case
                when classes.graduated = 0 then 'no_graduates'
                when classes.censored > 0 then 'censored'
                when classes.insufficient_data > 0 then 'insufficient_data'
                else 'not_observed'
            end
        end as {{ dbt.type_string() }}
    ) as training_quality_null_reason,
    cast(classes.window_handled_contacts as {{ dbt.type_bigint() }}) as window_handled_contacts,
    cast(classes.window_fcr_7d_eligible as {{ dbt.type_bigint() }}) as window_fcr_7d_eligible,
    cast(classes.window_fcr_7d_count as {{ dbt.type_bigint() }}) as window_fcr_7d_count,
    cast({{ contacts_safe_ratio('classes.window_fcr_7d_count', 'classes.window_fcr_7d_eligible') }} as {{ type_double() }})
        as window_fcr_7d_rate,
    cast(classes.window_aht_contacts as {{ dbt.type_bigint() }}) as window_aht_contacts,
    cast(classes.window_handle_seconds as {{ type_double() }}) as window_handle_seconds,
    cast({{ contacts_safe_ratio('classes.window_handle_seconds', 'classes.window_aht_contacts') }} as {{ type_double() }})
        as window_aht_seconds,
    cast(classes.window_evaluations as {{ dbt.type_bigint() }}) as window_evaluations,
    cast(classes.window_evaluations_without_critical_error as {{ dbt.type_bigint() }})
        as window_evaluations_without_critical_error,
    cast({{ contacts_safe_ratio('classes.window_evaluations_without_critical_error', 'classes.window_evaluations') }}
        as {{ type_double() }}) as window_critical_error_accuracy
from classes
cross join targets
