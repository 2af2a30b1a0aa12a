{#-
    Forecast accuracy by horizon: per queue, local month, horizon bucket and measure, over the latest version
    published within each horizon bucket of each observed interval (fct_forecast_intervals
    .is_latest_in_horizon_bucket): how good the forecast was the same day, 1-6 days, 1-2 weeks and over 2
    weeks ahead. Versions published after the interval started are left out. Parts are computed per local
    day and summed, so daily_accuracy is 1 - sum over days |sum F - sum A| / sum A.
-#}
with latest_in_bucket as (
    select * from {{ ref('fct_forecast_intervals') }}
    where is_latest_in_horizon_bucket
        and is_observed
        and horizon_bucket <> 'after_start'
),

day_parts as (
    {{ wfm_accuracy_day_parts('latest_in_bucket', ['queue', 'local_date', 'horizon_bucket']) }}
),

summed as (
    select
        queue,
        cast({{ dbt.date_trunc('month', 'local_date') }} as date) as month_start,
        horizon_bucket,
        measure,
        count(*) as days,
        {{ wfm_accuracy_summed_parts() }}
    from day_parts
    group by 1, 2, 3, 4
),

targets as (
    {{ wfm_accuracy_targets() }}
),

joined as (
    select
        summed.*,
        targets.tolerance,
        targets.wape_target,
        targets.bias_tolerance
    from summed
    inner join targets
        on targets.measure = summed.measure
)

select
    cast(queue as {{ dbt.type_string() }}) as queue,
    cast(month_start as date) as month_start,
    cast(horizon_bucket as {{ dbt.type_string() }}) as horizon_bucket,
    cast(
        case horizon_bucket
            when 'same_day' then 1 when '1_6_days' then 2 when '1_2_weeks' then 3 when 'over_2_weeks' then 4
        end as {{ dbt.type_int() }}
    ) as horizon_bucket_order,
    cast(measure as {{ dbt.type_string() }}) as measure,
    cast(days as {{ dbt.type_bigint() }}) as days,
    {{ wfm_accuracy_rates() }},
    {{ wfm_accuracy_context_columns(['tolerance', 'wape_target', 'bias_tolerance']) }}
from joined
