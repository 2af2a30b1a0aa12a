{#-
    Reference values of ln(k!) for k = 0 .. max_k - 1, as a SELECT (columns k, ln_factorial), for unit-test
    fixtures of int_qa_ln_factorials. Computed independently of that model's running sum of ln(j), and portable:
    the series is dbt's cross-database generate_series, and ln(k!) is dispatched (DuckDB: lgamma; PostgreSQL,
    which has lgamma only from version 18: ln of the exact numeric factorial; Spark: a sum of logarithms).
-#}
{% macro qa_ln_factorials_reference(max_k=64) -%}
select
    cast(generated_number - 1 as {{ dbt.type_bigint() }}) as k,
    {{ qa_ln_factorial_exact('generated_number - 1') }} as ln_factorial
from ({{ dbt.generate_series(max_k | int) }}) as series
{%- endmacro %}

{% macro qa_ln_factorial_exact(k) -%}
    {{ return(adapter.dispatch('qa_ln_factorial_exact', 'callqa')(k)) }}
{%- endmacro %}

{% macro default__qa_ln_factorial_exact(k) -%}
    lgamma(cast({{ k }} as {{ type_double() }}) + 1)
{%- endmacro %}

{% macro postgres__qa_ln_factorial_exact(k) -%}
    cast(ln(factorial(cast({{ k }} as bigint))) as double precision)
{%- endmacro %}

{#- Spark has no lgamma, and its factorial stops at 20!: the sum of ln(j) for j = 1..k (0 for k = 0). -#}
{% macro spark__qa_ln_factorial_exact(k) -%}
    aggregate(sequence(1, greatest(cast({{ k }} as int), 1)), cast(0 as double), (total, j) -> total + ln(j))
{%- endmacro %}
