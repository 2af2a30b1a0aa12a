{#- One row with the named targets of seed `metric_targets` as columns:
      metric_targets_row([('fcr_48h_rate', 'fcr_48h_target'), ...])  ->  select ... as fcr_48h_target ...
    An aggregate always returns exactly one row, so a metric missing from the seed is NULL, never zero rows. -#}
{% macro metric_targets_row(metrics) -%}
    select
    {%- for metric, alias in metrics %}
        max(case when metric = {{ sql_string(metric) }} then target end) as {{ alias }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ ref('metric_targets') }}
{%- endmacro %}
