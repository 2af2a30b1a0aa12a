{#- One row per person per training class (enrollment_id): the latest valid delivered version of each key. -#}
with staged as (
    {{ landing_staged('training_enrollments') }}
)

select
    enrollment_id,
    agent_id,
    class_id,
    program,
    started_at,
    completed_at,
    outcome,
    assessment_score,
    _adapter,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _rebuild_key
from staged
