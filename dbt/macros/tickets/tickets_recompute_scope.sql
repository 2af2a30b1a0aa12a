{#-
    Bounded recomputation of the ticket chain (issue 14 item 3; docs/decisions.md, "Bounded recomputation of the
    ticket chain"): the one rule saying which tickets an incremental ticket model (int_ticket_solves_reopened,
    int_tickets_sla_measured) must rewrite. Both keep on every row the fingerprint of the ticket's inputs
    (int_ticket_inputs.inputs_hash) and of the reference data they read (reference_hash).

    tickets_recompute_triggers(previous, end_dependent, reference_hash) -> a SELECT of ticket_id: the tickets
    whose rows a build may change, comparing int_ticket_inputs with the rows the model holds (`previous`:
    {{ this }}):
      - a ticket that is new or whose row or events changed (new, corrected or gone events, the ticket row
        corrected): its inputs_hash differs from the stored one (a ticket with no stored row is new);
      - a stored row whose result depends on the end of the ticket data (`end_dependent`, a condition on the
        stored row `stored_rows`, given by the model): nothing else in a ticket's result depends on other
        tickets;
      - every ticket when the reference data differs from what the stored rows were computed with
        (`reference_hash`, a scalar expression of this build's fingerprint): detected, not compared, so a
        change of a schedule, a holiday, a policy or the reopen window recomputes every ticket.
    A gone ticket has nothing to compute: tickets_delete_stale removes its rows after the build, and so the rows
    of a recomputed ticket that produced none (a solve corrected away).
-#}
{% macro tickets_recompute_triggers(previous, end_dependent, reference_hash) -%}
    select distinct ticket_id
    from (
        with stored as (
            select distinct ticket_id, inputs_hash from {{ previous }}
        ),

        changed as (
            {{ kept_in_place_changes(ref('int_ticket_inputs'), 'stored', 'ticket_id', ['inputs_hash']) }}
        )

        select ticket_id
        from changed
        where ticket_id is not null

        union all

        -- results that depend on the end of the data (censoring, clocks running to the end)
        select stored_rows.ticket_id
        from {{ previous }} as stored_rows
        where {{ end_dependent }}

        union all

        -- the reference data changed: every ticket
        select inputs.ticket_id
        from {{ ref('int_ticket_inputs') }} as inputs
        where exists (
            select 1 from {{ previous }} as stored_rows where stored_rows.reference_hash <> {{ reference_hash }}
        )
    ) as triggers
{%- endmacro %}


{#- The rows of `relation` (a ticket model's input keyed by ticket_id) that this build computes from: in an
    incremental build only those of the tickets in the CTE `recompute` (tickets_recompute_triggers), else all. -#}
{% macro tickets_in_scope(relation, columns='*') -%}
    select {{ columns }}
    from {{ relation }}
    {%- if is_incremental() %}
    where ticket_id in (select ticket_id from recompute)
    {%- endif %}
{%- endmacro %}


{#- The rows of an incremental ticket model that no longer stand for the ticket's inputs: the ticket is gone, or
    it was recomputed from new inputs and this row was not written again. A post-hook deletes them. -#}
{% macro tickets_delete_stale(relation) -%}
    {{ kept_in_place_delete_stale(relation, ref('int_ticket_inputs'), 'ticket_id', ['inputs_hash']) }}
{%- endmacro %}


{#- The config of a ticket model kept up to date in place (kept_in_place.sql): delete+insert on ticket_id (every
    row of a recomputed ticket is replaced), stale rows deleted after each build. -#}
{% macro tickets_kept_in_place_config() -%}
    {{ return(kept_in_place_config('ticket_id', '{{ tickets_delete_stale(this) }}')) }}
{%- endmacro %}
