{#- One row per dispute (dispute_id): the latest valid delivered version of each key. -#}
with staged as (
    {{ landing_staged('qa_disputes') }}
)

select
    dispute_id,
    evaluation_id,
    item_code,
    raised_at,
    raised_by,
    status,
    decided_at,
    decided_by,
    {{ local_calendar_columns('raised_at') }},
    _adapter,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _rebuild_key
from staged
