{#- One row per survey and question (survey_id, question_code): the latest valid delivered version of each key. -#}
with staged as (
    {{ landing_staged('survey_answers') }}
)

select
    survey_id,
    question_code,
    score,
    _adapter,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _rebuild_key,
    -- the question catalogue the row was validated against (landing_staging_lookup_reset)
    _lookup_fingerprint
from staged
