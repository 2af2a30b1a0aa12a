{#-
    Critical-error accuracy at process level (metrics.md §6, §8): per queue x local month x error class, the
    share of RANDOM-sample evaluations without a fail on an item of the class, its 95 % Wilson interval, the
    required sample size for the cell's handled contacts (finite-population correction) and whether the sample
    reached it. Counts come from int_qa_accuracy_cells (cell_level = process).
-#}
{{ qa_critical_error_accuracy_mart('process', 'queue', "cells.error_class || '_accuracy'") }}
