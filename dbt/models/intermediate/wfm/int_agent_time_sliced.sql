{#-
    One row per agent and local quarter-hour (agent_id, slot_start_utc) in which the agent had scheduled paid
    time or an ACD state: scheduled paid and work seconds (agent_schedules; paid = every activity but
    time_off), state seconds and productive seconds (agent_states; productive = available, on_contact, wrap),
    and the productive seconds inside scheduled paid time, the numerator of actual shrinkage (metrics.md §4).
    Schedules and states are cut exactly at local quarter-hour boundaries (intervals_split_spans), so any
    15-, 30- or 60-minute local interval is an exact sum of quarter-hours, on DST days too. Productive time
    outside the schedule (overtime) is kept apart: it is not negative shrinkage.
    A table: the forecast intervals read it once per queue, and splitting is the costly part.
-#}
{{ config(materialized='table') }}
{%- set productive_states = ['available', 'on_contact', 'wrap'] %}
with paid_activities as (
    select
        agent_id,
        activity_start as span_start,
        activity_end as span_end,
        activity
    from {{ ref('stg_landing__agent_schedules') }}
    where activity <> 'time_off'
),

states as (
    select
        agent_id,
        started_at as span_start,
        ended_at as span_end,
        state,
        state in ({% for s in productive_states %}'{{ s }}'{{ ", " if not loop.last }}{% endfor %}) as is_productive
    from {{ ref('stg_landing__agent_states') }}
),

paid_pieces as (
    {{ intervals_split_spans('paid_activities', 'span_start', 'span_end', 15) }}
),

state_pieces as (
    {{ intervals_split_spans('states', 'span_start', 'span_end', 15) }}
),

paid_slots as (
    select
        agent_id,
        slot_start_utc,
        sum(piece_seconds) as scheduled_paid_seconds,
        sum(case when activity = 'work' then piece_seconds else 0 end) as scheduled_work_seconds
    from paid_pieces
    group by agent_id, slot_start_utc
),

state_slots as (
    select
        agent_id,
        slot_start_utc,
        sum(piece_seconds) as state_seconds,
        sum(case when is_productive then piece_seconds else 0 end) as productive_seconds
    from state_pieces
    group by agent_id, slot_start_utc
),

-- productive state time that overlaps scheduled paid time, piece by piece within the quarter-hour
productive_in_paid as (
    select
        paid.agent_id,
        paid.slot_start_utc,
        sum(
            {{ intervals_elapsed_seconds(
                'case when state.piece_start > paid.piece_start then state.piece_start else paid.piece_start end',
                'case when state.piece_end < paid.piece_end then state.piece_end else paid.piece_end end') }}
        ) as productive_in_paid_seconds
    from paid_pieces as paid
    inner join state_pieces as state
        on state.agent_id = paid.agent_id
        and state.slot_start_utc = paid.slot_start_utc
        and state.is_productive
        and state.piece_start < paid.piece_end
        and state.piece_end > paid.piece_start
    group by paid.agent_id, paid.slot_start_utc
),

slots as (
    select agent_id, slot_start_utc from paid_slots
    union
    select agent_id, slot_start_utc from state_slots
)

select
    slots.agent_id,
    slots.slot_start_utc,
    cast({{ to_local_timestamp('slots.slot_start_utc') }} as {{ dbt.type_timestamp() }}) as slot_start_local,
    {{ to_local_date('slots.slot_start_utc') }} as local_date,
    cast(coalesce(paid_slots.scheduled_paid_seconds, 0) as {{ type_double() }}) as scheduled_paid_seconds,
    cast(coalesce(paid_slots.scheduled_work_seconds, 0) as {{ type_double() }}) as scheduled_work_seconds,
    cast(coalesce(state_slots.state_seconds, 0) as {{ type_double() }}) as state_seconds,
    cast(coalesce(state_slots.productive_seconds, 0) as {{ type_double() }}) as productive_seconds,
    -- overlapping delivered schedule rows could count the same state twice: never more than the paid time
    cast(
        case
            when coalesce(productive_in_paid.productive_in_paid_seconds, 0) > coalesce(paid_slots.scheduled_paid_seconds, 0)
                then coalesce(paid_slots.scheduled_paid_seconds, 0)
            else coalesce(productive_in_paid.productive_in_paid_seconds, 0)
        end as {{ type_double() }}
    ) as productive_in_paid_seconds
from slots
left join paid_slots
    on paid_slots.agent_id = slots.agent_id
    and paid_slots.slot_start_utc = slots.slot_start_utc
left join state_slots
    on state_slots.agent_id = slots.agent_id
    and state_slots.slot_start_utc = slots.slot_start_utc
left join productive_in_paid
    on productive_in_paid.agent_id = slots.agent_id
    and productive_in_paid.slot_start_utc = slots.slot_start_utc
