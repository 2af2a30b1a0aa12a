{#-
    Bounded recomputation of the agent time cut at local quarter-hours (int_agent_time_sliced; issue 14 item 3;
    docs/decisions.md, "Bounded recomputation of the agent time slices"): the one rule saying which partitions
    (agent_id, local_date) an incremental build rewrites, and which spans it cuts to rewrite them.

    A quarter-hour row of an agent is a function of that agent's schedule and state rows that overlap it, and of
    nothing else (no end or start of the data, no other agent): a partition changes only when a row overlapping it
    is new, corrected or gone. The model holds sums, not its input rows, so it cannot compare them as
    contacts_recompute_scope.sql does; the landing's load ids tell instead (landing_versions_since): every version
    (the new one and every earlier one, staged, superseded or rejected) of every key delivered by a load after the
    largest load id the model holds (`last_load_id`, the newest schedule or state row cut into a stored row).

    agent_time_recompute_partitions(previous) -> a SELECT of distinct (agent_id, local_date): the local dates of the
    quarter-hours each such version was or is cut into (the same cut as the model, intervals_split_spans, so the
    dates are those of the rows it made or makes), `previous` being the model's table ({{ this }}).
    agent_time_overlaps_partitions(spans, start_column, end_column, partitions) -> a condition on `spans` (a CTE
    with agent_id): the span may have time in one of `partitions`: it overlaps the partition's date read in UTC,
    one day wider on each side (every instant of a local date lies within 14 hours of that UTC date, whatever the
    zone and its clock changes), compared as instants so no span is converted to local time.
    The rows of the partitions are computed from those spans whole; rows the spans give on other dates are not
    written (their partitions keep their rows).
-#}
{% macro agent_time_recompute_partitions(previous) -%}
    {{ agent_time_partitions_since('(select coalesce(max(last_load_id), 0) from ' ~ previous ~ ')') }}
{%- endmacro %}


{#- The (agent_id, local_date) of the quarter-hours that every version of a schedule or state row delivered after
    `after` (SQL) was or is cut into (also read by the interval chain, intervals_recompute_scope.sql). -#}
{% macro agent_time_partitions_since(after) -%}
    select distinct agent_id, slot_local_date as local_date
    from (
        with changed_spans as (
            select agent_id, activity_start as span_start, activity_end as span_end
            from ({{ landing_versions_since('agent_schedules', after) }}) as schedule_versions
            where agent_id is not null

            union all

            select agent_id, started_at as span_start, ended_at as span_end
            from ({{ landing_versions_since('agent_states', after) }}) as state_versions
            where agent_id is not null
        ),

        -- hours suffice to find the local dates (quarter-hours nest in them)
        changed_pieces as (
            {{ intervals_split_spans('changed_spans', 'span_start', 'span_end', 60) }}
        )

        select agent_id, slot_local_date from changed_pieces
    ) as changed
{%- endmacro %}


{% macro agent_time_overlaps_partitions(spans, start_column, end_column, partitions) -%}
    {%- set day_before = 'cast(' ~ dbt.dateadd('day', -1, 'local_date') ~ ' as ' ~ dbt.type_timestamp() ~ ')' -%}
    {%- set day_after_next = 'cast(' ~ dbt.dateadd('day', 2, 'local_date') ~ ' as ' ~ dbt.type_timestamp() ~ ')' -%}
    exists (
        select 1
        from (
            select
                agent_id,
                {{ local_timestamp_to_instant_in_zone(day_before, "'UTC'") }} as window_start,
                {{ local_timestamp_to_instant_in_zone(day_after_next, "'UTC'") }} as window_end
            from {{ partitions }}
        ) as partition_windows
        where partition_windows.agent_id = {{ spans }}.agent_id
            and {{ spans }}.{{ start_column }} < partition_windows.window_end
            and {{ spans }}.{{ end_column }} > partition_windows.window_start
    )
{%- endmacro %}


{#- The placeholder rows an incremental build writes for each rewritten partition (slot_start_utc NULL, so that
    delete+insert on (agent_id, local_date) empties a partition that has no row left), deleted after the build. -#}
{% macro agent_time_delete_placeholders(relation) -%}
    delete from {{ relation }} where slot_start_utc is null
{%- endmacro %}
