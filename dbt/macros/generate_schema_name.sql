{#-
    Custom schema names are used as-is (staging, audit, reference, intermediate, marts), not prefixed with
    the target schema: the warehouse has one fixed layout that ingestion, Dagster and readers rely on.
    Nodes without a custom schema land in the target's schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
