{#-
    Critical-error accuracy at agent level (metrics.md §6): per agent x local month x error class (the three
    classes and any_critical = no fail on any critical item), over every evaluation but calibration ones, with
    the same Wilson interval, required sample size (N = the agent's handled contacts of the month) and
    sufficiency flag as the process level. Counts come from int_qa_accuracy_cells (cell_level = agent).
-#}
with targets as (
    {{ qa_sample_parameters_row() }}
),

cells as (
    select agent_id, local_month, error_class, evaluations, without_error, handled_contacts
    from {{ ref('int_qa_accuracy_cells') }}
    where cell_level = 'agent'
)

select
    cells.agent_id,
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
    on class_targets.metric = case
        when cells.error_class = 'any_critical' then 'agent_critical_error_accuracy'
        else cells.error_class || '_accuracy'
    end
