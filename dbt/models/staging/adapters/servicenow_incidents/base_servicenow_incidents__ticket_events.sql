{#-
    ServiceNow incidents as contract ticket_events: the changes between consecutive versions of an incident
    (versions in _version_order: sys_mod_count, then sys_updated_at; a re-exported version after the first
    delivery, by load and line; rules in macros/adapters/servicenow_incidents.sql).
      created          one per incident, at opened_at, by opened_by; to_value = the first version's status, or
                       `new` when the first delivered version is already solved/closed (an export that starts late:
                       the solve then shows as its own status change instead of a zero-minute solve)
      status_change    a version whose status differs from the previous one (the first version: from the created
                       status), at its sys_updated_at, by sys_updated_by: solved/closed -> an open status is a reopen
      priority_change  a version whose priority differs from the previous version's
      assignment       a version whose assignment_group differs from the previous version's
    Versions that cannot be mapped (unknown state, malformed rows) give no events: they are rejected, with their
    reason, by the primary model base_servicenow_incidents__tickets. A secondary model (landing_adapters()).
    event_id = <number>-<kind>-<sys_mod_count> (a repeated sys_mod_count gets -2, -3 ...).
-#}
with versions as (
    {{ servicenow_incident_versions() }}
),

known as (
    select *
    from versions
    where ticket_id is not null
        and status is not null
        and _not_mapped is null
        and _malformed is null
),

ordered as (
    select
        *,
        row_number() over (partition by ticket_id order by _version_order, _load_id, _line) as version_rank,
        row_number() over (partition by ticket_id, sys_mod_count order by _version_order, _load_id, _line) as mod_count_rank,
        lag(status) over (partition by ticket_id order by _version_order, _load_id, _line) as previous_version_status,
        lag(priority) over (partition by ticket_id order by _version_order, _load_id, _line) as previous_priority,
        lag(assignee_group) over (partition by ticket_id order by _version_order, _load_id, _line) as previous_group
    from known
),

with_previous as (
    select
        *,
        first_value(case when status in ('solved', 'closed') then 'new' else status end) over (
            partition by ticket_id order by _version_order, _load_id, _line
        ) as first_created_status,
        {{ dbt.concat([
            "coalesce(sys_mod_count, 'v')",
            "case when mod_count_rank > 1 then " ~ dbt.concat(["'-'", "cast(mod_count_rank as " ~ dbt.type_string() ~ ")"]) ~ " else '' end"
        ]) }} as version_suffix
    from ordered
),

events as (
    -- the incident was opened
    select
        {{ dbt.concat(["ticket_id", "'-created'"]) }} as event_id,
        ticket_id,
        created_at as event_at,
        'created' as event_type,
        cast(null as {{ dbt.type_string() }}) as from_value,
        first_created_status as to_value,
        opened_by as actor_id,
        _load_id, _file, _line, _loaded_at
    from with_previous
    where version_rank = 1

    union all

    -- its status changed (the first version: from the status it was created in)
    select
        {{ dbt.concat(["ticket_id", "'-status-'", "version_suffix"]) }} as event_id,
        ticket_id,
        updated_at as event_at,
        'status_change' as event_type,
        coalesce(previous_version_status, first_created_status) as from_value,
        status as to_value,
        updated_by as actor_id,
        _load_id, _file, _line, _loaded_at
    from with_previous
    where status <> coalesce(previous_version_status, first_created_status)

    union all

    select
        {{ dbt.concat(["ticket_id", "'-priority-'", "version_suffix"]) }} as event_id,
        ticket_id,
        updated_at as event_at,
        'priority_change' as event_type,
        previous_priority as from_value,
        priority as to_value,
        updated_by as actor_id,
        _load_id, _file, _line, _loaded_at
    from with_previous
    where version_rank > 1 and priority <> previous_priority

    union all

    select
        {{ dbt.concat(["ticket_id", "'-assignment-'", "version_suffix"]) }} as event_id,
        ticket_id,
        updated_at as event_at,
        'assignment' as event_type,
        previous_group as from_value,
        assignee_group as to_value,
        updated_by as actor_id,
        _load_id, _file, _line, _loaded_at
    from with_previous
    where version_rank > 1 and coalesce(assignee_group, '') <> coalesce(previous_group, '')
)

select
    event_id,
    ticket_id,
    event_at,
    event_type,
    from_value,
    to_value,
    actor_id,
    _load_id,
    _file,
    _line,
    _loaded_at
from events
