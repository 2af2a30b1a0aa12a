{#-
    Per contact, every measure the journey quality points (seeds journey_quality_points) are evaluated on, and
    the population flags that say which points apply (metrics.md §6). Booleans are 1/0. A *_is_lower_bound flag
    marks a value that can only grow (history cut by the start of the data, a ticket not solved yet).
-#}
with contacts as (
    select * from {{ ref('fct_contacts') }}
),

bot as (
    select contact_id, is_bot_failure
    from {{ ref('int_contacts_unioned') }}
),

queued as (
    select call_id, is_offered, is_answered_within_threshold, is_abandoned
    from {{ ref('int_calls_queued') }}
),

qa as (
    -- evaluations that are not calibration; a contact has an error when any of its evaluations found one
    select
        evaluations.contact_id,
        max(case when evaluations.has_compliance_critical_error then 1 else 0 end) as compliance_critical_error,
        max(case when evaluations.has_customer_critical_error then 1 else 0 end) as customer_critical_error,
        max(case when courtesy.result = 'fail' then 1 when courtesy.result = 'pass' then 0 end) as courtesy_tone_failed
    from {{ ref('int_qa_evaluations_scored') }} as evaluations
    left join {{ ref('stg_landing__qa_evaluation_items') }} as courtesy
        on courtesy.evaluation_id = evaluations.evaluation_id
        and courtesy.item_code = '{{ var("qa_courtesy_item_code", "courtesy_tone") }}'
    where evaluations.sample_type <> 'calibration'
      and evaluations.items_recorded > 0
    group by evaluations.contact_id
),

tickets as (
    select
        ticket_id,
        priority_at_creation,
        resolution_sla_met,
        coalesce(
            resolution_minutes,
            {{ contacts_seconds_between('created_at', 'ticket_data_end_at') }} / 60.0
        ) as resolution_minutes,
        first_solved_at is null as resolution_is_lower_bound
    from {{ ref('fct_tickets') }}
),

survey_empathy as (
    select
        answers.survey_id,
        avg(cast(answers.score as {{ type_double() }})) as survey_empathy_score
    from {{ ref('stg_landing__survey_answers') }} as answers
    inner join {{ ref('survey_questions') }} as questions
        on questions.question_code = answers.question_code
    where questions.dimension = 'empathy'
    group by answers.survey_id
),

red_line as (
    select contact_id, red_line_hits
    from {{ ref('int_contacts_red_line') }}
    where agent_utterances > 0
)

select
    contacts.contact_id,
    cast({{ dbt.date_trunc('month', 'contacts.local_date') }} as date) as local_month,
    contacts.channel,
    contacts.queue,
    -- populations
    true as in_all_contacts,
    coalesce(contacts.is_identified, false) as in_identified_contacts,
    coalesce(contacts.bot_involved, false) as in_bot_contacts,
    (contacts.channel = 'voice' and contacts.ivr_seconds is not null) as in_ivr_calls,
    coalesce(queued.is_offered, false) as in_offered_calls,
    coalesce(contacts.is_handled, false) as in_handled_contacts,
    qa.contact_id is not null as in_qa_evaluated,
    red_line.contact_id is not null as in_transcribed_contacts,
    coalesce(contacts.callback_promised, false) as in_callback_promised,
    tickets.ticket_id is not null as in_ticket_contacts,
    coalesce(tickets.priority_at_creation = 'urgent', false) as in_urgent_ticket_contacts,
    contacts.survey_id is not null as in_surveyed_contacts,
    -- measures
    {{ qa_flag("coalesce(contacts.outcome = 'failed', false)") }} as is_failed,
    cast(contacts.prior_contacts_7d as {{ type_double() }}) as prior_contacts_7d,
    not coalesce(contacts.has_full_prior_history, false) as prior_contacts_7d_is_lower_bound,
    {{ qa_flag('bot.is_bot_failure') }} as bot_failed,
    cast(case when contacts.bot_involved then contacts.first_response_seconds end as {{ type_double() }}) as first_response_seconds,
    cast(contacts.ivr_seconds as {{ type_double() }}) as ivr_seconds,
    cast(case when contacts.ivr_seconds is not null then contacts.ivr_keypresses end as {{ type_double() }}) as ivr_keypresses,
    case when queued.is_offered then {{ qa_flag('coalesce(queued.is_answered_within_threshold, false)') }} end as answered_within_threshold,
    case when queued.is_offered then {{ qa_flag('coalesce(queued.is_abandoned, false)') }} end as is_abandoned,
    cast(case when contacts.is_handled then contacts.transfer_count end as {{ type_double() }}) as transfer_count,
    cast(qa.compliance_critical_error as {{ type_double() }}) as compliance_critical_error,
    cast(qa.customer_critical_error as {{ type_double() }}) as customer_critical_error,
    cast(qa.courtesy_tone_failed as {{ type_double() }}) as courtesy_tone_failed,
    cast(red_line.red_line_hits as {{ type_double() }}) as red_line_hits,
    {{ qa_flag('contacts.callback_kept') }} as callback_kept,
    cast(tickets.resolution_minutes as {{ type_double() }}) as ticket_resolution_minutes,
    coalesce(tickets.resolution_is_lower_bound, false) as ticket_resolution_minutes_is_lower_bound,
    {{ qa_flag('tickets.resolution_sla_met') }} as ticket_resolution_sla_met,
    case when contacts.is_handled then {{ qa_flag('contacts.has_repeat_48h') }} end as has_repeat_48h,
    {{ qa_flag('contacts.resolved_reported') }} as resolved_reported,
    survey_empathy.survey_empathy_score
from contacts
left join bot
    on bot.contact_id = contacts.contact_id
left join queued
    on queued.call_id = contacts.contact_id
left join qa
    on qa.contact_id = contacts.contact_id
left join tickets
    on tickets.ticket_id = contacts.ticket_id
left join survey_empathy
    on survey_empathy.survey_id = contacts.survey_id
left join red_line
    on red_line.contact_id = contacts.contact_id
