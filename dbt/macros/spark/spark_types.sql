{#-
    Seeds on Spark. The seeds' column_types (seeds/_seeds.yml) are written in the SQL type names DuckDB and
    PostgreSQL share (varchar, double precision); Spark SQL spells them string and double. dbt-spark's seed
    materialization reads column_types in create_csv_table and load_csv_rows: this override of the first
    translates them once, in the node's config, so both use Spark's names. The body is dbt-spark 1.11's.

    load_csv_rows: dbt-spark's session connection pastes bound values into the SQL as '<value>' unescaped (a
    quote in a value breaks the statement, an empty cell becomes the text 'None'), so the rows are written here
    as escaped literals instead: NULL for an empty cell.
-#}
{% macro spark_type_name(type) -%}
    {%- set names = {'varchar': 'string', 'text': 'string', 'double precision': 'double', 'integer': 'int',
                     'timestamp with time zone': 'timestamp', 'timestamptz': 'timestamp'} -%}
    {{ return(names.get(type | lower | trim, type)) }}
{%- endmacro %}

{% macro spark__create_csv_table(model, agate_table) %}
  {%- set column_override = {} -%}
  {%- for name, type in model['config'].get('column_types', {}).items() -%}
    {%- do column_override.update({name: spark_type_name(type)}) -%}
  {%- endfor -%}
  {%- do model['config'].update({'column_types': column_override}) -%}
  {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}

  {% set sql %}
    create table {{ this.render() }} (
        {%- for col_name in agate_table.column_names -%}
            {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
            {%- set type = column_override.get(col_name, inferred_type) -%}
            {%- set column_name = (col_name | string) -%}
            {{ adapter.quote_seed_column(column_name, quote_seed_column) }} {{ type }} {%- if not loop.last -%}, {%- endif -%}
        {%- endfor -%}
    )
    {{ file_format_clause() }}
    {{ partition_cols(label="partitioned by") }}
    {{ clustered_cols(label="clustered by") }}
    {{ location_clause() }}
    {{ comment_clause() }}
  {% endset %}

  {% call statement('_') -%}
    {{ sql }}
  {%- endcall %}

  {{ return(sql) }}
{% endmacro %}


{% macro spark_literal(value) -%}
    {%- if value is none -%}null
    {%- elif value is boolean -%}{{ 'true' if value else 'false' }}
    {%- elif value is number -%}{{ value }}
    {%- elif value.isoformat is defined -%}'{{ value.isoformat() }}'
    {%- else -%}{{ sql_string(value) }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__load_csv_rows(model, agate_table) %}
  {% set column_override = model['config'].get('column_types', {}) %}
  {% set statements = [] %}
  {% for chunk in agate_table.rows | batch(get_batch_size()) %}
      {% set sql %}
          insert into {{ this.render() }} values
          {% for row in chunk -%}
              ({%- for col_name in agate_table.column_names -%}
                  {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                    cast({{ spark_literal(row[loop.index0]) }} as {{ type }})
                  {%- if not loop.last %},{% endif %}
              {%- endfor -%})
              {%- if not loop.last %},{% endif %}
          {%- endfor %}
      {% endset %}
      {% do adapter.add_query(sql, abridge_sql_log=True) %}
      {% if loop.index0 == 0 %}
          {% do statements.append(sql) %}
      {% endif %}
  {% endfor %}
  {{ return(statements[0]) }}
{% endmacro %}

{#- Model contracts on Spark: the models' YAML declares data types in the names DuckDB and PostgreSQL share
    (varchar, text, integer, double precision, timestamp with time zone); dbt checks a contract by casting NULL to
    each declared type, so the names are translated to Spark's first. Every instant and every local wall clock is
    a Spark TIMESTAMP (a wall clock is shown as such in the UTC session; cross_db.sql). -#}
{% macro spark__get_empty_schema_sql(columns) %}
    {%- set translated = {} -%}
    {%- for key in columns -%}
        {%- set column = columns[key] -%}
        {%- if column.get('data_type') is not none -%}
            {%- set column = column.copy() if column.copy is defined else column -%}
            {%- do column.update({'data_type': spark_type_name(column['data_type'])}) -%}
        {%- endif -%}
        {%- do translated.update({key: column}) -%}
    {%- endfor -%}
    {{ return(default__get_empty_schema_sql(translated)) }}
{% endmacro %}
