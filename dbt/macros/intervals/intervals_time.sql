{#-
    Elapsed time and local reporting intervals (service level per queue and interval). Instants are
    TIMESTAMPTZ; local wall-clock values come from to_local_timestamp (local_time.sql) in var('timezone').
    Engine-specific SQL sits behind adapter.dispatch, so a new adapter needs an `<adapter>__` version here.
-#}

{#- Elapsed seconds from start_instant to end_instant (fractional, exact to the microsecond), as a double.
    Unlike dbt.datediff, which counts unit boundaries crossed, this is elapsed time. -#}
{% macro intervals_elapsed_seconds(start_instant, end_instant) -%}
    {{ return(adapter.dispatch('intervals_elapsed_seconds', 'callqa')(start_instant, end_instant)) }}
{%- endmacro %}

{% macro default__intervals_elapsed_seconds(start_instant, end_instant) -%}
    cast(extract(epoch from ({{ end_instant }} - {{ start_instant }})) as {{ type_double() }})
{%- endmacro %}

{% macro duckdb__intervals_elapsed_seconds(start_instant, end_instant) -%}
    (cast(epoch_us({{ end_instant }}) - epoch_us({{ start_instant }}) as {{ type_double() }}) / 1000000)
{%- endmacro %}

{% macro spark__intervals_elapsed_seconds(start_instant, end_instant) -%}
    (cast(unix_micros({{ end_instant }}) - unix_micros({{ start_instant }}) as {{ type_double() }}) / 1000000)
{%- endmacro %}


{#- Start of the local interval of `interval_minutes` that contains the wall-clock TIMESTAMP local_ts:
    the hour, plus whole intervals of minutes. interval_minutes must divide 60 (5, 6, 10, 15, 30 or 60); it
    may be a column. -#}
{% macro intervals_local_floor(local_ts, interval_minutes) -%}
    {{ return(adapter.dispatch('intervals_local_floor', 'callqa')(local_ts, interval_minutes)) }}
{%- endmacro %}

{% macro default__intervals_local_floor(local_ts, interval_minutes) -%}
    {{ dbt.dateadd(
        'minute',
        'cast(floor(extract(minute from ' ~ local_ts ~ ') / (' ~ interval_minutes ~ ')) as ' ~ dbt.type_int() ~ ') * (' ~ interval_minutes ~ ')',
        dbt.date_trunc('hour', local_ts)) }}
{%- endmacro %}


{#- The instant (TIMESTAMPTZ) at which a local interval starts, from an instant inside it: the instant minus
    the wall-clock time elapsed since the local interval start. Exact whenever the UTC offset does not change
    inside the interval (offsets change on the hour, intervals divide the hour), so on a day when clocks go
    back the repeated local hour gives two distinct instants, and on a day when they go forward the skipped
    hour has none. -#}
{% macro intervals_start_instant(instant, local_ts, local_start) -%}
    {{ return(adapter.dispatch('intervals_start_instant', 'callqa')(instant, local_ts, local_start)) }}
{%- endmacro %}

{% macro default__intervals_start_instant(instant, local_ts, local_start) -%}
    {#- every operand parenthesised: local_start may be an expression like `date_trunc(...) + interval ...` -#}
    (({{ instant }}) - (({{ local_ts }}) - ({{ local_start }})))
{%- endmacro %}


{#- Rows `instant` (TIMESTAMPTZ) from start_column (inclusive) to end_column (exclusive) every step_minutes
    (a number or an integer column of `bounds`), for each row of the relation or CTE `bounds` (which holds the two instant columns); with
    carry_bounds_columns, every column of `bounds` comes along (bounds.*, instant). -#}
{% macro intervals_instant_series(bounds, start_column, end_column, step_minutes, carry_bounds_columns=false) -%}
    {{ return(adapter.dispatch('intervals_instant_series', 'callqa')(bounds, start_column, end_column, step_minutes, carry_bounds_columns)) }}
{%- endmacro %}

{% macro default__intervals_instant_series(bounds, start_column, end_column, step_minutes, carry_bounds_columns=false) -%}
    select {% if carry_bounds_columns %}{{ bounds }}.*, {% endif %}series.instant
    from {{ bounds }}
    cross join lateral generate_series(
        {{ bounds }}.{{ start_column }}, {{ bounds }}.{{ end_column }}, ({{ step_minutes }}) * interval '1 minute'
    ) as series (instant)
    where series.instant < {{ bounds }}.{{ end_column }}
{%- endmacro %}

{% macro duckdb__intervals_instant_series(bounds, start_column, end_column, step_minutes, carry_bounds_columns=false) -%}
    {#- unnest in the select list: about 10 x faster in DuckDB than a lateral generate_series per row -#}
    select {% if carry_bounds_columns %}series.* exclude (series_end){% else %}series.instant{% endif %}
    from (
        select
            {% if carry_bounds_columns %}{{ bounds }}.*, {% endif %}{{ bounds }}.{{ end_column }} as series_end,
            unnest(generate_series(
                {{ bounds }}.{{ start_column }}, {{ bounds }}.{{ end_column }}, ({{ step_minutes }}) * interval 1 minute
            )) as instant
        from {{ bounds }}
    ) as series
    where series.instant < series.series_end
{%- endmacro %}

{% macro spark__intervals_instant_series(bounds, start_column, end_column, step_minutes, carry_bounds_columns=false) -%}
    {#- sequence() refuses a stop before its start: it runs to greatest(start, end), and the filter keeps the
        instants before the end (none when end <= start); NULL bounds give no rows. -#}
    select {% if carry_bounds_columns %}{{ bounds }}.*, {% endif %}series.instant
    from {{ bounds }}
    lateral view explode(sequence(
        {{ bounds }}.{{ start_column }},
        greatest({{ bounds }}.{{ start_column }}, {{ bounds }}.{{ end_column }}),
        make_dt_interval(0, 0, {{ step_minutes }}, 0)
    )) series as instant
    where series.instant < {{ bounds }}.{{ end_column }}
{%- endmacro %}


{#- Whole minutes between the UTC wall clock and the local wall clock at an instant (local - UTC): -300 for
    EST, -240 for EDT. -#}
{% macro intervals_utc_offset_minutes(instant) -%}
    {{ dbt.datediff(to_local_timestamp(instant, 'UTC'), to_local_timestamp(instant), 'minute') }}
{%- endmacro %}
