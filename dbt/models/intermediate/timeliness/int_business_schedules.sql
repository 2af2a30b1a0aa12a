{#- The business schedules in force: one row per opening interval of a week. Seeds business_schedules, where a
    delivered schedule (landing business_schedules) of the same schedule_id replaces the seed's as a whole, and
    among deliveries the schedule's latest load replaces earlier ones as a whole (a delivered schedule is
    its whole week). Seed times go through the contract's `time` parser too; an empty seed time_zone is the
    contact center's zone, var('timezone'). -#}
with delivered as (
    select
        schedule_id,
        time_zone,
        cast(weekday as {{ dbt.type_int() }}) as weekday,
        opens_at,
        closes_at,
        _load_id,
        max(_load_id) over (partition by schedule_id) as schedule_load_id
    from {{ ref('stg_landing__business_schedules') }}
),

seeded as (
    select
        cast(seed.schedule_id as {{ dbt.type_string() }}) as schedule_id,
        cast(coalesce(nullif(trim(seed.time_zone), ''), {{ sql_string(var('timezone')) }}) as {{ dbt.type_string() }})
            as time_zone,
        cast(seed.weekday as {{ dbt.type_int() }}) as weekday,
        {{ parse_contract_time('trim(cast(seed.opens_at as ' ~ dbt.type_string() ~ '))') }} as opens_at,
        {{ parse_contract_time('trim(cast(seed.closes_at as ' ~ dbt.type_string() ~ '))') }} as closes_at
    from {{ ref('business_schedules') }} as seed
    where not exists (
        select 1
        from delivered
        where delivered.schedule_id = seed.schedule_id
    )
),

in_force as (
    select schedule_id, time_zone, weekday, opens_at, closes_at, 'delivered' as schedule_source
    from delivered
    where _load_id = schedule_load_id

    union all

    select schedule_id, time_zone, weekday, opens_at, closes_at, 'seed' as schedule_source
    from seeded
)

select
    schedule_id,
    time_zone,
    weekday,
    opens_at,
    closes_at,
    {{ clock_time_minutes('opens_at') }} as opens_minute,
    {{ clock_time_minutes('closes_at') }} as closes_minute,
    schedule_source
from in_force
