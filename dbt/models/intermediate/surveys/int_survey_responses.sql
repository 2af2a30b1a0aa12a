{#-
    One row per survey response with its overall satisfaction (metrics.md §7b). The overall answer is csat when
    the survey gives one (1-5); otherwise the answer to a question of dimension `overall` (seed or delivered
    survey_questions: e.g. a bank's 0-10 "overall, how satisfied are you"), on that question's scale; when a
    response answers several overall questions, the one with the smallest question_code (documented in
    docs/decisions.md). A transactional survey's queue and channel are its contact's (int_contacts_unioned); a
    relationship survey has none.
-#}

-- answers to an overall question, the first by question_code per response
with overall_answers as (
    select
        answers.survey_id,
        answers.question_code,
        answers.score,
        questions.scale_min,
        questions.scale_max,
        row_number() over (partition by answers.survey_id order by answers.question_code) as overall_rank
    from {{ ref('stg_landing__survey_answers') }} as answers
    inner join {{ ref('stg_survey_question_catalogue') }} as questions
        on questions.question_code = answers.question_code
    where questions.dimension = 'overall'
),

-- the surveyed contact's queue and channel (transactional surveys naming a contact)
contacts as (
    select contact_id, channel, queue
    from {{ ref('int_contacts_unioned') }}
)

select
    surveys.survey_id,
    surveys.kind,
    surveys.contact_id,
    surveys.ticket_id,
    surveys.customer_id,
    surveys.responded_at,
    surveys.responded_local_date as local_date,
    contacts.channel,
    contacts.queue,
    surveys.csat,
    surveys.nps,
    case when surveys.csat is not null then cast(surveys.csat as {{ type_double() }})
         else cast(overall.score as {{ type_double() }}) end as overall_score,
    case when surveys.csat is not null then 1 else overall.scale_min end as overall_scale_min,
    case when surveys.csat is not null then 5 else overall.scale_max end as overall_scale_max,
    case when surveys.csat is not null then 'csat' else overall.question_code end as overall_source
from {{ ref('stg_landing__surveys') }} as surveys
left join overall_answers as overall
    on overall.survey_id = surveys.survey_id
    and overall.overall_rank = 1
left join contacts
    on contacts.contact_id = surveys.contact_id
