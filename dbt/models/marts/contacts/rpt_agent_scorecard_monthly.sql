{#-
    Agent scorecard per agent x local month: the CONTACT measures (metrics.md §8), from the agent's handled
    contacts in fct_contacts (agent_id = the first agent who answered). Every rate / average carries its
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

        -- QA columns (critical-error accuracies, disputes) and red_line_hits come from the QA issue: they are
        -- joined here on (agent_id, local_month) when those marts exist.
    from agent_contacts
    group by agent_id, local_month
)

select
    monthly.*,
    -- targets from seeds metric_targets
    targets.fcr_7d_target,
    targets.aht_target_seconds,
    targets.transfer_rate_target,
    targets.csat_avg_target
from monthly
cross join targets
