{#- One row per source and reject reason that occurs: how many rows, from how many files, first / last load. -#}
{%- set reasons = reject_reasons() %}
select
    source,
    reason,
    case reason
        {%- for reason in reasons %}
        when {{ sql_string(reason) }} then {{ loop.index }}
        {%- endfor %}
    end as reason_order,
    count(*) as rejected_rows,
    count(distinct file) as files,
    min(loaded_at) as first_loaded_at,
    max(loaded_at) as last_loaded_at
from {{ ref('rejected_rows') }}
group by source, reason
