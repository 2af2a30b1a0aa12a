{#-
    One row per landing source: raw rows = staged rows + rejected rows must hold, and no raw row may be
    both staged and rejected, or neither (checked by row identity: _load_id, _line).
-#}
{%- set tables = landing_tables() %}
{%- set reasons = reject_reasons() %}

with rejected as (
    select source, load_id, line, reason
    from {{ ref('rejected_rows') }}
),
{% for table_name in tables %}
{%- set raw_relation = source('landing', table_name) %}
raw__{{ table_name }} as (
    {%- if execute and load_relation(raw_relation) is none %}
    select cast(null as {{ dbt.type_bigint() }}) as load_id, cast(null as {{ dbt.type_bigint() }}) as line
    where 1 = 0
    {%- else %}
    select _load_id as load_id, _line as line from {{ raw_relation }}
    {%- endif %}
),

staged__{{ table_name }} as (
    select _load_id as load_id, _line as line from {{ ref('stg_landing__' ~ table_name) }}
),

rejected__{{ table_name }} as (
    select load_id, line from rejected where source = {{ sql_string(table_name) }}
),

counts__{{ table_name }} as (
    select
        {{ sql_string(table_name) }} as source,
        (select count(*) from raw__{{ table_name }}) as raw_rows,
        (select count(*) from staged__{{ table_name }}) as staged_rows,
        (select count(*) from rejected__{{ table_name }}) as rejected_rows,
        (
            select count(*)
            from staged__{{ table_name }} as s
            inner join rejected__{{ table_name }} as r on r.load_id = s.load_id and r.line = s.line
        ) as rows_staged_and_rejected,
        (
            select count(*)
            from raw__{{ table_name }} as w
            where not exists (select 1 from staged__{{ table_name }} as s where s.load_id = w.load_id and s.line = w.line)
              and not exists (select 1 from rejected__{{ table_name }} as r where r.load_id = w.load_id and r.line = w.line)
        ) as rows_neither_staged_nor_rejected
),
{% endfor %}
per_source as (
    {%- for table_name in tables %}
    select * from counts__{{ table_name }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

by_reason as (
    select
        source,
        {%- for reason in reasons %}
        count(case when reason = {{ sql_string(reason) }} then 1 end) as rejected_{{ reason }}{{ ',' if not loop.last }}
        {%- endfor %}
    from rejected
    group by source
)

select
    per_source.source,
    per_source.raw_rows,
    per_source.staged_rows,
    per_source.rejected_rows,
    {%- for reason in reasons %}
    coalesce(by_reason.rejected_{{ reason }}, 0) as rejected_{{ reason }},
    {%- endfor %}
    per_source.rows_staged_and_rejected,
    per_source.rows_neither_staged_nor_rejected,
    (
        per_source.raw_rows = per_source.staged_rows + per_source.rejected_rows
        and per_source.rows_staged_and_rejected = 0
        and per_source.rows_neither_staged_nor_rejected = 0
    ) as is_reconciled
from per_source
left join by_reason on by_reason.source = per_source.source
