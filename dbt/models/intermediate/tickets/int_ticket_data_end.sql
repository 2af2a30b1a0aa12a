{#- One row: the end of the ticket data, the latest instant any ticket or ticket event shows. A window that
    ends after it (a reopen window, an SLA due time) is not knowable yet: those results are censored (NULL). -#}
with ticket_instants as (
    select
        max(created_at) as max_created_at,
        max(solved_at) as max_solved_at,
        max(closed_at) as max_closed_at
    from {{ ref('stg_landing__tickets') }}
),

event_instants as (
    select max(event_at) as max_event_at
    from {{ ref('stg_landing__ticket_events') }}
)

select
    cast(
        greatest(t.max_created_at, t.max_solved_at, t.max_closed_at, e.max_event_at) as {{ type_timestamptz() }}
    ) as data_end_at
from ticket_instants as t
cross join event_instants as e
