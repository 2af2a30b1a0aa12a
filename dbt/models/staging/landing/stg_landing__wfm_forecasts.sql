{#- One row per queue, interval and publication (queue, interval_start, published_at): the latest valid delivered version of each key. -#}
with staged as (
    {{ landing_staged('wfm_forecasts') }}
)

select
    queue,
    interval_start,
    interval_minutes,
    published_at,
    forecast_contacts,
    forecast_aht_seconds,
    forecast_shrinkage,
    {{ dbt.dateadd('minute', 'interval_minutes', 'interval_start') }} as interval_end,
    {{ local_calendar_columns('interval_start') }},
    _adapter,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _rebuild_key
from staged
