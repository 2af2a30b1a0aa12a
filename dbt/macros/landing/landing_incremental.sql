{#-
    How base_landing__<source> is materialized (landing_validated.sql calls it for every source at once).

    Incremental by load (issue 14 item 2): a build types and validates only the contract rows of loads the model has
    not seen, plus every row loaded earlier under a primary key they deliver (so a correction or a late duplicate
    competes with every earlier version exactly as in a full build), and maps adapter exports again whole (an adapter
    model may fold rows of several loads into one). The batch replaces the rows of its keys: `delete+insert` on
    `_rebuild_key` (the typed primary key as text), a strategy dbt offers on DuckDB and PostgreSQL. An adapter key the
    table holds that no adapter maps any more (and no contract row has) gets a placeholder row in the batch, which
    removes the key's rows; a post-hook deletes the placeholders (`_fate = 'vanished'`).

    A source with a rule that reads another relation (landing_lookups.sql: survey answers against the question
    catalogue, which a new delivery of questions or a new seed changes for answers loaded long ago) is built by load
    too, and every row carries the fingerprint of what the rule read (`_lookup_fingerprint`): a build that finds
    another fingerprint validates every row again (its batch is every delivered row), and staging then replaces all
    of its rows (landing_staging_lookup_reset). A full table on an engine whose tables cannot delete rows (dispatch:
    an adapter's <adapter>__landing_base_config).
    A contract change (a column added to raw) fails the incremental build (on_schema_change: fail): rebuild with
    `callqa run --full-refresh`.
-#}
{% macro landing_base_config(table_name, has_lookup) -%}
    {{ return(adapter.dispatch('landing_base_config')(table_name, has_lookup)) }}
{%- endmacro %}


{% macro default__landing_base_config(table_name, has_lookup) -%}
    {#- the post-hook: the placeholder rows of adapter keys no adapter maps any more (landing_validated.sql) -#}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'delete+insert', 'unique_key': '_rebuild_key',
               'on_schema_change': 'fail', 'post_hook': ["delete from {{ this }} where _fate = 'vanished'"]}) }}
{%- endmacro %}


{#- Spark (plain Parquet tables, no row deletes): every build rebuilds the table. -#}
{% macro spark__landing_base_config(table_name, has_lookup) -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}


{#- How stg_landing__<source> is materialized (landing_staged calls it): incremental as its base model is (the same
    dispatch: a full table for a source with a lookup and on engines whose tables cannot delete rows), by the same
    unit, `_rebuild_key`. A staging row is a function of its base row alone (typed columns, the local calendar in the
    warehouse's recorded time zone), and a key's staged version changes only when a load delivers that key (or an
    adapter maps it again), so a build takes the staged rows of the keys loads after the table's newest contract
    load delivered, and of every adapter key (landing_keys_since), and replaces those keys' rows (delete+insert).
    A contract key once staged keeps a staged version in a base model incremental by load (a later valid version
    replaces it, an invalid one is rejected beside it; a source whose fates a lookup can change is a full table).
    An adapter key need not: an adapter folds every delivered copy of a record into one row (e.g. a Genesys
    conversation exported again), which may now be rejected or no longer mapped into this source. So the batch also
    takes every key the table holds from an adapter, and a post-hook deletes the table's adapter rows whose key has
    no staged row in the base model any more (landing_staging_delete_unstaged). -#}
{% macro landing_staging_config(table_name) -%}
    {%- if not landing_base_is_incremental(table_name) -%}
        {{ return({'materialized': 'table'}) }}
    {%- endif -%}
    {%- set lookup = none if compiling_unit_test() else landing_lookup(table_name) -%}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'delete+insert', 'unique_key': '_rebuild_key',
               'on_schema_change': 'fail',
               'pre_hook': (["{{ landing_staging_lookup_reset(this, '" ~ table_name ~ "') }}"] if lookup else []),
               'post_hook': ["{{ landing_staging_delete_unstaged(this, '" ~ table_name ~ "') }}"]}) }}
{%- endmacro %}


{#- A source with a lookup (landing_lookups.sql): when the base model was validated against another lookup than the
    staged rows were (its `_lookup_fingerprint` differs), the base model validated every row again and a staged key
    may now be rejected (an answer outside its question's new scale); staging then starts empty and the build takes
    every staged row (landing_staged). A statement that changes nothing otherwise (a full build; a table from before
    the column, which the build then reports as a schema change). -#}
{% macro landing_staging_lookup_reset(relation, table_name) -%}
    {#- (is_incremental() is false while a hook renders: the relation and the flag instead) -#}
    {%- if execute and not should_full_refresh() and load_relation(relation) is not none
           and '_lookup_fingerprint' in relation_column_names(relation) %}
    delete from {{ relation }}
    where (select max(_lookup_fingerprint) from {{ relation }})
        is distinct from (select max(_lookup_fingerprint) from {{ ref('base_landing__' ~ table_name) }})
    {%- else %}
    select 0 as nothing_staged_yet
    {%- endif %}
{%- endmacro %}


{#- Whether base_landing__<table_name> is built by load on this engine (landing_base_config: not for a source with
    a lookup, nor where tables cannot delete rows): the one rule staging and the reconciliation by load follow. -#}
{% macro landing_base_is_incremental(table_name) -%}
    {%- set lookup = none if compiling_unit_test() else landing_lookup(table_name) -%}
    {{ return(landing_base_config(table_name, lookup is not none).get('materialized') == 'incremental') }}
{%- endmacro %}


{#- The adapter rows of stg_landing__<table_name> whose key has no staged row in the base model any more. -#}
{% macro landing_staging_delete_unstaged(relation, table_name) -%}
    {#- Most tables hold no adapter row: then nothing can be deleted and the hook runs a count instead of the DELETE,
        whose anti-join DuckDB plans by hashing every staged base row first, even with no adapter row to probe
        (0.27-0.89 s each for ticket_events and agent_states at 1 M contacts, every build, against 2 ms for the
        count; docs/decisions.md, "Views read many times become tables"). NOT EXISTS, not NOT IN, otherwise. -#}
    {%- if execute and run_query('select count(*) from ' ~ relation ~ ' where _adapter is not null').columns[0].values()[0] == 0 %}
    select 0 as adapter_rows
    {%- else %}
    delete from {{ relation }} as existing
    where existing._adapter is not null
        and not exists (
            select 1 from {{ ref('base_landing__' ~ table_name) }} as base
            where base._fate = 'staged' and base._rebuild_key = existing._rebuild_key
        )
    {%- endif %}
{%- endmacro %}


{#- The keys (_rebuild_key) of landing source `table_name` that a load after `after_load_id` (SQL) delivered, and every
    adapter key (adapter rows are mapped again whole each build). -#}
{% macro landing_keys_since(table_name, after_load_id) -%}
    select _rebuild_key
    from {{ ref('base_landing__' ~ table_name) }}
    where _load_id > {{ after_load_id }}
        or _adapter is not null
{%- endmacro %}


{#- Every delivered version (any fate: staged, rejected, history) of the keys of landing source `table_name` that a
    load after `after_load_id` (SQL: a number or a scalar subquery) delivered, and of every adapter key (adapter rows
    are mapped again whole each build): the rows new, corrected or gone since a model last read the source, in both
    versions, for a model that aggregates the source and so cannot compare its inputs with its own rows
    (int_agent_time_sliced; macros/wfm/agent_time_recompute_scope.sql). Load ids only grow and a build sees every
    committed load, so a staged row of a load not after `after_load_id` whose key no later load delivered is as it
    was. The columns of base_landing__<table_name>.
    A join with the distinct keys, not `_rebuild_key in (...)`: DuckDB planned the IN as a semi-join hashing every base
    row (int_agent_time_sliced with nothing new at 1 M contacts: 2.06 s against 0.73 s). -#}
{% macro landing_versions_since(table_name, after_load_id) -%}
    select versions.*
    from {{ ref('base_landing__' ~ table_name) }} as versions
    inner join (
        select distinct _rebuild_key from ({{ landing_keys_since(table_name, after_load_id) }}) as keys_since
    ) as since
        on since._rebuild_key = versions._rebuild_key
{%- endmacro %}
