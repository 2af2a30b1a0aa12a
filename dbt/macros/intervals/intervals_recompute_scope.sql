{#-
    Bounded recomputation of the interval chain (issue 14 item 3: "interval actuals, forecast accuracy and service
    level only for affected queue x local dates"; docs/decisions.md, "Bounded recomputation of the interval
    chain"): the one rule saying which local dates an incremental build of int_wfm_intervals_measured,
    fct_forecast_intervals, rpt_forecast_accuracy_daily or rpt_service_level_interval rewrites. The unit is the
    local date, every queue at once: a day's rows of every queue are few (a queue has 24-96 intervals a day), and
    a date is what the inputs name (a call's instants, a report's interval, an agent's time cut at local
    quarter-hours).

    A row of int_wfm_intervals_measured is a function of the contacts and interval-report rows in its interval,
    of the agent time in it of the agents whose primary queue it is, of the spine (the forecast queues and the
    first and last local date of the data) and of the end of the data (is_observed). So a build rewrites:
      - the local dates of every version (new, corrected or gone: landing_versions_since) of the rows of the
        chain's sources delivered since the table was built: a call's arrival, IVR end and queue entry (its
        queue_entered_at is one of them), a conversation's start, an interval report's interval, a forecast's
        interval, and the local dates of the agent time each schedule or state version was or is cut into
        (agent_time_partitions_since);
      - the dates the data range gained or lost (its first or last date moved);
      - the dates between the last observed interval the table holds and the new end of the data (is_observed);
      - every date when the set of forecast queues changed, and the dates of the agent time of every agent whose
        primary queue moved (new, gone, or another queue: int_agents_queue_assigned reads every contact, so one
        contact can move all of an agent's time), against the copy the model's post-hooks keep
        (intermediate.interval_chain_agent_queues; without it, every date).
    fct_forecast_intervals and rpt_forecast_accuracy_daily read the interval actuals of their date and, for the
    seasonal-naive value, of the date forecast_naive_lag_days earlier: they rewrite the dates of the
    int_wfm_intervals_measured rows written since their own last build (each of its rows keeps
    built_through_load_id), those dates plus the lag, the dates of the forecast versions delivered since, and the
    dates they hold that are no longer in the data range. rpt_service_level_interval (calls and interval reports
    only, its spine from the queues of both) rewrites the dates of the call and report versions delivered since
    its last build, the dates the range gained or lost, and every date when the set of queues changed.

    Which loads a build has read through: int_wfm_intervals_measured keeps it on every row
    (built_through_load_id: the newest landing load when the row was written); the two marts keep it in
    intermediate.interval_chain_build_marks (post-hooks of each, written after its rows), so their public
    columns stay as they were. A build that finds no mark reads from load 0: every date. Load ids only grow and a
    build sees every committed load (the single-writer pool), so a version of a load not after the mark whose key
    no later load delivered is as the stored rows saw it. Adapter rows are always taken (landing_versions_since).
-#}

{#- The landing sources whose rows the interval chain reads (directly or through int_agent_time_sliced). -#}
{% macro intervals_chain_sources() -%}
    {{ return(['calls', 'digital_contacts', 'queue_intervals', 'wfm_forecasts', 'agent_schedules', 'agent_states']) }}
{%- endmacro %}


{#- The newest load of every landing source (a scalar subquery): what a build has read through. Every source, not
    only the chain's: a ticket delivered later can move an agent's primary queue. -#}
{% macro intervals_newest_load() -%}
    (select coalesce(max(newest_load_id), 0) from (
        {%- for table_name in landing_tables() %}
        select max(_load_id) as newest_load_id from {{ ref('base_landing__' ~ table_name) }}
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ) as newest_loads)
{%- endmacro %}


{#- The local dates whose interval rows a version of a chain source delivered after `after` (SQL) may change: a
    SELECT of distinct local_date (see the header). `sources`: the chain sources to read (default all). -#}
{% macro intervals_changed_dates(after, sources=none) -%}
    {%- set sources = sources if sources is not none else intervals_chain_sources() -%}
    {%- set instants = {
        'calls': ['arrived_at', 'ivr_ended_at', 'queued_at'],
        'digital_contacts': ['started_at'],
        'queue_intervals': ['interval_start'],
        'wfm_forecasts': ['interval_start'],
    } -%}
    select distinct local_date
    from (
        with
        {%- for source_name in sources if source_name in instants %}
        {{ source_name }}_versions as (
            select {{ instants[source_name] | join(', ') }}
            from ({{ landing_versions_since(source_name, after) }}) as versions
        ),
        {%- endfor %}

        changed_instants as (
            {%- for source_name in sources if source_name in instants %}
            {%- set outer_loop = loop %}
            {%- for column_name in instants[source_name] %}
            select {{ column_name }} as changed_at from {{ source_name }}_versions
            {%- if not (outer_loop.last and loop.last) %}
            union all
            {%- endif %}
            {%- endfor %}
            {%- endfor %}
        )

        select {{ to_local_date('changed_at') }} as local_date
        from changed_instants
        where changed_at is not null
        {%- if 'agent_schedules' in sources %}

        union all

        select local_date from ({{ agent_time_partitions_since(after) }}) as agent_dates
        {%- endif %}
    ) as changed_dates
    where local_date is not null
{%- endmacro %}


{#- Ranges (range_first, range_last) of the dates a model kept by date rewrites when the data range moved:
    `previous_state` and `local_days` are one-row CTEs with first_local_date and last_local_date (the stored rows'
    and the data's); the dates the range gained or lost at either end, and every date of both when `everything`
    (a condition; p = previous_state) holds. -#}
{% macro intervals_range_moves(previous_state, local_days, everything) -%}
    -- the data's first date moved: the dates gained or lost
    select
        least(p.first_local_date, d.first_local_date) as range_first,
        greatest(p.first_local_date, d.first_local_date) as range_last
    from {{ previous_state }} as p
    cross join {{ local_days }} as d
    where p.first_local_date is distinct from d.first_local_date

    union all

    -- its last date moved
    select least(p.last_local_date, d.last_local_date), greatest(p.last_local_date, d.last_local_date)
    from {{ previous_state }} as p
    cross join {{ local_days }} as d
    where p.last_local_date is distinct from d.last_local_date

    union all

    -- every date
    select least(p.first_local_date, d.first_local_date), greatest(p.last_local_date, d.last_local_date)
    from {{ previous_state }} as p
    cross join {{ local_days }} as d
    where {{ everything }}
{%- endmacro %}


{#- The number of rows in one of the two SELECTs (of the same columns, distinct rows) and not in the other. -#}
{% macro intervals_set_differences(current, previous) -%}
    select count(*) as differences
    from (
        ({{ current }} {{ dbt.except() }} {{ previous }})
        union all
        ({{ previous }} {{ dbt.except() }} {{ current }})
    ) as set_differences
{%- endmacro %}


{#- One row per local date of the ranges of `ranges` (a CTE with date columns range_first, range_last; NULL bounds
    give no date): a SELECT of distinct local_date. -#}
{% macro intervals_dates_of_ranges(ranges) -%}
    select distinct cast(instant as date) as local_date
    from (
        with range_bounds as (
            select
                cast(range_first as {{ dbt.type_timestamp() }}) as range_start,
                cast({{ dbt.dateadd('day', 1, 'range_last') }} as {{ dbt.type_timestamp() }}) as range_end
            from {{ ranges }}
            where range_first is not null and range_last is not null
        )

        {{ intervals_instant_series('range_bounds', 'range_start', 'range_end', 1440) }}
    ) as range_days
{%- endmacro %}


{#- The dates fct_forecast_intervals and rpt_forecast_accuracy_daily rewrite (see the header), as ranges
    (range_first, range_last) for intervals_dates_of_ranges: `after` is the model's mark (SQL), `previous` its
    table, `lag_days` the seasonal-naive lag (SQL), `with_actuals` a condition on a stored row: it was on the
    spine of the actuals (a forecast for a date outside the data has none, and keeps its row). -#}
{% macro wfm_forecast_recompute_ranges(after, previous, lag_days, with_actuals='true') -%}
    {%- set measured = ref('int_wfm_intervals_measured') -%}
    with measured_dates as (
        select distinct local_date
        from {{ measured }}
        where built_through_load_id > {{ after }}
    ),

    measured_range as (
        select min(local_date) as first_local_date, max(local_date) as last_local_date from {{ measured }}
    )

    -- interval actuals written since: their own date, and the date whose naive value they are
    select local_date as range_first, local_date as range_last from measured_dates
    union all
    select {{ dbt.dateadd('day', lag_days, 'local_date') }}, {{ dbt.dateadd('day', lag_days, 'local_date') }}
    from measured_dates
    union all
    -- forecast versions delivered since (a new, corrected or withdrawn version)
    select forecast_date, forecast_date
    from (
        select {{ to_local_date('interval_start') }} as forecast_date
        from ({{ landing_versions_since('wfm_forecasts', after) }}) as versions
        where interval_start is not null
    ) as forecast_dates
    union all
    -- dates whose stored rows had actuals (`with_actuals`, a condition on them) that the actuals no longer cover
    -- (the data range shrank, or no forecast queue is left)
    select previous_dates.local_date, previous_dates.local_date
    from (select distinct local_date from {{ previous }} where {{ with_actuals }}) as previous_dates
    cross join measured_range
    where measured_range.first_local_date is null
        or previous_dates.local_date < measured_range.first_local_date
        or previous_dates.local_date > measured_range.last_local_date
{%- endmacro %}


{#- The mark of a model kept up to date by date (the newest load its last build read through), a scalar SQL
    expression: 0 when there is none. -#}
{% macro interval_chain_mark(model_name) -%}
    {%- set marks = interval_chain_marks_relation() -%}
    {%- if execute and load_relation(marks) is not none -%}
    (select coalesce(max(built_through_load_id), 0) from {{ marks }} where model_name = {{ sql_string(model_name) }})
    {%- else -%}
    0
    {%- endif -%}
{%- endmacro %}


{% macro interval_chain_marks_relation() -%}
    {{ return(api.Relation.create(database=target.database, schema='intermediate',
                                  identifier='interval_chain_build_marks')) }}
{%- endmacro %}


{#- Post-hooks of a mart kept up to date by date (rendered when they run): record the loads its build read
    through, after its rows are written (a full build records it too). `through`: 'measured' = the newest load of
    the int_wfm_intervals_measured rows it read (never after what the build saw, so at worst a later build reads
    some loads again), 'newest' = the newest landing load (the model declares every base model for dbt's graph). -#}
{% macro interval_chain_mark_hooks(through='measured') -%}
    {{ return([
        "{{ interval_chain_mark_statement('create') }}",
        "{{ interval_chain_mark_statement('delete', this.identifier) }}",
        "{{ interval_chain_mark_statement('insert', this.identifier, '" ~ through ~ "') }}",
    ]) }}
{%- endmacro %}


{% macro interval_chain_mark_statement(step, model_name=none, through='measured') -%}
    {%- set marks = interval_chain_marks_relation() -%}
    {%- if step == 'create' -%}
    create table if not exists {{ marks }} (
        model_name {{ dbt.type_string() }}, built_through_load_id {{ dbt.type_bigint() }}
    )
    {%- elif step == 'delete' -%}
    delete from {{ marks }} where model_name = {{ sql_string(model_name) }}
    {%- elif through == 'measured' -%}
    insert into {{ marks }} (model_name, built_through_load_id)
    select {{ sql_string(model_name) }}, coalesce(max(built_through_load_id), 0)
    from {{ ref('int_wfm_intervals_measured') }}
    {%- else -%}
    insert into {{ marks }} (model_name, built_through_load_id)
    select {{ sql_string(model_name) }}, {{ intervals_newest_load() }}
    {%- endif -%}
{%- endmacro %}


{#- What int_wfm_intervals_measured last read of every agent's primary queue: a copy of int_agents_queue_assigned
    (agent_id, primary_queue) its post-hooks write after its rows. -#}
{% macro interval_chain_agent_queues_relation() -%}
    {{ return(api.Relation.create(database=target.database, schema='intermediate',
                                  identifier='interval_chain_agent_queues')) }}
{%- endmacro %}


{% macro interval_chain_agent_queues_hooks() -%}
    {{ return([
        "{{ interval_chain_agent_queues_statement('create') }}",
        "{{ interval_chain_agent_queues_statement('delete') }}",
        "{{ interval_chain_agent_queues_statement('insert') }}",
    ]) }}
{%- endmacro %}


{% macro interval_chain_agent_queues_statement(step) -%}
    {%- set seen = interval_chain_agent_queues_relation() -%}
    {%- if step == 'create' -%}
    create table if not exists {{ seen }} (agent_id {{ dbt.type_string() }}, primary_queue {{ dbt.type_string() }})
    {%- elif step == 'delete' -%}
    delete from {{ seen }}
    {%- else -%}
    insert into {{ seen }} (agent_id, primary_queue)
    select agent_id, primary_queue from {{ ref('int_agents_queue_assigned') }}
    {%- endif -%}
{%- endmacro %}


{#- The agents whose primary queue moved since int_wfm_intervals_measured last read them (new, gone, or another
    queue): a SELECT of agent_id. None when there is no copy (then the model rewrites every date). -#}
{% macro interval_chain_moved_agents() -%}
    {%- set seen = interval_chain_agent_queues_relation() -%}
    select coalesce(current_queues.agent_id, seen_queues.agent_id) as agent_id
    from {{ ref('int_agents_queue_assigned') }} as current_queues
    full outer join {{ seen }} as seen_queues
        on seen_queues.agent_id = current_queues.agent_id
    where current_queues.agent_id is null
        or seen_queues.agent_id is null
        or current_queues.primary_queue is distinct from seen_queues.primary_queue
{%- endmacro %}


{#- Comments declaring base models for dbt's graph (a model whose hooks or incremental branch read them; every one
    by default). Not in a unit test, which renders the model without its incremental branch and hooks and would
    need a fixture for each. -#}
{% macro intervals_declare_base_models(table_names=none) -%}
    {%- if not compiling_unit_test() %}
    {%- for table_name in (table_names if table_names is not none else landing_tables()) %}
-- depends_on: {{ ref('base_landing__' ~ table_name) }}
    {%- endfor %}
    {%- endif %}
{%- endmacro %}


{#- One placeholder row per date of `dates` (a CTE with local_date) in the columns of `relation` (the model's table,
    in its order): so that delete+insert on local_date empties a date the build rewrites with no row left. Every
    column NULL but local_date and `sentinels` (a dict column -> SQL expression, for columns the contract keeps
    NOT NULL); intervals_delete_placeholders removes them after the build. -#}
{% macro intervals_placeholder_rows(dates, relation, sentinels={}) -%}
    {%- set columns = adapter.get_columns_in_relation(relation) -%}
    select
        {%- for column in columns %}
        {%- if column.name == 'local_date' %}
        {{ dates }}.local_date
        {%- elif column.name in sentinels %}
        cast({{ sentinels[column.name] }} as {{ column.data_type }})
        {%- else %}
        cast(null as {{ column.data_type }})
        {%- endif %} as {{ column.name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ dates }}
{%- endmacro %}


{#- Delete the placeholder rows a build wrote (intervals_placeholder_rows): `condition` names them. -#}
{% macro intervals_delete_placeholders(relation, condition) -%}
    delete from {{ relation }} where {{ condition }}
{%- endmacro %}
