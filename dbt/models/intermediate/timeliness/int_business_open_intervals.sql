{#- Every open interval of every business schedule as instants, over the local dates the ticket data needs (from
    two days before the first ticket's UTC date to two days after the end of the ticket data: wide enough for any
    zone). Each weekly interval becomes, on every local date of its weekday that is not a holiday of the
    schedule, [local date + opens_at, local date + closes_at) converted to instants in the schedule's own zone,
    date by date, so a daylight saving change moves the instants and not the local hours (a Monday 09:00-17:00
    is 8 hours on either side of a change; a Sunday 00:00-24:00 is 23 or 25 hours on the change days).
    Overlapping intervals of one schedule and weekday are merged first, so no second is counted twice. -#}
{{ config(materialized='table') }}
with schedules as (
    select * from {{ ref('int_business_schedules') }}
    where closes_minute > opens_minute
),

ordered as (
    select
        *,
        max(closes_minute) over (
            partition by schedule_id, time_zone, weekday order by opens_minute, closes_minute
            rows between unbounded preceding and 1 preceding
        ) as earlier_closes_minute
    from schedules
),

islands as (
    select
        *,
        sum(case when earlier_closes_minute is null or opens_minute > earlier_closes_minute then 1 else 0 end) over (
            partition by schedule_id, time_zone, weekday order by opens_minute, closes_minute
            rows between unbounded preceding and current row
        ) as island
    from ordered
),

weekly as (
    select
        schedule_id,
        time_zone,
        weekday,
        min(opens_minute) as opens_minute,
        max(closes_minute) as closes_minute
    from islands
    group by schedule_id, time_zone, weekday, island
),

ticket_range as (
    select min(created_at) as first_at
    from {{ ref('stg_landing__tickets') }}
),

spine_bounds as (
    select
        {{ local_timestamp_to_instant('(' ~ dbt.dateadd('day', -2, 'cast(' ~ to_local_date('r.first_at', 'UTC') ~ ' as ' ~ dbt.type_timestamp() ~ ')') ~ ')', 'UTC') }}
            as first_instant,
        {{ local_timestamp_to_instant('(' ~ dbt.dateadd('day', 3, 'cast(' ~ to_local_date('d.data_end_at', 'UTC') ~ ' as ' ~ dbt.type_timestamp() ~ ')') ~ ')', 'UTC') }}
            as end_instant
    from ticket_range as r
    cross join {{ ref('int_ticket_data_end') }} as d
    where r.first_at is not null
        and d.data_end_at is not null
),

spine as (
    {{ intervals_instant_series('spine_bounds', 'first_instant', 'end_instant', 1440) }}
),

local_dates as (
    select distinct {{ to_local_date('instant', 'UTC') }} as local_date
    from spine
),

dated as (
    select
        w.schedule_id,
        w.time_zone,
        d.local_date,
        w.weekday,
        w.opens_minute,
        w.closes_minute,
        cast(d.local_date as {{ dbt.type_timestamp() }}) as local_midnight
    from weekly as w
    inner join local_dates as d
        on {{ iso_weekday('d.local_date') }} = w.weekday
    where not exists (
        select 1
        from {{ ref('int_business_holidays') }} as h
        where h.schedule_id = w.schedule_id
            and h.holiday_date = d.local_date
    )
)

select
    schedule_id,
    local_date,
    weekday,
    time_zone,
    cast({{ local_timestamp_to_instant_in_zone(dbt.dateadd('minute', 'opens_minute', 'local_midnight'), 'time_zone') }}
        as {{ type_timestamptz() }}) as open_at,
    cast({{ local_timestamp_to_instant_in_zone(dbt.dateadd('minute', 'closes_minute', 'local_midnight'), 'time_zone') }}
        as {{ type_timestamptz() }}) as close_at
from dated
