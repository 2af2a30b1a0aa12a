{#-
    Parameters and small helpers of the contacts / journeys / first-contact-resolution models
    (models/intermediate/contacts, models/intermediate/repeats, models/marts/contacts).

    Every parameter is a dbt var with its default here, so it can be overridden with --vars without editing
    dbt_project.yml:
      repeat_windows_hours             FCR repeat windows W in hours (dbt_project.yml: [48, 168]); the public
                                       marts need 48 and 168 (has_repeat_48h / has_repeat_7d ...)
      journey_window_hours             a journey (episode) continues while each contact follows the previous
                                       one within this many hours (48 = the default repeat window)
      bot_failed_lookback_hours        bot_failed_before looks this far back for a failed / escalated bot session (24)
      contacts_lookback_margin_hours   fct_contacts incremental runs rewrite every contact started at or after
                                       max(started_at in the table) - longest repeat window - this margin (24)
    Names are prefixed `contacts_` because macro names are global to the project.
-#}

{#- The repeat windows as [{hours, suffix}], suffix as used in column names: below 72 hours the window is
    named in hours (48 -> 48h), from 72 hours on, when it is whole days, in days (168 -> 7d). -#}
{% macro contacts_repeat_windows() -%}
    {%- set windows = [] -%}
    {%- for hours in var('repeat_windows_hours', [48, 168]) -%}
        {%- do windows.append({'hours': hours | int, 'suffix': contacts_window_suffix(hours | int)}) -%}
    {%- endfor -%}
    {%- if windows | length == 0 -%}
        {%- do exceptions.raise_compiler_error("callqa: var repeat_windows_hours must list at least one window (hours)") -%}
    {%- endif -%}
    {{ return(windows) }}
{%- endmacro %}


{% macro contacts_window_suffix(hours) -%}
    {%- if hours >= 72 and hours % 24 == 0 -%}
        {{ return((hours // 24) ~ 'd') }}
    {%- else -%}
        {{ return(hours ~ 'h') }}
    {%- endif -%}
{%- endmacro %}


{#- The longest repeat window in hours (the incremental lookback must cover it). -#}
{% macro contacts_longest_window_hours() -%}
    {%- set hours = [] -%}
    {%- for w in contacts_repeat_windows() -%}{%- do hours.append(w.hours) -%}{%- endfor -%}
    {{ return(hours | max) }}
{%- endmacro %}


{#- The public marts have fixed column names (has_repeat_48h, fcr_7d, ...): fail at compile time, with a clear
    message, when var repeat_windows_hours lacks one of their windows. -#}
{% macro contacts_require_windows(required_hours) -%}
    {%- set configured = [] -%}
    {%- for w in contacts_repeat_windows() -%}{%- do configured.append(w.hours) -%}{%- endfor -%}
    {%- for hours in required_hours -%}
        {%- if hours not in configured -%}
            {%- do exceptions.raise_compiler_error(
                "callqa: var repeat_windows_hours = " ~ configured ~ " must include " ~ hours
                ~ " hours: the public contact marts expose fixed columns for the 48 h and 7 d windows") -%}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}


{% macro contacts_journey_window_hours() -%}
    {{ return(var('journey_window_hours', 48) | int) }}
{%- endmacro %}

{% macro contacts_bot_failed_lookback_hours() -%}
    {{ return(var('bot_failed_lookback_hours', 24) | int) }}
{%- endmacro %}

{% macro contacts_lookback_margin_hours() -%}
    {{ return(var('contacts_lookback_margin_hours', 24) | int) }}
{%- endmacro %}


{#- An interval literal, for window frames (`range between <interval> preceding ...`), where an expression
    such as dbt.dateadd cannot be used. unit: microsecond, second, minute, hour, day. -#}
{% macro contacts_interval(amount, unit) -%}
    {{ return(adapter.dispatch('contacts_interval', 'callqa')(amount, unit)) }}
{%- endmacro %}

{% macro default__contacts_interval(amount, unit) -%}
    interval '{{ amount }} {{ unit }}'
{%- endmacro %}


{#- Seconds (double, fractions kept) from the instant start_expr to the instant end_expr; NULL if either is
    NULL. -#}
{% macro contacts_seconds_between(start_expr, end_expr) -%}
    {{ return(adapter.dispatch('contacts_seconds_between', 'callqa')(start_expr, end_expr)) }}
{%- endmacro %}

{% macro default__contacts_seconds_between(start_expr, end_expr) -%}
    cast(extract(epoch from ({{ end_expr }} - {{ start_expr }})) as {{ type_double() }})
{%- endmacro %}


{#- Ratio as double; NULL (never 0) when the denominator is 0 or NULL. -#}
{% macro contacts_safe_ratio(numerator, denominator) -%}
    cast({{ numerator }} as {{ type_double() }}) / nullif(cast({{ denominator }} as {{ type_double() }}), 0)
{%- endmacro %}


{#- Aggregate: the number of rows where the boolean condition is true (NULL counts as not true), as bigint. -#}
{% macro contacts_count_if(condition) -%}
    cast(sum(case when {{ condition }} then 1 else 0 end) as {{ dbt.type_bigint() }})
{%- endmacro %}
