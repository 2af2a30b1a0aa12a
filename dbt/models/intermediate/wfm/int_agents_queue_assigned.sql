{#- One row per agent who handled at least one contact with a queue: the agent's primary queue = the queue of
    most of the agent's handled contacts over the whole data (ties: the queue that sorts first). The landing
    contract assigns agents to no queue, and shrinkage is planned per queue (wfm_forecasts), so an agent's
    scheduled and actual time counts for the primary queue. -#}
with handled as (
    select
        agent_id,
        queue,
        count(*) as handled_contacts
    from {{ ref('int_contacts_unioned') }}
    where is_handled
        and agent_id is not null
        and queue is not null
    group by agent_id, queue
),

ranked as (
    select
        agent_id,
        queue,
        handled_contacts,
        sum(handled_contacts) over (partition by agent_id) as agent_handled_contacts,
        count(*) over (partition by agent_id) as agent_queues,
        row_number() over (partition by agent_id order by handled_contacts desc, queue) as queue_rank
    from handled
)

select
    agent_id,
    queue as primary_queue,
    cast(handled_contacts as {{ dbt.type_bigint() }}) as primary_queue_handled_contacts,
    cast(agent_handled_contacts as {{ dbt.type_bigint() }}) as handled_contacts,
    cast(agent_queues as {{ dbt.type_bigint() }}) as queues_handled,
    {{ contacts_safe_ratio('handled_contacts', 'agent_handled_contacts') }} as primary_queue_share
from ranked
where queue_rank = 1
