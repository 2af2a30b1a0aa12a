{#- One row per ticket that a ticket row or a ticket event names: a fingerprint of everything the ticket chain
    reads about that ticket (its row of stg_landing__tickets and its events, every contract column). The
    incremental ticket models (int_ticket_solves_reopened, int_tickets_sla_measured) store the fingerprint their
    rows were computed from; a ticket whose fingerprint differs, is new or is gone is recomputed
    (macros/tickets/tickets_recompute_scope.sql). A table: both models and their post-hooks read it. -#}
{{ config(materialized='table') }}
{%- set ticket_columns = [
    'ticket_id', 'customer_id', 'created_at', 'channel', 'priority', 'reason_code', 'status', 'assignee_group',
    'solved_at', 'closed_at'
] -%}
{%- set event_columns = ['event_id', 'ticket_id', 'event_at', 'event_type', 'from_value', 'to_value', 'actor_id', 'is_public'] -%}
with row_hashes as (
    select ticket_id, {{ row_hash(["'ticket'"] + ticket_columns) }} as row_hash
    from {{ ref('stg_landing__tickets') }}

    union all

    select ticket_id, {{ row_hash(["'event'"] + event_columns) }} as row_hash
    from {{ ref('stg_landing__ticket_events') }}
)

select
    ticket_id,
    {{ set_fingerprint('row_hash') }} as inputs_hash
from row_hashes
group by ticket_id
