{#-
    The layers reconcile: every delivered row has exactly one fate, and nothing delivered is lost.

    One row per landing source (kind = 'source'):
      raw_rows + adapter_rows = staged_rows + rejected_rows + history_rows, where raw_rows are the rows of
      raw.<source> (contract files) and adapter_rows the rows adapter models mapped into the source; and by row
      identity (_load_id, _line): every raw row is in the base model once, no staged row is also rejected, and
      staging and the rejects hold exactly the base model's staged / rejected rows.
    One row per adapter (kind = 'adapter'):
      raw_rows of raw.<adapter> = the raw rows its primary models account for (sum of _raw_rows over their
      rows in the base models, whatever their fate): a raw row no primary model maps would be lost.
-#}
{%- set tables = landing_tables() %}
{%- set reasons = reject_reasons() %}
{%- set adapters = landing_adapters() %}

with rejected as (
    select source, adapter, load_id, line, reason
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

base__{{ table_name }} as (
    select _load_id as load_id, _line as line, _adapter as adapter, _fate as fate, _raw_rows as raw_rows
    from {{ ref('base_landing__' ~ table_name) }}
),

staged__{{ table_name }} as (
    select _load_id as load_id, _line as line, _adapter as adapter from {{ ref('stg_landing__' ~ table_name) }}
),

rejected__{{ table_name }} as (
    select load_id, line, adapter from rejected where source = {{ sql_string(table_name) }}
),

counts__{{ table_name }} as (
    select
        {{ sql_string(table_name) }} as source,
        'source' as kind,
        (select count(*) from raw__{{ table_name }}) as raw_rows,
        (select count(*) from base__{{ table_name }} where adapter is not null) as adapter_rows,
        (select count(*) from staged__{{ table_name }}) as staged_rows,
        (select count(*) from rejected__{{ table_name }}) as rejected_rows,
        (select count(*) from base__{{ table_name }} where fate = 'history') as history_rows,
        (
            -- contract rows only: an adapter's derived rows (e.g. several ServiceNow events of one update row)
            -- may share a raw row's (_load_id, _line) and have different fates
            select count(*)
            from staged__{{ table_name }} as s
            inner join rejected__{{ table_name }} as r on r.load_id = s.load_id and r.line = s.line
            where s.adapter is null and r.adapter is null
        ) as rows_staged_and_rejected,
        (
            (
                select count(*)
                from raw__{{ table_name }} as w
                where not exists (
                    select 1 from base__{{ table_name }} as b
                    where b.adapter is null and b.load_id = w.load_id and b.line = w.line
                )
            )
            {%- for fate, holder in [('staged', 'staged__' ~ table_name), ('rejected', 'rejected__' ~ table_name)] %}
            + (
                -- per (_load_id, _line): as many {{ fate }} rows in the base model as in {{ holder }}
                select count(*)
                from (
                    select load_id, line, count(*) as rows_in_base
                    from base__{{ table_name }}
                    where fate = {{ sql_string(fate) }}
                    group by load_id, line
                ) as b
                full outer join (
                    select load_id, line, count(*) as rows_held
                    from {{ holder }}
                    group by load_id, line
                ) as h on h.load_id = b.load_id and h.line = b.line
                where coalesce(b.rows_in_base, 0) <> coalesce(h.rows_held, 0)
            )
            {%- endfor %}
        ) as rows_neither_staged_nor_rejected
),
{% endfor %}
{%- for adapter_name, feeds in adapters.items() %}
{%- set adapter_relation = source('adapters', adapter_name) %}
counts__adapter__{{ adapter_name }} as (
    select
        {{ sql_string(adapter_name) }} as source,
        'adapter' as kind,
        {%- if execute and load_relation(adapter_relation) is none %}
        cast(0 as {{ dbt.type_bigint() }}) as raw_rows,
        {%- else %}
        (select count(*) from {{ adapter_relation }}) as raw_rows,
        {%- endif %}
        cast(0 as {{ dbt.type_bigint() }}) as adapter_rows,
        {%- set primary = [] %}
        {%- for table_name, role in feeds.items() if role == 'primary' %}
        {%- do primary.append(table_name) %}
        {%- endfor %}
        {%- for fate in ['staged', 'rejected', 'history'] %}
        (
            {%- for table_name in primary %}
            (select coalesce(sum(raw_rows), 0) from base__{{ table_name }} where adapter = {{ sql_string(adapter_name) }} and fate = {{ sql_string(fate) }})
            {{- ' +' if not loop.last }}
            {%- else %}
            0
            {%- endfor %}
        ) as {{ fate }}_rows,
        {%- endfor %}
        cast(0 as {{ dbt.type_bigint() }}) as rows_staged_and_rejected,
        cast(0 as {{ dbt.type_bigint() }}) as rows_neither_staged_nor_rejected
),
{% endfor %}
per_source as (
    {%- for table_name in tables %}
    select * from counts__{{ table_name }}
    union all
    {%- endfor %}
    {%- for adapter_name in adapters %}
    select
        source, kind, raw_rows, adapter_rows, staged_rows, rejected_rows, history_rows,
        rows_staged_and_rejected, rows_neither_staged_nor_rejected
    from counts__adapter__{{ adapter_name }}
    union all
    {%- endfor %}
    select
        cast(null as {{ dbt.type_string() }}), cast(null as {{ dbt.type_string() }}), 0, 0, 0, 0, 0, 0, 0
    where 1 = 0
),

by_reason as (
    select
        coalesce(adapter, source) as source,
        {%- for reason in reasons %}
        count(case when reason = {{ sql_string(reason) }} then 1 end) as rejected_{{ reason }}{{ ',' if not loop.last }}
        {%- endfor %}
    from rejected
    group by coalesce(adapter, source)
),

by_source_reason as (
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
    per_source.kind,
    per_source.raw_rows,
    per_source.adapter_rows,
    per_source.staged_rows,
    per_source.rejected_rows,
    per_source.history_rows,
    {%- for reason in reasons %}
    coalesce(
        case when per_source.kind = 'adapter' then by_reason.rejected_{{ reason }} else by_source_reason.rejected_{{ reason }} end,
        0
    ) as rejected_{{ reason }},
    {%- endfor %}
    per_source.rows_staged_and_rejected,
    per_source.rows_neither_staged_nor_rejected,
    (
        per_source.raw_rows + per_source.adapter_rows
            = per_source.staged_rows + per_source.rejected_rows + per_source.history_rows
        and per_source.rows_staged_and_rejected = 0
        and per_source.rows_neither_staged_nor_rejected = 0
    ) as is_reconciled
from per_source
left join by_reason on by_reason.source = per_source.source and per_source.kind = 'adapter'
left join by_source_reason on by_source_reason.source = per_source.source and per_source.kind = 'source'
