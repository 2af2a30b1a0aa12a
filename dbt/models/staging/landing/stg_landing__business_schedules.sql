{#- One row per opening interval of a week of a business schedule (schedule_id, weekday, opens_at): the latest
    valid delivered version of each key. opens_at / closes_at are local `HH:MM` text (contract type `time`:
    zero-padded, closes_at >= opens_at, `24:00` = end of the day). -#}
with staged as (
    {{ landing_staged('business_schedules') }}
)

select
    schedule_id,
    time_zone,
    weekday,
    opens_at,
    closes_at,
    _adapter,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _rebuild_key
from staged
