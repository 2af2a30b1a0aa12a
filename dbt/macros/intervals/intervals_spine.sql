{#-
    Local reporting intervals built from instants (see intervals_time.sql): the spine of every local interval
    of a range of local days, and the split of time spans at local interval boundaries. Both step through
    elapsed time from a local boundary, so a day when clocks go forward has 23 hours and one when they go back
    25 (UTC offsets change on the hour, and 15-minute steps from a local quarter-hour stay on local
    quarter-hours).
-#}

{#- One row per row of `queues` (a relation or CTE with an integer column interval_minutes that divides 60:
    5, 6, 10, 15, 30 or 60; each length is stepped on its own from local midnight) and
    local interval of every local day from first_local_date to last_local_date (the columns of the one-row
    relation `local_days`; no row when first_local_date is NULL): every column of `queues`, then
    interval_start_local (repeats in the hour clocks go back), interval_start_utc (with the queue columns, the
    key), interval_end_utc (= start + interval_minutes), local_date, utc_offset_minutes (local - UTC). -#}
{% macro intervals_local_spine(queues, local_days) -%}
    with spine_bounds as (
        select
            {{ local_timestamp_to_instant('cast(first_local_date as ' ~ dbt.type_timestamp() ~ ')') }} as first_instant,
            {{ local_timestamp_to_instant('cast(' ~ dbt.dateadd('day', 1, 'last_local_date') ~ ' as ' ~ dbt.type_timestamp() ~ ')') }}
                as end_instant
        from {{ local_days }}
        where first_local_date is not null
    ),

    spine_lengths as (
        select distinct cast(interval_minutes as {{ dbt.type_int() }}) as spine_step_minutes
        from {{ queues }}
    ),

    spine_steps as (
        select spine_bounds.first_instant, spine_bounds.end_instant, spine_lengths.spine_step_minutes
        from spine_bounds
        cross join spine_lengths
    ),

    spine_instants as (
        {{ intervals_instant_series('spine_steps', 'first_instant', 'end_instant', 'spine_steps.spine_step_minutes',
            carry_bounds_columns=true) }}
    ),

    spine_local_instants as (
        select
            spine_step_minutes,
            instant,
            {{ to_local_timestamp('instant') }} as local_start
        from spine_instants
    )

    select
        spine_queues.*,
        cast(spine_local_instants.local_start as {{ dbt.type_timestamp() }}) as interval_start_local,
        cast(spine_local_instants.instant as {{ type_timestamptz() }}) as interval_start_utc,
        cast({{ dbt.dateadd('minute', 'spine_queues.interval_minutes', 'spine_local_instants.instant') }} as {{ type_timestamptz() }})
            as interval_end_utc,
        cast(spine_local_instants.local_start as date) as local_date,
        cast({{ intervals_utc_offset_minutes('spine_local_instants.instant') }} as {{ dbt.type_int() }}) as utc_offset_minutes
    from {{ queues }} as spine_queues
    inner join spine_local_instants
        on spine_local_instants.spine_step_minutes = spine_queues.interval_minutes
        and cast(extract(minute from spine_local_instants.local_start) as {{ dbt.type_int() }}) % spine_queues.interval_minutes = 0
{%- endmacro %}


{#- Time spans cut exactly at local slot boundaries: one row per row of `spans` (a relation or CTE whose
    instant columns start_column < end_column; other rows are dropped) and local slot of slot_minutes (15, 30
    or 60: it must divide the hour) that the span overlaps, with every column of `spans`, then slot_start_utc,
    slot_start_local, slot_local_date, piece_start, piece_end (the part of the span inside the slot) and
    piece_seconds. A state from 09:50 to 10:20 gives 600 s to the 09:45 quarter-hour, 900 s to 10:00 and
    300 s to 10:15; one across midnight gives each local date its own part. -#}
{% macro intervals_split_spans(spans, start_column, end_column, slot_minutes=15) -%}
    with split_spans as (
        select
            {{ spans }}.*,
            {{ to_local_timestamp(start_column) }} as split_start_local
        from {{ spans }}
        where {{ end_column }} > {{ start_column }}
    ),

    split_first_slot as (
        select
            split_spans.*,
            {{ intervals_start_instant(start_column, 'split_start_local',
                intervals_local_floor('split_start_local', slot_minutes)) }} as split_first_slot_utc
        from split_spans
    ),

    split_slots as (
        {{ intervals_instant_series('split_first_slot', 'split_first_slot_utc', end_column, slot_minutes,
            carry_bounds_columns=true) }}
    ),

    split_pieces as (
        select
            split_slots.*,
            case when {{ start_column }} > instant then {{ start_column }} else instant end as piece_start,
            case
                when {{ end_column }} < {{ dbt.dateadd('minute', slot_minutes, 'instant') }} then {{ end_column }}
                else {{ dbt.dateadd('minute', slot_minutes, 'instant') }}
            end as piece_end
        from split_slots
    )

    select
        split_pieces.*,
        cast(instant as {{ type_timestamptz() }}) as slot_start_utc,
        cast({{ to_local_timestamp('instant') }} as {{ dbt.type_timestamp() }}) as slot_start_local,
        {{ to_local_date('instant') }} as slot_local_date,
        {{ intervals_elapsed_seconds('piece_start', 'piece_end') }} as piece_seconds
    from split_pieces
{%- endmacro %}
