{#-
    Critical-error accuracy at process level (metrics.md §6, §8): per queue x local month x error class, the
    share of RANDOM-sample evaluations without a fail on an item of the class, its 95 % Wilson interval, the
    required sample size for the cell's handled contacts (finite-population correction) and whether the sample
    reached it. Counts come from int_qa_accuracy_cells (cell_level = process).
-#}
with targets as (
    {{ qa_sample_parameters_row() }}
),

cells as (
    select queue, local_month, error_class, evaluations, without_error, handled_contacts
    from {{ ref('int_qa_accuracy_cells') }}
    where cell_level = 'process'
)

select
    cells.queue,
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
    on class_targets.metric = cells.error_class || '_accuracy'
