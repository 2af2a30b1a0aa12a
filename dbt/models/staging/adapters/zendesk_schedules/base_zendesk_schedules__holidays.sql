{#-
    Zendesk schedule holidays as contract holidays. PRIMARY for the holiday records of the adapter
    zendesk_schedules (raw rows with a start or end date: macro zendesk_schedules_is_holiday; every other row is
    the schedules model's). Raw grain: one row per holiday.

    Mapping (docs/decisions.md, "Zendesk schedules"):
      schedule_id = the number in the file's path .../schedules/<schedule id>/holidays... (Zendesk's holidays
      response does not name its schedule; the path of the API call does, and that is where the file is saved);
      an inclusive range start_date..end_date becomes one row per date (no end_date: the start date only); the
      first date carries the raw row (_raw_rows 1), the others 0; name as delivered.
    Not mapped (a reject saying why): a path naming no schedule, end_date before start_date, an end_date that is not
    a date, a range longer than 366 days. A start_date that is not a date reaches the contract as it is
    (invalid_type).
-#}
with delivered as (
    select *
    from {{ adapter_source('zendesk_schedules', ['id', 'name', 'start_date', 'end_date']) }} as raw_rows
),

-- step 1: the holiday records, their schedule from the file's path, their dates typed
holiday_rows as (
    select
        nullif(trim(id), '') as zd_holiday_id,
        nullif(trim(name), '') as zd_name,
        nullif(trim(start_date), '') as zd_start_text,
        nullif(trim(end_date), '') as zd_end_text,
        {{ dbt.split_part(dbt.split_part('_file', "'/schedules/'", 2), "'/'", 1) }} as path_schedule_id,
        {{ dbt.split_part(dbt.split_part('_file', "'/schedules/'", 2), "'/'", 2) }} as path_rest,
        {{ try_cast_as("nullif(trim(start_date), '')", 'date') }} as zd_start,
        {{ try_cast_as("coalesce(nullif(trim(end_date), ''), nullif(trim(start_date), ''))", 'date') }} as zd_end,
        _load_id,
        _file,
        _line,
        _loaded_at,
        _malformed
    from delivered
    where {{ zendesk_schedules_is_holiday() }}
),

-- step 2: what cannot be mapped, with the reason
checked as (
    select
        *,
        case
            when not {{ regex_matches("coalesce(path_schedule_id, '')", '^[0-9]+$') }}
                or coalesce(path_rest, '') not like 'holidays%'
                then {{ dbt.concat(["'holiday '", "coalesce(zd_holiday_id, '?')", "' in '", "_file",
                                    "': the path names no schedule; save a schedule''s holidays as '",
                                    "'<landing>/zendesk_schedules/schedules/<schedule id>/holidays.json'"]) }}
            when zd_start is null
                then null
            when zd_end is null
                then {{ dbt.concat(["'holiday end_date '", "zd_end_text", "' is not a date'"]) }}
            when zd_end < zd_start
                then {{ dbt.concat(["'holiday end_date '", "zd_end_text", "' is before start_date '", "zd_start_text"]) }}
            when {{ dbt.datediff('zd_start', 'zd_end', 'day') }} > 366
                then {{ dbt.concat(["'holiday '", "zd_start_text", "'..'", "zd_end_text",
                                    "' spans more than a year'"]) }}
        end as _not_mapped
    from holiday_rows
),

-- step 3: one row per date of the range (0..366 days after the start)
digits as (
    select digit
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as d (digit)
),

day_offsets as (
    select ones.digit + 10 * tens.digit + 100 * hundreds.digit as day_offset
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds
    where ones.digit + 10 * tens.digit + 100 * hundreds.digit <= 366
),

dated as (
    select
        checked.*,
        cast(cast({{ dbt.dateadd('day', 'day_offsets.day_offset', 'checked.zd_start') }} as date)
            as {{ dbt.type_string() }}) as holiday_date_text,
        day_offsets.day_offset
    from checked
    inner join day_offsets
        on day_offsets.day_offset <= {{ dbt.datediff('checked.zd_start', 'checked.zd_end', 'day') }}
    where checked._not_mapped is null and checked.zd_start is not null

    union all

    -- a reject, or a start_date that is no date (the contract says invalid_type): the row as it is
    select
        checked.*,
        checked.zd_start_text as holiday_date_text,
        0 as day_offset
    from checked
    where checked._not_mapped is not null or checked.zd_start is null
)

select
    case when {{ regex_matches("coalesce(path_schedule_id, '')", '^[0-9]+$') }} then path_schedule_id end as schedule_id,
    holiday_date_text as holiday_date,
    zd_name as name,
    _not_mapped,
    cast(case when day_offset = 0 then 1 else 0 end as {{ dbt.type_bigint() }}) as _raw_rows,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _malformed
from dated
