{#-
    The non-critical score at process level, apart from critical-error accuracy (metrics.md §6): per queue x
    local month, the weighted pass share of non-critical items over the RANDOM-sample evaluations, `na` excluded:
    sum of the weights of passed items / sum of the weights of items passed or failed (pooled over evaluations,
    so a roll-up sums the two parts). Also the mean of the per-evaluation scores.
-#}
with targets as (
    {{ metric_targets_row([('non_critical_score', 'target')]) }}
),

evaluations as (
    select
        coalesce(queue, 'unassigned') as queue,
        qa_local_month as local_month,
        non_critical_weight_passed,
        non_critical_weight_scored,
        non_critical_score
    from {{ ref('int_qa_evaluations_scored') }}
    where sample_type = 'random'
      and items_recorded > 0
),

cells as (
    select
        queue,
        local_month,
        count(*) as evaluations,
        {{ contacts_count_if('non_critical_score is not null') }} as scored_evaluations,
        cast(sum(non_critical_weight_passed) as {{ type_double() }}) as weight_passed,
        cast(sum(non_critical_weight_scored) as {{ type_double() }}) as weight_scored,
        cast(avg(non_critical_score) as {{ type_double() }}) as mean_evaluation_score
    from evaluations
    group by queue, local_month
)

select
    cells.queue,
    cells.local_month,
    cast(cells.evaluations as {{ dbt.type_bigint() }}) as evaluations,
    cells.scored_evaluations,
    cells.weight_passed,
    cells.weight_scored,
    {{ contacts_safe_ratio('cells.weight_passed', 'cells.weight_scored') }} as non_critical_score,
    cells.mean_evaluation_score,
    targets.target,
    {{ contacts_safe_ratio('cells.weight_passed', 'cells.weight_scored') }} >= targets.target as meets_target
from cells
cross join targets
