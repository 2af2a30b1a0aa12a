{#- One row per closed day of a business schedule (schedule_id, holiday_date): the latest valid delivered version
    of each key. -#}
with staged as (
    {{ landing_staged('holidays') }}
)

select
    schedule_id,
    holiday_date,
    name,
    _adapter,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _rebuild_key
from staged
