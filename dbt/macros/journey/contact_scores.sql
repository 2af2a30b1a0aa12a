{#- The satisfaction analysis's expected csat per contact (analysis.contact_satisfaction_scores) as the body of a
    CTE: contact_id, expected_csat (`scored_only`: the contacts with a score; `with_reason`: also the analysis's
    score_null_reason, why a contact has no score). The analysis writes that table after
    the main dbt build, and the models that read it are built by Dagster's second dbt step; in a build without it
    (a plain dbt build, e.g. on PostgreSQL) this is an empty relation of the same columns. In a dbt unit test the
    source is the test's fixture (a CTE, no relation to look up). -#}
{% macro contact_scores(scored_only=false, with_reason=false) -%}
{%- set scores = source('analysis', 'contact_satisfaction_scores') -%}
{%- if model.resource_type == 'unit_test' or (execute and adapter.get_relation(
        database=scores.database, schema=scores.schema, identifier=scores.identifier) is not none) %}
    select contact_id, expected_csat{{ ', score_null_reason' if with_reason }}
    from {{ scores }}
    {%- if scored_only %}
    where expected_csat is not null
    {%- endif %}
{%- else %}
    select cast(null as {{ dbt.type_string() }}) as contact_id, cast(null as {{ type_double() }}) as expected_csat
        {{- ', cast(null as ' ~ dbt.type_string() ~ ') as score_null_reason' if with_reason }}
    where 1 = 0
{%- endif %}
{%- endmacro %}
