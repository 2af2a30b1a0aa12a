{#-
    ServiceNow incident audit export (adapter `servicenow_incidents`): one CSV row per update of an incident, as
    the published incident event log and ServiceNow's list / table exports write it. Shared by the adapter models
    base_servicenow_incidents__tickets (every update = a version of the ticket) and
    base_servicenow_incidents__ticket_events (the changes between consecutive versions), so each rule is here once.

    servicenow_incident_versions() selects every raw row with:
      ticket_id, customer_id, created_at, channel, priority, reason_code, status, assignee_group, solved_at,
      closed_at        contract text of the tickets source (NULL where the row gives nothing usable)
      updated_at       the update's time (sys_updated_at, or sys_updated_on as ServiceNow names it), ISO text
      updated_by, opened_by   who made the update / opened the incident, display prefix removed
      sys_mod_count    the update counter as delivered
      _version_order   the order of the incident's versions: sys_mod_count, then updated_at (a re-export of the
                       same update is the same version)
      _not_mapped      why the row cannot be mapped (an unknown state or priority), else NULL
      _load_id, _file, _line, _loaded_at, _malformed

    Values: `?` (the published log's "no value") and '' are NULL. Display values (`2 - Medium`, `7 - Closed`) and bare
    values (`2`, `7`) and labels (`Medium`, `Closed`) are all read. Timestamps: the file's date order (_date_order,
    detected at ingestion: `29/2/2016 01:16` day-first, `03/14/2026 08:00:00` month-first, ISO as it is).

    incident_state -> status (docs/decisions.md, "ServiceNow incidents"):
      1 New -> new; 2 In Progress / Active -> open; 3 On Hold -> hold, or pending when hold_reason is 1 Awaiting
      Caller; Awaiting User Info / Awaiting Caller (legacy 4) -> pending; Awaiting Problem / Vendor / Evidence /
      Change (legacy 3, 5) -> hold; 6 Resolved -> solved; 7 Closed -> closed; 8 Canceled -> closed.
    priority: 1 Critical -> urgent; 2 High -> high; 3 Moderate -> normal; 4 Low -> low; 5 Planning -> low.
-#}

{% macro servicenow_incident_columns() -%}
    {{ return(['number', 'incident_state', 'state', 'hold_reason', 'sys_mod_count', 'sys_updated_at',
               'sys_updated_on', 'sys_updated_by', 'opened_at', 'opened_by', 'caller_id', 'contact_type', 'priority',
               'category', 'category__2', 'assignment_group', 'resolved_at', 'closed_at']) }}
{%- endmacro %}


{#- A delivered value: trimmed, '' and ServiceNow's `?` as NULL. -#}
{% macro servicenow_value(expr) -%}
    nullif({{ adapter_null_marker('trim(' ~ expr ~ ')', ['?']) }}, '')
{%- endmacro %}


{#- A person reference: the anonymized display value `Caller 2403` / `Updated by 21` / `Opened by  8` -> its number;
    any other value (a user name, a sys_id) as it is. -#}
{% macro servicenow_person(expr, prefix) -%}
    case
        when {{ regex_matches(expr, '^' ~ prefix ~ ' +[0-9]+$') }} then {{ adapter_last_word(expr) }}
        else {{ expr }}
    end
{%- endmacro %}


{% macro servicenow_incident_versions() -%}
    {%- set q = adapter.quote -%}
    with delivered as (
        select *
        from {{ adapter_source('servicenow_incidents', servicenow_incident_columns()) }} as raw_rows
    ),

    -- every delivered field trimmed, `?` and '' as NULL; the date order of the row's file (ISO when undetected)
    cleaned as (
        select
            {%- for name in servicenow_incident_columns() %}
            {{ servicenow_value(q(name)) }} as sn_{{ name | replace('__', '_') }},
            {%- endfor %}
            coalesce(_date_order, 'ymd') as date_order,
            _load_id,
            _file,
            _line,
            _loaded_at,
            _malformed
        from delivered
    ),

    -- codes of the display values ('7 - Closed' -> '7', 'Closed' -> 'closed'), timestamps as ISO text
    coded as (
        select
            *,
            lower({{ adapter_display_code('coalesce(sn_incident_state, sn_state)') }}) as state_code,
            lower({{ adapter_display_code('sn_hold_reason') }}) as hold_reason_code,
            lower({{ adapter_display_code('sn_priority') }}) as priority_code,
            {{ adapter_timestamp('sn_opened_at', 'date_order') }} as opened_at_iso,
            {{ adapter_timestamp('coalesce(sn_sys_updated_at, sn_sys_updated_on)', 'date_order') }} as updated_at_iso,
            {{ adapter_timestamp('sn_resolved_at', 'date_order') }} as resolved_at_iso,
            {{ adapter_timestamp('sn_closed_at', 'date_order') }} as closed_at_iso,
            {{ try_cast_as('sn_sys_mod_count', dbt.type_bigint()) }} as mod_count
        from cleaned
    ),

    mapped as (
        select
            *,
            case
                when state_code in ('1', 'new') then 'new'
                when state_code in ('2', 'in progress', 'active', 'work in progress') then 'open'
                when state_code in ('3', 'on hold')
                    then case when hold_reason_code in ('1', 'awaiting caller') then 'pending' else 'hold' end
                when state_code in ('4', 'awaiting user info', 'awaiting caller') then 'pending'
                when state_code in ('5', 'awaiting problem', 'awaiting vendor', 'awaiting evidence', 'awaiting change')
                    then 'hold'
                when state_code in ('6', 'resolved') then 'solved'
                when state_code in ('7', 'closed') then 'closed'
                when state_code in ('8', 'canceled', 'cancelled') then 'closed'
            end as mapped_status,
            case
                when priority_code in ('1', 'critical') then 'urgent'
                when priority_code in ('2', 'high') then 'high'
                when priority_code in ('3', 'moderate', 'medium') then 'normal'
                when priority_code in ('4', 'low') then 'low'
                when priority_code in ('5', 'planning') then 'low'
            end as mapped_priority
        from coded
    )

    select
        sn_number as ticket_id,
        {{ servicenow_person('sn_caller_id', 'Caller') }} as customer_id,
        opened_at_iso as created_at,
        replace(replace(lower(sn_contact_type), ' ', '_'), '-', '_') as channel,
        mapped_priority as priority,
        coalesce(sn_category, sn_category_2) as reason_code,
        mapped_status as status,
        sn_assignment_group as assignee_group,
        resolved_at_iso as solved_at,
        closed_at_iso as closed_at,
        updated_at_iso as updated_at,
        {{ servicenow_person('sn_sys_updated_by', 'Updated by') }} as updated_by,
        {{ servicenow_person('sn_opened_by', 'Opened by') }} as opened_by,
        sn_sys_mod_count as sys_mod_count,
        -- the same update exported twice is one version (the base model keeps the later delivery and rejects the
        -- earlier as duplicate_superseded); earlier updates have lower versions (history)
        dense_rank() over (
            partition by sn_number
            order by mod_count nulls first, updated_at_iso nulls first
        ) as _version_order,
        case
            when coalesce(sn_incident_state, sn_state) is not null and mapped_status is null
                then {{ dbt.concat([
                    "'incident_state '", "coalesce(sn_incident_state, sn_state)",
                    "' is not a ServiceNow incident state (1 New, 2 In Progress, 3 On Hold, 6 Resolved, 7 Closed, 8 Canceled, or a legacy Awaiting ... state)'"
                ]) }}
            when sn_priority is not null and mapped_priority is null
                then {{ dbt.concat([
                    "'priority '", "sn_priority",
                    "' is not a ServiceNow priority (1 - Critical, 2 - High, 3 - Moderate, 4 - Low, 5 - Planning)'"
                ]) }}
        end as _not_mapped,
        _load_id,
        _file,
        _line,
        _loaded_at,
        _malformed
    from mapped
{%- endmacro %}
