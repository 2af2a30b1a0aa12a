{#- One row per delivered question (question_code): the latest valid delivered version of each key. The
    catalogue in force (seed + delivered) is stg_survey_question_catalogue. -#}
with staged as (
    {{ landing_staged('survey_questions') }}
)

select
    question_code,
    question_text,
    lower(dimension) as dimension,
    scale_min,
    scale_max,
    _adapter,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _rebuild_key
from staged
