{#-
    One row per raw row that is not in staging, with why (docs/layers.md). Built from the same
    landing_validated relation as the staging models, so staged + rejected = raw by construction;
    layer_reconciliation and the data test assert_layers_reconcile check it.
-#}
{%- for table_name in landing_tables() %}
{%- if not loop.first %}

union all

{% endif %}
{{ landing_rejects(table_name) }}
{%- endfor %}
