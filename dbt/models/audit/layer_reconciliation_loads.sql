{#-
    The layers reconciled per load (the counts of audit.layer_reconciliation, one row per source or adapter and
    load; that model sums them). Every count of the reconciliation is a sum over (load, line) pairs, and a pair
    belongs to one load, so the counts decompose by load exactly.

    One row per landing source (kind = 'source') and load that delivered rows of it (a contract file, or an adapter
    export mapped into the source): raw_rows (rows of raw.<source> of that load), adapter_rows, staged_rows,
    rejected_rows (by reason too), history_rows, and by row identity (_load_id, _line) the rows both staged and
    rejected and the rows neither (a raw row missing from the base model, or a (load, line) whose count of staged /
    rejected rows in the base model differs from staging / the rejects). One row per adapter (kind = 'adapter')
    and load: raw_rows of raw.<adapter>, and the raw rows its primary models account for by fate.

    Incremental by load (issue 14 item 3: what the new rows can change): a build recomputes the rows of
      - every load after the newest load this table holds (new loads: load ids only grow, and a build sees every
        committed load);
      - every load with a row of a key those loads delivered again (their fates may change: a later version
        supersedes an earlier one; landing_versions_since: every version of those keys, and every adapter row);
      - every load of a source whose base model is a full table (Spark: landing_base_config) or has a lookup (a new
        lookup validates every row again: old fates can change), and every adapter load (adapter exports are mapped again whole each build), also one
        that no longer has a row (an adapter folds every copy of a record into one row carrying the latest load:
        the row of the earlier load is counted again, as zeros, so the sums equal a full build's);
    and replaces them (delete+insert on source, kind, load_id). A load no build touches keeps its row: its raw
    rows, base rows, staged rows and rejects are the ones that row counted (each layer incremental by the same
    keys). `callqa run --full-refresh` recounts every load. On Spark (tables rebuilt whole) it is a table.
-#}
{%- set tables = landing_tables() %}
{%- set reasons = reject_reasons() %}
{%- set adapters = landing_adapters() %}
{%- set is_incremental_build = updated_in_place() == 'incremental' and is_incremental() %}
{{ config(
    materialized=updated_in_place(),
    unique_key=['source', 'kind', 'load_id'],
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with rejected as (
    select source, adapter, load_id, line, reason
    from {{ ref('rejected_rows') }}
),

{%- if is_incremental_build %}

last_reconciled as (
    -- every load up to this one was counted by an earlier build
    select coalesce(max(load_id), 0) as load_id from {{ this }}
),
{%- endif %}
{% for table_name in tables %}
{%- set raw_relation = source('landing', table_name) %}
{#- called on every parse, not behind is_incremental_build: its lookup's ref() is a dependency of this model -#}
{%- set base_by_load = landing_base_is_incremental(table_name) %}
{%- set has_lookup = not compiling_unit_test() and landing_lookup(table_name) is not none %}
{%- set whole = (not is_incremental_build) or not base_by_load or has_lookup %}
raw__{{ table_name }} as (
    {%- if execute and load_relation(raw_relation) is none %}
    select cast(null as {{ dbt.type_bigint() }}) as load_id, cast(null as {{ dbt.type_bigint() }}) as line
    where 1 = 0
    {%- else %}
    select _load_id as load_id, _line as line from {{ raw_relation }}
    {%- endif %}
),

loads__{{ table_name }} as (
    -- the loads this build counts: with a row in any layer (a row in staging or the rejects that is not in the base
    -- model counts too), all of them or (incremental) the new ones and those of the keys they delivered again
    {%- set after = '' if whole else ' where load_id > (select load_id from last_reconciled)' %}
    select load_id from raw__{{ table_name }}{{ after }}
    union
    select load_id from (select _load_id as load_id from {{ ref('stg_landing__' ~ table_name) }}) as staged{{ after }}
    union
    select load_id from rejected where source = {{ sql_string(table_name) }}{{ after | replace(' where', ' and') }}
    union
    {%- if whole %}
    select _load_id from {{ ref('base_landing__' ~ table_name) }}
    {%- else %}
    select _load_id from ({{ landing_versions_since(table_name, '(select load_id from last_reconciled)') }}) as touched
    union
    -- a load counted with adapter rows: an adapter folds every copy of a record into one row carrying the latest
    -- load, so an earlier load may have no row left (it is counted again, as zeros)
    select load_id from {{ this }}
    where source = {{ sql_string(table_name) }} and kind = 'source' and adapter_rows > 0
    {%- endif %}
),

base__{{ table_name }} as (
    select _load_id as load_id, _line as line, _adapter as adapter, _fate as fate
    from {{ ref('base_landing__' ~ table_name) }}
    where _load_id in (select load_id from loads__{{ table_name }})
),

staged__{{ table_name }} as (
    select _load_id as load_id, _line as line, _adapter as adapter from {{ ref('stg_landing__' ~ table_name) }}
    where _load_id in (select load_id from loads__{{ table_name }})
),

rejected__{{ table_name }} as (
    select load_id, line, adapter, reason from rejected
    where source = {{ sql_string(table_name) }}
        and load_id in (select load_id from loads__{{ table_name }})
),

raw_counts__{{ table_name }} as (
    select load_id, count(*) as raw_rows
    from raw__{{ table_name }}
    where load_id in (select load_id from loads__{{ table_name }})
    group by load_id
),

base_counts__{{ table_name }} as (
    select
        load_id,
        count(case when adapter is not null then 1 end) as adapter_rows,
        count(case when fate = 'history' then 1 end) as history_rows
    from base__{{ table_name }}
    group by load_id
),

staged_counts__{{ table_name }} as (
    select load_id, count(*) as staged_rows from staged__{{ table_name }} group by load_id
),

rejected_counts__{{ table_name }} as (
    select
        load_id,
        count(*) as rejected_rows
        {%- for reason in reasons %},
        count(case when reason = {{ sql_string(reason) }} then 1 end) as rejected_{{ reason }}
        {%- endfor %}
    from rejected__{{ table_name }}
    group by load_id
),

both__{{ table_name }} as (
    -- contract rows only: an adapter's derived rows (e.g. several ServiceNow events of one update row) may share
    -- a raw row's (_load_id, _line) and have different fates
    select s.load_id, count(*) as rows_staged_and_rejected
    from staged__{{ table_name }} as s
    inner join rejected__{{ table_name }} as r on r.load_id = s.load_id and r.line = s.line
    where s.adapter is null and r.adapter is null
    group by s.load_id
),

neither__{{ table_name }} as (
    select load_id, count(*) as rows_neither_staged_nor_rejected
    from (
        -- a raw row missing from the base model
        select w.load_id
        from raw__{{ table_name }} as w
        where w.load_id in (select load_id from loads__{{ table_name }})
            and not exists (
                select 1 from base__{{ table_name }} as b
                where b.adapter is null and b.load_id = w.load_id and b.line = w.line
            )
        {%- for fate, holder in [('staged', 'staged__' ~ table_name), ('rejected', 'rejected__' ~ table_name)] %}

        union all

        -- per (_load_id, _line): as many {{ fate }} rows in the base model as in {{ holder }}
        select coalesce(b.load_id, h.load_id) as load_id
        from (
            select load_id, line, count(*) as rows_in_base
            from base__{{ table_name }}
            where fate = {{ sql_string(fate) }}
            group by load_id, line
        ) as b
        full outer join (
            select load_id, line, count(*) as rows_held
            from {{ holder }}
            group by load_id, line
        ) as h on h.load_id = b.load_id and h.line = b.line
        where coalesce(b.rows_in_base, 0) <> coalesce(h.rows_held, 0)
        {%- endfor %}
    ) as unmatched
    group by load_id
),

counts__{{ table_name }} as (
    select
        {{ sql_string(table_name) }} as source,
        'source' as kind,
        loads.load_id,
        coalesce(raw_counts.raw_rows, 0) as raw_rows,
        coalesce(base_counts.adapter_rows, 0) as adapter_rows,
        coalesce(staged_counts.staged_rows, 0) as staged_rows,
        coalesce(rejected_counts.rejected_rows, 0) as rejected_rows,
        coalesce(base_counts.history_rows, 0) as history_rows,
        {%- for reason in reasons %}
        coalesce(rejected_counts.rejected_{{ reason }}, 0) as rejected_{{ reason }},
        {%- endfor %}
        coalesce(both_staged.rows_staged_and_rejected, 0) as rows_staged_and_rejected,
        coalesce(neither.rows_neither_staged_nor_rejected, 0) as rows_neither_staged_nor_rejected
    from loads__{{ table_name }} as loads
    left join raw_counts__{{ table_name }} as raw_counts on raw_counts.load_id = loads.load_id
    left join base_counts__{{ table_name }} as base_counts on base_counts.load_id = loads.load_id
    left join staged_counts__{{ table_name }} as staged_counts on staged_counts.load_id = loads.load_id
    left join rejected_counts__{{ table_name }} as rejected_counts on rejected_counts.load_id = loads.load_id
    left join both__{{ table_name }} as both_staged on both_staged.load_id = loads.load_id
    left join neither__{{ table_name }} as neither on neither.load_id = loads.load_id
    where loads.load_id is not null
),
{% endfor %}
{%- for adapter_name, feeds in adapters.items() %}
{%- set adapter_relation = source('adapters', adapter_name) %}
{%- set primary = [] %}
{%- for table_name, role in feeds.items() if role == 'primary' %}
{%- do primary.append(table_name) %}
{%- endfor %}
accounted__{{ adapter_name }} as (
    -- the raw rows the adapter's primary models account for, by load and fate (every adapter load, every build)
    {%- for table_name in primary %}
    select _load_id as load_id, _fate as fate, _raw_rows as raw_rows
    from {{ ref('base_landing__' ~ table_name) }}
    where _adapter = {{ sql_string(adapter_name) }}
    union all
    {%- endfor %}
    select cast(null as {{ dbt.type_bigint() }}), cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_bigint() }})
    where 1 = 0
),

accounted_counts__{{ adapter_name }} as (
    select
        load_id
        {%- for fate in ['staged', 'rejected', 'history'] %},
        coalesce(sum(case when fate = {{ sql_string(fate) }} then raw_rows end), 0) as {{ fate }}_rows
        {%- endfor %}
    from accounted__{{ adapter_name }}
    group by load_id
),

raw_counts__adapter__{{ adapter_name }} as (
    {%- if execute and load_relation(adapter_relation) is none %}
    select cast(null as {{ dbt.type_bigint() }}) as load_id, cast(0 as {{ dbt.type_bigint() }}) as raw_rows
    where 1 = 0
    {%- else %}
    select _load_id as load_id, count(*) as raw_rows from {{ adapter_relation }} group by _load_id
    {%- endif %}
),

rejected_counts__adapter__{{ adapter_name }} as (
    select
        load_id
        {%- for reason in reasons %},
        count(case when reason = {{ sql_string(reason) }} then 1 end) as rejected_{{ reason }}
        {%- endfor %}
    from rejected
    where adapter = {{ sql_string(adapter_name) }}
    group by load_id
),

counts__adapter__{{ adapter_name }} as (
    select
        {{ sql_string(adapter_name) }} as source,
        'adapter' as kind,
        loads.load_id,
        coalesce(raw_counts.raw_rows, 0) as raw_rows,
        cast(0 as {{ dbt.type_bigint() }}) as adapter_rows,
        {%- for fate in ['staged', 'rejected', 'history'] %}
        coalesce(accounted_counts.{{ fate }}_rows, 0) as {{ fate }}_rows,
        {%- endfor %}
        {%- for reason in reasons %}
        coalesce(rejected_counts.rejected_{{ reason }}, 0) as rejected_{{ reason }},
        {%- endfor %}
        cast(0 as {{ dbt.type_bigint() }}) as rows_staged_and_rejected,
        cast(0 as {{ dbt.type_bigint() }}) as rows_neither_staged_nor_rejected
    from (
        select load_id from raw_counts__adapter__{{ adapter_name }}
        union
        select load_id from accounted__{{ adapter_name }}
    ) as loads
    left join raw_counts__adapter__{{ adapter_name }} as raw_counts on raw_counts.load_id = loads.load_id
    left join accounted_counts__{{ adapter_name }} as accounted_counts on accounted_counts.load_id = loads.load_id
    left join rejected_counts__adapter__{{ adapter_name }} as rejected_counts
        on rejected_counts.load_id = loads.load_id
    where loads.load_id is not null
),
{% endfor %}
per_load as (
    {%- for table_name in tables %}
    select * from counts__{{ table_name }}
    union all
    {%- endfor %}
    {%- for adapter_name in adapters %}
    select * from counts__adapter__{{ adapter_name }}
    union all
    {%- endfor %}
    select
        cast(null as {{ dbt.type_string() }}), cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_bigint() }}), 0, 0, 0, 0, 0,
        {%- for reason in reasons %}
        0,
        {%- endfor %}
        0, 0
    where 1 = 0
)

select
    source,
    kind,
    cast(load_id as {{ dbt.type_bigint() }}) as load_id,
    cast(raw_rows as {{ dbt.type_bigint() }}) as raw_rows,
    cast(adapter_rows as {{ dbt.type_bigint() }}) as adapter_rows,
    cast(staged_rows as {{ dbt.type_bigint() }}) as staged_rows,
    cast(rejected_rows as {{ dbt.type_bigint() }}) as rejected_rows,
    cast(history_rows as {{ dbt.type_bigint() }}) as history_rows,
    {%- for reason in reasons %}
    cast(rejected_{{ reason }} as {{ dbt.type_bigint() }}) as rejected_{{ reason }},
    {%- endfor %}
    cast(rows_staged_and_rejected as {{ dbt.type_bigint() }}) as rows_staged_and_rejected,
    cast(rows_neither_staged_nor_rejected as {{ dbt.type_bigint() }}) as rows_neither_staged_nor_rejected
from per_load
