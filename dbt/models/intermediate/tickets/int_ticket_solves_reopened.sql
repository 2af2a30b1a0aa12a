{#- One row per solve of a ticket (a status change into solved/closed from an open status), with the first
    reopen that followed it and whether that reopen came within the reopen window (metric_targets
    ticket_reopen_window_days, boundary inclusive); NULL when the window is still open at the end of the data. -#}
{#- Incremental (delete+insert on ticket_id; a table rebuilt whole on Spark, cross_db.sql updated_in_place): a build
    recomputes only the tickets of macros/tickets/tickets_recompute_scope.sql (the one rule): those whose events
    changed, those with a solve whose censoring the current end of the data decides differently from the stored
    row, and all of them when the reopen window changed. A ticket's solves depend on its own events only. -#}
{{ config(**tickets_kept_in_place_config()) }}
with reopen_window as (
    {{ metric_targets_row([('ticket_reopen_window_days', 'reopen_window_days')]) }}
),

reference as (
    {{ reference_fingerprint([['reopen_window', 'reopen_window', ['reopen_window_days']]]) }}
),

data_end as (
    select max(data_end_at) as data_end_at
    from {{ ref('int_ticket_data_end') }}
),
{% if is_incremental() %}

recompute as (
    {{ tickets_recompute_triggers(
        this,
        'stored_rows.reopened_at is null and stored_rows.is_censored is distinct from (not coalesce('
            ~ 'stored_rows.reopen_window_end_at <= (select data_end_at from data_end), false))',
        '(select reference_hash from reference)'
    ) }}
),
{% endif %}

ticket_events as (
    {{ tickets_in_scope(ref('stg_landing__ticket_events')) }}
),

status_events as (
    {{ tickets_status_events('ticket_events') }}
),

solves as (
    select
        ticket_id,
        solve_number,
        event_id as solve_event_id,
        event_at as solved_at,
        to_status as solved_to_status
    from status_events
    where is_solve
),

reopens as (
    select
        ticket_id,
        solve_number,
        event_id,
        event_at,
        to_status,
        row_number() over (partition by ticket_id, solve_number order by event_at, event_id) as reopen_rank,
        count(*) over (partition by ticket_id, solve_number) as reopens_of_this_solve
    from status_events
    where is_reopen
        and solve_number > 0
),

windowed as (
    select
        s.ticket_id,
        s.solve_number,
        s.solve_event_id,
        s.solved_at,
        s.solved_to_status,
        r.event_id as reopen_event_id,
        r.event_at as reopened_at,
        r.to_status as reopened_to_status,
        coalesce(r.reopens_of_this_solve, 0) as reopen_count,
        w.reopen_window_days,
        -- The window in whole minutes of elapsed time (7 days = 10080 min = 168 h), independent of DST.
        {{ dbt.dateadd('minute', 'round(w.reopen_window_days * 1440)', 's.solved_at') }} as reopen_window_end_at,
        d.data_end_at,
        i.inputs_hash,
        f.reference_hash
    from solves as s
    left join reopens as r
        on s.ticket_id = r.ticket_id
        and s.solve_number = r.solve_number
        and r.reopen_rank = 1
    cross join reopen_window as w
    cross join data_end as d
    cross join reference as f
    left join {{ ref('int_ticket_inputs') }} as i on i.ticket_id = s.ticket_id
)

select
    ticket_id,
    cast(solve_number as {{ dbt.type_int() }}) as solve_number,
    solve_event_id,
    solved_at,
    solved_to_status,
    reopen_event_id,
    reopened_at,
    reopened_to_status,
    cast(reopen_count as {{ dbt.type_int() }}) as reopen_count,
    case
        when reopened_at is not null
            then {{ intervals_elapsed_seconds('solved_at', 'reopened_at') }} / 3600
    end as hours_to_reopen,
    reopen_window_days,
    reopen_window_end_at,
    case
        when reopened_at is not null then reopened_at <= reopen_window_end_at
        when reopen_window_end_at <= data_end_at then false
    end as reopened_within_window,
    reopened_at is null and not coalesce(reopen_window_end_at <= data_end_at, false) as is_censored,
    -- what the row was computed from (tickets_recompute_scope.sql)
    inputs_hash,
    reference_hash
from windowed
