{#-
    One row per survey answer (survey_id x question_code) with its question's dimension and scale, the
    response's kind, queue, channel and overall satisfaction: the input of the survey dimension model
    (metrics.md §7b, dagster_project/lib/drivers/surveys.py) and of the dimension performance metrics.
    score_share = (score - scale_min) / (scale_max - scale_min), so items on different scales compare;
    a bottom-two-box answer is one of the two lowest points of its scale (score < scale_min + 2).
-#}

-- every staged answer with its question (staging rejected answers to unknown questions or off their scale)
with answers as (
    select
        answers.survey_id,
        answers.question_code,
        questions.dimension,
        cast(answers.score as {{ type_double() }}) as score,
        questions.scale_min,
        questions.scale_max
    from {{ ref('stg_landing__survey_answers') }} as answers
    inner join {{ ref('stg_survey_question_catalogue') }} as questions
        on questions.question_code = answers.question_code
)

select
    answers.survey_id,
    answers.question_code,
    answers.dimension,
    answers.score,
    answers.scale_min,
    answers.scale_max,
    (answers.score - answers.scale_min) / cast(answers.scale_max - answers.scale_min as {{ type_double() }})
        as score_share,
    answers.score < answers.scale_min + 2 as is_bottom_two_box,
    responses.kind,
    responses.local_date,
    responses.channel,
    responses.queue,
    responses.overall_score,
    responses.overall_scale_min,
    responses.overall_scale_max,
    responses.overall_source
from answers
inner join {{ ref('int_survey_responses') }} as responses
    on responses.survey_id = answers.survey_id
