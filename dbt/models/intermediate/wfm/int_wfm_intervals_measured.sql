{#-
    Interval actuals for workforce forecasts (metrics.md §4): one row per forecast queue, interval length and
    local interval (queue, interval_minutes, interval_start_utc) of every local day from the first to the last
    day with contacts or ACD interval-report rows, empty intervals included. The interval length is the one the forecasts use (every
    (queue, interval_minutes) in wfm_forecasts gets its own spine), and intervals are local (46 / 50
    half-hours on DST days).
      - Contacts by the instant they were offered to the queue: calls when they entered the agent queue
        (int_calls_queued: offered = answered + abandoned after the short-abandon cut, as for service level),
        digital conversations when they started (every outcome but `failed`: the contract has no queue-entry
        time for them). Handled and handle time: answered calls with talk + hold + wrap; handled digital
        conversations have no handle time in the contract.
      - Or, where the queue has no call-level row in the interval, the ACD's interval report
        (stg_landing__queue_intervals, rolled up by intervals_reports_rolled): offered as the ACD reports it,
        handled = answered, handle seconds as reported (docs/decisions.md: call-level rows win where both
        exist). actuals_source says which: calls, queue_intervals, or none (nothing from either).
      - Agent time of the agents whose primary queue this is (int_agents_queue_assigned), from the
        quarter-hours of int_agent_time_sliced: scheduled paid and work seconds, productive seconds inside
        paid time. Only for lengths that are whole quarter-hours (15, 30, 60): agent time is cut at
        quarter-hours, so at 5, 6 or 10 minutes there is none (no shrinkage actual) rather than a wrong one.
    is_observed: the interval starts no later than the last contact or interval-report row in the data
    (later ones have not happened yet and are never evaluated).

    Incremental by local date (delete+insert on local_date, every queue at once; a table rebuilt whole on Spark,
    cross_db.sql updated_in_place): a build rewrites only the dates that rows delivered since its rows were
    written can change, the dates the data range gained or lost, those between the last observed interval and the
    new end of the data, the dates of the time of every agent whose primary queue moved, and every date when the
    forecast queues changed (macros/intervals/intervals_recompute_scope.sql, the one rule). built_through_load_id:
    the newest landing load when the row was written; the primary queues read are kept in
    intermediate.interval_chain_agent_queues (post-hooks). A date left without a row is emptied by a placeholder row
    (queue NULL) deleted after the build.
-#}
{{ config(**kept_in_place_config('local_date',
    ['{{ intervals_delete_placeholders(this, "queue is null") }}'] + interval_chain_agent_queues_hooks())) }}
with forecast_queues as (
    select distinct
        queue,
        interval_minutes
    from {{ ref('stg_landing__wfm_forecasts') }}
),

contacts as (
    -- calls and conversations only: a ticket contact is never offered to a forecast queue, and a ticket
    -- export that runs later than the contact logs must not stretch the observed intervals
    select local_date, started_at
    from {{ ref('int_contacts_unioned') }}
    where contact_source <> 'tickets'

    union all

    select interval_start_local_date as local_date, interval_start as started_at
    from {{ ref('stg_landing__queue_intervals') }}
),

local_days as (
    select
        min(local_date) as first_local_date,
        max(local_date) as last_local_date,
        max(started_at) as data_end_at
    from contacts
),

{% if is_incremental() %}
{%- set agent_queues_seen = execute and load_relation(interval_chain_agent_queues_relation()) is not none %}

-- what the stored rows were computed with
previous_state as (
    select
        count(*) as stored_rows,
        min(local_date) as first_local_date,
        max(local_date) as last_local_date,
        max(case when is_observed then interval_start_utc end) as last_observed_start_utc,
        coalesce(max(built_through_load_id), 0) as built_through_load_id
    from {{ this }}
),

queue_set_changes as (
    {{ intervals_set_differences('select queue, interval_minutes from forecast_queues',
        'select distinct queue, interval_minutes from ' ~ this) }}
),

-- the dates to rewrite, as ranges of local dates
recompute_ranges as (
    -- every version of a chain source's rows delivered since the stored rows were written
    select local_date as range_first, local_date as range_last
    from ({{ intervals_changed_dates('(select built_through_load_id from previous_state)') }}) as changed

    union all

    -- the data range moved; every date: nothing stored, another set of forecast queues, or no copy of the
    -- primary queues read
    {{ intervals_range_moves('previous_state', 'local_days',
        'p.stored_rows = 0 or (select differences from queue_set_changes) > 0'
        ~ ('' if agent_queues_seen else ' or true')) }}
    {%- if agent_queues_seen %}

    union all

    -- the time of the agents whose primary queue moved (new, gone, another queue)
    select distinct t.local_date, t.local_date
    from {{ ref('int_agent_time_sliced') }} as t
    inner join ({{ interval_chain_moved_agents() }}) as moved
        on moved.agent_id = t.agent_id
    {%- endif %}

    union all

    -- the end of the data moved: is_observed changes between the last observed interval and the new end (the
    -- interval holding the old end starts on its local date)
    select
        {{ to_local_date('least(p.last_observed_start_utc, d.data_end_at)') }},
        {{ to_local_date('greatest(p.last_observed_start_utc, d.data_end_at)') }}
    from previous_state as p
    cross join local_days as d
),

recompute_dates as (
    {{ intervals_dates_of_ranges('recompute_ranges') }}
),

spine_days as (
    select r.local_date as first_local_date, r.local_date as last_local_date
    from recompute_dates as r
    cross join local_days as d
    where r.local_date between d.first_local_date and d.last_local_date
),
{% else %}

spine_days as (
    select first_local_date, last_local_date from local_days
),
{% endif %}

spine as (
    {{ intervals_local_spine('forecast_queues', 'spine_days') }}
),

offered_contacts as (
    select
        queue_key as queue,
        queue_entered_at as offered_at,
        is_offered,
        is_short_abandoned,
        is_answered as is_handled,
        case when is_answered then handle_seconds end as handle_seconds
    from {{ ref('int_calls_queued') }}
    where entered_queue
        {%- if is_incremental() %}
        and cast(queue_interval_start_local as date) in (select local_date from recompute_dates)
        {%- endif %}

    union all

    select
        queue,
        started_at as offered_at,
        outcome <> 'failed' as is_offered,
        false as is_short_abandoned,
        is_handled,
        cast(null as {{ type_double() }}) as handle_seconds
    from {{ ref('int_contacts_unioned') }}
    where contact_source = 'digital_contacts'
        and queue is not null
        {%- if is_incremental() %}
        and local_date in (select local_date from recompute_dates)
        {%- endif %}
),

contacts_in_intervals as (
    select
        c.queue,
        q.interval_minutes,
        c.offered_at,
        c.is_offered,
        c.is_short_abandoned,
        c.is_handled,
        c.handle_seconds,
        {{ to_local_timestamp('c.offered_at') }} as offered_at_local
    from offered_contacts as c
    inner join forecast_queues as q
        on q.queue = c.queue
),

contact_intervals as (
    select
        queue,
        interval_minutes,
        {{ intervals_start_instant('offered_at', 'offered_at_local',
            intervals_local_floor('offered_at_local', 'interval_minutes')) }} as interval_start_utc,
        count(*) as contact_rows,
        sum(case when is_offered then 1 else 0 end) as offered,
        sum(case when is_short_abandoned then 1 else 0 end) as short_abandoned,
        sum(case when is_handled then 1 else 0 end) as handled,
        sum(case when is_handled and handle_seconds is not null then 1 else 0 end) as handled_with_handle_time,
        sum(case when is_handled then handle_seconds end) as handle_seconds
    from contacts_in_intervals
    group by 1, 2, 3
),

agent_slots as (
    select
        a.primary_queue as queue,
        q.interval_minutes,
        t.agent_id,
        t.slot_start_utc,
        t.slot_start_local,
        t.scheduled_paid_seconds,
        t.scheduled_work_seconds,
        t.productive_in_paid_seconds,
        t.productive_seconds
    from {{ ref('int_agent_time_sliced') }} as t
    inner join {{ ref('int_agents_queue_assigned') }} as a
        on a.agent_id = t.agent_id
    inner join forecast_queues as q
        on q.queue = a.primary_queue
        and q.interval_minutes % 15 = 0
    {%- if is_incremental() %}
    where t.local_date in (select local_date from recompute_dates)
    {%- endif %}
),

agent_intervals as (
    select
        queue,
        interval_minutes,
        {{ intervals_start_instant('slot_start_utc', 'slot_start_local',
            intervals_local_floor('slot_start_local', 'interval_minutes')) }} as interval_start_utc,
        count(distinct case when scheduled_paid_seconds > 0 then agent_id end) as agents_scheduled,
        sum(scheduled_paid_seconds) as scheduled_paid_seconds,
        sum(scheduled_work_seconds) as scheduled_work_seconds,
        sum(productive_in_paid_seconds) as productive_in_paid_seconds,
        sum(productive_seconds - productive_in_paid_seconds) as productive_unscheduled_seconds
    from agent_slots
    group by 1, 2, 3
),

report_intervals as (
    {{ intervals_reports_rolled('forecast_queues') }}
),

sourced as (
    select
        spine.*,
        {{ intervals_actuals_source('c.contact_rows', 'r.report_rows') }} as actuals_source,
        c.offered as calls_offered,
        c.short_abandoned as calls_short_abandoned,
        c.handled as calls_handled,
        c.handled_with_handle_time as calls_handled_with_handle_time,
        c.handle_seconds as calls_handle_seconds,
        r.report_minutes,
        r.report_rows,
        r.report_rows_not_nested,
        r.offered as report_offered,
        r.short_abandoned as report_short_abandoned,
        r.answered as report_answered,
        r.answered_with_handle_time as report_answered_with_handle_time,
        r.handle_seconds as report_handle_seconds
    from spine
    left join contact_intervals as c
        on c.queue = spine.queue
        and c.interval_minutes = spine.interval_minutes
        and c.interval_start_utc = spine.interval_start_utc
    left join report_intervals as r
        on r.queue = spine.queue
        and r.interval_minutes = spine.interval_minutes
        and r.interval_start_utc = spine.interval_start_utc
),

measured_rows as (
select
    spine.queue,
    cast(spine.interval_minutes as {{ dbt.type_int() }}) as interval_minutes,
    spine.interval_start_utc,
    spine.interval_end_utc,
    spine.interval_start_local,
    spine.local_date,
    spine.utc_offset_minutes,
    -- 1 for the first (or only) interval with this local start, 2 for the repeat in the hour clocks go back
    cast(row_number() over (
        partition by spine.queue, spine.interval_minutes, spine.interval_start_local
        order by spine.interval_start_utc
    ) as {{ dbt.type_int() }}) as local_occurrence,
    spine.interval_start_utc <= local_days.data_end_at as is_observed,
    cast(spine.actuals_source as {{ dbt.type_string() }}) as actuals_source,
    cast(case when spine.actuals_source = 'queue_intervals' then spine.report_minutes end as {{ dbt.type_int() }})
        as report_minutes,
    cast(case when spine.actuals_source = 'queue_intervals' then spine.report_rows else 0 end as {{ dbt.type_bigint() }})
        as report_rows,
    cast(coalesce(spine.report_rows_not_nested, 0) as {{ dbt.type_bigint() }}) as report_rows_not_nested,
    cast(case when spine.actuals_source = 'queue_intervals' then spine.report_offered else coalesce(spine.calls_offered, 0) end
        as {{ dbt.type_bigint() }}) as offered,
    cast(case when spine.actuals_source = 'queue_intervals' then coalesce(spine.report_short_abandoned, 0)
        else coalesce(spine.calls_short_abandoned, 0) end as {{ dbt.type_bigint() }}) as short_abandoned,
    -- an interval-report row without `answered` has no handled count: NULL, never 0
    cast(case when spine.actuals_source = 'queue_intervals' then spine.report_answered else coalesce(spine.calls_handled, 0) end
        as {{ dbt.type_bigint() }}) as handled,
    cast(case when spine.actuals_source = 'queue_intervals' then coalesce(spine.report_answered_with_handle_time, 0)
        else coalesce(spine.calls_handled_with_handle_time, 0) end as {{ dbt.type_bigint() }}) as handled_with_handle_time,
    cast(case when spine.actuals_source = 'queue_intervals' then coalesce(spine.report_handle_seconds, 0)
        else coalesce(spine.calls_handle_seconds, 0) end as {{ type_double() }}) as handle_seconds,
    cast(coalesce(a.agents_scheduled, 0) as {{ dbt.type_bigint() }}) as agents_scheduled,
    cast(coalesce(a.scheduled_paid_seconds, 0) as {{ type_double() }}) as scheduled_paid_seconds,
    cast(coalesce(a.scheduled_work_seconds, 0) as {{ type_double() }}) as scheduled_work_seconds,
    cast(coalesce(a.productive_in_paid_seconds, 0) as {{ type_double() }}) as productive_in_paid_seconds,
    cast(coalesce(a.productive_unscheduled_seconds, 0) as {{ type_double() }}) as productive_unscheduled_seconds,
    cast({{ intervals_newest_load() }} as {{ dbt.type_bigint() }}) as built_through_load_id
from sourced as spine
cross join local_days
left join agent_intervals as a
    on a.queue = spine.queue
    and a.interval_minutes = spine.interval_minutes
    and a.interval_start_utc = spine.interval_start_utc
)

select * from measured_rows
{%- if is_incremental() %}

union all

{{ intervals_placeholder_rows('recompute_dates', this) }}
{%- endif %}
