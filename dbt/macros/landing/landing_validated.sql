{#-
    The landing boundary (docs/layers.md): base_landing__<source> holds EVERY row delivered for a landing
    source, typed, with its fate; staging and audit.rejected_rows are two filters of it, so validation runs once
    and "raw = staged + rejected + history" is visible in the DAG.

    landing_base(table_name) selects every row of raw.<table_name> (contract files) and every row of the adapter
    models that feed the source (base_<adapter>__<table_name>, registered in landing_adapters()), with
      - each contract column typed (text trimmed, '' = NULL; string enums lower-cased; see contract_types.sql);
        an adapter model gives any subset of the contract columns as text (absent ones are NULL),
      - _load_id, _file, _line, _loaded_at, _adapter (NULL for contract files), _raw_rows (raw rows the row
        stands for: 1, or more when an adapter aggregates, e.g. segments into a call),
      - _record_key     primary-key values as delivered, joined with '|' (NULL when all are NULL),
      - _fate           staged | rejected | history,
      - _reject_reason  NULL unless rejected, else the first reason that applies:
            malformed_line     raw _malformed is not NULL (the parser could not split the line)
            not_mapped         an adapter could not map the row (its _not_mapped says why)
            missing_required   a required column is NULL (or none of a require_any group is given)
            invalid_type       a non-NULL value does not parse as its contract type
            invalid_enum       a value outside the contract's enum (or a lookup's: landing_lookups.sql)
            out_of_range       a number outside [min, max] (min_exclusive: > min; or a lookup's range, e.g. a
                               survey answer outside its question's scale)
            end_before_start   an end_after_start pair with end < start (end = start is allowed)
            failed_check       an interval_aligned pair whose start is not on a local boundary of its length
                               (the local wall clock a whole number of lengths past the hour), or a table
                               `checks` condition that is false (NULL = passes: optional columns may be empty)
            duplicate_superseded
                               a VALID row whose primary key has a later valid version of the same export
                               version (a re-delivery or correction): larger _load_id, then larger _line
      - history (fate, no reason): a VALID row of an event-shaped export (the adapter gives _version_order, e.g.
        ServiceNow's sys_mod_count) whose key has a valid row with a higher version: an earlier state of the
        record, kept as history (the adapter's event model turns it into events), not a reject,
      - _reject_detail  the column(s) concerned, ', '-separated (end_before_start: "end < start";
                        failed_check: the rule(s) broken, "start aligned to minutes" or the check's SQL;
                        malformed_line: the parser's message; duplicate_superseded / history: the key columns
                        and the load / line of the version that won).
    Versions of a key are ordered by _version_order (highest first; NULL = contract files, after any version),
    then _load_id, then _line; the first valid one is staged. De-duplication runs among valid rows only: an
    invalid later correction never replaces an earlier valid version; it is rejected for its own reason.

    _rebuild_key (the typed primary key as text) is what an incremental build replaces: the base model is
    incremental by load (landing_incremental.sql: the rows of new loads, every earlier row of the keys they
    deliver, every adapter row; a full table for a source with a lookup, and by dispatch).

    landing_staged(table_name): the staged rows of the base model. landing_rejects(table_name): the audit
    columns of its rejected rows.
-#}

{% macro landing_base(table_name) -%}
    {#- source() and ref() outside the execute block: register the dependencies at parse time. -#}
    {%- set relation = source('landing', table_name) -%}
    {%- set adapter_inputs = [] -%}
    {%- for feed in landing_adapter_models(table_name) -%}
        {%- do adapter_inputs.append({'adapter': feed.adapter, 'relation': ref(feed.model)}) -%}
    {%- endfor -%}
    {#- Rules that need another relation (survey answers against their question's scale): landing_lookups.sql -#}
    {%- set lookup = none if compiling_unit_test() else landing_lookup(table_name) -%}
    {%- set base_config = landing_base_config(table_name, lookup is not none) -%}
    {{ config(**base_config) }}
    {%- set incremental = base_config.get('materialized') == 'incremental' and not compiling_unit_test() and is_incremental() -%}
    {#- A lookup's fingerprint: stored on every row; another one makes an incremental build validate every row. -#}
    {%- set lookup_fingerprint = ('(select reference_hash from (' ~ reference_fingerprint(lookup.fingerprint)
                                  ~ ') as lookup_now)') if lookup else none -%}
    {%- set lookup_changed = ('(select max(_lookup_fingerprint) from ' ~ this ~ ') is distinct from '
                              ~ lookup_fingerprint) if (lookup and incremental) else none -%}
    {%- if lookup_changed and execute and '_lookup_fingerprint' not in relation_column_names(this) -%}
        {#- a table built before the column existed: SQL that binds, so that dbt reports the schema change
            (on_schema_change: fail, and `callqa run --full-refresh` as the hint) -#}
        {%- set lookup_changed = '1 = 1' -%}
    {%- endif -%}
    {%- if not execute -%}
        select 1 as _not_executed
    {%- else -%}
    {%- set contract = landing_contract(table_name) -%}
    {%- set columns = contract.columns -%}
    {%- set by_name = {} -%}
    {%- for c in columns -%}{%- do by_name.update({c.name: c}) -%}{%- endfor -%}
    {%- set q = adapter.quote -%}
    {%- set key_columns = contract.primary_key -%}

    {#- Collected checks: lists of SQL expressions yielding a label or NULL. -#}
    {%- set missing_checks = [] -%}
    {%- set type_checks = [] -%}
    {%- set enum_checks = [] -%}
    {%- set range_checks = [] -%}
    {%- set order_checks = [] -%}
    {%- set rule_checks = [] -%}
    {%- for c in columns -%}
        {%- set typed = q(c.name) -%}
        {%- set text = q(c.name ~ '__text') -%}
        {%- if c.required -%}
            {%- do missing_checks.append("case when " ~ text ~ " is null then " ~ sql_string(c.name) ~ " end") -%}
        {%- endif -%}
        {%- if c.type not in ('string', 'text') or c.pii == 'hash' -%}
            {%- do type_checks.append("case when " ~ text ~ " is not null and " ~ typed ~ " is null then " ~ sql_string(c.name) ~ " end") -%}
        {%- endif -%}
        {%- if c.enum -%}
            {%- if c.type in ('int', 'number') -%}
                {%- set allowed = c.enum | map('string') | join(', ') -%}
            {%- else -%}
                {%- set allowed_list = [] -%}
                {%- for value in c.enum -%}{%- do allowed_list.append(sql_string(value | string | lower)) -%}{%- endfor -%}
                {%- set allowed = allowed_list | join(', ') -%}
            {%- endif -%}
            {%- do enum_checks.append("case when " ~ typed ~ " not in (" ~ allowed ~ ") then " ~ sql_string(c.name) ~ " end") -%}
        {%- endif -%}
        {%- set bounds = [] -%}
        {%- if c.min is not none -%}
            {%- do bounds.append(typed ~ (" <= " if c.min_exclusive else " < ") ~ c.min) -%}
        {%- endif -%}
        {%- if c.max is not none -%}
            {%- do bounds.append(typed ~ " > " ~ c.max) -%}
        {%- endif -%}
        {%- if bounds -%}
            {%- do range_checks.append("case when " ~ bounds | join(' or ') ~ " then " ~ sql_string(c.name) ~ " end") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set exempt = [] -%}
    {%- for pair in contract.require_any_unless or [] -%}
        {%- do exempt.append(q(pair[0]) ~ " is not distinct from " ~ sql_string(pair[1] | lower)) -%}
    {%- endfor -%}
    {%- for group in contract.require_any -%}
        {%- set conditions = [] -%}
        {%- for name in group -%}{%- do conditions.append(q(name ~ '__text') ~ " is null") -%}{%- endfor -%}
        {%- if exempt -%}{%- do conditions.append("not (" ~ exempt | join(' or ') ~ ")") -%}{%- endif -%}
        {%- do missing_checks.append("case when " ~ conditions | join(' and ') ~ " then " ~ sql_string(group | join(' or ')) ~ " end") -%}
    {%- endfor -%}
    {%- for pair in contract.end_after_start -%}
        {%- set start_column, end_column = pair[0], pair[1] -%}
        {%- if start_column not in by_name or end_column not in by_name -%}
            {{ exceptions.raise_compiler_error("landing." ~ table_name ~ ": end_after_start names an unknown column in " ~ pair) }}
        {%- endif -%}
        {%- do order_checks.append("case when " ~ q(end_column) ~ " < " ~ q(start_column) ~ " then " ~ sql_string(end_column ~ ' < ' ~ start_column) ~ " end") -%}
    {%- endfor -%}

    {%- for pair in contract.interval_aligned -%}
        {%- set start_column, minutes_column = pair[0], pair[1] -%}
        {%- if start_column not in by_name or minutes_column not in by_name -%}
            {{ exceptions.raise_compiler_error("landing." ~ table_name ~ ": interval_aligned names an unknown column in " ~ pair) }}
        {%- endif -%}
        {%- set local = to_local_timestamp(q(start_column)) -%}
        {%- set minutes = q(minutes_column) -%}
        {#- a length <= 0 is out of range or outside the enum already; guarded so no engine divides by 0 -#}
        {%- do rule_checks.append("case when " ~ minutes ~ " > 0 and not (" ~ dbt.date_trunc('minute', local) ~ " = " ~ local
            ~ " and cast(extract(minute from " ~ local ~ ") as " ~ dbt.type_int() ~ ") % " ~ minutes ~ " = 0) then "
            ~ sql_string(start_column ~ ' aligned to ' ~ minutes_column) ~ " end") -%}
    {%- endfor -%}
    {%- if lookup -%}
        {%- do enum_checks.extend(lookup.enum_checks or []) -%}
        {%- do range_checks.extend(lookup.range_checks or []) -%}
    {%- endif -%}
    {%- for condition in contract.checks -%}
        {%- do rule_checks.append("case when not (" ~ condition ~ ") then " ~ sql_string(condition) ~ " end") -%}
    {%- endfor -%}

    {%- set key_text = [] -%}
    {%- set key_nulls = [] -%}
    {%- for name in key_columns -%}
        {%- if not loop.first -%}{%- do key_text.append("'|'") -%}{%- endif -%}
        {%- do key_text.append("coalesce(" ~ q(name ~ '__text') ~ ", '')") -%}
        {%- do key_nulls.append(q(name ~ '__text') ~ " is null") -%}
    {%- endfor -%}
    {%- set key_typed = [] -%}
    {%- for name in key_columns -%}{%- do key_typed.append(q(name)) -%}{%- endfor -%}
    {%- set version_window = "partition by (_invalid_reason is null), " ~ key_typed | join(', ') ~ " order by _version_order desc nulls last, _load_id desc, _line desc" -%}

    {%- set raw_exists = true -%}
    {%- if not compiling_unit_test() and load_relation(relation) is none -%}
        {%- set raw_exists = false -%}
        {%- do log("callqa: " ~ relation ~ " does not exist yet; landing." ~ table_name ~ " is staged as empty", info=true) -%}
    {%- endif -%}

{%- set contract_rows -%}
    select
        {%- for c in columns %}
        nullif(trim(cast({{ q(c.name) }} as {{ dbt.type_string() }})), '') as {{ q(c.name) }},
        {%- endfor %}
        _load_id,
        _file,
        _line,
        _loaded_at,
        _malformed,
        cast(null as {{ dbt.type_string() }}) as _adapter,
        cast(null as {{ dbt.type_string() }}) as _not_mapped,
        cast(null as {{ dbt.type_bigint() }}) as _version_order,
        cast(1 as {{ dbt.type_bigint() }}) as _raw_rows
    {%- if raw_exists %}
    from {{ relation }}
    {%- else %}
    from (
        select
            {%- for c in columns %}
            cast(null as {{ dbt.type_string() }}) as {{ q(c.name) }},
            {%- endfor %}
            cast(null as {{ dbt.type_bigint() }}) as _load_id,
            cast(null as {{ dbt.type_string() }}) as _file,
            cast(null as {{ dbt.type_bigint() }}) as _line,
            cast(null as {{ type_timestamptz() }}) as _loaded_at,
            cast(null as {{ dbt.type_string() }}) as _malformed
    ) as missing_raw_table
    where 1 = 0
    {%- endif %}
{%- endset -%}
{#- _rebuild_key: the typed primary key as text, the unit an incremental build deletes and rebuilds (every version
    of a key competes in the version window, so a key is recomputed whole). -#}
{%- set rebuild_parts = [] -%}
{%- for name in key_columns -%}
    {%- if not loop.first -%}{%- do rebuild_parts.append("'|'") -%}{%- endif -%}
    {%- do rebuild_parts.append("coalesce(cast(" ~ q(name) ~ " as " ~ dbt.type_string() ~ "), '')") -%}
{%- endfor -%}
{%- set rebuild_key = dbt.concat(rebuild_parts) -%}

with landing_fresh as (
    {%- if incremental %}
    -- incremental: the contract rows of loads this model has not seen (load ids only grow) ...
    select * from ({{ contract_rows }}) as delivered
    where _load_id > (select coalesce(max(_load_id), 0) from {{ this }} where _adapter is null)
    {%- if lookup_changed %}
        -- ... or all of them when the lookup changed since the rows were validated
        or {{ lookup_changed }}
    {%- endif %}
    {%- else %}
    {{ contract_rows }}
    {%- endif %}
    {%- if not compiling_unit_test() %}
    {%- for input in adapter_inputs %}
    {%- set present = relation_column_names(input.relation) %}

    union all

    -- rows mapped by the adapter {{ input.adapter }} ({{ input.relation }})
    select
        {%- for c in columns %}
        {%- if c.name | lower in present %}
        nullif(trim(cast({{ q(c.name) }} as {{ dbt.type_string() }})), '') as {{ q(c.name) }},
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as {{ q(c.name) }},
        {%- endif %}
        {%- endfor %}
        cast(_load_id as {{ dbt.type_bigint() }}) as _load_id,
        cast(_file as {{ dbt.type_string() }}) as _file,
        cast(_line as {{ dbt.type_bigint() }}) as _line,
        cast(_loaded_at as {{ type_timestamptz() }}) as _loaded_at,
        {{ "cast(_malformed as " ~ dbt.type_string() ~ ")" if '_malformed' in present else "cast(null as " ~ dbt.type_string() ~ ")" }} as _malformed,
        {{ sql_string(input.adapter) }} as _adapter,
        {{ "cast(_not_mapped as " ~ dbt.type_string() ~ ")" if '_not_mapped' in present else "cast(null as " ~ dbt.type_string() ~ ")" }} as _not_mapped,
        {{ "cast(_version_order as " ~ dbt.type_bigint() ~ ")" if '_version_order' in present else "cast(null as " ~ dbt.type_bigint() ~ ")" }} as _version_order,
        {{ "cast(coalesce(_raw_rows, 1) as " ~ dbt.type_bigint() ~ ")" if '_raw_rows' in present else "cast(1 as " ~ dbt.type_bigint() ~ ")" }} as _raw_rows
    from {{ input.relation }}
    {%- endfor %}
    {%- endif %}
),

{%- if incremental %}

-- ... the keys they deliver, with every key adapter rows had before (an adapter model may map rows of several
-- loads into one, so adapter rows are always mapped again whole) ...
landing_fresh_keys as (
    select distinct {{ rebuild_key }} as _rebuild_key
    from (
        select
            {%- for name in key_columns %}
            {{ landing_typed_value(by_name[name], q(name)) }} as {{ q(name) }}{{ ',' if not loop.last }}
            {%- endfor %}
        from landing_fresh
    ) as fresh_keys
    union
    select _rebuild_key from {{ this }} where _adapter is not null
),

-- ... and the contract rows loaded earlier under those keys, typed and versioned again with them: a correction or a
-- late duplicate competes with every earlier version of its key exactly as in a full build.
landing_trimmed as (
    select * from landing_fresh
    union all
    select * from ({{ contract_rows }}) as delivered
    where exists (
        select 1
        from {{ this }} as built
        where built._adapter is null
            and built._load_id = delivered._load_id
            and built._line = delivered._line
            and built._rebuild_key in (select _rebuild_key from landing_fresh_keys)
    )
    {%- if lookup_changed %}
        -- (every row is in landing_fresh already when the lookup changed)
        and not ({{ lookup_changed }})
    {%- endif %}
),
{%- else %}

landing_trimmed as (
    select * from landing_fresh
),
{%- endif %}

landing_typed as (
    select
        {%- for c in columns %}
        {{ q(c.name) }} as {{ q(c.name ~ '__text') }},
        {{ landing_typed_value(c, q(c.name)) }} as {{ q(c.name) }},
        {%- endfor %}
        _load_id,
        _file,
        _line,
        _loaded_at,
        _malformed,
        _adapter,
        _not_mapped,
        _version_order,
        _raw_rows
    from landing_trimmed
),

landing_checked as (
    select
        landing_typed.*,
        {{ concat_nonnull(missing_checks) }} as _missing_detail,
        {{ concat_nonnull(type_checks) }} as _type_detail,
        {{ concat_nonnull(enum_checks) }} as _enum_detail,
        {{ concat_nonnull(range_checks) }} as _range_detail,
        {{ concat_nonnull(order_checks) }} as _order_detail,
        {{ concat_nonnull(rule_checks) }} as _check_detail
    from landing_typed
    {%- if lookup %}
    {{ lookup.join }}
    {%- endif %}
),

landing_classified as (
    select
        *,
        case
            when _malformed is not null then 'malformed_line'
            when _not_mapped is not null then 'not_mapped'
            when _missing_detail is not null then 'missing_required'
            when _type_detail is not null then 'invalid_type'
            when _enum_detail is not null then 'invalid_enum'
            when _range_detail is not null then 'out_of_range'
            when _order_detail is not null then 'end_before_start'
            when _check_detail is not null then 'failed_check'
        end as _invalid_reason,
        case
            when _malformed is not null then _malformed
            when _not_mapped is not null then _not_mapped
            else coalesce(_missing_detail, _type_detail, _enum_detail, _range_detail, _order_detail, _check_detail)
        end as _invalid_detail
    from landing_checked
),

landing_versioned as (
    select
        *,
        row_number() over ({{ version_window }}) as _version_rank,
        first_value(_version_order) over ({{ version_window }}) as _winning_version_order,
        first_value(_load_id) over ({{ version_window }}) as _winning_load_id,
        first_value(_line) over ({{ version_window }}) as _winning_line
    from landing_classified
),

landing_fated as (
    select
        *,
        case
            when _invalid_reason is not null then 'rejected'
            when _version_rank = 1 then 'staged'
            when _version_order < _winning_version_order then 'history'
            else 'rejected'
        end as _fate
    from landing_versioned
),

-- the rows of the batch, as the table holds them
landing_output as (
    select
    {%- for c in columns %}
    {{ q(c.name) }},
    {%- endfor %}
    _load_id,
    _file,
    _line,
    _loaded_at,
    _adapter,
    _raw_rows,
    case when {{ key_nulls | join(' and ') }} then null else {{ dbt.concat(key_text) }} end as _record_key,
    {{ rebuild_key }} as _rebuild_key,
    _fate,
    case
        when _invalid_reason is not null then _invalid_reason
        when _fate = 'rejected' then 'duplicate_superseded'
    end as _reject_reason,
    case
        when _invalid_reason is not null then _invalid_detail
        when _version_rank > 1 then {{ dbt.concat([
            sql_string(key_columns | join(', ') ~ ' superseded by load_id '),
            "cast(_winning_load_id as " ~ dbt.type_string() ~ ")",
            "' line '",
            "cast(_winning_line as " ~ dbt.type_string() ~ ")"
        ]) }}
    end as _reject_detail
    {%- if lookup %},
    {{ lookup_fingerprint }} as _lookup_fingerprint
    {%- endif %}
    from landing_fated
)

select * from landing_output
{%- if incremental %}

union all

-- an adapter key this table holds that no adapter maps any more (a Genesys conversation that gained a voice segment
-- moves from digital_contacts to calls) and that no contract row has: delete+insert replaces only the keys the batch
-- has, so a placeholder row (_fate 'vanished', every other column NULL) carries the key; the post-hook deletes it
-- (landing_base_config), leaving the key as a full build would: absent
select
    {%- for c in columns %}
    null,
    {%- endfor %}
    null, null, null, null, null, null, null,
    vanished._rebuild_key,
    'vanished',
    null,
    null
    {%- if lookup %},
    null
    {%- endif %}
from (select distinct _rebuild_key from {{ this }} where _adapter is not null) as vanished
where not exists (select 1 from landing_output where landing_output._rebuild_key = vanished._rebuild_key)
{%- endif %}
    {%- endif -%}
{%- endmacro %}


{#- The typed value of one contract column, from its trimmed text expression. -#}
{% macro landing_typed_value(column, expr) -%}
    {%- if column.pii == 'hash' -%}
        {{ parse_contract_hash(expr) }}
    {%- elif column.pii == 'mask' -%}
        {{ mask_free_text(expr) }}
    {%- elif column.type in ('string', 'text') -%}
        {%- if column.enum -%}lower({{ expr }}){%- else -%}{{ expr }}{%- endif -%}
    {%- elif column.type == 'timestamp' -%}
        {{ parse_contract_timestamp(expr) }}
    {%- elif column.type == 'date' -%}
        {{ parse_contract_date(expr) }}
    {%- elif column.type == 'time' -%}
        {{ parse_contract_time(expr) }}
    {%- elif column.type == 'int' -%}
        {{ parse_contract_int(expr) }}
    {%- elif column.type == 'number' -%}
        {{ parse_contract_number(expr) }}
    {%- elif column.type == 'bool' -%}
        {{ parse_contract_bool(expr) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("landing contract column '" ~ column.name ~ "': unknown type '" ~ column.type ~ "' (string|timestamp|date|time|int|number|bool|text)") }}
    {%- endif -%}
{%- endmacro %}


{#- The rows staging keeps: the staged rows of the source's base model. -#}
{% macro landing_staged(table_name) -%}
    {%- set staging_config = landing_staging_config(table_name) -%}
    {{ config(**staging_config) }}
    select *
    from {{ ref('base_landing__' ~ table_name) }}
    where _fate = 'staged'
    {%- if staging_config.get('materialized') == 'incremental' and not compiling_unit_test() and is_incremental() %}
        -- incremental (landing_incremental.sql): the staged rows of the keys loads after this table's last delivered,
        -- of every adapter key, and of every key this table holds from an adapter (one the adapter no longer maps)
        and (
            _rebuild_key in ({{ landing_keys_since(table_name, "(select coalesce(max(_load_id), 0) from " ~ this ~ " where _adapter is null)") }})
            or _rebuild_key in (select _rebuild_key from {{ this }} where _adapter is not null)
            {%- if staging_config.get('pre_hook') %}
            -- a source with a lookup: every staged row when the table is empty (landing_staging_lookup_reset
            -- emptied it: the base model validated every row again against another lookup)
            or not exists (select 1 from {{ this }})
            {%- endif %}
        )
    {%- endif %}
{%- endmacro %}


{#- audit.rejected_rows columns for the rejected rows of one source (from its base model). -#}
{% macro landing_rejects(table_name) -%}
    select
        {{ sql_string(table_name) }} as source,
        _adapter as adapter,
        _file as file,
        _line as line,
        _load_id as load_id,
        _record_key as record_key,
        _reject_reason as reason,
        _reject_detail as detail,
        _loaded_at as loaded_at
    from {{ ref('base_landing__' ~ table_name) }}
    where _fate = 'rejected'
{%- endmacro %}
