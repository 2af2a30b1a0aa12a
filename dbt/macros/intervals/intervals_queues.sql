{#- The service-level parameters of a queue: seeds queues (alias `queues_alias`, left-joined; NULL when the
    queue is not listed) else the metric_targets defaults (alias `defaults_alias`, a one-row relation with
    threshold_seconds, short_abandon_seconds, service_level_target) and var service_level_default_interval_minutes.
    A select-list (no trailing comma): threshold_seconds, short_abandon_seconds, service_level_target,
    interval_minutes. One rule for call-level queues (int_calls_queued) and interval-report-only queues
    (int_queue_intervals_spined). -#}
{% macro intervals_queue_parameters(queues_alias='q', defaults_alias='d') -%}
        cast(coalesce({{ queues_alias }}.service_level_threshold_seconds, {{ defaults_alias }}.threshold_seconds) as {{ dbt.type_int() }})
            as threshold_seconds,
        cast(coalesce({{ queues_alias }}.short_abandon_seconds, {{ defaults_alias }}.short_abandon_seconds) as {{ dbt.type_int() }})
            as short_abandon_seconds,
        cast(coalesce({{ queues_alias }}.service_level_target, {{ defaults_alias }}.service_level_target) as {{ type_double() }})
            as service_level_target,
        cast(coalesce({{ queues_alias }}.interval_minutes, {{ var('service_level_default_interval_minutes', 30) }}) as {{ dbt.type_int() }})
            as interval_minutes
{%- endmacro %}
