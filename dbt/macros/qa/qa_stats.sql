{#-
    Statistics of the QA marts (metrics.md §6), in portable SQL (DuckDB and PostgreSQL; no lgamma, which
    PostgreSQL only has from version 18). Each is checked against a published reference value by a dbt unit
    test (see models/marts/qa/*.yml) and against statsmodels / scipy in tests/dbt/test_qa.py:
      Wilson 95 % interval of 180/200 = 0.851 - 0.934; required sample n0 = 385 (N large), 278 (N = 1000);
      Fleiss' kappa of the Wikipedia 10 x 5 example = 0.210; binomial upper tail P(X >= 51 | 235, 1/6) = 0.02654
      (the die example of Wikipedia's "Binomial test").

    qa_wilson_low / qa_wilson_high(successes, trials, z): the Wilson score interval of successes / trials;
        NULL when trials = 0 or NULL.
    qa_required_sample_n(population, z, p, margin): n0 = z^2 p (1 - p) / E^2, with the finite-population
        correction n = n0 / (1 + (n0 - 1) / N), rounded UP (never above N); n0 itself (rounded up) when N is NULL
        or 0.
    qa_fleiss_kappa_ctes(prefix, counts_cte, group_cols): CTEs computing Fleiss' kappa per group from rows
        (group_cols..., subject, category, raters) with raters = n_ij > 0.
    qa_binomial_upper_tail_ctes(prefix, tests_cte, key_cols, successes, trials, probability): a CTE
        `<prefix>` with key_cols and p_value = P(X >= successes) for X ~ Binomial(trials, probability).
    qa_median(expr): the median (aggregate).
-#}

{% macro qa_wilson_low(successes, trials, z) -%}
    {{ qa_wilson_bound(successes, trials, z, '-') }}
{%- endmacro %}

{% macro qa_wilson_high(successes, trials, z) -%}
    {{ qa_wilson_bound(successes, trials, z, '+') }}
{%- endmacro %}

{% macro qa_wilson_bound(successes, trials, z, sign) -%}
    {%- set n = 'cast(' ~ trials ~ ' as ' ~ type_double() ~ ')' -%}
    {%- set p = '(cast(' ~ successes ~ ' as ' ~ type_double() ~ ') / ' ~ n ~ ')' -%}
    {%- set zz = '(cast(' ~ z ~ ' as ' ~ type_double() ~ '))' -%}
    {#- The interval contains p; at p = 0 or 1 rounding can put a bound a hair on the wrong side of it (1 - 1e-17),
        (or outside [0, 1]: 1.0000000000000002), which a chart drawing p - low and high - p as error bars
        rejects: clamp it to p and to [0, 1]. -#}
    case
        when {{ trials }} > 0 then
            {{ 'greatest(0, least' if sign == '-' else 'least(1, greatest' }}(
                ({{ p }} + {{ zz }} * {{ zz }} / (2 * {{ n }})
                 {{ sign }} {{ zz }} * sqrt({{ p }} * (1 - {{ p }}) / {{ n }} + {{ zz }} * {{ zz }} / (4 * {{ n }} * {{ n }})))
                / (1 + {{ zz }} * {{ zz }} / {{ n }}),
                {{ p }}))
    end
{%- endmacro %}


{% macro qa_required_sample_n(population, z, p, margin) -%}
    {%- set n0 = '(cast(' ~ z ~ ' as ' ~ type_double() ~ ') * cast(' ~ z ~ ' as ' ~ type_double() ~ ') * '
        ~ p ~ ' * (1 - ' ~ p ~ ') / (' ~ margin ~ ' * ' ~ margin ~ '))' -%}
    {#- 1e-9 absorbs floating-point noise (n0 / (1 + (n0 - 1) / 1) is 1, not 1.0000000000000002); never above N -#}
    cast(
        case
            when coalesce({{ population }}, 0) > 0 then least(
                cast({{ population }} as {{ type_double() }}),
                ceil({{ n0 }} / (1 + ({{ n0 }} - 1) / cast({{ population }} as {{ type_double() }})) - 1e-9))
            else ceil({{ n0 }} - 1e-9)
        end
    as {{ dbt.type_bigint() }})
{%- endmacro %}


{#- Fleiss' kappa. Input rows: group_cols..., subject, category, raters (the number of raters who put the
    subject in the category). Subjects rated by fewer than two raters carry no agreement information and are
    left out. The number of raters may differ between subjects (n_i): P_i = (sum_j n_ij^2 - n_i) / (n_i (n_i - 1)),
    P-bar = mean P_i, p_j = sum_i n_ij / sum_i n_i, P_e = sum_j p_j^2, kappa = (P-bar - P_e) / (1 - P_e); with a
    constant n this is exactly Fleiss (1971). kappa is NULL when P_e = 1 (every rating in one category: chance
    agreement is perfect and kappa undefined). Output CTE <prefix>: group_cols, subjects, ratings, p_i_sum,
    percent_agreement (P-bar), expected_agreement (P_e), fleiss_kappa. -#}
{% macro qa_fleiss_kappa_ctes(prefix, counts_cte, group_cols) -%}
    {%- set g = group_cols | join(', ') -%}
    {%- set g_comma = (g ~ ', ') if group_cols else '' -%}
{{ prefix }}_subjects as (
    select
        {{ g_comma }}subject,
        sum(raters) as n_i,
        sum(raters * raters) as n_ij_squares
    from {{ counts_cte }}
    group by {{ g_comma }}subject
    having sum(raters) >= 2
),

{{ prefix }}_categories as (
    select
        {% for c in group_cols %}counts.{{ c }}, {% endfor %}counts.category,
        sum(counts.raters) as category_ratings
    from {{ counts_cte }} as counts
    inner join {{ prefix }}_subjects as subjects
        on subjects.subject = counts.subject
        {%- for c in group_cols %} and subjects.{{ c }} = counts.{{ c }}{% endfor %}
    group by {% for c in group_cols %}counts.{{ c }}, {% endfor %}counts.category
),

{{ prefix }}_agreement as (
    select
        {{ g_comma }}count(*) as subjects,
        sum(n_i) as ratings,
        sum(cast(n_ij_squares - n_i as {{ type_double() }}) / (n_i * (n_i - 1))) as p_i_sum
    from {{ prefix }}_subjects
    {%- if group_cols %}
    group by {{ g }}
    {%- endif %}
),

{{ prefix }}_chance as (
    select
        {% for c in group_cols %}categories.{{ c }}, {% endfor %}sum(
            (cast(categories.category_ratings as {{ type_double() }}) / agreement.ratings)
            * (cast(categories.category_ratings as {{ type_double() }}) / agreement.ratings)
        ) as expected_agreement
    from {{ prefix }}_categories as categories
    {%- if group_cols %}
    inner join {{ prefix }}_agreement as agreement
        on {% for c in group_cols %}{{ 'and ' if not loop.first }}agreement.{{ c }} = categories.{{ c }} {% endfor %}
    group by {% for c in group_cols %}{{ ', ' if not loop.first }}categories.{{ c }}{% endfor %}
    {%- else %}
    cross join {{ prefix }}_agreement as agreement
    {%- endif %}
),

{{ prefix }} as (
    select
        {% for c in group_cols %}agreement.{{ c }}, {% endfor %}
        agreement.subjects,
        agreement.ratings,
        agreement.p_i_sum,
        agreement.p_i_sum / agreement.subjects as percent_agreement,
        chance.expected_agreement,
        case
            when chance.expected_agreement < 1 - 1e-12
                then (agreement.p_i_sum / agreement.subjects - chance.expected_agreement) / (1 - chance.expected_agreement)
        end as fleiss_kappa
    from {{ prefix }}_agreement as agreement
    {%- if group_cols %}
    inner join {{ prefix }}_chance as chance
        on {% for c in group_cols %}{{ 'and ' if not loop.first }}chance.{{ c }} = agreement.{{ c }} {% endfor %}
    {%- else %}
    cross join {{ prefix }}_chance as chance
    {%- endif %}
)
{%- endmacro %}


{#- One-sided (upper) exact binomial test: p_value = P(X >= k) for X ~ Binomial(n, p), summed term by term in
    log space from the ln-factorial table int_qa_ln_factorials (no lgamma needed). k <= 0 gives 1; p = 0 gives 0
    when k > 0; p = 1 gives 1; n beyond the table (var qa_binomial_max_trials) or a NULL input gives NULL.
    tests_cte must have key_cols unique per row. -#}
{% macro qa_binomial_upper_tail_ctes(prefix, tests_cte, key_cols, successes, trials, probability) -%}
    {%- set keys = key_cols | join(', ') -%}
{{ prefix }}_inputs as (
    select
        {{ keys }},
        cast({{ successes }} as {{ dbt.type_bigint() }}) as k,
        cast({{ trials }} as {{ dbt.type_bigint() }}) as n,
        cast({{ probability }} as {{ type_double() }}) as p
    from {{ tests_cte }}
),

{{ prefix }}_computable as (
    select *
    from {{ prefix }}_inputs
    where k >= 1 and k <= n and p > 0 and p < 1
      and n <= (select max(k) from {{ ref('int_qa_ln_factorials') }})
),

{{ prefix }}_terms as (
    select
        {% for c in key_cols %}computable.{{ c }}, {% endfor %}
        -- terms below e^-700 (1e-304) add nothing; the clamp keeps PostgreSQL's exp() from raising an underflow
        sum(exp(greatest(-700.0,
            n_factorial.ln_factorial - i_factorial.ln_factorial - rest_factorial.ln_factorial
            + i_factorial.k * ln(computable.p) + (computable.n - i_factorial.k) * ln(1 - computable.p)
        ))) as upper_tail
    from {{ prefix }}_computable as computable
    inner join {{ ref('int_qa_ln_factorials') }} as i_factorial
        on i_factorial.k between computable.k and computable.n
    inner join {{ ref('int_qa_ln_factorials') }} as n_factorial
        on n_factorial.k = computable.n
    inner join {{ ref('int_qa_ln_factorials') }} as rest_factorial
        on rest_factorial.k = computable.n - i_factorial.k
    group by {% for c in key_cols %}{{ ', ' if not loop.first }}computable.{{ c }}{% endfor %}
),

{{ prefix }} as (
    select
        {% for c in key_cols %}inputs.{{ c }}, {% endfor %}
        case
            when inputs.k is null or inputs.n is null or inputs.p is null then null
            when inputs.k <= 0 then 1.0
            when inputs.k > inputs.n then 0.0
            when inputs.p <= 0 then 0.0
            when inputs.p >= 1 then 1.0
            when terms.upper_tail is null then null
            else least(1.0, terms.upper_tail)
        end as p_value
    from {{ prefix }}_inputs as inputs
    left join {{ prefix }}_terms as terms
        on {% for c in key_cols %}{{ 'and ' if not loop.first }}terms.{{ c }} = inputs.{{ c }} {% endfor %}
)
{%- endmacro %}


{% macro qa_median(expr) -%}
    {{ return(adapter.dispatch('qa_median', 'callqa')(expr)) }}
{%- endmacro %}

{% macro default__qa_median(expr) -%}
    percentile_cont(0.5) within group (order by {{ expr }})
{%- endmacro %}

{% macro duckdb__qa_median(expr) -%}
    median({{ expr }})
{%- endmacro %}


{#- The accuracy columns shared by the process-level and agent-level critical-error marts, from a row that
    has `evaluations`, `without_error`, `handled_contacts` and the targets row `targets` (z, margin, p). -#}
{% macro qa_accuracy_columns() -%}
        evaluations - without_error as with_error,
        {{ contacts_safe_ratio('without_error', 'evaluations') }} as accuracy,
        {{ qa_wilson_low('without_error', 'evaluations', 'targets.z') }} as ci_low,
        {{ qa_wilson_high('without_error', 'evaluations', 'targets.z') }} as ci_high,
        {{ qa_required_sample_n('handled_contacts', 'targets.z', 'targets.expected_p', 'targets.margin') }} as required_n,
        case when coalesce(handled_contacts, 0) > 0 then 'finite_population' else 'infinite_population' end as required_n_basis,
        evaluations >= {{ qa_required_sample_n('handled_contacts', 'targets.z', 'targets.expected_p', 'targets.margin') }} as sample_sufficient,
        case when evaluations = 0 then 'no_evaluations' end as accuracy_null_reason
{%- endmacro %}


{#- The statistical parameters of the QA sample (seeds metric_targets), as one row: z, margin, expected_p. -#}
{% macro qa_sample_parameters_row() -%}
    {{ metric_targets_row([
        ('qa_sample_confidence_z', 'z'),
        ('qa_sample_margin_of_error', 'margin'),
        ('qa_sample_expected_p', 'expected_p'),
    ]) }}
{%- endmacro %}


{#- A boolean as a 1/0 double (NULL stays NULL): how the journey quality measures store flags. -#}
{% macro qa_flag(condition) -%}
    cast(case when {{ condition }} then 1 when not ({{ condition }}) then 0 end as {{ type_double() }})
{%- endmacro %}


{#- The body of the two critical-error accuracy marts (process and agent level): the cells of one level of
    int_qa_accuracy_cells keyed by key_column, the accuracy columns, and the target (metric_targets row named by
    the SQL expression target_metric over the cell) with meets_target. One place for the rule, two grains. -#}
{% macro qa_critical_error_accuracy_mart(cell_level, key_column, target_metric) -%}
with targets as (
    {{ qa_sample_parameters_row() }}
),

cells as (
    select {{ key_column }}, local_month, error_class, evaluations, without_error, handled_contacts
    from {{ ref('int_qa_accuracy_cells') }}
    where cell_level = '{{ cell_level }}'
)

select
    cells.{{ key_column }},
    cells.local_month,
    cells.error_class,
    cells.evaluations,
    cells.without_error,
    {{ qa_accuracy_columns() }},
    cells.handled_contacts,
    class_targets.target,
    case
        when cells.evaluations > 0 then {{ contacts_safe_ratio('cells.without_error', 'cells.evaluations') }} >= class_targets.target
    end as meets_target
from cells
cross join targets
left join {{ ref('metric_targets') }} as class_targets
    on class_targets.metric = {{ target_metric }}
{%- endmacro %}
