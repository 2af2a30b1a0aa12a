{#-
    Business time: the open intervals of business schedules as instants (int_business_open_intervals) and the
    open seconds of a time span under a schedule (int_tickets_sla_measured). docs/decisions.md, "Ticket SLAs in
    business hours".
-#}

{#- Minutes since local midnight of a zero-padded `HH:MM` text (contract type `time`; '24:00' -> 1440). -#}
{% macro clock_time_minutes(expr) -%}
    (cast(substr({{ expr }}, 1, 2) as {{ dbt.type_int() }}) * 60 + cast(substr({{ expr }}, 4, 2) as {{ dbt.type_int() }}))
{%- endmacro %}


{#- Seconds that the spans [a_start, a_end) and [b_start, b_end) have in common (0 when they do not overlap). -#}
{% macro overlap_seconds(a_start, a_end, b_start, b_end) -%}
    case
        when least({{ a_end }}, {{ b_end }}) > greatest({{ a_start }}, {{ b_start }})
            then {{ intervals_elapsed_seconds('greatest(' ~ a_start ~ ', ' ~ b_start ~ ')', 'least(' ~ a_end ~ ', ' ~ b_end ~ ')') }}
        else 0
    end
{%- endmacro %}


{#- Open seconds of time spans on their clock. `spans` (a relation or CTE) has one row per span: the key_columns
    (unique together), schedule_id (NULL = calendar time: every second counts), span_start, span_end (instants).
    Returns the key columns and open_seconds: for a calendar span its elapsed seconds (negative when it ends
    before it starts, as plain elapsed time is); for a schedule span the seconds it shares with the schedule's
    open intervals in `open_intervals` (schedule_id, open_at, close_at; disjoint within a schedule), 0 when it
    ends before it starts or meets no open interval. -#}
{% macro business_open_seconds(spans, open_intervals, key_columns) -%}
    select
        {%- for column in key_columns %}
        spans.{{ column }},
        {%- endfor %}
        case
            when spans.schedule_id is null
                then max({{ intervals_elapsed_seconds('spans.span_start', 'spans.span_end') }})
            {#- only matched intervals: LEAST / GREATEST skip NULLs, so an unmatched row would count the whole span -#}
            else coalesce(sum(case when open_intervals.open_at is not null
                then {{ overlap_seconds('spans.span_start', 'spans.span_end', 'open_intervals.open_at', 'open_intervals.close_at') }}
            end), 0)
        end as open_seconds
    from {{ spans }} as spans
    left join {{ open_intervals }} as open_intervals
        on spans.schedule_id = open_intervals.schedule_id
        and open_intervals.open_at < spans.span_end
        and open_intervals.close_at > spans.span_start
    group by {% for column in key_columns %}spans.{{ column }}, {% endfor %}spans.schedule_id
{%- endmacro %}
