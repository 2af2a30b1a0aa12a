{#-
    ServiceNow incidents as contract tickets: EVERY update row of the export is a version of its incident
    (ticket_id = number); _version_order (sys_mod_count, then sys_updated_at) makes the latest update the ticket's
    current state and the earlier ones history (fate `history`, not rejects). The primary model of the adapter:
    it accounts for every raw row. Mapping rules: macros/adapters/servicenow_incidents.sql.
-#}
with versions as (
    {{ servicenow_incident_versions() }}
)

select
    ticket_id,
    customer_id,
    created_at,
    channel,
    priority,
    reason_code,
    status,
    assignee_group,
    solved_at,
    closed_at,
    _version_order,
    _not_mapped,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _malformed
from versions
