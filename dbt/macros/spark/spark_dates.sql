{#-
    dbt's date macros on Spark, overriding dbt-spark's (a root-project macro wins dbt's dispatch). dbt-spark 1.11
    builds them on to_unix_timestamp, which drops fractions of a second, and on assert_not_null, which fails the
    whole query on one NULL; here they keep DuckDB's and PostgreSQL's meaning: dateadd adds an interval to a
    date or timestamp and returns a timestamp (NULL in, NULL out); datediff counts the unit boundaries crossed
    (DuckDB's date_diff), in the UTC session the profile sets.
-#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    {%- set units = {'microsecond': "interval '0.000001' second", 'millisecond': "interval '0.001' second",
                     'second': "interval '1' second", 'minute': "interval '1' minute", 'hour': "interval '1' hour",
                     'day': "interval '1' day", 'week': "interval '7' day", 'month': "interval '1' month",
                     'quarter': "interval '3' month", 'year': "interval '1' year"} -%}
    {%- if datepart | lower not in units -%}
        {{ exceptions.raise_compiler_error("callqa: dateadd has no datepart '" ~ datepart ~ "' on Spark") }}
    {%- endif -%}
    (cast({{ from_date_or_timestamp }} as timestamp) + {{ units[datepart | lower] }} * ({{ interval }}))
{%- endmacro %}

{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- set part = datepart | lower -%}
    {%- set micros = {'hour': 3600000000, 'minute': 60000000, 'second': 1000000, 'millisecond': 1000,
                      'microsecond': 1} -%}
    {%- if part == 'day' -%}
        datediff(cast({{ second_date }} as date), cast({{ first_date }} as date))
    {%- elif part in ('month', 'quarter', 'year') -%}
        {%- set months = '((year(' ~ second_date ~ ') * 12 + month(' ~ second_date ~ ')) - (year(' ~ first_date
                         ~ ') * 12 + month(' ~ first_date ~ ')))' -%}
        {%- if part == 'month' -%}{{ months }}
        {%- elif part == 'quarter' -%}((year({{ second_date }}) * 4 + quarter({{ second_date }})) - (year({{ first_date }}) * 4 + quarter({{ first_date }})))
        {%- else -%}(year({{ second_date }}) - year({{ first_date }}))
        {%- endif -%}
    {%- elif part in micros -%}
        (floor(unix_micros(cast({{ second_date }} as timestamp)) / {{ micros[part] }})
         - floor(unix_micros(cast({{ first_date }} as timestamp)) / {{ micros[part] }}))
    {%- else -%}
        {{ exceptions.raise_compiler_error("callqa: datediff has no datepart '" ~ datepart ~ "' on Spark") }}
    {%- endif -%}
{%- endmacro %}
