{#- Forecast accuracy per queue, local week (Monday start) and measure: rpt_forecast_accuracy_daily's parts
    summed, rates recomputed from the sums. -#}
{{ wfm_accuracy_rollup('week') }}
