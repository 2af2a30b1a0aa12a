{#-
    The ACD's interval report (stg_landing__queue_intervals) rolled up to local intervals of another length:
    the forecast's (int_wfm_intervals_measured) or the queue's reporting length (rpt_service_level_interval).

    intervals_reports_rolled(targets): `targets` is a relation or CTE of distinct (queue, interval_minutes)
    pairs. One row per pair and local target interval that report rows of the queue overlap:
      queue, interval_minutes, interval_start_utc      the target interval (the key)
      report_minutes    the report length used (NULL: no report row nests in the interval)
      report_rows       report rows used (those of report_minutes)
      report_rows_not_nested
                        report rows that overlap the interval but do not nest in it (coarser than the target,
                        or a length that does not divide it, e.g. 6-minute rows in a 15-minute interval):
                        they are never split or pro-rated, so such an interval gets no actuals from them
      offered, answered, abandoned, short_abandoned, answered_within_threshold, handle_seconds, wait_seconds
                        sums over the rows used; an optional count is NULL unless every row used has it (a
                        partial sum would understate the interval)
      answered_with_handle_time
                        answered, when handle_seconds is known (the weight of AHT), else 0
    A report row nests in a target interval when the target length is a multiple of the row's length (both
    divide 60 and starts are on local boundaries, so it then lies inside exactly one target interval). Where
    a queue delivered rows of several lengths for the same time (a 5-minute and a 15-minute export), one
    length is used per target interval, never a sum across lengths: the one covering most minutes, then the
    longer.
-#}
{% macro intervals_reports_rolled(targets) -%}
    {%- set int = dbt.type_int() -%}
    with report_rows as (
        select
            r.queue,
            cast(t.interval_minutes as {{ int }}) as target_minutes,
            cast(r.interval_minutes as {{ int }}) as report_minutes,
            cast(t.interval_minutes as {{ int }}) % cast(r.interval_minutes as {{ int }}) = 0 as is_nested,
            r.interval_start,
            r.interval_end,
            cast(r.interval_start_local as {{ dbt.type_timestamp() }}) as interval_start_local,
            r.offered,
            r.answered,
            r.abandoned,
            r.short_abandoned,
            r.answered_within_threshold,
            r.handle_seconds,
            r.wait_seconds
        from {{ ref('stg_landing__queue_intervals') }} as r
        inner join {{ targets }} as t
            on t.queue = r.queue
    ),

    report_first_target as (
        select
            report_rows.*,
            {{ intervals_start_instant('interval_start', 'interval_start_local',
                intervals_local_floor('interval_start_local', 'target_minutes')) }} as first_target_utc
        from report_rows
    ),

    -- every target interval a row overlaps: one for a nested row, several for a coarser one
    report_targets as (
        {{ intervals_instant_series('report_first_target', 'first_target_utc', 'interval_end',
            'report_first_target.target_minutes', carry_bounds_columns=true) }}
    ),

    report_lengths as (
        select
            queue,
            target_minutes,
            instant,
            report_minutes,
            count(*) as length_rows
        from report_targets
        where is_nested
        group by queue, target_minutes, instant, report_minutes
    ),

    report_chosen_lengths as (
        select
            queue,
            target_minutes,
            instant,
            report_minutes
        from (
            select
                report_lengths.*,
                row_number() over (
                    partition by queue, target_minutes, instant
                    order by length_rows * report_minutes desc, report_minutes desc
                ) as length_rank
            from report_lengths
        ) as ranked
        where length_rank = 1
    ),

    report_marked as (
        select
            rt.*,
            c.report_minutes as chosen_minutes,
            c.report_minutes is not null as is_used
        from report_targets as rt
        left join report_chosen_lengths as c
            on c.queue = rt.queue
            and c.target_minutes = rt.target_minutes
            and c.instant = rt.instant
            and c.report_minutes = rt.report_minutes
            and rt.is_nested
    )

    select
        queue,
        target_minutes as interval_minutes,
        cast(instant as {{ type_timestamptz() }}) as interval_start_utc,
        max(chosen_minutes) as report_minutes,
        sum(case when is_used then 1 else 0 end) as report_rows,
        sum(case when not is_nested then 1 else 0 end) as report_rows_not_nested,
        sum(case when is_used then offered end) as offered,
        {%- for c in ['answered', 'abandoned', 'short_abandoned', 'answered_within_threshold', 'handle_seconds', 'wait_seconds'] %}
        case when count(case when is_used then {{ c }} end) = sum(case when is_used then 1 else 0 end)
            then sum(case when is_used then {{ c }} end) end as {{ c }},
        {%- endfor %}
        case when count(case when is_used then handle_seconds end) = sum(case when is_used then 1 else 0 end)
            then sum(case when is_used then answered end) end as answered_with_handle_time
    from report_marked
    group by queue, target_minutes, instant
{%- endmacro %}


{#-
    Which actuals an interval of a queue takes (docs/decisions.md, "ACD interval reports"): the call-level log when
    the interval has any call-level row, else the ACD's report when it has report rows, else none. One rule for the
    forecast and the service-level marts: 'calls' | 'queue_intervals' | 'none'.
-#}
{% macro intervals_actuals_source(call_rows, report_rows) -%}
    case
        when coalesce({{ call_rows }}, 0) > 0 then 'calls'
        when coalesce({{ report_rows }}, 0) > 0 then 'queue_intervals'
        else 'none'
    end
{%- endmacro %}
