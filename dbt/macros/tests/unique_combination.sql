{#- Generic test: the combination of `combination` columns is unique in the model (composite keys). -#}
{% test unique_combination(model, combination) %}
select
    {{ combination | join(', ') }},
    count(*) as rows_with_this_key
from {{ model }}
group by {{ combination | join(', ') }}
having count(*) > 1
{% endtest %}
