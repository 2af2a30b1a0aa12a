{#-
    The landing contract as a Jinja structure.

    landing_contract(table_name) ->
      {name, primary_key: [..], end_after_start: [[start, end], ..], require_any: [[col, ..], ..],
       require_any_unless: [[col, value], ..], interval_aligned: [[start, minutes], ..], checks: [sql condition, ..],
       columns: [{name, required, type, enum, min, max, min_exclusive, pii}, ..]}   (columns in YAML order)

    The contract's machine-readable copy is models/staging/landing/_landing__sources.yml; its one Python reader
    (dagster_project/lib/contract.py) writes it into the generated, checked-in macro landing_contract_snapshot()
    (dbt/scripts/snapshot_landing_contract.py). Every model and unit test reads that macro, so they all see the
    same contract; tests/dbt/test_contract.py and the data test landing_contract_snapshot_in_sync catch a stale copy.
-#}

{#- The landing sources, in contract order (the generated contract's order, which is the YAML's). -#}
{% macro landing_tables() -%}
    {{ return(landing_contract_snapshot().keys() | list) }}
{%- endmacro %}


{#- Reject reasons of audit.rejected_rows, in the order they are tested (the first that applies wins). -#}
{% macro reject_reasons() -%}
    {{ return([
        'malformed_line', 'not_mapped', 'missing_required', 'invalid_type', 'invalid_enum', 'out_of_range',
        'end_before_start', 'failed_check', 'duplicate_superseded'
    ]) }}
{%- endmacro %}


{% macro compiling_unit_test() -%}
    {{ return(model is defined and model is mapping and model.get('resource_type') == 'unit_test') }}
{%- endmacro %}


{#- Contract of one table from the source node of the graph (normalized like the generated macro); used only by
    the data test landing_contract_snapshot_in_sync to catch a stale generated macro. -#}
{% macro landing_contract_from_graph(table_name) -%}
    {%- set sources = graph.get('sources') or {} -%}
    {%- set node = sources.get('source.' ~ project_name ~ '.landing.' ~ table_name) -%}
    {%- if node is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set table_meta = {} -%}
    {%- do table_meta.update(node.get('meta') or {}) -%}
    {%- do table_meta.update((node.get('config') or {}).get('meta') or {}) -%}
    {%- set columns = [] -%}
    {%- for column_name, column in node.get('columns', {}).items() -%}
        {%- set meta = {} -%}
        {%- do meta.update(column.get('meta') or {}) -%}
        {%- do meta.update((column.get('config') or {}).get('meta') or {}) -%}
        {%- do columns.append({
            'name': column_name,
            'required': meta.get('required', false) == true,
            'type': meta.get('type', 'string'),
            'enum': meta.get('enum'),
            'min': meta.get('min'),
            'max': meta.get('max'),
            'min_exclusive': meta.get('min_exclusive', false) == true,
            'pii': meta.get('pii'),
        }) -%}
    {%- endfor -%}
    {%- set unless = [] -%}
    {%- for column_name, value in (table_meta.get('require_any_unless') or {}).items() -%}
        {%- do unless.append([column_name, value | string]) -%}
    {%- endfor -%}
    {{ return({
        'name': table_name,
        'primary_key': table_meta.get('primary_key') or [],
        'end_after_start': table_meta.get('end_after_start') or [],
        'require_any': table_meta.get('require_any') or [],
        'require_any_unless': unless,
        'interval_aligned': table_meta.get('interval_aligned') or [],
        'checks': table_meta.get('checks') or [],
        'columns': columns,
    }) }}
{%- endmacro %}


{% macro landing_contract(table_name) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if table_name not in landing_tables() -%}
        {{ exceptions.raise_compiler_error("'" ~ table_name ~ "' is not a landing source; landing_tables() lists " ~ landing_tables() | join(', ')) }}
    {%- endif -%}
    {%- set contract = landing_contract_snapshot().get(table_name) -%}
    {%- set origin = 'landing_contract_snapshot()' -%}
    {%- if contract is none or (contract.columns | length) == 0 -%}
        {{ exceptions.raise_compiler_error("No landing contract for '" ~ table_name ~ "' (" ~ origin ~ "): declare it with its columns in models/staging/landing/_landing__sources.yml") }}
    {%- endif -%}
    {%- set names = contract.columns | map(attribute='name') | list -%}
    {%- for key_column in contract.primary_key -%}
        {%- if key_column not in names -%}
            {{ exceptions.raise_compiler_error("landing." ~ table_name ~ ": primary_key column '" ~ key_column ~ "' is not a contract column") }}
        {%- endif -%}
    {%- endfor -%}
    {%- if (contract.primary_key | length) == 0 -%}
        {{ exceptions.raise_compiler_error("landing." ~ table_name ~ ": meta.primary_key is missing") }}
    {%- endif -%}
    {{ return(contract) }}
{%- endmacro %}
