{#- One row per QA evaluation (evaluation_id): the latest valid delivered version of each key. -#}
with staged as (
    {{ landing_staged('qa_evaluations') }}
)

select
    evaluation_id,
    contact_id,
    agent_id,
    evaluator_id,
    evaluated_at,
    sample_type,
    calibration_session_id,
    form_version,
    {{ local_calendar_columns('evaluated_at') }},
    _adapter,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _rebuild_key
from staged
