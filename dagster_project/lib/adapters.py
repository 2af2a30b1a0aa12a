"""Adapters: other systems' exports, ingested as they come into `raw.<adapter>` (docs/layers.md, "Adapter raw
tables"; the dbt models `base_<adapter>__<source>` map them onto the contract sources).

A folder `<landing>/<adapter>/**` holds one system's export: any file name, with or without an extension, gzip
allowed (recognised by its bytes), except `callqa_adapter.yml` (the adapter's settings) and dotfiles. Every file is
read whole, checked (the columns that make the export recognisable), protected (phone numbers keyed-hashed, free
text masked, every column the adapter does not name through pii.protect_unnamed) and written with its ledger entry
in one transaction, exactly like a contract file (lib/ingest.py: same ledger, same once-only rule):

- CSV exports: text as delivered; a header naming a column twice keeps both by position (`category`,
  `category__2`); an empty header name becomes `column_<position>`.
- JSON exports: objects back to back (Kinesis Data Firehose writes them with no separator), one per line, a JSON
  array, or an API page (`{"tickets": [...], "after_cursor": ...}`); nested objects flattened with dotted names
  (`Agent.ConnectedToAgentTimestamp`), arrays along the adapter's explode paths give one row per innermost element
  (an element whose child array is empty or missing still gives one row), other arrays stay JSON text. A value
  that is not valid JSON becomes one malformed row with the parser's message (never a lost file).
- `_record`: ordinal of the top-level record in the file (CSV: the line); `_line`: the row ordinal (CSV: the
  physical line); `_date_order`: 'dmy' | 'mdy' | 'ymd' | NULL, the order of the file's non-ISO dates, detected from
  its timestamp columns or pinned in `<landing>/<adapter>/callqa_adapter.yml` (`date_order: dmy`). A file whose
  dates can be read either way (no day above 12) is refused, naming the setting; it is read again on later runs,
  so pinning the order loads it.
- Column names longer than PostgreSQL's 63 bytes are shortened deterministically (lib/sql.fit_identifier).

What each vendor format rests on is recorded in the registry (`Adapter.references`).
"""
from __future__ import annotations

import fnmatch
import gzip
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import yaml

from dagster_project.lib.ingest import (
    FileLoad,
    FileRefused,
    ParsedFile,
    SourceLedger,
    SourceLoad,
    _check_case_clashes,
    _decode,
    _raw_columns,
    _read_csv,
    _text_of,
    arrow_rows,
    ensure_ledger,
    open_delivery,
    protect_columns,
    record_outcome,
    write_rows,
)
from dagster_project.lib.sql import fit_identifier, identifier_key, quote_identifier

SETTINGS_FILE = "callqa_adapter.yml"
DATE_ORDERS = ("dmy", "mdy", "ymd")
SETTINGS_KEYS = {"date_order": "the order of day, month and year in the export's non-ISO dates: dmy, mdy or ymd"}
# Load metadata of an adapter's raw table, in table order (data columns follow).
ADAPTER_METADATA = {
    "_load_id": "BIGINT",
    "_file": "VARCHAR",
    "_line": "BIGINT",
    "_record": "BIGINT",
    "_file_sha256": "VARCHAR",
    "_loaded_at": "TIMESTAMPTZ",
    "_malformed": "VARCHAR",
    "_raw_line": "VARCHAR",
    "_date_order": "VARCHAR",
}
# Said by every refusal that a setting can lift: such a file is read again on the next run (lib/ingest.open_delivery
# retries it and marks the earlier refusal `retried`).
RETRY_NOTE = "it is read again on every run until it loads"


@dataclass(frozen=True)
class Adapter:
    name: str  # = landing folder = raw table = dbt source table in source `adapters`
    description: str
    export: str  # what to export from the platform, and where to drop it
    # the landing sources its dbt models (base_<adapter>__<source>) feed, each "primary" (the models that together
    # account for every raw row: layer_reconciliation checks it) or "secondary" (rows derived from rows a primary
    # model accounts for); dbt's landing_adapters() is generated from this (dbt/scripts/snapshot_landing_contract.py)
    feeds: dict[str, str]
    format: str  # "csv" | "json"
    delimiter: str = ","
    explode: tuple[str, ...] = ()  # JSON arrays exploded into rows, outermost first
    record_keys: tuple[str, ...] = ()  # JSON: keys of an API page object holding the records
    required: tuple[str, ...] = ()  # columns without which a file is not this export (refused)
    timestamps: tuple[str, ...] = ()  # columns looked at to detect the date order
    pii_hash: tuple[str, ...] = ()  # phone numbers / addresses: keyed hash, as calls.caller_number
    pii_mask: tuple[str, ...] = ()  # free text: masked
    keep: tuple[str, ...] = ()  # known non-personal columns kept as delivered (fnmatch patterns allowed)
    # columns kept as delivered only on rows where another column has one of the given values (a field whose
    # meaning depends on the row: Zendesk's events.value is a status or a 12-digit group id on some events, the
    # new subject text on others): (column, deciding column, values); other rows are protected as unnamed
    keep_when: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    legacy_folders: tuple[str, ...] = ()  # older landing folders still read (files no contract source takes)
    references: tuple[str, ...] = ()  # the vendor documentation the format rests on

    @property
    def folder(self) -> str:
        return self.name

    def is_named(self, column: str) -> bool:
        return (column in self.required or column in self.timestamps
                or any(fnmatch.fnmatchcase(column, pattern) for pattern in self.keep))

    @property
    def documented(self) -> list[str]:
        """The exact (pattern-free) column names the adapter knows, for the dry run's "missing" report."""
        names = [*self.required, *self.timestamps, *self.pii_hash, *self.pii_mask,
                 *(k for k in self.keep if not any(ch in k for ch in "*?["))]
        return list(dict.fromkeys(names))


_CTR_TIMESTAMPS = (
    "InitiationTimestamp", "DisconnectTimestamp", "LastUpdateTimestamp", "ConnectedToSystemTimestamp",
    "TransferCompletedTimestamp", "ScheduledTimestamp", "Queue.EnqueueTimestamp", "Queue.DequeueTimestamp",
    "Agent.ConnectedToAgentTimestamp", "Agent.AfterContactWorkStartTimestamp", "Agent.AfterContactWorkEndTimestamp",
)

ADAPTERS: dict[str, Adapter] = {a.name: a for a in (
    Adapter(
        name="amazon_connect_ctr",
        description="Amazon Connect contact records (CTRs), one row per contact record.",
        export="Amazon Connect > Data streaming > Contact Trace Records to a Kinesis Data Firehose delivery stream "
               "writing to S3: copy the S3 objects (no extension, JSON objects back to back, or .gz) as they are; "
               "JSON lines or a JSON array of records are read too.",
        feeds={"calls": "primary", "digital_contacts": "primary"},
        format="json",
        required=("ContactId", "Channel", "InitiationMethod", "InitiationTimestamp"),
        timestamps=_CTR_TIMESTAMPS,
        pii_hash=("CustomerEndpoint.Address", "SystemEndpoint.Address", "TransferredToEndpoint.Address",
                  "Customer.Capabilities", "CustomerVoiceActivity"),
        pii_mask=("ContactDetails.Name", "ContactDetails.Description", "Description", "Name"),
        keep=("AWSAccountId", "AWSContactTraceRecordFormatVersion", "ContactId", "InitialContactId",
              "PreviousContactId", "NextContactId", "RelatedContactId", "Channel", "InitiationMethod",
              "DisconnectReason", "InstanceARN", "AgentConnectionAttempts", "AnsweringMachineDetectionStatus",
              "CustomerEndpoint.Type", "SystemEndpoint.Type", "TransferredToEndpoint.Type", "Agent.*", "Queue.*",
              "Recording.*", "Recordings", "MediaStreams", "Campaign.*"),
        references=(
            "Amazon Connect Administrator Guide, 'Data model for Amazon Connect contact records' (ctr-data-model): "
            "ContactId, InitialContactId, PreviousContactId, NextContactId, Channel (VOICE | CHAT | TASK | EMAIL), "
            "InitiationMethod (INBOUND, OUTBOUND, TRANSFER, QUEUE_TRANSFER, CALLBACK, API, ...), InitiationTimestamp, "
            "DisconnectTimestamp, LastUpdateTimestamp (a record may be delivered again: keep the latest), "
            "TransferCompletedTimestamp, CustomerEndpoint{Address, Type}, SystemEndpoint{Address, Type}, "
            "Queue{ARN, Name, EnqueueTimestamp, DequeueTimestamp, Duration}, Agent{ARN, Username, "
            "ConnectedToAgentTimestamp, AgentInteractionDuration, CustomerHoldDuration, AfterContactWorkDuration, "
            "AfterContactWorkStartTimestamp, AfterContactWorkEndTimestamp, NumberOfHolds, LongestHoldDuration, "
            "RoutingProfile}, Attributes{...} (user-defined, treated as unnamed), Recording, MediaStreams",
            "Amazon Connect API reference, Contact / AgentInfo / QueueInfo (the same fields in the API's shape)",
            "Kinesis Data Firehose to S3: records concatenated without a delimiter unless the stream adds one",
        ),
    ),
    Adapter(
        name="genesys_cloud_conversations",
        description="Genesys Cloud analytics conversation details, one row per conversation x participant x "
                    "session x segment.",
        export="Genesys Cloud Analytics API: the conversation details job (POST /api/v2/analytics/conversations/"
               "details/jobs, then its results pages) or the details query; save each response page as returned "
               "({\"conversations\": [...]}), or the conversations one per line.",
        feeds={"calls": "primary", "digital_contacts": "primary"},
        format="json",
        explode=("participants", "participants.sessions", "participants.sessions.segments"),
        record_keys=("conversations",),
        required=("conversationId", "conversationStart"),
        timestamps=("conversationStart", "conversationEnd", "participants.sessions.segments.segmentStart",
                    "participants.sessions.segments.segmentEnd", "participants.sessions.callbackScheduledTime"),
        pii_hash=("participants.sessions.ani", "participants.sessions.dnis", "participants.sessions.sessionDnis",
                  "participants.sessions.addressFrom", "participants.sessions.addressTo",
                  "participants.sessions.addressSelf", "participants.sessions.addressOther",
                  "participants.sessions.callbackNumbers", "participants.sessions.outboundCampaignContactNumber"),
        pii_mask=("participants.participantName", "participants.sessions.remoteNameDisplayable",
                  "participants.sessions.remote", "participants.sessions.callbackUserName",
                  "participants.sessions.segments.subject", "participants.sessions.segments.wrapUpNote"),
        keep=("conversationId", "conversationStart", "conversationEnd", "originatingDirection", "divisionIds",
              "externalTag", "conversationInitiator", "customerParticipation", "mediaStatsMinConversation*",
              "participants.participantId", "participants.purpose", "participants.userId",
              "participants.externalContactId", "participants.externalOrganizationId", "participants.flaggedReason",
              "participants.sessions.sessionId", "participants.sessions.mediaType", "participants.sessions.direction",
              "participants.sessions.edgeId", "participants.sessions.protocolCallId", "participants.sessions.provider",
              "participants.sessions.peerId", "participants.sessions.selectedAgentId",
              "participants.sessions.requestedRouting*", "participants.sessions.usedRouting",
              "participants.sessions.routingRing", "participants.sessions.outboundCampaignId",
              "participants.sessions.metrics", "participants.sessions.flow.*", "participants.sessions.mediaEndpointStats",
              "participants.sessions.segments.*"),
        references=(
            "Genesys Cloud Platform API, AnalyticsConversation (conversationId, conversationStart, conversationEnd, "
            "originatingDirection, participants[]), AnalyticsParticipant (participantId, purpose: customer | "
            "external | ivr | acd | agent | user | voicemail | workflow, userId, sessions[]), AnalyticsSession "
            "(sessionId, mediaType: voice | chat | email | callback | message, direction, ani, dnis, "
            "addressFrom/To/Self/Other, metrics[], segments[]), AnalyticsConversationSegment (segmentStart, "
            "segmentEnd, segmentType: ivr | interact | hold | wrapup | alert | dialing | contacting | system, "
            "queueId, disconnectType, wrapUpCode, wrapUpNote, conference)",
            "Analytics conversation details query / jobs results: a page {\"conversations\": [...], \"cursor\": ...}",
        ),
    ),
    Adapter(
        name="zendesk_tickets",
        description="Zendesk Support tickets, one row per ticket version as the incremental export returns it.",
        export="Zendesk Support API: the incremental ticket export (GET /api/v2/incremental/tickets/"
               "cursor.json?start_time=...): save each page as returned ({\"tickets\": [...], \"after_cursor\": ...}); "
               "single tickets ({\"ticket\": {...}}), arrays and JSON lines are read too.",
        feeds={"tickets": "primary", "surveys": "secondary"},
        format="json",
        record_keys=("tickets", "ticket", "results"),
        required=("id", "created_at", "updated_at", "status"),
        timestamps=("created_at", "updated_at", "due_at", "generated_timestamp"),
        pii_hash=("recipient", "via.source.from.address", "via.source.from.phone",
                  "via.source.from.formatted_phone", "via.source.to.address", "via.source.to.phone",
                  "via.source.to.formatted_phone"),
        pii_mask=("subject", "raw_subject", "description", "satisfaction_rating.comment", "via.source.from.name",
                  "via.source.to.name"),
        keep=("id", "url", "external_id", "type", "priority", "status", "requester_id", "submitter_id",
              "assignee_id", "organization_id", "group_id", "brand_id", "ticket_form_id", "problem_id",
              "forum_topic_id", "custom_status_id", "has_incidents", "is_public", "allow_channelback",
              "allow_attachments", "from_messaging_channel", "encoded_id", "created_at", "updated_at", "due_at",
              "generated_timestamp", "via.channel", "via.source.rel", "satisfaction_rating.id",
              "satisfaction_rating.score", "satisfaction_rating.reason", "satisfaction_rating.reason_id",
              "collaborator_ids", "follower_ids", "email_cc_ids", "followup_ids", "sharing_agreement_ids"),
        references=(
            "Zendesk Support API, Incremental Exports: cursor-based pages {tickets, after_url, after_cursor, "
            "end_of_stream} and time-based pages {tickets, next_page, count, end_time, end_of_stream}",
            "Zendesk Support API, Tickets: id, created_at, updated_at, type, subject, description, priority "
            "(urgent | high | normal | low), status (new | open | pending | hold | solved | closed), requester_id, "
            "assignee_id, group_id, organization_id, via{channel, source{from, to, rel}}, satisfaction_rating"
            "{score, comment, reason}, tags, custom_fields, due_at",
        ),
    ),
    Adapter(
        name="zendesk_ticket_audits",
        description="Zendesk Support ticket audits, one row per audit x event.",
        export="Zendesk Support API: ticket audits (GET /api/v2/ticket_audits, or /api/v2/tickets/{id}/audits per "
               "ticket): save each page as returned ({\"audits\": [...], ...}); arrays and JSON lines are read too.",
        feeds={"ticket_events": "primary"},
        format="json",
        explode=("events",),
        record_keys=("audits", "audit"),
        required=("id", "ticket_id", "created_at"),
        timestamps=("created_at", "events.created_at"),
        pii_hash=("metadata.system.ip_address", "events.recipients", "via.source.from.address",
                  "via.source.from.phone", "via.source.to.address", "via.source.to.phone"),
        pii_mask=("events.body", "events.html_body", "events.plain_body", "events.subject",
                  "metadata.system.location", "metadata.system.latitude", "metadata.system.longitude",
                  "via.source.from.name", "via.source.to.name"),
        keep=("id", "ticket_id", "created_at", "author_id", "via.channel", "via.source.rel", "events.id",
              "events.type", "events.field_name", "events.public", "events.author_id", "events.audit_id",
              "events.score", "events.assignee_id", "events.created_at", "events.via.channel",
              "events.via.source.rel"),
        # a status, priority, type, group or assignee change carries codes and ids (group ids are 12-digit
        # numbers: protect_unnamed would hash them as phone numbers and they would no longer join the tickets'
        # group_id); any other field's value (subject, custom fields) may be free text and stays protected
        keep_when=tuple((column, "events.field_name", ("status", "priority", "type", "group_id", "assignee_id"))
                        for column in ("events.value", "events.previous_value")),
        references=(
            "Zendesk Support API, Ticket Audits: {id, ticket_id, created_at, author_id, metadata, via, events[]}; "
            "list pages {audits, before_cursor, after_cursor, ...} or {audits, next_page, count}",
            "Zendesk Ticket Audit events reference: Create / Change (field_name, value, previous_value), Comment "
            "(body, html_body, plain_body, public), SatisfactionRating (score, assignee_id, body), Notification, ...",
        ),
    ),
    Adapter(
        name="zendesk_schedules",
        description="Zendesk Support business-hours schedules, one row per schedule x weekly interval, and their "
                    "holidays, one row per holiday.",
        export="Zendesk Support API, Business Hours: GET /api/v2/business_hours/schedules saved as returned "
               "({\"schedules\": [...]}), and each schedule's holidays (GET /api/v2/business_hours/schedules/{id}/"
               "holidays) saved under the API path, schedules/{id}/holidays.json: the holidays do not name their "
               "schedule, the path does.",
        feeds={"business_schedules": "primary", "holidays": "primary"},
        format="json",
        explode=("intervals",),
        record_keys=("schedules", "schedule", "holidays", "holiday"),
        required=("id", "name"),
        timestamps=("created_at", "updated_at", "start_date", "end_date"),
        # schedule and holiday names are an administrator's configuration, not personal data
        keep=("id", "name", "time_zone", "intervals.start_time", "intervals.end_time", "start_date", "end_date",
              "created_at", "updated_at", "url"),
        references=(
            "Zendesk Support API, Schedules (Business Hours): GET /api/v2/business_hours/schedules -> {schedules: "
            "[{id, name, time_zone (a Rails / ActiveSupport zone name such as 'Eastern Time (US & Canada)'), "
            "intervals: [{start_time, end_time}] in minutes from Sunday 00:00 of the week (0..10080), created_at, "
            "updated_at}]}",
            "Zendesk Support API, Schedule holidays: GET /api/v2/business_hours/schedules/{schedule_id}/holidays -> "
            "{holidays: [{id, name, start_date, end_date}]} (dates inclusive, the schedule's local dates)",
            "Ruby on Rails ActiveSupport::TimeZone::MAPPING: the zone names Zendesk's time_zone takes, with their "
            "IANA zones",
        ),
    ),
    Adapter(
        name="servicenow_incidents",
        description="ServiceNow incident audit export, one CSV row per update of an incident.",
        export="ServiceNow: export the incident updates (one row per update, with number, incident_state, "
               "sys_mod_count, sys_updated_at, opened_at, caller_id, priority, contact_type, resolved_at, "
               "closed_at, ...) as CSV, display values or bare values; dates day-first or month-first.",
        feeds={"tickets": "primary", "ticket_events": "secondary"},
        format="csv",
        # the update time is sys_updated_at in the published log and sys_updated_on in ServiceNow's own table
        # export: either is fine (the model reads both), so neither is required
        required=("number", "incident_state", "sys_mod_count", "opened_at"),
        timestamps=("opened_at", "sys_created_at", "sys_created_on", "sys_updated_at", "sys_updated_on",
                    "resolved_at", "closed_at"),
        pii_mask=("short_description", "description", "close_notes", "comments", "work_notes",
                  "comments_and_work_notes"),
        keep=("number", "incident_state", "state", "active", "reassignment_count", "reopen_count", "sys_mod_count",
              "made_sla", "caller_id", "opened_by", "sys_created_by", "sys_updated_by", "contact_type", "location",
              "category", "category__*", "subcategory", "u_symptom", "cmdb_ci", "impact", "urgency", "priority",
              "assignment_group", "assigned_to", "knowledge", "u_priority_confirmation", "notify", "problem_id",
              "rfc", "vendor", "caused_by", "closed_code", "close_code", "resolved_by", "sys_id"),
        references=(
            "ServiceNow incident table: number, state / incident_state (1 New, 2 In Progress, 3 On Hold, "
            "6 Resolved, 7 Closed, 8 Canceled), priority (1 - Critical ... 5 - Planning), impact, urgency, "
            "category, subcategory, contact_type, caller_id, assigned_to, assignment_group, opened_at, resolved_at, "
            "closed_at, sys_updated_at, sys_mod_count (the update counter)",
            "The published incident management event log (UCI: 141,712 updates of 24,918 incidents): display "
            "values such as 'Caller 2403', '2 - Medium', '?' for empty, dates like 29/2/2016 01:16",
        ),
    ),
    Adapter(
        name="anonymous_bank",
        description="The Anonymous Bank call-center log (Technion SEE Center, 1999), tab-separated, one row per "
                    "call.",
        export="The published log as it is (tab-separated, header vru+line, call_id, customer_id, ...).",
        feeds={"calls": "primary"},
        format="csv",
        delimiter="\t",
        required=("vru+line", "call_id", "customer_id", "type", "date", "vru_entry", "vru_exit", "q_start",
                  "q_exit", "outcome", "ser_start", "ser_exit", "ser_time", "server"),
        keep=("priority", "vru_time", "q_time"),
        legacy_folders=("calls/anonymous_bank",),
        references=("Brown et al., 'Statistical Analysis of a Telephone Call Center', JASA 100 (2005); "
                    "../shared/data/README.md",),
    ),
)}


class AdapterSettingsError(ValueError):
    """`callqa_adapter.yml` is not valid: the message names the file and the key."""


@dataclass(frozen=True)
class AdapterSettings:
    date_order: str | None = None
    path: Path | None = None


def adapter(name: str) -> Adapter:
    try:
        return ADAPTERS[name]
    except KeyError:
        raise ValueError(f"no adapter {name!r}: one of {', '.join(ADAPTERS)}") from None


def read_settings(landing_dir: Path, name: str) -> AdapterSettings:
    """`<landing>/<adapter>/callqa_adapter.yml`, checked: known keys only, a valid date order."""
    spec = adapter(name)
    return settings_file(Path(landing_dir) / spec.folder / SETTINGS_FILE, f"{spec.folder}/{SETTINGS_FILE}")


def settings_file(path: Path, shown: str) -> AdapterSettings:
    if not path.is_file():
        return AdapterSettings()
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise AdapterSettingsError(f"{shown} is not valid YAML ({str(exc).splitlines()[0]})") from None
    if doc is None:
        return AdapterSettings(path=path)
    if not isinstance(doc, dict):
        raise AdapterSettingsError(f"{shown} must be a mapping such as `date_order: dmy`")
    unknown = [str(k) for k in doc if k not in SETTINGS_KEYS]
    if unknown:
        raise AdapterSettingsError(
            f"{shown}: unknown setting(s) {', '.join(unknown)}; known: "
            + "; ".join(f"{k} ({v})" for k, v in SETTINGS_KEYS.items()))
    order = doc.get("date_order")
    if order is not None and str(order).strip().lower() not in DATE_ORDERS:
        raise AdapterSettingsError(f"{shown}: date_order must be one of {', '.join(DATE_ORDERS)} (got {order!r})")
    return AdapterSettings(date_order=str(order).strip().lower() if order is not None else None, path=path)


# ---------------------------------------------------------------- finding files


def _is_hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def delivered_files(base: Path, exclude=frozenset()) -> list[Path]:
    """Every file under `base` that is a delivery: not a dotfile (nor under a dot-folder), not a settings file."""
    return [p for p in base.rglob("*")
            if p.is_file() and p not in exclude and not _is_hidden(p.relative_to(base)) and p.name != SETTINGS_FILE]


def adapter_files(landing_dir: Path, name: str) -> list[Path]:
    """An adapter's files in delivery order (sorted path relative to the landing folder): everything under
    `<landing>/<adapter>/` except its settings file and dotfiles; under a legacy folder (anonymous_bank's old
    `calls/anonymous_bank/`), the files that ingestion of the contract source does not take (contract files by suffix)."""
    landing_dir = Path(landing_dir)
    spec = adapter(name)
    found: list[Path] = []
    for folder in (spec.folder, *spec.legacy_folders):
        base = landing_dir / folder
        if not base.is_dir():
            continue
        taken: set[Path] = set()
        if folder != spec.folder:
            from dagster_project.lib.ingest import landing_files

            source = Path(folder).parts[0]
            taken = set(landing_files(landing_dir, source))
        found.extend(delivered_files(base, taken))
    return sorted(set(found), key=lambda p: p.relative_to(landing_dir).as_posix())


# ---------------------------------------------------------------- reading


def _decompress(data: bytes, name: str) -> bytes:
    """gzip recognised by its magic bytes (Firehose may compress without renaming), whatever the file name."""
    if data[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise FileRefused(f"{name}: not a readable gzip file ({exc}); the file was not loaded") from exc
    return data


_METADATA_KEYS = {identifier_key(c) for c in ADAPTER_METADATA}


def adapter_header(columns: list[str], name: str) -> list[str]:
    """Delivered column names as raw columns: a name seen before (compared as the warehouse compares names:
    ASCII case-insensitively) or a load-metadata name gets `__2`, `__3`, ... by position; an empty name becomes
    `column_<position>`; a name over 63 bytes is shortened (sql.fit_identifier). Only a NUL refuses the file."""
    taken = set(_METADATA_KEYS)
    result = []
    for position, column in enumerate(columns, start=1):
        if "\x00" in column:
            raise FileRefused(
                f"{name}: header column {position} has a NUL character in its name; the file was not loaded")
        base = fit_identifier(column or f"column_{position}")
        candidate, n = base, 1
        while identifier_key(candidate) in taken:
            n += 1
            candidate = fit_identifier(f"{base}__{n}")
        taken.add(identifier_key(candidate))
        result.append(candidate)
    return result


_OPENING = re.compile(r"[{\[]")


def _resume_at(text: str, start: int, decoder: json.JSONDecoder, anchors: frozenset[str]) -> int:
    """Where reading resumes after a broken value: the first `{` or `[` from which a value parses and that starts a
    record: an object with one of the `anchors` keys (e.g. ContactId: a Firehose record cut short runs straight
    into the next one), or any value at the start of a line or right after a `}` / `]`. The end of the text if
    none."""
    for match in _OPENING.finditer(text, start):
        candidate = match.start()
        try:
            value, _ = decoder.raw_decode(text, candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict) and anchors.intersection(value):
            return candidate
        before = text[:candidate].rstrip(" \t\r")
        if not before or before[-1] in "\n}]":
            return candidate
    return len(text)


def json_values(text: str, anchors: frozenset[str] = frozenset()):
    """Every top-level JSON value of the text, whatever separates them (nothing, whitespace, newlines, a comma):
    yields (value, None, None) or (None, error message, the broken text up to where reading resumes)."""
    decoder = json.JSONDecoder()
    n, pos = len(text), 0
    while True:
        while pos < n and text[pos] in " \t\r\n\ufeff,":
            pos += 1
        if pos >= n:
            return
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            resume = _resume_at(text, pos + 1, decoder, anchors)
            yield None, f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", text[pos:resume].strip()
            pos = resume
            continue
        yield value, None, None
        pos = end


def flatten(obj: dict, explode: frozenset[str] | set[str], prefix: str = "") -> list[dict]:
    """One record as rows of {dotted column: JSON value}: nested objects joined with '.', arrays at an explode path
    one row per element (an empty or missing one: a single row), other arrays kept whole."""
    rows: list[dict] = [{}]
    for key, value in obj.items():
        path = prefix + str(key).strip()
        if isinstance(value, dict):
            part = flatten(value, explode, path + ".") if value else [{}]
        elif path in explode and (value is None or isinstance(value, list)):
            part = []
            for element in value or ():
                if isinstance(element, dict):
                    part.extend(flatten(element, explode, path + "."))
                else:
                    part.append({path: element})
            part = part or [{}]
        else:
            part = [{path: value}]
        rows = [{**r, **p} for r in rows for p in part] if len(part) > 1 or part[0] else rows
    return rows


def _records(value, spec: Adapter):
    """A top-level JSON value as records: an API page object -> its records; an array -> its elements; an object ->
    itself. Yields (record or None, error)."""
    if isinstance(value, dict):
        for key in spec.record_keys:
            inner = value.get(key)
            if isinstance(inner, (list, dict)):
                yield from _records(inner if isinstance(inner, list) else [inner], spec)
                return
        yield value, None
    elif isinstance(value, list):
        for element in value:
            if isinstance(element, dict):
                yield element, None
            else:
                yield None, f"a JSON {type(element).__name__} in an array, not an object"
    else:
        yield None, f"a JSON {type(value).__name__}, not an object"


def read_json(text: str, name: str, spec: Adapter) -> ParsedFile:
    explode = frozenset(spec.explode)
    flat: list[tuple[int, dict | None, str | None, str | None]] = []  # (record, row, error, raw text)
    record = 0
    anchors = frozenset({c.split(".")[0] for c in spec.required} | set(spec.record_keys))
    for value, error, raw in json_values(text, anchors):
        if error is not None:
            record += 1
            flat.append((record, None, error, raw))
            continue
        for obj, problem in _records(value, spec):
            record += 1
            if obj is None:
                flat.append((record, None, problem, json.dumps(value, ensure_ascii=False)[:10_000]))
            else:
                flat.extend((record, row, None, None) for row in flatten(obj, explode))
    delivered = list(dict.fromkeys(c for _, row, _, _ in flat if row for c in row))
    columns = adapter_header(delivered, name)
    parsed = ParsedFile(columns, [], [], [], [], [])
    for line, (record_no, row, error, raw) in enumerate(flat, start=1):
        parsed.lines.append(line)
        parsed.records.append(record_no)
        parsed.malformed.append(error)
        parsed.raw_lines.append(raw)
        parsed.rows.append([None] * len(columns) if row is None else [_text_of(row.get(c)) for c in delivered])
    return parsed


def read_adapter_file(data: bytes, name: str, spec: Adapter) -> ParsedFile:
    text = _decode(_decompress(data, name), name)
    if spec.format == "json":
        return read_json(text, name, spec)
    parsed = _read_csv(text, name, spec.delimiter, header_rule=adapter_header)
    parsed.records = list(parsed.lines)
    return parsed


# ---------------------------------------------------------------- date order

_ISO_DATE = re.compile(r"\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)")
_OTHER_DATE = re.compile(r"\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})(?!\d)")


@dataclass
class DateEvidence:
    """What the timestamp columns of one file say about their order (an example of each kind, for messages)."""

    iso: int = 0
    ambiguous: int = 0
    day_first: tuple[str, str, int] | None = None  # (value, column, line): a value only day-first can read
    month_first: tuple[str, str, int] | None = None
    ambiguous_example: tuple[str, str, int] | None = None
    columns: list[str] = field(default_factory=list)  # the timestamp columns the file has

    @property
    def non_iso(self) -> bool:
        return bool(self.ambiguous or self.day_first or self.month_first)


def date_evidence(parsed: ParsedFile, spec: Adapter) -> DateEvidence:
    evidence = DateEvidence()
    index = {c: i for i, c in enumerate(parsed.columns)}
    evidence.columns = [c for c in spec.timestamps if c in index]
    for column in evidence.columns:
        i = index[column]
        for row, line in zip(parsed.rows, parsed.lines):
            value = row[i]
            if value is None:
                continue
            if _ISO_DATE.match(value):
                evidence.iso += 1
                continue
            match = _OTHER_DATE.match(value)
            if not match:
                continue
            first, second = int(match.group(1)), int(match.group(2))
            if first > 12 and second > 12:
                continue  # neither order reads it: a bad value for the mapping to reject, not a clue
            if first > 12:
                evidence.day_first = evidence.day_first or (value, column, line)
            elif second > 12:
                evidence.month_first = evidence.month_first or (value, column, line)
            else:
                evidence.ambiguous += 1
                evidence.ambiguous_example = evidence.ambiguous_example or (value, column, line)
    return evidence


class DateOrderError(FileRefused):
    def __init__(self, message: str, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


def _at(example: tuple[str, str, int]) -> str:
    value, column, line = example
    return f"'{value}' (column {column}, row {line})"


def decide_date_order(evidence: DateEvidence, pinned: str | None, name: str, spec: Adapter) -> str | None:
    """The file's `_date_order`, or DateOrderError: day-first and month-first values in one file; a pinned order
    the data contradicts; or only ambiguous values (every day and month <= 12) and no pinned order."""
    setting = f"{spec.folder}/{SETTINGS_FILE}"
    if evidence.day_first and evidence.month_first:
        raise DateOrderError(
            f"{name}: some dates are day-first ({_at(evidence.day_first)}) and others month-first "
            f"({_at(evidence.month_first)}); fix the export; the file was not loaded", retryable=False)
    if pinned:
        contradiction = (evidence.month_first if pinned == "dmy" else evidence.day_first if pinned == "mdy"
                         else evidence.day_first or evidence.month_first or evidence.ambiguous_example)
        if contradiction:
            raise DateOrderError(
                f"{name}: {setting} pins date_order: {pinned}, but {_at(contradiction)} can't be read so; "
                f"correct the setting; the file was not loaded ({RETRY_NOTE})", retryable=True)
        return pinned
    if evidence.day_first:
        return "dmy"
    if evidence.month_first:
        return "mdy"
    if evidence.ambiguous:
        raise DateOrderError(
            f"{name}: its dates can be read day-first or month-first (no day above 12 in "
            f"{', '.join(evidence.columns)}, e.g. {_at(evidence.ambiguous_example)}); set `date_order: dmy` or "
            f"`date_order: mdy` in <landing>/{setting}; the file was not loaded ({RETRY_NOTE})", retryable=True)
    return "ymd" if evidence.iso else None


# ---------------------------------------------------------------- one file, checked


@dataclass
class Prepared:
    """A file read and checked, before protection: what ingestion writes and the dry run reports."""

    parsed: ParsedFile
    date_order: str | None
    missing: list[str]  # required columns the file lacks (non-empty -> refused)


def prepare_file(data: bytes, name: str, spec: Adapter, settings: AdapterSettings) -> Prepared:
    """Read and check one delivered file: FileRefused for a file-level problem (nothing of it is loaded)."""
    parsed = read_adapter_file(data, name, spec)
    if not parsed.rows:
        return Prepared(parsed, None, [])
    missing = [c for c in spec.required if c not in parsed.columns]
    if missing:
        valid = [m for m in parsed.malformed if m is None]
        why = "" if valid else f" (no record could be read: {next(m for m in parsed.malformed if m)})"
        raise FileRefused(
            f"{name}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} that every "
            f"{spec.name} export has (is it in the right folder?){why}; the file was not loaded")
    order = decide_date_order(date_evidence(parsed, spec), settings.date_order, name, spec)
    return Prepared(parsed, order, [])


# ---------------------------------------------------------------- writing


def ensure_adapter_table(con, spec: Adapter, columns: list[str] = ()) -> None:
    table = f"raw.{quote_identifier(spec.name)}"
    metadata = ", ".join(f"{quote_identifier(c)} {t}" for c, t in ADAPTER_METADATA.items())
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({metadata})")
    existing = set(_raw_columns(con, spec.name))
    for column in columns:
        if column not in existing:
            con.execute(f"ALTER TABLE {table} ADD COLUMN {quote_identifier(column)} VARCHAR")
            existing.add(column)


def _retryable(error: str) -> bool:
    return RETRY_NOTE in error


def load_adapter_file(con, landing_dir: Path, path: Path, spec: Adapter, key: bytes,
                      settings: AdapterSettings | AdapterSettingsError, ledger: SourceLedger | None = None) -> FileLoad:
    opened = open_delivery(con, landing_dir, path, spec.name, retryable=_retryable, ledger=ledger)
    if isinstance(opened, FileLoad):
        return opened
    delivery = opened
    try:
        if isinstance(settings, AdapterSettingsError):
            raise FileRefused(f"{delivery.name}: {settings}; the file was not loaded ({RETRY_NOTE})")
        prepared = prepare_file(delivery.data, delivery.name, spec, settings)
        _check_case_clashes(prepared.parsed.columns, _raw_columns(con, spec.name), delivery.name, spec.name, ())
    except FileRefused as exc:
        return record_outcome(con, delivery, spec.name, "refused", str(exc))
    parsed = prepared.parsed
    if not parsed.rows:
        return record_outcome(con, delivery, spec.name, "empty")
    kept = _values_kept_when(parsed, spec)
    protect_columns(parsed, key, spec.pii_hash, spec.pii_mask, spec.is_named)
    for (row, i), value in kept.items():
        parsed.rows[row][i] = value
    n = len(parsed.rows)
    incoming = arrow_rows(parsed, delivery, {
        "_record": pa.array(parsed.records, type=pa.int64()),
        "_date_order": pa.array([prepared.date_order] * n, type=pa.string()),
    })
    return write_rows(con, delivery, spec.name, f"raw.{quote_identifier(spec.name)}", incoming,
                      lambda: ensure_adapter_table(con, spec, parsed.columns))


def _values_kept_when(parsed, spec: Adapter) -> dict[tuple[int, int], str | None]:
    """{(row, column index): delivered value} of the cells spec.keep_when keeps as delivered."""
    index = {c: i for i, c in enumerate(parsed.columns)}
    kept: dict[tuple[int, int], str | None] = {}
    for column, deciding, values in spec.keep_when:
        if column not in index or deciding not in index:
            continue
        i, d = index[column], index[deciding]
        for r, row in enumerate(parsed.rows):
            if row[d] is not None and row[d].strip().lower() in values:
                kept[(r, i)] = row[i]
    return kept


def ingest_adapter(con, landing_dir: Path, adapter_name: str, key: bytes,
                   take: Callable[[Path], bool] | None = None) -> SourceLoad:
    """Load every new file of one adapter (those `take` accepts, when given) into raw.<adapter>; files already in the
    ledger are skipped (reruns are no-ops), except refusals a setting can lift (an ambiguous date order), which are
    read again."""
    spec = adapter(adapter_name)
    landing_dir = Path(landing_dir)
    ensure_ledger(con)
    result = SourceLoad(spec.name)
    files = [path for path in adapter_files(landing_dir, spec.name) if take is None or take(path)]
    if not files:
        return result
    try:
        settings: AdapterSettings | AdapterSettingsError = read_settings(landing_dir, spec.name)
    except AdapterSettingsError as exc:
        settings = exc
    ledger = SourceLedger(con, spec.name)
    for path in files:
        result.files.append(ledger.note(load_adapter_file(con, landing_dir, path, spec, key, settings, ledger)))
    return result


def adapter_file_counts(landing_dir: Path) -> dict[str, int]:
    return {name: len(adapter_files(landing_dir, name)) for name in ADAPTERS}


__all__ = ["ADAPTERS", "Adapter", "AdapterSettings", "AdapterSettingsError", "adapter_files", "ingest_adapter",
           "read_adapter_file", "flatten", "json_values", "read_settings"]


# ---------------------------------------------------------------- dry run (`callqa adapters --dry-run FOLDER`)

MAPPING_REJECTS_NOTE = ("rows the mapping would stage or reject: below, unless --no-mapping (the sample run through "
                        "the adapters' dbt models in a throwaway warehouse)")


def _try(data: bytes, name: str, spec: Adapter, settings) -> dict:
    """One file read as one adapter, nothing written: what ingestion would see."""
    report: dict = {"adapter": spec.name, "refused": None}
    try:
        if isinstance(settings, AdapterSettingsError):
            raise FileRefused(str(settings))
        parsed = read_adapter_file(data, name, spec)
    except FileRefused as exc:
        report.update(refused=str(exc), missing_required=list(spec.required), records=0, rows=0, fields=[])
        return report
    columns = parsed.columns
    report["records"] = len(set(parsed.records or parsed.lines))
    report["rows"] = len(parsed.rows)
    report["fields"] = columns
    report["missing_required"] = [c for c in spec.required if c not in columns] if parsed.rows else []
    report["missing_documented"] = [c for c in spec.documented if c not in columns and c not in spec.required]
    bad = [(line, m) for line, m in zip(parsed.lines, parsed.malformed) if m is not None]
    report["malformed"] = len(bad)
    report["malformed_examples"] = [f"row {line}: {m}" for line, m in bad[:3]]
    evidence = date_evidence(parsed, spec)
    try:
        report["date_order"] = decide_date_order(evidence, settings.date_order, name, spec) if parsed.rows else None
        report["date_problem"] = None
    except DateOrderError as exc:
        report["date_order"], report["date_problem"] = None, str(exc)
    if report["missing_required"]:
        report["refused"] = (f"{name}: missing {', '.join(report['missing_required'])} that every {spec.name} "
                             "export has")
    elif report["date_problem"]:
        report["refused"] = report["date_problem"]
    return report


def dry_run(folder: Path, adapter_name: str | None = None, sample: int = 5) -> list[dict]:
    """Read a sample of the files of FOLDER as ingestion would, without a warehouse: per file the adapter it is
    recognised as (the given one; else the one its folder is named after; else the first whose required columns
    it has), records and rows, the fields found, the documented fields missing, the date order (or why it can't
    be told) and the rows that would be malformed. FOLDER may be an adapter folder or a landing folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no folder at {folder}")
    if adapter_name is not None:
        adapter(adapter_name)
    groups: list[tuple[Path, list[str]]] = []
    if adapter_name is None and folder.name not in ADAPTERS:
        inner = [folder / n for n in ADAPTERS if (folder / n).is_dir()]
        groups = [(f, [f.name]) for f in inner]
    if not groups:
        guess = [adapter_name] if adapter_name else [folder.name] if folder.name in ADAPTERS else list(ADAPTERS)
        groups = [(folder, guess)]
    reports = []
    for base, candidates in groups:
        try:
            settings = settings_file(base / SETTINGS_FILE, f"{base.name}/{SETTINGS_FILE}")
        except AdapterSettingsError as exc:
            settings = exc
        files = sorted(delivered_files(base), key=lambda p: p.relative_to(base).as_posix())
        for path in files[:sample]:
            name = path.relative_to(folder.parent).as_posix()
            data = path.read_bytes()
            tries = [_try(data, name, ADAPTERS[c], settings) for c in candidates]
            # recognised: read, with every required column (its dates may still be a reason to refuse it)
            recognised = [t for t in tries if t["rows"] and t["fields"] and not t["missing_required"]]
            best = recognised[0] if recognised else min(tries, key=lambda t: len(t["missing_required"]))
            best = {**best, "file": name, "recognised": bool(recognised)}
            reports.append(best)
        if len(files) > sample:
            reports.append({"file": f"{base.name}/...", "skipped": len(files) - sample})
    return reports


def format_dry_run(reports: list[dict]) -> str:
    if not reports:
        return "no files found"
    lines = []
    for r in reports:
        if "skipped" in r:
            lines.append(f"({r['skipped']} more file(s) in {r['file']} not sampled; --sample N reads more)")
            continue
        head = r["adapter"] if r["recognised"] else f"not recognised (closest: {r['adapter']})"
        lines.append(f"{r['file']}: {head}")
        if r.get("refused") and not r.get("fields"):
            lines.append(f"  would be refused: {r['refused']}")
            continue
        lines.append(f"  records: {r['records']}, raw rows: {r['rows']}, malformed rows: {r.get('malformed', 0)}")
        for example in r.get("malformed_examples", []):
            lines.append(f"    {example}")
        shown = ", ".join(r["fields"][:25]) + (f", ... ({len(r['fields'])} in all)" if len(r["fields"]) > 25 else "")
        lines.append(f"  fields found: {shown or '-'}")
        if r.get("missing_required"):
            lines.append(f"  required fields missing: {', '.join(r['missing_required'])}")
        missing = r.get("missing_documented") or []
        if missing:
            lines.append(f"  documented fields not in this file: {', '.join(missing[:20])}"
                         + (f", ... ({len(missing)} in all)" if len(missing) > 20 else ""))
        if r.get("date_problem"):
            lines.append(f"  date order: can't be told: {r['date_problem']}")
        else:
            lines.append(f"  date order: {r.get('date_order') or 'no dates seen'}")
        if r.get("refused"):
            lines.append(f"  would be refused: {r['refused']}")
    lines.append("")
    lines.append(MAPPING_REJECTS_NOTE)
    return "\n".join(lines)


def reported_sources(con) -> list[str]:
    """The sources `callqa status` and the run summary list: every contract source, then each adapter that has an
    entry in the ledger (so a refused export file is reported, and a center without adapters sees no empty rows)."""
    from dagster_project.lib.contract import load_contract
    from dagster_project.lib.warehouse import table_exists

    seen: set[str] = set()
    if table_exists(con, "raw", "_ingest_ledger"):
        seen = {s for (s,) in con.execute("SELECT DISTINCT source FROM raw._ingest_ledger").fetchall()}
    return [*load_contract(), *(name for name in ADAPTERS if name in seen)]


# ---------------------------------------------------------------- dry run through the mapping


def mapped_dry_run(folder: Path, reports: list[dict], timezone: str = "UTC") -> list[dict]:
    """What the adapters' dbt models would make of the sampled files, before any load: the recognised files of a
    dry run ingested into a throwaway DuckDB warehouse (a throwaway PII key), the adapter models and the landing
    boundary built there (`dbt run`), and per adapter and landing source the rows that would be staged, kept as
    history or rejected, by reason, with an example detail. Nothing touches the real warehouse.

    Returns [{adapter, source, fate, reason, rows, example}, ...]; raises RuntimeError when dbt fails."""
    import contextlib
    import os
    import secrets
    import shutil
    import tempfile

    import duckdb

    from dagster_project.lib.dbt_inprocess import run_dbt

    folder = Path(folder)
    recognised = [r for r in reports if r.get("recognised") and not r.get("refused")]
    if not recognised:
        return []
    with tempfile.TemporaryDirectory(prefix="callqa_dry_run_") as tmp:
        work = Path(tmp)
        landing = work / "landing"
        for report in recognised:
            source_path = folder.parent / report["file"]
            relative = Path(report["file"]).relative_to(Path(report["file"]).parts[0])
            target = landing / report["adapter"] / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source_path, target)
            pinned = source_path.parent / SETTINGS_FILE
            if pinned.exists() and not (landing / report["adapter"] / SETTINGS_FILE).exists():
                shutil.copyfile(pinned, landing / report["adapter"] / SETTINGS_FILE)
        warehouse = work / "dry_run.duckdb"
        con = duckdb.connect(str(warehouse))
        key = secrets.token_bytes(32)
        try:
            names = sorted({r["adapter"] for r in recognised})
            for name in names:
                ingest_adapter(con, landing, name, key)
        finally:
            con.close()
        sources = sorted({source for name in names for source in ADAPTERS[name].feeds})
        env = {"CALLQA_WAREHOUSE": str(warehouse), "CALLQA_TIMEZONE": timezone, "DBT_TARGET": "duckdb",
               "CALLQA_DUCKDB_TEMP_DIR": str(work / "duckdb_tmp"), "CALLQA_LANDING_DIR": str(landing)}
        with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
            result = run_dbt(["run", "--select", *(f"+base_landing__{s}" for s in sources), "--quiet"], work, env)
        if not result.success:
            raise RuntimeError(f"the dry run's dbt build failed: {result.exception or 'see the dbt log'}")
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            rows = []
            for source in sources:
                placeholders = ", ".join("?" for _ in names)
                rows += con.execute(
                    f"""select _adapter, ? as source, _fate, _reject_reason, count(*), min(_reject_detail)
                        from staging.base_landing__{source} where _adapter in ({placeholders})
                        group by all order by 1, 3, 4""",
                    [source, *names],
                ).fetchall()
        finally:
            con.close()
    return [{"adapter": a, "source": s, "fate": f, "reason": r, "rows": n, "example": d} for a, s, f, r, n, d in rows]


def format_mapped_dry_run(rows: list[dict]) -> str:
    if not rows:
        return "through the mapping: no recognised file to map"
    lines = ["through the mapping (the sampled files only; nothing loaded):"]
    for r in rows:
        what = r["fate"] if r["fate"] != "rejected" else f"rejected, {r['reason']}"
        example = f"  e.g. {r['example']}" if r["fate"] == "rejected" and r["example"] else ""
        lines.append(f"  {r['adapter']} -> {r['source']}: {r['rows']} {what}{example}")
    return "\n".join(lines)
