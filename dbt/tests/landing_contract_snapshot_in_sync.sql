{#-
    Warns when a derived copy of the landing contract drifts from the sources YAML:
      - macros/landing/landing_contract_snapshot.sql (the copy dbt unit tests use, because `graph` is empty
        inside unit tests): fix with `python dbt/scripts/snapshot_landing_contract.py`;
      - landing_tables() (the static list of landing sources that rejected_rows / layer_reconciliation
        iterate over): add the source there, with its staging model.
-#}
{{ config(severity='warn') }}
-- depends_on: {{ ref('stg_landing__calls') }}
{%- set problems = [] %}
{%- if execute %}
    {%- set snapshot = landing_contract_snapshot() %}
    {%- for table_name in landing_tables() %}
        {%- if landing_contract_from_graph(table_name) != snapshot.get(table_name) %}
            {%- do problems.append(table_name ~ ': landing_contract_snapshot() differs from the sources YAML') %}
        {%- endif %}
    {%- endfor %}
    {%- for node in graph.sources.values() %}
        {%- if node.source_name == 'landing' and node.name not in landing_tables() %}
            {%- do problems.append(node.name ~ ': declared in the sources YAML but missing from landing_tables()') %}
        {%- endif %}
    {%- endfor %}
{%- endif %}
{%- if problems %}
{%- for problem in problems %}
select {{ sql_string(problem) }} as problem
{%- if not loop.last %} union all {% endif %}
{%- endfor %}
{%- else %}
select cast(null as {{ dbt.type_string() }}) as problem
where 1 = 0
{%- endif %}
