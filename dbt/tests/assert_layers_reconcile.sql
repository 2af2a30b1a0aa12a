{#- Fails (one row per source) when a source's raw rows are not exactly its staged rows plus its rejected
    rows, or a raw row is both staged and rejected, or neither. -#}
select *
from {{ ref('layer_reconciliation') }}
where not is_reconciled
