{#-
    headline_row(area_order, area, metric_order, metric, label, unit, numerator, denominator, value=None,
                 target_metric=None, ci=None, text_value=None, null_reason=None)
    One row of marts.rpt_headlines, selected from the CTE it follows (`from <cte>`). `value` defaults to
    numerator / denominator (NULL when the denominator is 0 or NULL); `ci` = (z expression) adds the Wilson interval
    of numerator / denominator; `target_metric` names the seeds metric_targets row whose target goes with it;
    `null_reason` is a SQL expression (or None) saying why the value is NULL.
-#}
{% macro headline_row(area_order, area, metric_order, metric, label, unit, numerator, denominator, value=None,
                      target_metric=None, ci=None, text_value=None, null_reason=None) -%}
    select
        cast({{ area_order }} as {{ dbt.type_bigint() }}) as area_order,
        cast({{ sql_string(area) }} as {{ dbt.type_string() }}) as area,
        cast({{ metric_order }} as {{ dbt.type_bigint() }}) as metric_order,
        cast({{ sql_string(metric) }} as {{ dbt.type_string() }}) as metric,
        cast({{ sql_string(label) }} as {{ dbt.type_string() }}) as label,
        cast({{ sql_string(unit) }} as {{ dbt.type_string() }}) as unit,
        cast({{ numerator if numerator is not none else 'null' }} as {{ type_double() }}) as numerator,
        cast({{ denominator if denominator is not none else 'null' }} as {{ type_double() }}) as denominator,
        cast({% if value is not none %}{{ value }}{% elif denominator is not none %}case when {{ denominator }} > 0
            then cast({{ numerator }} as {{ type_double() }}) / {{ denominator }} end{% else %}{{ numerator }}{% endif %}
            as {{ type_double() }}) as value,
        cast({% if ci is not none %}{{ qa_wilson_low(numerator, denominator, ci) }}{% else %}null{% endif %} as {{ type_double() }}) as ci_low,
        cast({% if ci is not none %}{{ qa_wilson_high(numerator, denominator, ci) }}{% else %}null{% endif %} as {{ type_double() }}) as ci_high,
        cast({{ "'" ~ target_metric ~ "'" if target_metric else 'null' }} as {{ dbt.type_string() }}) as target_metric,
        cast({{ text_value if text_value is not none else 'null' }} as {{ dbt.type_string() }}) as text_value,
        cast({{ null_reason if null_reason is not none else 'null' }} as {{ dbt.type_string() }}) as null_reason
{%- endmacro %}
