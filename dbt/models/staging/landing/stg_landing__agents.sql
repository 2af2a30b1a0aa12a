{#- One row per person on the roster (agent_id): the latest valid delivered version of each key. -#}
with staged as (
    {{ landing_staged('agents') }}
)

select
    agent_id,
    hired_at,
    production_start_at,
    terminated_at,
    termination_type,
    site,
    team_id,
    supervisor_id,
    role,
    hire_source,
    recruiter_id,
    _adapter,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _rebuild_key
from staged
