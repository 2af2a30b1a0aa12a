{#-
    Read access for BI tools (on-run-end). On PostgreSQL the role named by var `bi_role` (env CALLQA_PG_BI_ROLE,
    default callqa_bi) may use schema `marts` and select its tables, and nothing else: no other schema (raw,
    staging, audit, intermediate, reference), no writes. Tables are rebuilt by every run, so the grant is
    re-applied after every run. Skipped when the role does not exist. DuckDB has no roles: readers get the
    read-only serving copy instead (lib/publish.py).
-#}
{% macro grant_bi_access() -%}
    {{ return(adapter.dispatch('grant_bi_access', 'callqa')()) }}
{%- endmacro %}

{% macro default__grant_bi_access() -%}
    select 1
{%- endmacro %}

{% macro postgres__grant_bi_access() -%}
    {%- set role = var('bi_role', env_var('CALLQA_PG_BI_ROLE', 'callqa_bi')) -%}
    {%- set marts_schema = generate_schema_name('marts', none) | trim -%}
    do $callqa_grants$
    begin
        if exists (select 1 from pg_roles where rolname = {{ sql_string(role) }})
           and exists (select 1 from information_schema.schemata where schema_name = {{ sql_string(marts_schema) }}) then
            execute format('grant usage on schema %I to %I', {{ sql_string(marts_schema) }}, {{ sql_string(role) }});
            execute format('grant select on all tables in schema %I to %I', {{ sql_string(marts_schema) }}, {{ sql_string(role) }});
        end if;
    end
    $callqa_grants$;
{%- endmacro %}
