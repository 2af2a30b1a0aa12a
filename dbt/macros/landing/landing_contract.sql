{#-
    The landing contract as a Jinja structure, read from the sources YAML meta
    (models/staging/landing/_landing__sources.yml; the path of the meta is documented at its top).

    landing_contract(table_name) ->
      {name, primary_key: [..], end_after_start: [[start, end], ..], require_any: [[col, ..], ..],
       interval_aligned: [[start, minutes], ..], checks: [sql condition, ..],
       columns: [{name, required, type, enum, min, max, min_exclusive, pii}, ..]}   (columns in YAML order)

    Normally read from `graph.sources`. dbt unit tests compile the model against a manifest without
    sources (`graph` is empty there), so inside a unit test the same contract comes from
    landing_contract_snapshot(), a copy generated from the YAML by dbt/scripts/snapshot_landing_contract.py;
    the data test `landing_contract_snapshot_in_sync` and tests/dbt/test_contract.py catch a stale copy.
-#}

{#- The landing sources, in contract order. Static because dbt must know every source() call at parse
    time (graph is not available then); the data test landing_contract_snapshot_in_sync checks it. -#}
{% macro landing_tables() -%}
    {{ return([
        'calls', 'digital_contacts', 'tickets', 'ticket_events', 'surveys', 'survey_answers',
        'qa_evaluations', 'qa_evaluation_items', 'qa_disputes', 'wfm_forecasts', 'agent_schedules',
        'agent_states', 'agents', 'training_enrollments', 'transcripts', 'improvement_actions', 'queue_intervals'
    ]) }}
{%- endmacro %}


{#- Reject reasons of audit.rejected_rows, in the order they are tested (the first that applies wins). -#}
{% macro reject_reasons() -%}
    {{ return([
        'malformed_line', 'missing_required', 'invalid_type', 'invalid_enum', 'out_of_range',
        'end_before_start', 'failed_check', 'duplicate_superseded'
    ]) }}
{%- endmacro %}


{% macro compiling_unit_test() -%}
    {{ return(model is defined and model is mapping and model.get('resource_type') == 'unit_test') }}
{%- endmacro %}


{#- Contract of one table from a source node of the graph (normalized; see the header). -#}
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
    {{ return({
        'name': table_name,
        'primary_key': table_meta.get('primary_key') or [],
        'end_after_start': table_meta.get('end_after_start') or [],
        'require_any': table_meta.get('require_any') or [],
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
    {%- if compiling_unit_test() -%}
        {%- set contract = landing_contract_snapshot().get(table_name) -%}
        {%- set origin = 'landing_contract_snapshot()' -%}
    {%- else -%}
        {%- set contract = landing_contract_from_graph(table_name) -%}
        {%- set origin = 'source landing.' ~ table_name -%}
    {%- endif -%}
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
