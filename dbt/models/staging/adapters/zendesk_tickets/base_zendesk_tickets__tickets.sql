{#-
    Zendesk Support incremental ticket export as contract tickets. Every exported ticket record is a version of
    its ticket (the export returns a ticket again each time it changes): _version_order (updated_at, then
    generated_timestamp) makes the latest the current state, the earlier ones history; the same record delivered
    again is the same version (a superseded duplicate, as for contract files). The
    primary model of the adapter zendesk_tickets: it accounts for every raw row.

    Mapping (docs/decisions.md, "Zendesk tickets"):
      ticket_id = id; customer_id = requester_id; channel = via.channel (web, email, voice, chat, api, ...);
      status new / open / pending / hold / solved / closed as it is; `deleted` (the export lists deleted tickets)
      is not mapped (a reject saying so); priority urgent / high / normal / low as it is, none -> normal (Zendesk
      makes the field optional; a ticket nobody prioritised is handled at normal priority);
      assignee_group = group_id; solved_at / closed_at: not in the export (the status history from the audits
      gives the solves).
-#}
{%- set q = adapter.quote %}
with delivered as (
    select *
    from {{ adapter_source('zendesk_tickets', ['id', 'requester_id', 'created_at', 'updated_at',
                                               'generated_timestamp', 'via.channel', 'priority', 'status',
                                               'group_id']) }} as raw_rows
),

cleaned as (
    select
        nullif(trim(id), '') as zd_id,
        nullif(trim(requester_id), '') as zd_requester_id,
        nullif(trim(created_at), '') as zd_created_at,
        nullif(trim(updated_at), '') as zd_updated_at,
        {{ try_cast_as("nullif(trim(generated_timestamp), '')", dbt.type_bigint()) }} as zd_generated,
        lower(nullif(trim({{ q('via.channel') }}), '')) as zd_channel,
        lower(nullif(trim(priority), '')) as zd_priority,
        lower(nullif(trim(status), '')) as zd_status,
        nullif(trim(group_id), '') as zd_group_id,
        _load_id,
        _file,
        _line,
        _loaded_at,
        _malformed
    from delivered
)

select
    zd_id as ticket_id,
    zd_requester_id as customer_id,
    zd_created_at as created_at,
    zd_channel as channel,
    coalesce(zd_priority, 'normal') as priority,
    zd_status as status,
    zd_group_id as assignee_group,
    -- the same record exported twice (a page fetched again) is one version: the later delivery is staged and the
    -- earlier rejected as duplicate_superseded; earlier records of the ticket are history
    dense_rank() over (
        partition by zd_id
        order by zd_updated_at nulls first, zd_generated nulls first
    ) as _version_order,
    case
        when zd_status = 'deleted'
            then 'status deleted: the ticket was deleted in Zendesk (the incremental export lists deleted tickets)'
    end as _not_mapped,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _malformed
from cleaned
