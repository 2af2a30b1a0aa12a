{#-
    The QA sampling plan (metrics.md §6): for each queue x local month of handled contacts, an unbiased random
    sample of the required size (the same n_req with finite-population correction as rpt_critical_error_accuracy),
    plus capped targeted samples (red-line hits, repeat contacts within 48 h, low csat). The draw is a seeded
    hash order: every handled contact gets the key md5(var qa_sample_seed || '|' || contact_id), and the
    stratum's first n_req contacts in key order are the sample. So the plan is reproducible (same seed, same
    contacts → same sample), independent of row order, and stable as a month fills up: a contact's key never
    changes, so contacts arriving later only enter where their key is small. Change the seed for a new draw.
-#}
{%- set plan_columns = 'contact_id, queue, local_month, agent_id, channel, started_at, sample_key, is_red_line, is_low_csat, is_repeat_48h, stratum_handled_contacts, stratum_required_n, target_reason' %}

with targets as (
    {{ metric_targets_row([
        ('qa_sample_confidence_z', 'z'),
        ('qa_sample_margin_of_error', 'margin'),
        ('qa_sample_expected_p', 'expected_p'),
        ('qa_targeted_sample_per_queue_month', 'targeted_cap'),
        ('qa_targeted_low_csat_max', 'low_csat_max'),
    ]) }}
),

handled as (
    select
        contacts.contact_id,
        coalesce(contacts.queue, 'unassigned') as queue,
        cast({{ dbt.date_trunc('month', 'contacts.local_date') }} as date) as local_month,
        contacts.agent_id,
        contacts.channel,
        contacts.started_at,
        {{ dbt.hash("'" ~ var('qa_sample_seed', 'callqa') ~ "|' || contacts.contact_id") }} as sample_key,
        coalesce(red_line.has_red_line, false) as is_red_line,
        coalesce(contacts.csat <= targets.low_csat_max, false) as is_low_csat,
        coalesce(contacts.has_repeat_48h, false) as is_repeat_48h
    from {{ ref('fct_contacts') }} as contacts
    cross join targets
    left join {{ ref('int_contacts_red_line') }} as red_line
        on red_line.contact_id = contacts.contact_id
    where contacts.is_handled
        -- QA evaluates calls and conversations; a ticket contact (contact_source tickets) is not sampled
        and contacts.contact_source <> 'tickets'
),

strata as (
    select
        queue,
        local_month,
        count(*) as stratum_handled_contacts
    from handled
    group by queue, local_month
),

ranked as (
    select
        handled.*,
        strata.stratum_handled_contacts,
        {{ qa_required_sample_n('strata.stratum_handled_contacts', 'targets.z', 'targets.expected_p', 'targets.margin') }} as stratum_required_n,
        row_number() over (partition by handled.queue, handled.local_month order by handled.sample_key, handled.contact_id) as random_rank,
        case
            when handled.is_red_line then 'red_line'
            when handled.is_low_csat then 'low_csat'
            when handled.is_repeat_48h then 'repeat_48h'
        end as target_reason,
        targets.targeted_cap
    from handled
    inner join strata
        on strata.queue = handled.queue
        and strata.local_month = handled.local_month
    cross join targets
),

random_sample as (
    select {{ plan_columns }}, 'random' as sample_type, random_rank as sample_rank
    from ranked
    where random_rank <= stratum_required_n
),

targeted_candidates as (
    -- a contact already in the random sample stays there (the unbiased sample must stay intact)
    select
        *,
        row_number() over (partition by queue, local_month, target_reason order by sample_key, contact_id) as target_rank
    from ranked
    where target_reason is not null
      and random_rank > stratum_required_n
),

targeted_sample as (
    select {{ plan_columns }}, 'targeted' as sample_type, target_rank as sample_rank
    from targeted_candidates
    where target_rank <= targeted_cap
),

plan as (
    select * from random_sample
    union all
    select * from targeted_sample
),

evaluated as (
    select contact_id, count(*) as evaluations
    from {{ ref('stg_landing__qa_evaluations') }}
    where sample_type <> 'calibration'
    group by contact_id
)

select
    plan.local_month,
    plan.queue,
    plan.contact_id,
    plan.sample_type,
    case when plan.sample_type = 'targeted' then plan.target_reason end as target_reason,
    cast(plan.sample_rank as {{ dbt.type_bigint() }}) as sample_rank,
    plan.agent_id,
    plan.channel,
    plan.started_at,
    plan.is_red_line,
    plan.is_low_csat,
    plan.is_repeat_48h,
    cast(plan.stratum_handled_contacts as {{ dbt.type_bigint() }}) as stratum_handled_contacts,
    plan.stratum_required_n,
    plan.sample_key,
    coalesce(evaluated.evaluations, 0) > 0 as already_evaluated
from plan
left join evaluated
    on evaluated.contact_id = plan.contact_id
