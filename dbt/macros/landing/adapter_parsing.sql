{#-
    Parsing helpers for adapter models (models/staging/adapters/): the formats exports use that the landing
    contract does not, turned into contract text (ISO timestamps, plain codes). Portable: dbt's cross-database
    macros and functions DuckDB and PostgreSQL share (split_part, lpad, reverse, replace). Each returns NULL
    where its input is NULL; junk stays junk (contract typing then rejects the row with its reason).
-#}

{#- 'H:MM:SS' (or 'HH:MM', 'H:MM') -> seconds since midnight; NULL when a part is not a whole number. -#}
{% macro adapter_clock_seconds(expr) -%}
    (
        {{ try_cast_as(dbt.split_part(expr, "':'", 1), dbt.type_int()) }} * 3600
        + {{ try_cast_as(dbt.split_part(expr, "':'", 2), dbt.type_int()) }} * 60
        + coalesce({{ try_cast_as("nullif(" ~ dbt.split_part(expr, "':'", 3) ~ ", '')", dbt.type_int()) }}, 0)
    )
{%- endmacro %}


{#- 'H:MM[:SS]' -> 'HH:MM:SS' (seconds default to 00). -#}
{% macro adapter_clock_text(expr) -%}
    {{ dbt.concat([
        "lpad(" ~ dbt.split_part(expr, "':'", 1) ~ ", 2, '0')", "':'",
        "lpad(" ~ dbt.split_part(expr, "':'", 2) ~ ", 2, '0')", "':'",
        "lpad(coalesce(nullif(" ~ dbt.split_part(expr, "':'", 3) ~ ", ''), '00'), 2, '0')"
    ]) }}
{%- endmacro %}


{#-
    A date-time text in the order `order_expr` names ('dmy' | 'mdy' | 'ymd', e.g. raw _date_order, detected per
    file at ingestion) -> ISO 'YYYY-MM-DD HH:MM:SS' local text. Date parts separated by '/', '-' or '.';
    the time after a space, 'H:MM' or 'H:MM:SS' (absent = midnight). 'ymd' text is returned trimmed as it is
    (ISO already, offset or 'T' included).
-#}
{% macro adapter_timestamp(expr, order_expr) -%}
    {%- set text = "trim(" ~ expr ~ ")" -%}
    {%- set day_part = "replace(replace(" ~ dbt.split_part(text, "' '", 1) ~ ", '-', '/'), '.', '/')" -%}
    {%- set time_part = "nullif(" ~ dbt.split_part(text, "' '", 2) ~ ", '')" -%}
    {%- set first = dbt.split_part(day_part, "'/'", 1) -%}
    {%- set second = dbt.split_part(day_part, "'/'", 2) -%}
    {%- set year = dbt.split_part(day_part, "'/'", 3) -%}
    case
        when {{ expr }} is null or trim({{ expr }}) = '' then null
        when {{ order_expr }} = 'ymd' then {{ text }}
        when {{ order_expr }} in ('dmy', 'mdy') then {{ dbt.concat([
            year, "'-'",
            "lpad(case when " ~ order_expr ~ " = 'dmy' then " ~ second ~ " else " ~ first ~ " end, 2, '0')", "'-'",
            "lpad(case when " ~ order_expr ~ " = 'dmy' then " ~ first ~ " else " ~ second ~ " end, 2, '0')", "' '",
            "coalesce(" ~ adapter_clock_text(time_part) ~ ", '00:00:00')"
        ]) }}
    end
{%- endmacro %}


{#- A display value's code: '2 - Medium' -> '2'; a value without ' - ' is returned trimmed. -#}
{% macro adapter_display_code(expr) -%}
    case when {{ expr }} like '% - %' then trim({{ dbt.split_part(expr, "' - '", 1) }}) else trim({{ expr }}) end
{%- endmacro %}


{#- The last space-separated word of a display value: 'Caller 2403' -> '2403', 'Group 56' -> '56'. -#}
{% macro adapter_last_word(expr) -%}
    reverse({{ dbt.split_part("reverse(trim(" ~ expr ~ "))", "' '", 1) }})
{%- endmacro %}


{#- NULL for the export's markers of "no value" (ServiceNow writes '?'). -#}
{% macro adapter_null_marker(expr, markers=['?']) -%}
    {%- set quoted = [] -%}
    {%- for marker in markers -%}{%- do quoted.append(sql_string(marker)) -%}{%- endfor -%}
    case when trim({{ expr }}) in ({{ quoted | join(', ') }}) then null else {{ expr }} end
{%- endmacro %}


{#- The load metadata of the raw row an aggregated output row is traced to (its file and line in audit and
    reconciliation): in a GROUP BY, the values of the row where `condition` holds (one row per group). -#}
{% macro adapter_representative_metadata(condition) -%}
    {%- for column in ['_load_id', '_file', '_line', '_loaded_at', '_malformed'] %}
        max(case when {{ condition }} then {{ column }} end) as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
