{#- Generic test: the model has exactly as many rows as `compare_to` (layer reconciliation, e.g. staging
    contacts = fct_contacts rows). Returns one row (the two counts) when they differ. -#}
{% test contacts_same_row_count(model, compare_to) %}
with counts as (
    select
        (select count(*) from {{ model }}) as model_rows,
        (select count(*) from {{ compare_to }}) as compare_rows
)
select * from counts where model_rows <> compare_rows
{% endtest %}


{#- Generic test: the FCR window parameters in seeds metric_targets (repeat_window_short_hours = 48,
    repeat_window_long_hours = 168) agree with the windows the marts are built with (the fixed _48h / _7d
    columns, which var repeat_windows_hours must list). Returns the disagreeing seed rows. -#}
{% test contacts_repeat_window_parameters(model, targets) %}
{%- set configured = [] -%}
{%- for w in contacts_repeat_windows() -%}{%- do configured.append(w.hours) -%}{%- endfor -%}
select metric, target
from {{ targets }}
where (metric = 'repeat_window_short_hours' and (target <> 48 or {{ 48 not in configured }}))
   or (metric = 'repeat_window_long_hours' and (target <> 168 or {{ 168 not in configured }}))
{% endtest %}
