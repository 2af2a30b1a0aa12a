{#- Fails with one row per problem of a business schedule in force (seed or delivered): a time that is not HH:MM
    or 24:00 (seeds: delivered rows are rejected before staging), closes_at before opens_at, or more than one
    time zone in one schedule (its hours would be ambiguous). -#}
with schedules as (
    select * from {{ ref('int_business_schedules') }}
),

problems as (
    select schedule_id, 'opens_at or closes_at is not HH:MM / 24:00 (weekday ' || cast(weekday as {{ dbt.type_string() }}) || ')' as problem
    from schedules
    where opens_at is null or closes_at is null

    union all

    select schedule_id, 'closes_at ' || closes_at || ' before opens_at ' || opens_at as problem
    from schedules
    where closes_minute < opens_minute

    union all

    select schedule_id, 'more than one time_zone' as problem
    from schedules
    group by schedule_id
    having count(distinct time_zone) > 1
)

select * from problems
