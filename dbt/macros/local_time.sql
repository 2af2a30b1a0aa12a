{#-
    Local calendar fields of an instant in the contact center's zone, var('timezone') (CALLQA_TIMEZONE).
    Instants are TIMESTAMPTZ (UTC session); local values are derived per row in the zone, so a daylight
    saving change neither shifts nor duplicates local hours / intervals.
-#}

{#- TIMESTAMPTZ -> wall-clock TIMESTAMP (without time zone) in tz. -#}
{% macro to_local_timestamp(ts_expr, tz=none) -%}
    {{ return(adapter.dispatch('to_local_timestamp', 'callqa')(ts_expr, tz if tz is not none else var('timezone'))) }}
{%- endmacro %}

{% macro default__to_local_timestamp(ts_expr, tz) -%}
    ({{ ts_expr }} at time zone {{ sql_string(tz) }})
{%- endmacro %}

{% macro duckdb__to_local_timestamp(ts_expr, tz) -%}
    timezone({{ sql_string(tz) }}, {{ ts_expr }})
{%- endmacro %}

{#- Spark (session zone UTC): the instant shifted to the wall clock of tz, still a TIMESTAMP, which shows that
    wall clock in a UTC session. -#}
{% macro spark__to_local_timestamp(ts_expr, tz) -%}
    from_utc_timestamp({{ ts_expr }}, {{ sql_string(tz) }})
{%- endmacro %}


{#- TIMESTAMPTZ -> local calendar DATE in tz. -#}
{% macro to_local_date(ts_expr, tz=none) -%}
    cast({{ to_local_timestamp(ts_expr, tz) }} as date)
{%- endmacro %}


{#- ISO day of the week of a DATE: 1 = Monday ... 7 = Sunday, as an int. -#}
{% macro iso_weekday(date_expr) -%}
    {{ return(adapter.dispatch('iso_weekday', 'callqa')(date_expr)) }}
{%- endmacro %}

{% macro default__iso_weekday(date_expr) -%}
    cast(extract(isodow from {{ date_expr }}) as {{ dbt.type_int() }})
{%- endmacro %}

{% macro spark__iso_weekday(date_expr) -%}
    cast(extract(dayofweek_iso from {{ date_expr }}) as {{ dbt.type_int() }})
{%- endmacro %}


{#- TIMESTAMPTZ -> local hour of day (0-23) in tz. -#}
{% macro to_local_hour(ts_expr, tz=none) -%}
    cast(extract(hour from {{ to_local_timestamp(ts_expr, tz) }}) as {{ dbt.type_int() }})
{%- endmacro %}


{#- Select-list columns for an instant column: <column>_local, <prefix>_local_date, <prefix>_local_hour,
    where prefix defaults to the column name without a trailing `_at` (arrived_at -> arrived_local_date). -#}
{% macro local_calendar_columns(column, prefix=none, tz=none) -%}
    {%- set prefix = prefix if prefix is not none else (column[:-3] if column.endswith('_at') else column) -%}
    {{ to_local_timestamp(column, tz) }} as {{ column }}_local,
    {{ to_local_date(column, tz) }} as {{ prefix }}_local_date,
    {{ to_local_hour(column, tz) }} as {{ prefix }}_local_hour
{%- endmacro %}


{#- A wall-clock TIMESTAMP -> the instant (TIMESTAMPTZ) it denotes in the zone named by the SQL expression tz_expr
    (a column, e.g. a business schedule's time_zone; local_timestamp_to_instant takes a literal zone). -#}
{% macro local_timestamp_to_instant_in_zone(ts_expr, tz_expr) -%}
    {{ return(adapter.dispatch('local_timestamp_to_instant_in_zone', 'callqa')(ts_expr, tz_expr)) }}
{%- endmacro %}

{% macro default__local_timestamp_to_instant_in_zone(ts_expr, tz_expr) -%}
    {#- ts_expr parenthesised: AT TIME ZONE binds tighter than + (e.g. a dbt.dateadd expression) -#}
    (({{ ts_expr }}) at time zone {{ tz_expr }})
{%- endmacro %}

{% macro duckdb__local_timestamp_to_instant_in_zone(ts_expr, tz_expr) -%}
    timezone({{ tz_expr }}, {{ ts_expr }})
{%- endmacro %}

{% macro spark__local_timestamp_to_instant_in_zone(ts_expr, tz_expr) -%}
    to_utc_timestamp({{ ts_expr }}, {{ tz_expr }})
{%- endmacro %}
