{#-
    Net promoter score per survey kind x local month (metrics.md §7b): among responses with a 0-10
    likelihood-to-recommend answer, promoters answer 9-10, passives 7-8, detractors 0-6;
    nps = 100 x (promoters - detractors) / responses, reported with its parts. The answer is surveys.nps, or
    else an answer to a question of dimension `nps` on a 0-10 scale (a user's own catalogue).
-#}

-- a recommend question answered in survey_answers (0-10 scale only), the first by question_code per response
with nps_answers as (
    select
        survey_id,
        score,
        row_number() over (partition by survey_id order by question_code) as answer_rank
    from {{ ref('fct_survey_answers') }}
    where dimension = 'nps' and scale_min = 0 and scale_max = 10
),

-- one likelihood-to-recommend answer per response
responses as (
    select
        responses.kind,
        cast({{ dbt.date_trunc('month', 'responses.local_date') }} as date) as local_month,
        coalesce(cast(responses.nps as {{ type_double() }}), nps_answers.score) as nps_answer
    from {{ ref('int_survey_responses') }} as responses
    left join nps_answers
        on nps_answers.survey_id = responses.survey_id
        and nps_answers.answer_rank = 1
),

-- the three groups
counted as (
    select
        kind,
        local_month,
        count(*) as responses,
        {{ contacts_count_if('nps_answer >= 9') }} as promoters,
        {{ contacts_count_if('nps_answer >= 7 and nps_answer < 9') }} as passives,
        {{ contacts_count_if('nps_answer < 7') }} as detractors
    from responses
    where nps_answer is not null
    group by kind, local_month
)

select
    kind,
    local_month,
    responses,
    promoters,
    passives,
    detractors,
    cast(promoters as {{ type_double() }}) / responses as promoter_share,
    cast(passives as {{ type_double() }}) / responses as passive_share,
    cast(detractors as {{ type_double() }}) / responses as detractor_share,
    100 * cast(promoters - detractors as {{ type_double() }}) / responses as nps
from counted
