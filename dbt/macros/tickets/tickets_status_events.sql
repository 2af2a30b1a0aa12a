{#-
    The status history of tickets from ticket_events, one row per status-setting event (event_type
    `created` or `status_change` with a to_value), in order within the ticket (event_at, a `created` event
    first at equal times, then event_id), classified:

      previous_status  from_value when delivered, else the to_value of the ticket's previous status event
                       (NULL before the first one: the ticket was new)
      is_solve         to solved/closed from a status that is not solved/closed (solved -> closed is the
                       close of a solved ticket, not a new solve)
      is_reopen        a status_change from solved/closed back to an open status (new, open, pending, hold)
      solve_number     solves so far, this event included: 0 before the first solve; a reopen carries the
                       number of the solve it reopens
      next_status_event_at  when the ticket's next status event happened (NULL: none yet), so each row
                       is also the period [event_at, next_status_event_at) spent in to_status

    Statuses compare lower-cased (from_value / to_value are free text in the contract).
-#}
{% macro tickets_status_events(ticket_events) -%}
    with status_events as (
        select
            ticket_id,
            event_id,
            event_at,
            event_type,
            lower(from_value) as from_status,
            lower(to_value) as to_status,
            case when event_type = 'created' then 0 else 1 end as event_rank
        from {{ ticket_events }}
        where event_type in ('created', 'status_change')
            and to_value is not null
    ),

    with_neighbours as (
        select
            *,
            coalesce(
                from_status,
                lag(to_status) over (partition by ticket_id order by event_at, event_rank, event_id)
            ) as previous_status,
            lead(event_at) over (partition by ticket_id order by event_at, event_rank, event_id)
                as next_status_event_at
        from status_events
    ),

    classified as (
        select
            *,
            coalesce(
                to_status in ('solved', 'closed')
                and coalesce(previous_status, 'new') not in ('solved', 'closed'),
                false
            ) as is_solve,
            coalesce(
                event_type = 'status_change'
                and previous_status in ('solved', 'closed')
                and to_status in ('new', 'open', 'pending', 'hold'),
                false
            ) as is_reopen
        from with_neighbours
    )

    select
        ticket_id,
        event_id,
        event_at,
        event_type,
        event_rank,
        from_status,
        to_status,
        previous_status,
        next_status_event_at,
        is_solve,
        is_reopen,
        sum(case when is_solve then 1 else 0 end) over (
            partition by ticket_id order by event_at, event_rank, event_id
            rows between unbounded preceding and current row
        ) as solve_number
    from classified
{%- endmacro %}
