{#-
    Models kept up to date in place (bounded recomputation, issue 14 item 3; docs/decisions.md, "Bounded
    recomputation of the contact windows" and "... of the ticket chain"): the parts that the rule of the contact
    chain (contacts/contacts_recompute_scope.sql) and the rule of the ticket chain
    (tickets/tickets_recompute_scope.sql) share. Each rule says which keys a build rewrites; these say how.
-#}

{#- The config of a model kept up to date in place (int_contacts_repeats and fct_contacts by contact, the ticket
    chain by ticket, int_agent_time_sliced by agent and local date): delete+insert on `unique_key` (a column or a
    list: the rows of every key in a build's batch are replaced) where the engine deletes rows (cross_db.sql
    updated_in_place; a table rebuilt whole on Spark, so no hook there), a contract change failing the build, and
    `post_hook` (a statement deleting the rows that no longer belong, or a list of statements) run after every
    build. -#}
{% macro kept_in_place_config(unique_key, post_hook) -%}
    {{ return({
        'materialized': updated_in_place(),
        'unique_key': unique_key,
        'incremental_strategy': 'delete+insert',
        'on_schema_change': 'fail',
        'post_hook': (([post_hook] if post_hook is string else post_hook) if updated_in_place() == 'incremental' else [])
    }) }}
{%- endmacro %}


{#- The keys that are new, gone, or present in both `current` and `previous` with any of `compared_columns`
    different: a SELECT of `key` and `carried_columns` of the current row and, prefixed `previous_`, of the
    previous one (NULL on the side where the key is missing). -#}
{% macro kept_in_place_changes(current, previous, key, compared_columns, carried_columns=[]) -%}
    select
        current_rows.{{ key }},
        {%- for column_name in carried_columns %}
        current_rows.{{ column_name }},
        {%- endfor %}
        previous_rows.{{ key }} as previous_{{ key }}
        {%- for column_name in carried_columns %},
        previous_rows.{{ column_name }} as previous_{{ column_name }}
        {%- endfor %}
    from {{ current }} as current_rows
    full outer join {{ previous }} as previous_rows
        on previous_rows.{{ key }} = current_rows.{{ key }}
    where current_rows.{{ key }} is null
        or previous_rows.{{ key }} is null
        {%- for column_name in compared_columns %}
        or current_rows.{{ column_name }} is distinct from previous_rows.{{ column_name }}
        {%- endfor %}
{%- endmacro %}


{#- Delete the rows of `relation` that have no row in `current` with the same `key` (and the same
    `matched_columns`): rows whose key is gone, or that stand for an earlier version of their key. -#}
{% macro kept_in_place_delete_stale(relation, current, key, matched_columns=[]) -%}
    delete from {{ relation }} as existing
    where not exists (
        select 1
        from {{ current }} as current_rows
        where current_rows.{{ key }} = existing.{{ key }}
            {%- for column_name in matched_columns %}
            and current_rows.{{ column_name }} = existing.{{ column_name }}
            {%- endfor %}
    )
{%- endmacro %}


{#- The fingerprint of a set of rows (an aggregate: one per group), from a row hash per row (cross_db.sql
    row_hash): their count and the exact sum of their hashes, as text. It does not depend on the order rows are
    read in; a change goes unseen only if the changed set has the same count and the same sum of 64-bit hashes. -#}
{% macro set_fingerprint(row_hash_expression) -%}
    {{ dbt.concat([
        'cast(count(*) as ' ~ dbt.type_string() ~ ')',
        "':'",
        'cast(coalesce(sum(cast(' ~ row_hash_expression ~ ' as decimal(38, 0))), 0) as ' ~ dbt.type_string() ~ ')'
    ]) }}
{%- endmacro %}


{#- A SELECT of one row, one column `reference_hash`: the fingerprint of every row of the given relations (a list
    of [name, relation, columns]), so a build can tell that reference data a model reads (seeds, schedules)
    changed since its rows were written. -#}
{% macro reference_fingerprint(sources) -%}
    select {{ set_fingerprint('row_hash') }} as reference_hash
    from (
        {%- for name, relation, columns in sources %}
        select {{ row_hash([sql_string(name)] + columns) }} as row_hash
        from {{ relation }}
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ) as reference_rows
{%- endmacro %}
