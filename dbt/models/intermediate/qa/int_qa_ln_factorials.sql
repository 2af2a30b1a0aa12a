{#-
    ln(k!) for k = 0 .. var('qa_binomial_max_trials', 10000): the lookup the exact binomial tests of the QA marts
    sum their terms from (macros/qa/qa_stats.sql). A running sum of ln(j) is portable; lgamma is not (PostgreSQL
    has it only from version 18).
-#}
with numbers as (
    select 0 as k
    union all
    select cast(generated_number as {{ dbt.type_int() }}) as k
    from ({{ dbt.generate_series(var('qa_binomial_max_trials', 10000) | int) }}) as series
)

select
    cast(k as {{ dbt.type_bigint() }}) as k,
    coalesce(sum(case when k > 0 then ln(cast(k as {{ type_double() }})) end)
        over (order by k rows between unbounded preceding and current row), 0) as ln_factorial
from numbers
