{#- One row per local date, touchpoint (ivr, bot) and channel: contacts that entered the self-service
    touchpoint and those it contained (IVR: self_served calls; bot: conversations resolved by the bot). -#}
with ivr as (
    select
        {{ to_local_date('arrived_at') }} as local_date,
        'ivr' as touchpoint,
        'voice' as channel,
        count(*) as sessions,
        sum(case when ivr_self_served then 1 else 0 end) as contained,
        sum(case when entered_queue then 1 else 0 end) as passed_to_agent_queue,
        sum(case when outcome = 'abandoned' and not entered_queue then 1 else 0 end) as abandoned,
        sum(case when outcome = 'failed' then 1 else 0 end) as failed
    from {{ ref('int_calls_queued') }}
    where entered_ivr
    group by 1
),

bot as (
    select
        started_local_date as local_date,
        'bot' as touchpoint,
        channel,
        count(*) as sessions,
        sum(case when outcome = 'resolved_by_bot' then 1 else 0 end) as contained,
        sum(case when escalated_to_agent then 1 else 0 end) as passed_to_agent_queue,
        sum(case when outcome = 'abandoned' then 1 else 0 end) as abandoned,
        sum(case when outcome = 'failed' then 1 else 0 end) as failed
    from {{ ref('stg_landing__digital_contacts') }}
    where bot_handled
    group by started_local_date, channel
),

unioned as (
    select * from ivr
    union all
    select * from bot
)

select
    cast(local_date as date) as local_date,
    cast(touchpoint as {{ dbt.type_string() }}) as touchpoint,
    cast(channel as {{ dbt.type_string() }}) as channel,
    cast(sessions as {{ dbt.type_bigint() }}) as sessions,
    cast(contained as {{ dbt.type_bigint() }}) as contained,
    cast(case when sessions > 0 then cast(contained as {{ type_double() }}) / sessions end as {{ type_double() }})
        as containment_rate,
    cast(passed_to_agent_queue as {{ dbt.type_bigint() }}) as passed_to_agent,
    cast(abandoned as {{ dbt.type_bigint() }}) as abandoned,
    cast(failed as {{ dbt.type_bigint() }}) as failed
from unioned
