{#-
    Zendesk Support ticket audits as contract ticket_events. Raw: one row per audit event (ingestion explodes
    `events`; audit fields id, ticket_id, created_at, author_id repeated on each). The primary model of the adapter
    zendesk_ticket_audits: it accounts for every raw row (docs/decisions.md, "Zendesk ticket audits").

    Events that are ticket events (event_id = the event's id, event_at = the audit's created_at):
      Create status            -> created (to_value = the status the ticket was created in)
      Change status            -> status_change (previous_value -> value; solved/closed -> open is a reopen)
      Change priority          -> priority_change (no priority = normal, as for tickets; no event when that makes
                                  both sides equal)
      Create / Change group_id -> assignment
      Comment / VoiceComment   -> comment (is_public = public; actor = the comment's author)
    actor_id: the event's author_id, else the audit's; Zendesk's -1 (automations, triggers) -> `system`.

    Accounting: an audit event that is no ticket event (Notification, tags, SatisfactionRating, Create priority,
    ...) is part of the update its audit made: it rides on that audit's first ticket event (_raw_rows counts it);
    an audit without any ticket event rides on the ticket's first ticket event; with none at all the row is
    not mapped (a reject saying so).
    An audit of a ticket that no zendesk_tickets export delivered is not mapped (a reject naming the ticket):
    events without their ticket would be staged for a ticket the warehouse does not have.
-#}
{%- set q = adapter.quote %}
with delivered as (
    select *
    from {{ adapter_source('zendesk_ticket_audits', ['id', 'ticket_id', 'created_at', 'author_id', 'events.id',
                                                     'events.type', 'events.field_name', 'events.value',
                                                     'events.previous_value', 'events.public',
                                                     'events.author_id']) }} as raw_rows
),

exported_tickets as (
    select distinct nullif(trim(id), '') as ticket_id
    from {{ adapter_source('zendesk_tickets', ['id']) }} as raw_tickets
    where nullif(trim(id), '') is not null
),

cleaned as (
    select
        nullif(trim(d.id), '') as audit_id,
        nullif(trim(d.ticket_id), '') as ticket_id,
        nullif(trim(d.created_at), '') as created_at,
        nullif(trim(d.author_id), '') as audit_author_id,
        nullif(trim({{ q('events.id') }}), '') as event_id,
        nullif(trim({{ q('events.type') }}), '') as event_kind,
        nullif(trim({{ q('events.field_name') }}), '') as field_name,
        nullif(trim({{ q('events.value') }}), '') as new_value,
        nullif(trim({{ q('events.previous_value') }}), '') as old_value,
        nullif(trim({{ q('events.public') }}), '') as is_public,
        nullif(trim({{ q('events.author_id') }}), '') as event_author_id,
        t.ticket_id is not null as ticket_exported,
        d._load_id,
        d._file,
        d._line,
        d._loaded_at,
        d._malformed
    from delivered as d
    left join exported_tickets as t on nullif(trim(d.ticket_id), '') = t.ticket_id
),

classified as (
    select
        *,
        case
            when event_kind = 'Create' and field_name = 'status' then 'created'
            when event_kind = 'Change' and field_name = 'status' then 'status_change'
            when event_kind = 'Change' and field_name = 'priority'
                and coalesce(lower(old_value), 'normal') <> coalesce(lower(new_value), 'normal') then 'priority_change'
            when event_kind in ('Create', 'Change') and field_name = 'group_id' then 'assignment'
            when event_kind in ('Comment', 'VoiceComment') then 'comment'
        end as event_type
    from cleaned
),

-- rows that are output rows of their own: ticket events, and rows rejected as they are
flagged as (
    select
        *,
        (event_type is not null or ticket_id is null or not ticket_exported or _malformed is not null) as is_output
    from classified
),

-- the row each audit event that is no ticket event rides on: its audit's first output row, else its ticket's
audit_anchors as (
    select _load_id, audit_id, min(_line) as anchor_line
    from flagged
    where is_output and ticket_id is not null and ticket_exported and _malformed is null
    group by _load_id, audit_id
),

ticket_anchors as (
    select ticket_id, _load_id as anchor_load_id, _line as anchor_line
    from (
        select
            ticket_id,
            _load_id,
            _line,
            row_number() over (partition by ticket_id order by created_at, _load_id, _line) as anchor_rank
        from flagged
        where is_output and ticket_id is not null and ticket_exported and _malformed is null
    ) as ranked
    where anchor_rank = 1
),

riders as (
    select
        f._load_id,
        f._line,
        f.event_kind,
        f.field_name,
        coalesce(a._load_id, t.anchor_load_id) as anchor_load_id,
        coalesce(a.anchor_line, t.anchor_line) as anchor_line
    from flagged as f
    left join audit_anchors as a on f._load_id = a._load_id and f.audit_id = a.audit_id
    left join ticket_anchors as t on f.ticket_id = t.ticket_id
    where not f.is_output
),

rider_counts as (
    select anchor_load_id, anchor_line, count(*) as riders
    from riders
    where anchor_line is not null
    group by anchor_load_id, anchor_line
),

unanchored as (
    select _load_id, _line
    from riders
    where anchor_line is null
)

select
    f.event_id,
    f.ticket_id,
    f.created_at as event_at,
    f.event_type,
    case
        when f.event_type = 'priority_change' then coalesce(lower(f.old_value), 'normal')
        when f.event_type in ('status_change', 'assignment') then lower(f.old_value)
    end as from_value,
    case
        when f.event_type = 'priority_change' then coalesce(lower(f.new_value), 'normal')
        when f.event_type in ('created', 'status_change', 'assignment') then lower(f.new_value)
    end as to_value,
    case
        when coalesce(f.event_author_id, f.audit_author_id) = '-1' then 'system'
        else coalesce(f.event_author_id, f.audit_author_id)
    end as actor_id,
    case when f.event_type = 'comment' then f.is_public end as is_public,
    cast(1 + coalesce(r.riders, 0) as {{ dbt.type_bigint() }}) as _raw_rows,
    case
        when f.ticket_id is not null and not f.ticket_exported and f._malformed is null
            then {{ dbt.concat(["'ticket '", "f.ticket_id", "' is in no zendesk_tickets export (its audits need the ticket: deliver the incremental ticket export that contains it)'"]) }}
        when u._line is not null
            then {{ dbt.concat(["'audit event '", "coalesce(f.event_kind, '?')", "' is no ticket event, and no audit of ticket '", "coalesce(f.ticket_id, '?')", "' has one'"]) }}
    end as _not_mapped,
    f._load_id,
    f._file,
    f._line,
    f._loaded_at,
    f._malformed
from flagged as f
left join rider_counts as r on f._load_id = r.anchor_load_id and f._line = r.anchor_line
left join unanchored as u on f._load_id = u._load_id and f._line = u._line
where f.is_output or u._line is not null
