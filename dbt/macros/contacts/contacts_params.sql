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
      ticket_contact_grace_minutes     a ticket is represented by a call or digital contact that names it
                                       (ticket_id) and started no later than the ticket's created_at + this
                                       many minutes (5); otherwise the ticket is a contact of its own
      ticket_contact_excluded_channels ticket channels (lower-cased) the center opens itself: tickets from
                                       them are never contacts (internal, monitoring, alert, ...)
      ticket_contact_channel_aliases   ticket channel (lower-cased) -> contact channel, so that a phone ticket
                                       is in the voice channel of the same-channel variants ({phone: voice, ...})
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

{#- Tickets as contacts (int_contacts_unioned; docs/decisions.md, "Tickets as contacts"). -#}
{% macro contacts_ticket_grace_minutes() -%}
    {{ return(var('ticket_contact_grace_minutes', 5) | int) }}
{%- endmacro %}

{% macro contacts_ticket_excluded_channels() -%}
    {{ return(var('ticket_contact_excluded_channels', [
        'internal', 'monitoring', 'alert', 'event', 'system', 'rule', 'automation', 'side_conversation'
    ])) }}
{%- endmacro %}

{% macro contacts_ticket_channel_aliases() -%}
    {{ return(var('ticket_contact_channel_aliases', {
        'phone': 'voice', 'telephone': 'voice', 'call': 'voice', 'voice': 'voice'
    })) }}
{%- endmacro %}

{#- A string literal for SQL ('it''s'), for values taken from vars (cross_db.sql sql_string). -#}
{% macro contacts_sql_string(value) -%}
    {{ sql_string(value) }}
{%- endmacro %}

{#- The contact channel of a ticket from its delivered channel: lower-cased and trimmed, an alias mapped
    (phone -> voice), a missing channel 'unknown'. -#}
{% macro contacts_ticket_channel(column) -%}
    {%- set aliases = contacts_ticket_channel_aliases() -%}
    {%- set normalized = 'lower(trim(' ~ column ~ '))' -%}
    case
        when {{ column }} is null or {{ normalized }} = '' then 'unknown'
        {%- for raw_channel, contact_channel in aliases.items() | sort %}
        when {{ normalized }} = {{ contacts_sql_string(raw_channel | lower) }} then {{ contacts_sql_string(contact_channel) }}
        {%- endfor %}
        else {{ normalized }}
    end
{%- endmacro %}

{#- TRUE when a ticket of this delivered channel was opened by the customer (not an excluded channel; a
    missing channel counts as the customer's: a ticket-only export without channels must still get FCR). -#}
{% macro contacts_ticket_is_customer_opened(column) -%}
    {%- set excluded = contacts_ticket_excluded_channels() -%}
    {%- if excluded | length == 0 -%}
    true
    {%- else -%}
    ({{ column }} is null or lower(trim({{ column }})) not in (
        {%- for channel in excluded %}{{ contacts_sql_string(channel | lower) }}{{ ', ' if not loop.last }}{% endfor -%}
    ))
    {%- endif -%}
{%- endmacro %}


{#- An interval literal, for window frames (`range between <interval> preceding ...`), where an expression
    such as dbt.dateadd cannot be used. unit: microsecond, second, minute, hour, day. -#}
{% macro contacts_interval(amount, unit) -%}
    {{ return(adapter.dispatch('contacts_interval', 'callqa')(amount, unit)) }}
{%- endmacro %}

{% macro default__contacts_interval(amount, unit) -%}
    interval '{{ amount }} {{ unit }}'
{%- endmacro %}

{#- Spark: an ANSI interval DAY TO SECOND literal, whatever the unit (a window frame's two bounds must have the
    same interval type). -#}
{% macro spark__contacts_interval(amount, unit) -%}
    {%- set unit_micros = {'microsecond': 1, 'millisecond': 1000, 'second': 1000000, 'minute': 60000000,
                           'hour': 3600000000, 'day': 86400000000} -%}
    {%- set total = ((amount | float) * unit_micros[unit]) | round | int -%}
    {%- set days = total // 86400000000 -%}
    {%- set rest = total % 86400000000 -%}
    interval '{{ days }} {{ '%02d:%02d:%02d.%06d' % (rest // 3600000000, rest % 3600000000 // 60000000,
        rest % 60000000 // 1000000, rest % 1000000) }}' day to second
{%- endmacro %}


{#- Seconds (double, fractions kept) from the instant start_expr to the instant end_expr; NULL if either is
    NULL. -#}
{% macro contacts_seconds_between(start_expr, end_expr) -%}
    {{ return(adapter.dispatch('contacts_seconds_between', 'callqa')(start_expr, end_expr)) }}
{%- endmacro %}

{% macro default__contacts_seconds_between(start_expr, end_expr) -%}
    cast(extract(epoch from ({{ end_expr }} - {{ start_expr }})) as {{ type_double() }})
{%- endmacro %}

{% macro spark__contacts_seconds_between(start_expr, end_expr) -%}
    {{ spark__intervals_elapsed_seconds(start_expr, end_expr) }}
{%- endmacro %}


{#- Ratio as double; NULL (never 0) when the denominator is 0 or NULL. -#}
{% macro contacts_safe_ratio(numerator, denominator) -%}
    cast({{ numerator }} as {{ type_double() }}) / nullif(cast({{ denominator }} as {{ type_double() }}), 0)
{%- endmacro %}


{#- Aggregate: the number of rows where the boolean condition is true (NULL counts as not true), as bigint. -#}
{% macro contacts_count_if(condition) -%}
    cast(sum(case when {{ condition }} then 1 else 0 end) as {{ dbt.type_bigint() }})
{%- endmacro %}
