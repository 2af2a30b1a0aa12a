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
    The counts are sums over loads of audit.layer_reconciliation_loads (incremental by load: a build counts the
    loads the new rows can change), every source and adapter listed even when nothing was delivered for it.
-#}
{%- set tables = landing_tables() %}
{%- set reasons = reject_reasons() %}
{%- set adapters = landing_adapters() %}
{%- set counted = ['raw_rows', 'adapter_rows', 'staged_rows', 'rejected_rows', 'history_rows'] %}
{%- for reason in reasons %}{%- do counted.append('rejected_' ~ reason) %}{%- endfor %}
{%- do counted.extend(['rows_staged_and_rejected', 'rows_neither_staged_nor_rejected']) %}

with listed as (
    -- every landing source and every adapter, delivered or not
    {%- for table_name in tables %}
    select {{ sql_string(table_name) }} as source, 'source' as kind
    union all
    {%- endfor %}
    {%- for adapter_name in adapters %}
    select {{ sql_string(adapter_name) }}, 'adapter'
    union all
    {%- endfor %}
    select cast(null as {{ dbt.type_string() }}), cast(null as {{ dbt.type_string() }}) where 1 = 0
),

summed as (
    select
        source,
        kind,
        {%- for column_name in counted %}
        sum({{ column_name }}) as {{ column_name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('layer_reconciliation_loads') }}
    group by source, kind
),

per_source as (
    select
        listed.source,
        listed.kind,
        {%- for column_name in counted %}
        cast(coalesce(summed.{{ column_name }}, 0) as {{ dbt.type_bigint() }}) as {{ column_name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from listed
    left join summed on summed.source = listed.source and summed.kind = listed.kind
)

select
    source,
    kind,
    raw_rows,
    adapter_rows,
    staged_rows,
    rejected_rows,
    history_rows,
    {%- for reason in reasons %}
    rejected_{{ reason }},
    {%- endfor %}
    rows_staged_and_rejected,
    rows_neither_staged_nor_rejected,
    (
        raw_rows + adapter_rows = staged_rows + rejected_rows + history_rows
        and rows_staged_and_rejected = 0
        and rows_neither_staged_nor_rejected = 0
    ) as is_reconciled
from per_source
