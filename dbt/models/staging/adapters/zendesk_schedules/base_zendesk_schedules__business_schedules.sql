{#-
    Zendesk business-hours schedules as contract business_schedules. PRIMARY for the schedule records of the
    adapter zendesk_schedules (every raw row that is not a holiday: macro zendesk_schedules_is_holiday; the holidays
    model takes those). Raw grain: one row per schedule x interval (the export's `intervals` exploded).

    Mapping (docs/decisions.md, "Zendesk schedules"):
      schedule_id = the schedule's id (what sla_policies.schedule_id and var default_business_schedule name);
      time_zone = the IANA zone of Zendesk's Rails name ('Eastern Time (US & Canada)' -> America/New_York, macro
      zendesk_time_zones); a value that already is an IANA zone the engine knows passes unchanged;
      an interval [start_time, end_time) in minutes from Sunday 00:00 becomes one row per local day it covers
      (Sunday = ISO weekday 7): 1320-1560 is Sunday 22:00-24:00 and Monday 00:00-02:00; the first part carries
      the raw row (_raw_rows 1), the others 0.
    Not mapped (a reject naming the value): a schedule without intervals, start / end not whole minutes, outside
    0..10080, end <= start, a time zone that is neither a Zendesk name nor an IANA zone.
-#}
{%- set q = adapter.quote %}
with delivered as (
    select *
    from {{ adapter_source('zendesk_schedules', ['id', 'name', 'time_zone', 'intervals.start_time',
                                                 'intervals.end_time', 'start_date', 'end_date']) }} as raw_rows
),

-- step 1: the schedule rows (holiday records are the holidays model's), typed
schedule_rows as (
    select
        nullif(trim(id), '') as zd_schedule_id,
        nullif(trim(time_zone), '') as zd_time_zone,
        nullif(trim({{ q('intervals.start_time') }}), '') as zd_start_text,
        nullif(trim({{ q('intervals.end_time') }}), '') as zd_end_text,
        {{ try_cast_as("nullif(trim(" ~ q('intervals.start_time') ~ "), '')", dbt.type_int()) }} as zd_start,
        {{ try_cast_as("nullif(trim(" ~ q('intervals.end_time') ~ "), '')", dbt.type_int()) }} as zd_end,
        _load_id,
        _file,
        _line,
        _loaded_at,
        _malformed
    from delivered
    where not {{ zendesk_schedules_is_holiday() }}
),

-- step 2: the IANA zone: a Zendesk (Rails) name mapped, else an IANA name the engine knows (its own spelling)
engine_zones as (
    select lower(name) as zone_key, min(name) as iana_zone
    from {{ time_zone_names() }} as names
    group by lower(name)
),

zoned as (
    select
        schedule_rows.*,
        coalesce(zendesk.iana_zone, engine.iana_zone) as iana_zone
    from schedule_rows
    left join {{ zendesk_time_zones_relation() }} as zendesk
        on lower(zendesk.zendesk_name) = lower(schedule_rows.zd_time_zone)
    left join engine_zones as engine
        on engine.zone_key = lower(schedule_rows.zd_time_zone)
),

-- step 3: what cannot be mapped, with the reason (a missing id or time zone is the contract's missing_required)
checked as (
    select
        *,
        case
            when zd_start_text is null and zd_end_text is null
                then {{ dbt.concat(["'schedule '", "coalesce(zd_schedule_id, '?')",
                                    "' has no intervals (a schedule closed all week has no business hours)'"]) }}
            when zd_start is null or zd_end is null
                then {{ dbt.concat(["'interval start_time '", "coalesce(zd_start_text, 'NULL')", "', end_time '",
                                    "coalesce(zd_end_text, 'NULL')", "' is not a whole number of minutes'"]) }}
            when zd_start < 0 or zd_end > 10080
                then {{ dbt.concat(["'interval '", "zd_start_text", "'-'", "zd_end_text",
                                    "' is outside the week (minutes from Sunday 00:00, 0..10080)'"]) }}
            when zd_end <= zd_start
                then {{ dbt.concat(["'interval end_time '", "zd_end_text", "' is not after start_time '",
                                    "zd_start_text"]) }}
            when zd_time_zone is not null and iana_zone is null
                then {{ dbt.concat(["'time_zone '", "zd_time_zone",
                                    "' is neither a Zendesk (Rails) time zone name nor an IANA time zone'"]) }}
        end as _not_mapped
    from zoned
),

-- step 4: an interval split per local day it covers (Sunday = day 0 of Zendesk's week)
week_days as (
    select day_index
    from (values (0), (1), (2), (3), (4), (5), (6)) as days (day_index)
),

split as (
    select
        checked.*,
        week_days.day_index,
        {{ minutes_clock_text("(greatest(zd_start, week_days.day_index * 1440) - week_days.day_index * 1440)") }}
            as opens_text,
        {{ minutes_clock_text("(least(zd_end, (week_days.day_index + 1) * 1440) - week_days.day_index * 1440)") }}
            as closes_text,
        row_number() over (partition by checked._load_id, checked._line order by week_days.day_index) as part
    from checked
    inner join week_days
        on checked.zd_start < (week_days.day_index + 1) * 1440
        and checked.zd_end > week_days.day_index * 1440
    where checked._not_mapped is null

    union all

    select
        checked.*,
        cast(null as {{ dbt.type_int() }}) as day_index,
        cast(null as {{ dbt.type_string() }}) as opens_text,
        cast(null as {{ dbt.type_string() }}) as closes_text,
        1 as part
    from checked
    where checked._not_mapped is not null
)

select
    zd_schedule_id as schedule_id,
    coalesce(iana_zone, zd_time_zone) as time_zone,
    cast(case when day_index = 0 then 7 else day_index end as {{ dbt.type_string() }}) as weekday,
    opens_text as opens_at,
    closes_text as closes_at,
    _not_mapped,
    cast(case when part = 1 then 1 else 0 end as {{ dbt.type_bigint() }}) as _raw_rows,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _malformed
from split
