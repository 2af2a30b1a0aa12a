{#- One row per evaluation and form item (evaluation_id, item_code): the latest valid delivered version of each key. -#}
with staged as (
    {{ landing_staged('qa_evaluation_items') }}
)

select
    evaluation_id,
    item_code,
    result,
    _adapter,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _rebuild_key
from staged
