{#- The survey question catalogue in force: seeds survey_questions, with the user's delivered questions
    (stg_landing__survey_questions) added, and overriding a seed question of the same question_code.
    One commented CTE per step. -#}

-- delivered questions: the latest valid version of each code (staging already de-duplicated)
with delivered as (
    select question_code, question_text, dimension, scale_min, scale_max
    from {{ ref('stg_landing__survey_questions') }}
),

-- seed questions that no delivered question overrides
seeded as (
    select
        cast(seed.question_code as {{ dbt.type_string() }}) as question_code,
        cast(seed.question_text as {{ dbt.type_string() }}) as question_text,
        lower(cast(seed.dimension as {{ dbt.type_string() }})) as dimension,
        cast(seed.scale_min as {{ dbt.type_int() }}) as scale_min,
        cast(seed.scale_max as {{ dbt.type_int() }}) as scale_max
    from {{ ref('survey_questions') }} as seed
    where not exists (
        select 1 from delivered where delivered.question_code = seed.question_code
    )
)

select question_code, question_text, dimension, cast(scale_min as {{ dbt.type_int() }}) as scale_min,
       cast(scale_max as {{ dbt.type_int() }}) as scale_max, 'delivered' as question_source
from delivered

union all

select question_code, question_text, dimension, scale_min, scale_max, 'seed' as question_source
from seeded
