{#-
    Parsing of landing-contract text values (docs/layers.md, ../shared/spec/landing-contract.md).
    Every parser takes a text expression (already trimmed, '' turned into NULL) and returns the typed value,
    or NULL when the text is not a valid value of the type. A non-NULL text whose parse is NULL is an
    `invalid_type` reject.
-#}

{#- ISO 8601 shapes. Date, optional time (T or space), optional fraction; an offset (Z, +hh, +hhmm,
    +hh:mm) only after a time. -#}
{% macro iso_naive_timestamp_pattern() -%}
    {{ return('^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?)?$') }}
{%- endmacro %}

{% macro iso_offset_timestamp_pattern() -%}
    {{ return('^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)$') }}
{%- endmacro %}


{#- A contract timestamp -> TIMESTAMPTZ. With an offset (or Z) the text is that exact instant; without one
    it is wall-clock time in `tz` (default var('timezone')). Anything else -> NULL. -#}
{% macro parse_contract_timestamp(expr, tz=none) -%}
    {{ return(adapter.dispatch('parse_contract_timestamp', 'callqa')(expr, tz if tz is not none else var('timezone'))) }}
{%- endmacro %}

{% macro default__parse_contract_timestamp(expr, tz) -%}
    case
        when {{ regex_matches(expr, iso_offset_timestamp_pattern()) }}
            then {{ try_cast_as(expr, type_timestamptz()) }}
        when {{ regex_matches(expr, iso_naive_timestamp_pattern()) }}
            then {{ local_timestamp_to_instant(try_cast_as(expr, dbt.type_timestamp()), tz) }}
    end
{%- endmacro %}

{#- Spark reads an offset as Z but not z: the text is upper-cased first (digits, T and Z only in a match). -#}
{% macro spark__parse_contract_timestamp(expr, tz) -%}
    {{ default__parse_contract_timestamp('upper(' ~ expr ~ ')', tz) }}
{%- endmacro %}


{#- A wall-clock TIMESTAMP in zone tz -> the TIMESTAMPTZ instant it denotes there. -#}
{% macro local_timestamp_to_instant(ts_expr, tz=none) -%}
    {{ return(adapter.dispatch('local_timestamp_to_instant', 'callqa')(ts_expr, tz if tz is not none else var('timezone'))) }}
{%- endmacro %}

{% macro default__local_timestamp_to_instant(ts_expr, tz) -%}
    ({{ ts_expr }} at time zone {{ sql_string(tz) }})
{%- endmacro %}

{% macro duckdb__local_timestamp_to_instant(ts_expr, tz) -%}
    timezone({{ sql_string(tz) }}, {{ ts_expr }})
{%- endmacro %}

{% macro spark__local_timestamp_to_instant(ts_expr, tz) -%}
    to_utc_timestamp({{ ts_expr }}, {{ sql_string(tz) }})
{%- endmacro %}


{#- A contract date (YYYY-MM-DD, or a timestamp without offset whose date part is taken) -> DATE. -#}
{% macro parse_contract_date(expr) -%}
    {{ return(adapter.dispatch('parse_contract_date', 'callqa')(expr)) }}
{%- endmacro %}

{% macro default__parse_contract_date(expr) -%}
    case
        when {{ regex_matches(expr, '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') }}
            then {{ try_cast_as(expr, 'date') }}
        when {{ regex_matches(expr, iso_naive_timestamp_pattern()) }}
            then cast({{ try_cast_as(expr, dbt.type_timestamp()) }} as date)
    end
{%- endmacro %}


{#- A contract time: a local clock time of day `HH:MM` (one-digit hour accepted) from 00:00 to 23:59, or 24:00
    (midnight at the end of the day, for closing times) -> text zero-padded `HH:MM`, so equal times compare
    equal and text order is time order (end_after_start compares them). Seconds, 24:01, 7pm -> NULL. -#}
{% macro parse_contract_time(expr) -%}
    case
        when {{ regex_matches(expr, '^([01]?[0-9]|2[0-3]):[0-5][0-9]$') }} then lpad({{ expr }}, 5, '0')
        when {{ expr }} = '24:00' then '24:00'
    end
{%- endmacro %}


{#- A contract int -> BIGINT. Digits with an optional sign; an all-zero fraction ("3.0", as some exporters
    write integers) is accepted; "3.5", "1e3", "" are not. -#}
{% macro parse_contract_int(expr) -%}
    {{ return(adapter.dispatch('parse_contract_int', 'callqa')(expr)) }}
{%- endmacro %}

{% macro default__parse_contract_int(expr) -%}
    case
        when {{ regex_matches(expr, '^[+-]?[0-9]{1,18}([.]0*)?$') }}
            then {{ try_cast_as(dbt.split_part(expr, "'.'", 1), dbt.type_bigint()) }}
    end
{%- endmacro %}


{#- A contract number -> DOUBLE. Decimal notation with optional exponent; NaN / Infinity are not numbers. -#}
{% macro parse_contract_number(expr) -%}
    {{ return(adapter.dispatch('parse_contract_number', 'callqa')(expr)) }}
{%- endmacro %}

{% macro default__parse_contract_number(expr) -%}
    case
        when {{ regex_matches(expr, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,3})?$') }}
            then {{ try_cast_as(expr, type_double()) }}
    end
{%- endmacro %}


{#- A contract boolean: true/false, 1/0, yes/no, y/n in any case -> BOOLEAN; anything else -> NULL. -#}
{% macro parse_contract_bool(expr) -%}
    {{ return(adapter.dispatch('parse_contract_bool', 'callqa')(expr)) }}
{%- endmacro %}

{% macro default__parse_contract_bool(expr) -%}
    case
        when lower({{ expr }}) in ('true', '1', 'yes', 'y') then true
        when lower({{ expr }}) in ('false', '0', 'no', 'n') then false
    end
{%- endmacro %}


{#- A keyed hash written by ingestion (HMAC-SHA256 as 64 hex chars) -> lower-case hex; anything else
    (e.g. a phone number that escaped hashing) -> NULL, so it is rejected and never reaches staging. -#}
{% macro parse_contract_hash(expr) -%}
    case when {{ regex_matches(expr, '^[0-9A-Fa-f]{64}$') }} then lower({{ expr }}) end
{%- endmacro %}


{#- Free text with personal data masked, as ingestion does (repeated here so nothing unmasked can leave
    staging): e-mail addresses -> <email>, runs of 7+ digits with separators -> <num>. Idempotent. -#}
{% macro mask_free_text(expr) -%}
    {{ return(adapter.dispatch('mask_free_text', 'callqa')(expr)) }}
{%- endmacro %}

{% macro default__mask_free_text(expr) -%}
    {{ regex_replace_all(
        regex_replace_all(expr, '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+([.][A-Za-z0-9-]+)+', '<email>'),
        '[+]?[0-9]([ ().-]*[0-9]){6,}', '<num>') }}
{%- endmacro %}
