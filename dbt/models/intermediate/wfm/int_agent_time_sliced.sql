{#-
    One row per agent and local quarter-hour (agent_id, slot_start_utc) in which the agent had scheduled paid
    time or an ACD state: scheduled paid and work seconds (agent_schedules; paid = every activity but
    time_off), state seconds and productive seconds (agent_states; productive = available, on_contact, wrap),
    and the productive seconds inside scheduled paid time, the numerator of actual shrinkage (metrics.md §4).
    Schedules and states are cut exactly at local quarter-hour boundaries (intervals_split_spans), so any
    15-, 30- or 60-minute local interval is an exact sum of quarter-hours, on DST days too. Productive time
    outside the schedule (overtime) is kept apart: it is not negative shrinkage.
    last_load_id: the newest load among the rows cut into the quarter-hour (what an incremental build reads on).

    Incremental by (agent_id, local_date) (delete+insert; a table rebuilt whole on Spark, cross_db.sql
    updated_in_place): a build cuts only the spans of the partitions that schedule or state rows new, corrected
    or gone since the last build touch, in both versions (macros/wfm/agent_time_recompute_scope.sql, the one
    rule), and rewrites those partitions whole; a partition left without a row is emptied by a placeholder row
    deleted after the build.
-#}
{{ config(**kept_in_place_config(['agent_id', 'local_date'], '{{ agent_time_delete_placeholders(this) }}')) }}
{#- read by the recompute scope in incremental builds only: declared here for dbt's graph -#}
-- depends_on: {{ ref('base_landing__agent_schedules') }}, {{ ref('base_landing__agent_states') }}
{%- set productive_states = ['available', 'on_contact', 'wrap'] %}
with schedule_spans as (
    select
        agent_id,
        activity_start as span_start,
        activity_end as span_end,
        activity,
        _load_id
    from {{ ref('stg_landing__agent_schedules') }}
    where activity <> 'time_off'
),

state_spans as (
    select
        agent_id,
        started_at as span_start,
        ended_at as span_end,
        state,
        state in ({% for s in productive_states %}'{{ s }}'{{ ", " if not loop.last }}{% endfor %}) as is_productive,
        _load_id
    from {{ ref('stg_landing__agent_states') }}
),
{% if is_incremental() %}

recompute_partitions as (
    {{ agent_time_recompute_partitions(this) }}
),

paid_activities as (
    select * from schedule_spans
    where {{ agent_time_overlaps_partitions('schedule_spans', 'span_start', 'span_end', 'recompute_partitions') }}
),

states as (
    select * from state_spans
    where {{ agent_time_overlaps_partitions('state_spans', 'span_start', 'span_end', 'recompute_partitions') }}
),
{% else %}

paid_activities as (
    select * from schedule_spans
),

states as (
    select * from state_spans
),
{% endif %}

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
        sum(case when activity = 'work' then piece_seconds else 0 end) as scheduled_work_seconds,
        max(_load_id) as last_load_id
    from paid_pieces
    group by agent_id, slot_start_utc
),

state_slots as (
    select
        agent_id,
        slot_start_utc,
        sum(piece_seconds) as state_seconds,
        sum(case when is_productive then piece_seconds else 0 end) as productive_seconds,
        max(_load_id) as last_load_id
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
    ) as productive_in_paid_seconds,
    cast(
        case
            when coalesce(paid_slots.last_load_id, 0) > coalesce(state_slots.last_load_id, 0) then paid_slots.last_load_id
            else state_slots.last_load_id
        end as {{ dbt.type_bigint() }}
    ) as last_load_id
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
{%- if is_incremental() %}
-- the rows of the rewritten partitions only (the spans cut may reach other dates) ...
where exists (
    select 1
    from recompute_partitions
    where recompute_partitions.agent_id = slots.agent_id
        and recompute_partitions.local_date = {{ to_local_date('slots.slot_start_utc') }}
)

union all

-- ... and a placeholder per partition, so that a partition left without a row is emptied (deleted after the build)
select
    agent_id,
    cast(null as {{ type_timestamptz() }}) as slot_start_utc,
    cast(null as {{ dbt.type_timestamp() }}) as slot_start_local,
    local_date,
    cast(0 as {{ type_double() }}) as scheduled_paid_seconds,
    cast(0 as {{ type_double() }}) as scheduled_work_seconds,
    cast(0 as {{ type_double() }}) as state_seconds,
    cast(0 as {{ type_double() }}) as productive_seconds,
    cast(0 as {{ type_double() }}) as productive_in_paid_seconds,
    cast(null as {{ dbt.type_bigint() }}) as last_load_id
from recompute_partitions
{%- endif %}
