{#-
    Small cross-database primitives. Models and the other macros only call these (and dbt's own
    cross-database macros), so a new adapter needs an `<adapter>__` implementation here, not a model rewrite.
    DuckDB is the default engine; postgres__ and spark__ versions are given where the default does not hold.
-#}

{#- TIMESTAMP WITH TIME ZONE: an instant. -#}
{% macro type_timestamptz() -%}
    {{ return(adapter.dispatch('type_timestamptz', 'callqa')()) }}
{%- endmacro %}

{% macro default__type_timestamptz() -%}
    {{ return('timestamp with time zone') }}
{%- endmacro %}

{% macro duckdb__type_timestamptz() -%}
    {{ return('timestamptz') }}
{%- endmacro %}

{#- Spark's TIMESTAMP is an instant (shown in the session zone, UTC in the profile); TIMESTAMP_NTZ is a wall clock. -#}
{% macro spark__type_timestamptz() -%}
    {{ return('timestamp') }}
{%- endmacro %}


{#- 64-bit float (dbt.type_float() is a 32-bit FLOAT on DuckDB). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'callqa')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    {{ return('double precision') }}
{%- endmacro %}

{% macro duckdb__type_double() -%}
    {{ return('double') }}
{%- endmacro %}

{% macro spark__type_double() -%}
    {{ return('double') }}
{%- endmacro %}


{#- cast(expr as type), but NULL instead of an error when expr does not convert. -#}
{% macro try_cast_as(expr, type) -%}
    {{ return(adapter.dispatch('try_cast_as', 'callqa')(expr, type)) }}
{%- endmacro %}

{% macro default__try_cast_as(expr, type) -%}
    {#- No portable TRY_CAST: callers guard the input with a regex first, so a plain cast is safe there. -#}
    cast({{ expr }} as {{ type }})
{%- endmacro %}

{% macro duckdb__try_cast_as(expr, type) -%}
    try_cast({{ expr }} as {{ type }})
{%- endmacro %}

{% macro spark__try_cast_as(expr, type) -%}
    try_cast({{ expr }} as {{ type }})
{%- endmacro %}

{% macro postgres__try_cast_as(expr, type) -%}
    {#- PostgreSQL has no TRY_CAST (and pg_input_is_valid only from 16 on): a small PL/pgSQL function per
        target type, created by the on-run-start hook (engine_setup below), returns NULL where a cast fails. -#}
    {{ target.schema }}.{{ postgres_try_cast_function(type) }}({{ expr }})
{%- endmacro %}

{% macro postgres_try_cast_types() -%}
    {{ return({
        'timestamp with time zone': 'callqa_try_timestamptz', 'timestamptz': 'callqa_try_timestamptz',
        'timestamp without time zone': 'callqa_try_timestamp', 'timestamp': 'callqa_try_timestamp',
        'date': 'callqa_try_date', 'bigint': 'callqa_try_bigint', 'integer': 'callqa_try_integer',
        'double precision': 'callqa_try_double', 'float8': 'callqa_try_double', 'numeric': 'callqa_try_numeric',
        'boolean': 'callqa_try_boolean'}) }}
{%- endmacro %}

{% macro postgres_try_cast_function(type) -%}
    {%- set functions = postgres_try_cast_types() -%}
    {%- set key = type | lower | trim -%}
    {%- if key not in functions -%}
        {%- do exceptions.raise_compiler_error("callqa: no PostgreSQL try-cast function for type '" ~ type ~ "'") -%}
    {%- endif -%}
    {{ return(functions[key]) }}
{%- endmacro %}


{#- Engine setup run before every dbt invocation (on-run-start): nothing on DuckDB; on PostgreSQL the try-cast
    functions. Idempotent (create or replace). -#}
{% macro engine_setup() -%}
    {{ return(adapter.dispatch('engine_setup', 'callqa')()) }}
{%- endmacro %}

{% macro default__engine_setup() -%}
    select 1
{%- endmacro %}

{% macro postgres__engine_setup() -%}
    create schema if not exists {{ target.schema }};
    {%- set created = [] %}
    {%- for type, function in postgres_try_cast_types().items() if function not in created %}
    {%- do created.append(function) %}
    create or replace function {{ target.schema }}.{{ function }}(value text) returns {{ type }}
    language plpgsql stable as $$
    begin
        return cast(value as {{ type }});
    exception when others then
        return null;
    end
    $$;
    {%- endfor %}
{%- endmacro %}


{#- True when expr contains a match of the (RE2 / POSIX ERE-compatible) pattern; anchor with ^...$ for a
    full match. NULL when expr is NULL. -#}
{% macro regex_matches(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'callqa')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(expr, pattern) -%}
    regexp_like({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__regex_matches(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro postgres__regex_matches(expr, pattern) -%}
    ({{ expr }} ~ '{{ pattern }}')
{%- endmacro %}

{#- Spark: Java regular expressions (the patterns here are in their common subset); no backslash in them, as
    Spark reads backslash escapes in string literals, and a quote is escaped, not doubled (spark_pattern). -#}
{% macro spark__regex_matches(expr, pattern) -%}
    ({{ expr }} rlike '{{ spark_pattern(pattern) }}')
{%- endmacro %}

{#- A pattern written for a SQL literal (a quote doubled) as a Spark literal's content (a quote escaped). -#}
{% macro spark_pattern(pattern) -%}
    {{ return(pattern | replace("''", "\\'")) }}
{%- endmacro %}


{#- Every match of pattern in expr replaced by replacement. -#}
{% macro regex_replace_all(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('regex_replace_all', 'callqa')(expr, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regex_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{#- Spark's regexp_replace replaces every match; its fourth argument is a position, not flags. -#}
{% macro spark__regex_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ spark_pattern(pattern) }}', '{{ spark_pattern(replacement) }}')
{%- endmacro %}


{#- The non-NULL expressions joined by sep; NULL when all are NULL. -#}
{% macro concat_nonnull(exprs, sep=', ') -%}
    {{ return(adapter.dispatch('concat_nonnull', 'callqa')(exprs, sep)) }}
{%- endmacro %}

{% macro default__concat_nonnull(exprs, sep) -%}
    {%- if exprs | length == 0 -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        nullif(concat_ws('{{ sep }}', {{ exprs | join(', ') }}), '')
    {%- endif -%}
{%- endmacro %}


{#- An instant as text in one fixed form on every engine: its UTC wall clock to the second and '+00'
    ('2026-06-30 09:00:00+00'; a fraction of a second is dropped), whatever the session's time zone. A plain cast
    is the engine's own text (DuckDB and PostgreSQL add the session zone's offset, Spark adds none). NULL in, NULL
    out. -#}
{% macro instant_to_text(expr) -%}
    {{ return(adapter.dispatch('instant_to_text', 'callqa')(expr)) }}
{%- endmacro %}

{% macro default__instant_to_text(expr) -%}
    (to_char(({{ expr }}) at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00')
{%- endmacro %}

{% macro duckdb__instant_to_text(expr) -%}
    (strftime(timezone('UTC', {{ expr }}), '%Y-%m-%d %H:%M:%S') || '+00')
{%- endmacro %}

{% macro spark__instant_to_text(expr) -%}
    (date_format(to_utc_timestamp({{ expr }}, current_timezone()), 'yyyy-MM-dd HH:mm:ss') || '+00')
{%- endmacro %}

{#- A SQL string literal (single quotes doubled). -#}
{% macro sql_string(value) -%}
    {{ return(adapter.dispatch('sql_string', 'callqa')(value)) }}
{%- endmacro %}

{% macro default__sql_string(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}

{#- Spark reads backslash escapes in literals, and 'a''b' as the two literals 'a' and 'b' run together (ab). -#}
{% macro spark__sql_string(value) -%}
    '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}


{#- The raw layer records the zone it was loaded in (raw._callqa_settings, written by `callqa run` on its first run
    and copied to PostgreSQL by `callqa load-postgres`). Building with another var('timezone') would shift every
    local date and hour silently (a dbt run without CALLQA_TIMEZONE takes UTC), so it is refused here, before any
    model runs, on every target. -#}
{% macro check_recorded_timezone() -%}
    {%- if execute -%}
        {%- set settings = adapter.get_relation(database=target.database, schema='raw', identifier='_callqa_settings') -%}
        {%- if settings is not none -%}
            {%- set recorded = run_query("select value from " ~ settings ~ " where key = 'timezone'") -%}
            {%- if recorded.rows | length > 0 and recorded.rows[0][0] != var('timezone') -%}
                {{ exceptions.raise_compiler_error(
                    "the raw layer was loaded with CALLQA_TIMEZONE=" ~ recorded.rows[0][0] ~ " but this build has "
                    ~ var('timezone') ~ ": set CALLQA_TIMEZONE=" ~ recorded.rows[0][0]
                    ~ " (local dates and hours would shift otherwise)") }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}


{#- The materialization of a model kept up to date in place (delete+insert on its unique key; fct_contacts):
    `incremental` where the engine can delete rows of a table (DuckDB, PostgreSQL), `table` on Spark, whose
    Parquet tables cannot delete rows (Delta could; docs/decisions.md, issue 18): there it is rebuilt whole,
    which gives the rows a full refresh gives everywhere. -#}
{% macro updated_in_place() -%}
    {{ return(adapter.dispatch('updated_in_place', 'callqa')()) }}
{%- endmacro %}

{% macro default__updated_in_place() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro spark__updated_in_place() -%}
    {{ return('table') }}
{%- endmacro %}


{#- The IANA time zone names the engine knows, as a relation with one column `name` (DuckDB's ICU table function,
    PostgreSQL's catalog view): lets a model reject an unknown zone with a reason instead of failing the build. -#}
{% macro time_zone_names() -%}
    {{ return(adapter.dispatch('time_zone_names', 'callqa')()) }}
{%- endmacro %}

{% macro default__time_zone_names() -%}
    (select name from pg_timezone_names)
{%- endmacro %}

{% macro duckdb__time_zone_names() -%}
    (select name from pg_timezone_names())
{%- endmacro %}

{#- Spark has no catalog of zones: the IANA names of the tz database that dbt ships (pytz), which Java's
    (Spark's) tz database also knows. -#}
{% macro spark__time_zone_names() -%}
    (select explode(array({% for name in modules.pytz.all_timezones %}'{{ name }}'{{ ', ' if not loop.last }}{% endfor %})) as name)
{%- endmacro %}


{#- A 64-bit hash of the values of `columns` in one row (an integer; compared only within one engine): DuckDB's
    hash() of the values themselves, PostgreSQL's hashtextextended() of the row as text (each value length-prefixed,
    NULL apart, so no two different rows give the same text), Spark's xxhash64() with each column's NULL flag
    (it skips NULL values). The project's fingerprints sum these (kept_in_place.sql set_fingerprint). -#}
{% macro row_hash(columns) -%}
    {{ return(adapter.dispatch('row_hash', 'callqa')(columns)) }}
{%- endmacro %}

{% macro default__row_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro postgres__row_hash(columns) -%}
    {%- set parts = [] -%}
    {%- for column_name in columns -%}
        {%- set text = 'cast(' ~ column_name ~ ' as text)' -%}
        {%- do parts.append("case when " ~ column_name ~ " is null then 'N' else length(" ~ text ~ ") || ':' || "
            ~ text ~ " end") -%}
    {%- endfor -%}
    hashtextextended({{ parts | join(" || '|' || ") }}, 0)
{%- endmacro %}

{% macro spark__row_hash(columns) -%}
    {%- set parts = [] -%}
    {%- for column_name in columns -%}
        {%- do parts.append(column_name ~ ', ' ~ column_name ~ ' is null') -%}
    {%- endfor -%}
    xxhash64({{ parts | join(', ') }})
{%- endmacro %}


{#- The column names of an existing relation, lower-cased (what a model checks before reading a column an older table
    may lack, or an adapter export may not have). -#}
{% macro relation_column_names(relation) -%}
    {{ return(adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list) }}
{%- endmacro %}
