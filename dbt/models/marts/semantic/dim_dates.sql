{#- One row per calendar day from 1990-01-01 to 2040-12-31: the date dimension of BI tools and MetricFlow's time
    spine (dbt's cross-database date_spine). Days are local calendar days (every mart's local_date is in
    CALLQA_TIMEZONE). -#}
with days as (
    {{ dbt.date_spine('day', "cast('1990-01-01' as date)", "cast('2041-01-01' as date)") }}
)

select
    cast(date_day as date) as date_day,
    cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start,
    cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start,
    cast({{ dbt.date_trunc('quarter', 'date_day') }} as date) as quarter_start,
    cast({{ dbt.date_trunc('year', 'date_day') }} as date) as year_start
from days
