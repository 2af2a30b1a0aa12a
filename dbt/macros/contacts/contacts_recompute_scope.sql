{#-
    Bounded recomputation of the windowed contact measures (issue 14 item 3; docs/decisions.md, "Bounded
    recomputation of the contact windows"): the one rule saying which contacts an incremental build must rewrite.

    contacts_recompute_triggers(current, previous, compared_columns) -> a SELECT of (customer_key, contact_id,
    triggered_at): the contacts whose row, or whose customer's later rows, a build may change, comparing the
    contacts of this build (`current`: a relation or CTE with the columns of int_contacts_unioned) with the rows
    the model holds (`previous`: {{ this }}):
      - a contact that is new, gone, or delivered again with any compared column different (a correction, a late
        row, a ticket that turned out to be represented), in its current and in its previous version (a customer
        key or an instant that changed triggers both customers / both instants);
      - when the end of the data (the last contact) moved: every contact with t + longest window after the earlier
        of the two ends (its censoring, and so its repeat flags, may change);
      - when the start of the data moved: every contact with t - longest window before the later of the two starts
        (has_full_prior_history).
    contacts_recompute_from(triggered_at): the earliest instant of a triggered customer whose row may change: a
    contact's forward-looking measures (repeats) look at most the longest repeat window ahead, so contacts more
    than that before every trigger keep their row; everything after it is rewritten (journey numbers and
    previous_contact_at reach forward without bound).
    A trigger without a customer (unidentified contact) rewrites that contact's row only.
-#}
{% macro contacts_recompute_triggers(current, previous, compared_columns) -%}
    {%- set longest = contacts_longest_window_hours() -%}
    select customer_key, contact_id, triggered_at
    from (
        with previous_bounds as (
            select min(started_at) as start_at, max(started_at) as end_at from {{ previous }}
        ),

        current_bounds as (
            select min(started_at) as start_at, max(started_at) as end_at from {{ current }}
        ),

        bounds as (
            select
                previous_bounds.start_at as previous_start_at,
                previous_bounds.end_at as previous_end_at,
                current_bounds.start_at as current_start_at,
                current_bounds.end_at as current_end_at
            from previous_bounds
            cross join current_bounds
        ),

        changed as (
            -- new, gone or different contacts: both versions
            {{ kept_in_place_changes(current, previous, 'contact_id', compared_columns, ['customer_key', 'started_at']) }}
        )

        select customer_key, contact_id, started_at as triggered_at
        from changed
        where contact_id is not null

        union all

        select previous_customer_key as customer_key, previous_contact_id as contact_id,
            previous_started_at as triggered_at
        from changed
        where previous_contact_id is not null

        union all

        -- the end of the data moved: windows still open (censored) at the earlier end may have closed
        select contacts.customer_key, contacts.contact_id, contacts.started_at as triggered_at
        from {{ current }} as contacts
        cross join bounds
        where bounds.previous_end_at is distinct from bounds.current_end_at
            and {{ dbt.dateadd('hour', longest, 'contacts.started_at') }}
                > least(bounds.previous_end_at, bounds.current_end_at)

        union all

        -- the start of the data moved: the prior history of the first contacts is (no longer) complete
        select contacts.customer_key, contacts.contact_id, contacts.started_at as triggered_at
        from {{ current }} as contacts
        cross join bounds
        where bounds.previous_start_at is distinct from bounds.current_start_at
            and {{ dbt.dateadd('hour', -longest, 'contacts.started_at') }}
                < greatest(bounds.previous_start_at, bounds.current_start_at)
    ) as triggers
{%- endmacro %}


{% macro contacts_recompute_from(triggered_at) -%}
    {{ dbt.dateadd('hour', -contacts_longest_window_hours(), triggered_at) }}
{%- endmacro %}


{#- The rows of an incremental contact model that are no longer contacts (a ticket contact whose ticket a late
    call or digital contact turns out to have opened): a post-hook deletes them. -#}
{% macro contacts_delete_vanished(relation) -%}
    {{ kept_in_place_delete_stale(relation, ref('int_contacts_unioned'), 'contact_id') }}
{%- endmacro %}


{#- The config of a contact model kept up to date in place (int_contacts_repeats, fct_contacts; kept_in_place.sql):
    delete+insert on contact_id, the rows no longer contacts deleted after each build. -#}
{% macro contacts_kept_in_place_config() -%}
    {{ return(kept_in_place_config('contact_id', '{{ contacts_delete_vanished(this) }}')) }}
{%- endmacro %}
