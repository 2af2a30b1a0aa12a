{#- Days each business schedule is closed: seeds holidays and delivered holidays (landing holidays); a delivered row
    overrides the seed row of the same schedule_id and holiday_date (its name wins). -#}
with delivered as (
    select schedule_id, holiday_date, name
    from {{ ref('stg_landing__holidays') }}
)

select schedule_id, holiday_date, name, 'delivered' as holiday_source
from delivered

union all

select
    cast(seed.schedule_id as {{ dbt.type_string() }}) as schedule_id,
    cast(seed.holiday_date as date) as holiday_date,
    cast(seed.name as {{ dbt.type_string() }}) as name,
    'seed' as holiday_source
from {{ ref('holidays') }} as seed
where not exists (
    select 1
    from delivered
    where delivered.schedule_id = seed.schedule_id
        and delivered.holiday_date = seed.holiday_date
)
