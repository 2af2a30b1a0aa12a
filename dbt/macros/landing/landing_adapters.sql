{#-
    Adapters: exports of other systems, read as they come (../docs/layers.md, "Adapters").

    Ingestion (dagster_project/lib/adapters.py) loads <landing>/<adapter>/** losslessly into raw.<adapter> (dbt
    source `adapters`); an adapter model base_<adapter>__<source> (plain SQL, models/staging/adapters/<adapter>/)
    maps it into the contract columns of one landing source, and base_landing__<source> unions it with the
    contract files, so mapped rows are typed, validated, de-duplicated and rejected exactly like delivered ones.

    landing_adapters() -> {adapter: {source: 'primary' | 'secondary'}}  (landing_adapters_registry.sql, GENERATED
      from the adapter registry of dagster_project/lib/adapters.py, `feeds`: one place for Python and dbt)
      primary: the model accounts for every raw row of the adapter (sum of its _raw_rows = raw rows; checked by
      audit.layer_reconciliation); secondary: derived rows (e.g. status events from the same updates).
    A registry rather than discovery because dbt must know every ref() at parse time. tests/dbt/test_adapters_registry.py
    checks that every base_<adapter>__<source> model is registered and every registered one exists.
-#}


{#- The adapter models feeding one landing source: [{adapter, model, primary}, ...] in registry order. -#}
{% macro landing_adapter_models(table_name) -%}
    {%- set feeds = [] -%}
    {%- for adapter_name, sources in landing_adapters().items() -%}
        {%- if table_name in sources -%}
            {%- do feeds.append({
                'adapter': adapter_name,
                'model': 'base_' ~ adapter_name ~ '__' ~ table_name,
                'primary': sources[table_name] == 'primary',
            }) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(feeds) }}
{%- endmacro %}


{#-
    The raw table of an adapter, usable in FROM whether or not anything was delivered:
      - the table source('adapters', adapter_name) when it exists and has every listed column;
      - with NULL text for the listed columns it lacks (an export without an optional field);
      - an empty relation with the listed columns and the load metadata when nothing was delivered yet.
    `columns`: the delivered column names the model reads (as in raw: case and punctuation kept).
-#}
{% macro adapter_source(adapter_name, columns) -%}
    {%- set relation = source('adapters', adapter_name) -%}
    {%- set metadata = {'_load_id': dbt.type_bigint(), '_file': dbt.type_string(), '_line': dbt.type_bigint(),
                        '_record': dbt.type_bigint(), '_loaded_at': type_timestamptz(),
                        '_malformed': dbt.type_string(), '_date_order': dbt.type_string()} -%}
    {%- set q = adapter.quote -%}
    {%- set existing = none if (not execute or compiling_unit_test()) else load_relation(relation) -%}
    {%- if compiling_unit_test() -%}
        {{ relation }}
    {%- elif existing is none -%}
        (
            select
                {%- for name in columns %}
                cast(null as {{ dbt.type_string() }}) as {{ q(name) }},
                {%- endfor %}
                {%- for name, type in metadata.items() %}
                cast(null as {{ type }}) as {{ name }}{{ ',' if not loop.last }}
                {%- endfor %}
            where 1 = 0
        )
    {%- else -%}
        {%- set present = relation_column_names(existing) -%}
        {%- set missing = [] -%}
        {%- for name in columns + (metadata.keys() | list) -%}
            {%- if (name | lower) not in present -%}{%- do missing.append(name) -%}{%- endif -%}
        {%- endfor -%}
        {%- if missing -%}
        (
            select
                *,
                {%- for name in missing %}
                cast(null as {{ metadata.get(name, dbt.type_string()) }}) as {{ q(name) if name not in metadata else name }}{{ ',' if not loop.last }}
                {%- endfor %}
            from {{ relation }}
        )
        {%- else -%}
        {{ relation }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
