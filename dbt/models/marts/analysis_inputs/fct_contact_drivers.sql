{#-
    The modelling table of the satisfaction-driver analysis (metrics.md §1, §7): one row per contact with every
    journey metric as a model-ready driver, the contact's csat where surveyed, and per driver whether the
    contact is on the good side of the driver's target (seeds).

    Two kinds of NULL are kept apart. A metric that does not apply is given its natural value (no IVR: 0 IVR
    seconds; no promise: callback not broken; no ticket: ticket SLA not missed; digital: 0 transfers). A metric
    that applies but is not known stays NULL: the customer is unidentified, the 7 days (24 h) before the contact lie
    partly before the data, a promised callback or a ticket's SLA is still open at the end of the data. The
    analysis fits on surveyed contacts with every driver known and scores the others with documented fills.
    A ticket contact (a customer-opened ticket no call or chat represents) waits for the ticket's first reply
    (wait_seconds = first_response_seconds) and meets the wait target when its first-response SLA was met.
-#}
{%- set quality_points = [
    ('ivr_within_120s', 'ivr'),
    ('ivr_keypresses_max_4', 'keypresses'),
    ('agent_transfers_max_1', 'transfers'),
    ('entry_max_1_prior_contact_7d', 'prior_contacts'),
    ('follow_up_callback_kept', 'callback'),
    ('follow_up_ticket_resolution_sla_met', 'ticket_sla'),
    ('agent_no_red_line', 'red_line'),
] -%}

with contacts as (
    select * from {{ ref('fct_contacts') }}
),

data_bounds as (
    select min(started_at) as data_start_at from contacts
),

tickets as (
    select ticket_id, first_response_sla_met, resolution_sla_met from {{ ref('fct_tickets') }}
),

qa as (
    -- Random-sample evaluations that measured something (items recorded). Targeted samples are chosen from bad
    -- surveys and red-line hits, i.e. on the outcome itself: counting them would make "evaluated by QA" and its
    -- errors look like causes of low csat. Several random evaluations of a contact: an error in any counts.
    select
        contact_id,
        count(*) as qa_evaluations,
        max(case
            when has_customer_critical_error or has_business_critical_error or has_compliance_critical_error
                then 1 else 0
        end) as critical_error_evaluations
    from {{ ref('int_qa_evaluations_scored') }}
    where has_customer_critical_error is not null
        and sample_type = 'random'
    group by contact_id
),

red_line as (
    -- A transcript with agent utterances (has_red_line is NULL when the agent said nothing to check).
    select contact_id, red_line_hits, has_red_line
    from {{ ref('int_contacts_red_line') }}
    where has_red_line is not null
),

queues as (
    select queue, service_level_threshold_seconds from {{ ref('queues') }}
),

targets as (
    {{ metric_targets_row([
        ('aht_seconds', 'aht_target_seconds'),
        ('default_service_level_threshold_seconds', 'default_wait_threshold_seconds'),
    ]) }}
),

quality_points as (
    {{ drivers_quality_points_row(quality_points) }}
),

drivers as (
    select
        contacts.contact_id,
        contacts.channel,
        contacts.queue,
        contacts.reason_code,
        contacts.agent_id,
        contacts.started_at,
        contacts.local_date,
        contacts.is_handled,
        contacts.is_identified,
        contacts.survey_id,
        contacts.survey_responded_at,
        contacts.csat,

        coalesce(contacts.ivr_seconds, 0) as ivr_seconds,
        coalesce(contacts.ivr_keypresses, 0) as ivr_keypresses,
        case
            when contacts.contact_source = 'calls' then coalesce(contacts.queue_seconds, 0)
            else contacts.first_response_seconds
        end as wait_seconds,
        coalesce(contacts.handle_seconds, 0) as handle_seconds,
        coalesce(contacts.transfer_count, 0) as transfer_count,
        contacts.is_abandoned,
        contacts.bot_involved,
        case
            when contacts.bot_failed_before then true
            when contacts.started_at >= {{ dbt.dateadd('hour', 24, 'data_bounds.data_start_at') }}
                then contacts.bot_failed_before
        end as bot_failed_before_24h,
        contacts.prior_contacts_7d,
        case
            when contacts.prior_contacts_7d > 0 then true
            when contacts.has_full_prior_history then false
        end as had_prior_contact_7d,
        contacts.callback_promised,
        case
            when not contacts.callback_promised then false
            when contacts.callback_status in ('late', 'missed') then true
            when contacts.callback_status = 'kept' then false
        end as callback_broken,
        contacts.ticket_id is not null as has_ticket,
        case
            when contacts.ticket_id is null then false
            else not tickets.resolution_sla_met
        end as ticket_sla_missed,
        contacts.agent_tenure_days,
        qa.contact_id is not null as qa_evaluated,
        coalesce(qa.qa_evaluations, 0) as qa_evaluations,
        coalesce(qa.critical_error_evaluations = 1, false) as qa_critical_error,
        red_line.contact_id is not null as is_transcribed,
        red_line.red_line_hits,
        coalesce(red_line.has_red_line, false) as has_red_line_phrase,

        -- on the good side of the driver's target (NULL: the target does not apply, or the value is unknown)
        case
            when contacts.ivr_seconds is not null then {{ drivers_meets('contacts.ivr_seconds', 'ivr') }}
        end as ivr_meets_target,
        case
            when contacts.ivr_seconds is not null
                then {{ drivers_meets('coalesce(contacts.ivr_keypresses, 0)', 'keypresses') }}
        end as ivr_keypresses_meet_target,
        case
            -- a ticket contact's wait is for the first reply, judged by its priority's first-response SLA
            when contacts.contact_source = 'tickets' then tickets.first_response_sla_met
            when contacts.is_handled then
                (case
                    when contacts.contact_source = 'calls' then coalesce(contacts.queue_seconds, 0)
                    else contacts.first_response_seconds
                end) <= coalesce(queues.service_level_threshold_seconds, targets.default_wait_threshold_seconds)
        end as wait_meets_target,
        case
            when contacts.is_handled and contacts.contact_source = 'calls'
                then contacts.handle_seconds <= targets.aht_target_seconds
        end as handle_meets_target,
        case
            when contacts.is_handled and contacts.contact_source = 'calls'
                then {{ drivers_meets('coalesce(contacts.transfer_count, 0)', 'transfers') }}
        end as transfers_meet_target,
        not contacts.is_abandoned as abandon_meets_target,
        case
            when contacts.bot_failed_before then false
            when contacts.started_at >= {{ dbt.dateadd('hour', 24, 'data_bounds.data_start_at') }}
                then not contacts.bot_failed_before
        end as bot_history_meets_target,
        case
            when contacts.has_full_prior_history
                then {{ drivers_meets('contacts.prior_contacts_7d', 'prior_contacts') }}
        end as prior_contacts_meet_target,
        case
            when contacts.callback_kept is not null
                then {{ drivers_meets('case when contacts.callback_kept then 1 else 0 end', 'callback') }}
        end as callback_meets_target,
        case
            when tickets.resolution_sla_met is not null
                then {{ drivers_meets('case when tickets.resolution_sla_met then 1 else 0 end', 'ticket_sla') }}
        end as ticket_sla_meets_target,
        case when qa.contact_id is not null then qa.critical_error_evaluations = 0 end as qa_meets_target,
        case
            when red_line.contact_id is not null then {{ drivers_meets('red_line.red_line_hits', 'red_line') }}
        end as red_line_meets_target
    from contacts
    cross join data_bounds
    cross join targets
    cross join quality_points
    left join tickets
        on tickets.ticket_id = contacts.ticket_id
    left join qa
        on qa.contact_id = contacts.contact_id
    left join red_line
        on red_line.contact_id = contacts.contact_id
    left join queues
        on queues.queue = contacts.queue
)

select
    contact_id,
    channel,
    queue,
    reason_code,
    agent_id,
    started_at,
    local_date,
    is_handled,
    is_identified,
    survey_id,
    survey_responded_at,
    csat,
    cast(ivr_seconds as {{ type_double() }}) as ivr_seconds,
    cast(ivr_keypresses as {{ dbt.type_bigint() }}) as ivr_keypresses,
    cast(wait_seconds as {{ type_double() }}) as wait_seconds,
    cast(handle_seconds as {{ type_double() }}) as handle_seconds,
    cast(transfer_count as {{ dbt.type_bigint() }}) as transfer_count,
    is_abandoned,
    bot_involved,
    bot_failed_before_24h,
    prior_contacts_7d,
    had_prior_contact_7d,
    callback_promised,
    callback_broken,
    has_ticket,
    ticket_sla_missed,
    agent_tenure_days,
    qa_evaluated,
    cast(qa_evaluations as {{ dbt.type_bigint() }}) as qa_evaluations,
    qa_critical_error,
    is_transcribed,
    cast(red_line_hits as {{ dbt.type_bigint() }}) as red_line_hits,
    has_red_line_phrase,
    ivr_meets_target,
    ivr_keypresses_meet_target,
    wait_meets_target,
    handle_meets_target,
    transfers_meet_target,
    abandon_meets_target,
    bot_history_meets_target,
    prior_contacts_meet_target,
    callback_meets_target,
    ticket_sla_meets_target,
    qa_meets_target,
    red_line_meets_target
from drivers
