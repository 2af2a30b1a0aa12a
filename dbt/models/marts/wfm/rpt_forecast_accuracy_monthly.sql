{#- Forecast accuracy per queue, local month and measure: rpt_forecast_accuracy_daily's parts summed, rates
    recomputed from the sums. -#}
{{ wfm_accuracy_rollup('month') }}
