{#-
    Agent scorecard per agent x local month: the CONTACT measures (metrics.md §8), from the agent's handled
    contacts in fct_contacts (agent_id = the first agent who answered), and the QA measures (critical-error
    accuracies, non-critical score, disputes, red-line hits; metrics.md §6). Every rate / average carries its
    numerator and denominator; a zero denominator gives NULL.
-#}
with targets as (
    {{ metric_targets_row([
        ('agent_fcr_7d_rate', 'fcr_7d_target'),
        ('agent_aht_seconds', 'aht_target_seconds'),
        ('transfer_rate', 'transfer_rate_target'),
        ('agent_csat_avg', 'csat_avg_target'),
    ]) }}
),

agent_contacts as (
    select
        agent_id,
        cast({{ dbt.date_trunc('month', 'local_date') }} as date) as local_month,
        contact_id,
        channel,
        is_handled,
        fcr_48h,
        fcr_7d,
        handle_seconds,
        transfer_count,
        csat
    from {{ ref('fct_contacts') }}
    where agent_id is not null
),

monthly as (
    select
        agent_id,
        local_month,
        count(*) as contacts,
        {{ contacts_count_if('is_handled') }} as handled,
        {{ contacts_count_if("is_handled and channel = 'voice'") }} as handled_calls,

        {{ contacts_count_if('fcr_7d') }} as fcr_7d_count,
        {{ contacts_count_if('fcr_7d is not null') }} as fcr_7d_eligible,
        {{ contacts_safe_ratio(contacts_count_if('fcr_7d'), contacts_count_if('fcr_7d is not null')) }} as fcr_7d_rate,
        {{ contacts_count_if('fcr_48h') }} as fcr_48h_count,
        {{ contacts_count_if('fcr_48h is not null') }} as fcr_48h_eligible,
        {{ contacts_safe_ratio(contacts_count_if('fcr_48h'), contacts_count_if('fcr_48h is not null')) }} as fcr_48h_rate,

        -- handle time exists for calls only (talk + hold + wrap); AHT over handled contacts that have one
        coalesce(sum(case when is_handled then handle_seconds end), 0) as handle_seconds_sum,
        {{ contacts_count_if('is_handled and handle_seconds is not null') }} as aht_contacts,
        {{ contacts_safe_ratio('sum(case when is_handled then handle_seconds end)', contacts_count_if('is_handled and handle_seconds is not null')) }} as aht_seconds,

        -- transfers exist for calls only: handled calls with at least one transfer / handled calls
        {{ contacts_count_if("is_handled and channel = 'voice' and transfer_count > 0") }} as transferred_calls,
        {{ contacts_safe_ratio(contacts_count_if("is_handled and channel = 'voice' and transfer_count > 0"), contacts_count_if("is_handled and channel = 'voice'")) }} as transfer_rate,

        cast(coalesce(sum(case when is_handled then csat end), 0) as {{ dbt.type_bigint() }}) as csat_sum,
        {{ contacts_count_if('is_handled and csat is not null') }} as csat_responses,
        {{ contacts_safe_ratio('sum(case when is_handled then csat end)', contacts_count_if('is_handled and csat is not null')) }} as csat_avg

    from agent_contacts
    group by agent_id, local_month
),

-- QA columns (metrics.md §6): the agent's evaluations (all but calibration) of contacts of the month, from
-- rpt_critical_error_accuracy_agent; disputes raised against them; red-line hits in the month's transcripts.
qa_accuracy as (
    select
        agent_id,
        local_month,
        max(evaluations) as qa_evaluations,
        {%- for error_class in ['customer_critical', 'business_critical', 'compliance_critical', 'any_critical'] %}
        max(case when error_class = '{{ error_class }}' then without_error end) as {{ error_class }}_without_error,
        max(case when error_class = '{{ error_class }}' then accuracy end) as {{ error_class }}_accuracy,
        {%- endfor %}
        max(required_n) as qa_required_n,
        max(target_any) as critical_error_accuracy_target
    from (
        select *, case when error_class = 'any_critical' then target end as target_any
        from {{ ref('rpt_critical_error_accuracy_agent') }}
    ) as agent_accuracy
    group by agent_id, local_month
),

qa_scores as (
    select
        agent_id,
        qa_local_month as local_month,
        cast(sum(non_critical_weight_passed) as {{ type_double() }}) as non_critical_weight_passed,
        cast(sum(non_critical_weight_scored) as {{ type_double() }}) as non_critical_weight_scored
    from {{ ref('int_qa_evaluations_scored') }}
    where sample_type <> 'calibration' and items_recorded > 0
    group by agent_id, qa_local_month
),

qa_disputes as (
    select
        evaluations.agent_id,
        evaluations.qa_local_month as local_month,
        count(*) as disputes,
        {{ contacts_count_if("disputes.status in ('overturned', 'partially_overturned', 'upheld')") }} as disputes_decided,
        {{ contacts_count_if("disputes.status in ('overturned', 'partially_overturned')") }} as disputes_overturned
    from {{ ref('stg_landing__qa_disputes') }} as disputes
    inner join {{ ref('int_qa_evaluations_scored') }} as evaluations
        on evaluations.evaluation_id = disputes.evaluation_id
    where evaluations.sample_type <> 'calibration'
    group by evaluations.agent_id, evaluations.qa_local_month
),

red_line as (
    select
        agent_contacts.agent_id,
        agent_contacts.local_month,
        {{ contacts_count_if('red_line.agent_utterances > 0') }} as transcribed_contacts,
        {{ contacts_count_if('red_line.has_red_line') }} as red_line_contacts,
        cast(sum(red_line.red_line_hits) as {{ dbt.type_bigint() }}) as red_line_hits
    from agent_contacts
    inner join {{ ref('int_contacts_red_line') }} as red_line
        on red_line.contact_id = agent_contacts.contact_id
    group by agent_contacts.agent_id, agent_contacts.local_month
)

select
    monthly.*,
    -- targets from seeds metric_targets
    targets.fcr_7d_target,
    targets.aht_target_seconds,
    targets.transfer_rate_target,
    targets.csat_avg_target,
    -- QA
    cast(coalesce(qa_accuracy.qa_evaluations, 0) as {{ dbt.type_bigint() }}) as qa_evaluations,
    {%- for error_class in ['customer_critical', 'business_critical', 'compliance_critical'] %}
    cast(qa_accuracy.{{ error_class }}_without_error as {{ dbt.type_bigint() }}) as {{ error_class }}_without_error,
    qa_accuracy.{{ error_class }}_accuracy,
    {%- endfor %}
    cast(qa_accuracy.any_critical_without_error as {{ dbt.type_bigint() }}) as critical_without_error,
    qa_accuracy.any_critical_accuracy as critical_error_accuracy,
    qa_accuracy.critical_error_accuracy_target,
    qa_accuracy.qa_required_n,
    coalesce(qa_accuracy.qa_evaluations, 0) >= qa_accuracy.qa_required_n as qa_sample_sufficient,
    qa_scores.non_critical_weight_passed,
    qa_scores.non_critical_weight_scored,
    {{ contacts_safe_ratio('qa_scores.non_critical_weight_passed', 'qa_scores.non_critical_weight_scored') }} as non_critical_score,
    cast(coalesce(qa_disputes.disputes, 0) as {{ dbt.type_bigint() }}) as disputes,
    cast(coalesce(qa_disputes.disputes_decided, 0) as {{ dbt.type_bigint() }}) as disputes_decided,
    cast(coalesce(qa_disputes.disputes_overturned, 0) as {{ dbt.type_bigint() }}) as disputes_overturned,
    cast(coalesce(red_line.transcribed_contacts, 0) as {{ dbt.type_bigint() }}) as transcribed_contacts,
    cast(coalesce(red_line.red_line_contacts, 0) as {{ dbt.type_bigint() }}) as red_line_contacts,
    cast(coalesce(red_line.red_line_hits, 0) as {{ dbt.type_bigint() }}) as red_line_hits
from monthly
cross join targets
left join qa_accuracy
    on qa_accuracy.agent_id = monthly.agent_id and qa_accuracy.local_month = monthly.local_month
left join qa_scores
    on qa_scores.agent_id = monthly.agent_id and qa_scores.local_month = monthly.local_month
left join qa_disputes
    on qa_disputes.agent_id = monthly.agent_id and qa_disputes.local_month = monthly.local_month
left join red_line
    on red_line.agent_id = monthly.agent_id and red_line.local_month = monthly.local_month
