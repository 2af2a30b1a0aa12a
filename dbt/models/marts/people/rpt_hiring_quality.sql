{#-
    Hiring quality per hire cohort (metrics.md §5): one row per hire month x hire source x recruiter x site
    (NULL is its own group) over int_hires_evaluated. hiring_quality_rate = performing_90d / judged, where
    judged = eligible hires whose outcome is known (not_retained + performing + below_target): censored hires
    (day 90 after the data), hires whose days 61-90 precede the contact data and retained hires with
    insufficient data are counted in their own columns and left out. retention_90d_rate = retained_90d /
    eligible. Sum the counts to roll up (by month, source, recruiter or site), then divide.
-#}
with hires as (
    select * from {{ ref('int_hires_evaluated') }}
),

targets as (
    {{ metric_targets_row([
        ('hiring_quality_rate', 'hiring_quality_target'),
        ('retention_90d_rate', 'retention_90d_target'),
    ]) }}
),

cohorts as (
    select
        hire_month,
        hire_source,
        recruiter_id,
        site,
        count(*) as hires,
        {{ contacts_count_if("hiring_status = 'censored'") }} as censored,
        {{ contacts_count_if('is_eligible') }} as eligible,
        {{ contacts_count_if('is_retained_90d') }} as retained_90d,
        {{ contacts_count_if('is_eligible and not is_retained_90d') }} as attrition_90d,
        {{ contacts_count_if("attrition_90d_type = 'voluntary'") }} as attrition_90d_voluntary,
        {{ contacts_count_if("attrition_90d_type = 'involuntary'") }} as attrition_90d_involuntary,
        {{ contacts_count_if("attrition_90d_type = 'unknown'") }} as attrition_90d_type_unknown,
        {{ contacts_count_if("hiring_status = 'not_observed'") }} as not_observed,
        {{ contacts_count_if("hiring_status = 'insufficient_data'") }} as insufficient_data,
        {{ contacts_count_if("hiring_status = 'not_retained'") }} as not_retained_judged,
        {{ contacts_count_if("hiring_status = 'below_target'") }} as below_target,
        {{ contacts_count_if("hiring_status = 'performing'") }} as performing_90d,
        {{ contacts_count_if("hiring_status in ('not_retained', 'below_target', 'performing')") }} as judged
    from hires
    group by 1, 2, 3, 4
)

select
    cast(cohorts.hire_month as date) as hire_month,
    cast(cohorts.hire_source as {{ dbt.type_string() }}) as hire_source,
    cast(cohorts.recruiter_id as {{ dbt.type_string() }}) as recruiter_id,
    cast(cohorts.site as {{ dbt.type_string() }}) as site,
    cast(cohorts.hires as {{ dbt.type_bigint() }}) as hires,
    cohorts.censored,
    cohorts.eligible,
    cohorts.retained_90d,
    cast({{ contacts_safe_ratio('cohorts.retained_90d', 'cohorts.eligible') }} as {{ type_double() }}) as retention_90d_rate,
    cohorts.attrition_90d,
    cohorts.attrition_90d_voluntary,
    cohorts.attrition_90d_involuntary,
    cohorts.attrition_90d_type_unknown,
    cast({{ contacts_safe_ratio('cohorts.attrition_90d', 'cohorts.eligible') }} as {{ type_double() }}) as attrition_90d_rate,
    cohorts.not_observed,
    cohorts.insufficient_data,
    cohorts.not_retained_judged,
    cohorts.below_target,
    cohorts.performing_90d,
    cohorts.judged,
    cast({{ contacts_safe_ratio('cohorts.performing_90d', 'cohorts.judged') }} as {{ type_double() }}) as hiring_quality_rate,
    cast(
        case when cohorts.judged = 0 then
            case when cohorts.eligible = 0 then 'all_censored' when cohorts.insufficient_data > 0 then 'insufficient_data'
                else 'not_observed' end
        end as {{ dbt.type_string() }}
    ) as hiring_quality_null_reason,
    cast(targets.hiring_quality_target as {{ type_double() }}) as hiring_quality_target,
    cast(targets.retention_90d_target as {{ type_double() }}) as retention_90d_target
from cohorts
cross join targets
