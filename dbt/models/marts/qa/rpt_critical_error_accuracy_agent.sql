{#-
    Critical-error accuracy at agent level (metrics.md §6): per agent x local month x error class (the three
    classes and any_critical = no fail on any critical item), over every evaluation but calibration ones, with
    the same Wilson interval, required sample size (N = the agent's handled contacts of the month) and
    sufficiency flag as the process level. Counts come from int_qa_accuracy_cells (cell_level = agent).
-#}
{{ qa_critical_error_accuracy_mart('agent', 'agent_id', "case when cells.error_class = 'any_critical' then 'agent_critical_error_accuracy' else cells.error_class || '_accuracy' end") }}
