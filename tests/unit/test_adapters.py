"""Adapters, raw layer: other systems' exports reach raw.<adapter> as delivered (flattened, exploded), protected,
once; a file is refused whole only for a file-level reason, with the reason."""
import gzip
import json

import pytest
import yaml

from dagster_project.lib import adapters as ad
from dagster_project.lib.adapters import ADAPTERS, adapter_files, flatten, ingest_adapter, json_values
from dagster_project.lib.pii import hash_phone
from dagster_project.lib.sql import fit_identifier
from dagster_project.settings import DBT_PROJECT_DIR
from tests.unit.landing_helpers import rows, write

KEY = b"unit-test-key"
PHONE = "+1 212-555-0147"
PHONE_DIGITS = ("2125550147", "555-0147", "5550147")


def ctr(contact_id, channel="VOICE", method="INBOUND", address=PHONE, agent=True, queue=True, **extra):
    """A contact record as the Amazon Connect contact record data model shapes it."""
    record = {
        "AWSAccountId": "123456789012",
        "AWSContactTraceRecordFormatVersion": "2017-03-10",
        "ContactId": contact_id,
        "InitialContactId": None,
        "PreviousContactId": None,
        "Channel": channel,
        "InitiationMethod": method,
        "InitiationTimestamp": "2024-03-01T10:00:00Z",
        "DisconnectTimestamp": "2024-03-01T10:09:30Z",
        "CustomerEndpoint": {"Address": address, "Type": "TELEPHONE_NUMBER"},
        "SystemEndpoint": {"Address": "+18005550199", "Type": "TELEPHONE_NUMBER"},
        "Attributes": {"callback": f"call me back on {address}"},
        "Recording": None,
    }
    if queue:
        record["Queue"] = {"Name": "billing", "EnqueueTimestamp": "2024-03-01T10:00:40Z",
                           "DequeueTimestamp": "2024-03-01T10:01:10Z", "Duration": 30,
                           "ARN": "arn:aws:connect:us-east-1:123456789012:instance/x/queue/12345678-1234"}
    if agent:
        record["Agent"] = {"Username": "ann", "ConnectedToAgentTimestamp": "2024-03-01T10:01:10Z",
                           "AgentInteractionDuration": 420, "CustomerHoldDuration": 35,
                           "AfterContactWorkDuration": 60, "NumberOfHolds": 1}
    record.update(extra)
    return record


def conversation(conversation_id, participants):
    return {"conversationId": conversation_id, "conversationStart": "2024-03-01T10:00:00.000Z",
            "conversationEnd": "2024-03-01T10:10:00.000Z", "originatingDirection": "inbound",
            "participants": participants}


def segments(*types):
    return [{"segmentStart": "2024-03-01T10:00:00.000Z", "segmentEnd": "2024-03-01T10:01:00.000Z",
             "segmentType": t, "queueId": "12345678-9012-4aaa-8bbb-123456789012"} for t in types]


# ---------------------------------------------------------------- JSON shapes


def test_firehose_objects_back_to_back_without_newline_and_gzip_without_extension(tmp_path, con):
    landing = tmp_path / "landing"
    body = "".join(json.dumps(ctr(f"c{i}")) for i in range(3))  # Firehose: no separator at all
    write(landing, "amazon_connect_ctr/2024/03/01/10/stream-1-2024-03-01-10-00-00-abc", body)
    write(landing, "amazon_connect_ctr/2024/03/01/11/stream-1-2024-03-01-11-00-00-def",
          gzip.compress("\n".join(json.dumps(ctr(f"d{i}")) for i in range(2)).encode()))
    result = ingest_adapter(con, landing, "amazon_connect_ctr", KEY)
    assert [(f.status, f.rows, f.malformed) for f in result.files] == [("loaded", 3, 0), ("loaded", 2, 0)]
    got = rows(con, 'select "ContactId", _record, _line, "Agent.Username", "Queue.EnqueueTimestamp", '
                    '"Agent.AgentInteractionDuration", _date_order from raw.amazon_connect_ctr order by _load_id, _line')
    assert [r[0] for r in got] == ["c0", "c1", "c2", "d0", "d1"]
    assert [(r[1], r[2]) for r in got] == [(1, 1), (2, 2), (3, 3), (1, 1), (2, 2)]
    assert got[0][3:] == ("ann", "2024-03-01T10:00:40Z", "420", "ymd")  # numbers as written, text as delivered
    # ids and ARNs the registry names are kept exactly (an unnamed column with 7+ digits would be hashed)
    assert rows(con, 'select distinct "Queue.ARN", "AWSAccountId" from raw.amazon_connect_ctr') == [
        ("arn:aws:connect:us-east-1:123456789012:instance/x/queue/12345678-1234", "123456789012")]


def test_json_array_json_lines_and_api_pages_give_the_same_rows(tmp_path, con):
    landing = tmp_path / "landing"
    tickets = [{"id": 101, "created_at": "2024-03-01T10:00:00Z", "updated_at": "2024-03-01T11:00:00Z",
                "status": "open", "priority": "high", "requester_id": 36000012345, "tags": ["vip", "refund"],
                "via": {"channel": "email", "source": {"from": {"address": "jane@example.com", "name": "Jane"}}},
                "satisfaction_rating": {"score": "good", "comment": "call me on +1 212 555 0147"}},
               {"id": 102, "created_at": "2024-03-02T10:00:00Z", "updated_at": "2024-03-02T10:30:00Z",
                "status": "solved", "description": "my number is +1 (212) 555-0147", "satisfaction_rating": None}]
    write(landing, "zendesk_tickets/a_page.json",
          json.dumps({"tickets": tickets, "after_cursor": "xyz", "end_of_stream": True}))
    write(landing, "zendesk_tickets/b_array.json", json.dumps([dict(t, updated_at="2024-03-03T00:00:00Z")
                                                              for t in tickets]))
    write(landing, "zendesk_tickets/c_lines.jsonl", "\n".join(json.dumps(dict(t, status="closed")) for t in tickets))
    write(landing, "zendesk_tickets/d_single", json.dumps({"ticket": tickets[0]}))
    result = ingest_adapter(con, landing, "zendesk_tickets", KEY)
    assert [(f.status, f.rows) for f in result.files] == [("loaded", 2), ("loaded", 2), ("loaded", 2), ("loaded", 1)]
    got = rows(con, 'select _file, "id", status, requester_id, tags, "via.source.from.address", '
                    '"satisfaction_rating.score", "satisfaction_rating.comment" from raw.zendesk_tickets '
                    'where "id" = \'101\' order by _load_id')
    assert got[0][:5] == ("zendesk_tickets/a_page.json", "101", "open", "36000012345", '["vip", "refund"]')
    assert got[0][5] == hash_phone("jane@example.com", KEY)  # an address is hashed like a phone number
    assert got[0][6:] == ("good", "call me on <num>")
    # the page's own fields (cursor, end_of_stream) are not records
    assert "after_cursor" not in {c for (c,) in rows(con, "select column_name from information_schema.columns "
                                                          "where table_name = 'zendesk_tickets'")}


def test_audit_events_are_exploded_and_an_audit_without_events_is_one_row(tmp_path, con):
    landing = tmp_path / "landing"
    audits = [
        {"id": 1, "ticket_id": 101, "created_at": "2024-03-01T10:00:00Z", "author_id": 5,
         "events": [{"id": 11, "type": "Create", "field_name": "status", "value": "new"},
                    {"id": 12, "type": "Comment", "body": "reach me at jane@example.com", "public": True}]},
        {"id": 2, "ticket_id": 101, "created_at": "2024-03-01T11:00:00Z", "author_id": 6,
         "events": [{"id": 21, "type": "Change", "field_name": "status", "value": "solved",
                     "previous_value": "open"}]},
        {"id": 3, "ticket_id": 999, "created_at": "2024-03-01T12:00:00Z", "events": []},
        {"id": 4, "ticket_id": 999, "created_at": "2024-03-01T12:00:00Z"},
    ]
    write(landing, "zendesk_ticket_audits/page1.json", json.dumps({"audits": audits, "next_page": None}))
    result = ingest_adapter(con, landing, "zendesk_ticket_audits", KEY)
    assert result.files[0].rows == 5 == sum(max(1, len(a.get("events", []))) for a in audits)
    got = rows(con, 'select _record, _line, "id", "events.id", "events.type", "events.value", '
                    '"events.previous_value", "events.body" from raw.zendesk_ticket_audits order by _line')
    assert [r[:4] for r in got] == [(1, 1, "1", "11"), (1, 2, "1", "12"), (2, 3, "2", "21"), (3, 4, "3", None),
                                    (4, 5, "4", None)]
    assert got[2][4:7] == ("Change", "solved", "open")
    assert got[1][7] == "reach me at <email>"


def test_audit_values_are_kept_for_codes_and_ids_and_protected_for_other_fields(tmp_path, con):
    """A group change carries 12-digit group ids (kept: they must join the tickets' group_id); a subject change
    carries text that may hold a phone number (protected as an unnamed column)."""
    landing = tmp_path / "landing"
    audit = {"id": 7, "ticket_id": 101, "created_at": "2024-03-01T10:00:00Z", "events": [
        {"id": 71, "type": "Change", "field_name": "group_id", "value": 360001234567, "previous_value": 360007654321},
        {"id": 72, "type": "Change", "field_name": "subject", "value": "call 2125550147",
         "previous_value": "2125550147"},
        {"id": 73, "type": "Change", "field_name": "Status", "value": "pending", "previous_value": "open"}]}
    write(landing, "zendesk_ticket_audits/page1.json", json.dumps({"audits": [audit]}))
    ingest_adapter(con, landing, "zendesk_ticket_audits", KEY)
    got = rows(con, 'select "events.value", "events.previous_value" from raw.zendesk_ticket_audits order by _line')
    assert got[0] == ("360001234567", "360007654321")
    assert got[1] == ("call <num>", hash_phone("2125550147", KEY))
    assert got[2] == ("pending", "open")


def test_zendesk_schedules_explode_intervals_and_holidays_keep_their_path(tmp_path, con):
    """Schedules as the Business Hours API lists them (intervals exploded: one row each; a schedule without
    intervals one row) and a schedule's holidays saved under the API path, in one raw table; the 12-digit
    schedule ids are kept (not hashed as phone numbers)."""
    landing = tmp_path / "landing"
    schedules = {"schedules": [
        {"id": 360000123456, "name": "Support", "time_zone": "Eastern Time (US & Canada)",
         "intervals": [{"start_time": 1980, "end_time": 2460}, {"start_time": 1320, "end_time": 1560}],
         "created_at": "2026-01-05T10:00:00Z", "updated_at": "2026-01-05T10:00:00Z"},
        {"id": 360000123457, "name": "Closed", "time_zone": "UTC", "intervals": []}]}
    holidays = {"holidays": [{"id": 9, "name": "Christmas", "start_date": "2026-12-24", "end_date": "2026-12-25"}]}
    write(landing, "zendesk_schedules/schedules.json", json.dumps(schedules))
    write(landing, "zendesk_schedules/schedules/360000123456/holidays.json", json.dumps(holidays))
    result = ingest_adapter(con, landing, "zendesk_schedules", KEY)
    assert [(f.file, f.status, f.rows) for f in result.files] == [
        ("zendesk_schedules/schedules.json", "loaded", 3),
        ("zendesk_schedules/schedules/360000123456/holidays.json", "loaded", 1)]
    got = rows(con, 'select _file, "id", time_zone, "intervals.start_time", "intervals.end_time", start_date, '
                    'end_date from raw.zendesk_schedules order by _load_id, _line')
    assert got == [
        ("zendesk_schedules/schedules.json", "360000123456", "Eastern Time (US & Canada)", "1980", "2460", None, None),
        ("zendesk_schedules/schedules.json", "360000123456", "Eastern Time (US & Canada)", "1320", "1560", None, None),
        ("zendesk_schedules/schedules.json", "360000123457", "UTC", None, None, None, None),
        ("zendesk_schedules/schedules/360000123456/holidays.json", "9", None, None, None, "2026-12-24", "2026-12-25"),
    ]


def test_genesys_participant_without_sessions_or_segments_still_gives_a_row(tmp_path, con):
    landing = tmp_path / "landing"
    conversations = [
        conversation("g1", [
            {"participantId": "p1", "purpose": "customer", "sessions": [
                {"sessionId": "s1", "mediaType": "voice", "direction": "inbound", "ani": "tel:+12125550147",
                 "dnis": "tel:+18005550199", "segments": segments("ivr", "interact")}]},
            {"participantId": "p2", "purpose": "acd", "sessions": [
                {"sessionId": "s2", "mediaType": "voice", "segments": segments("interact")}]},
            {"participantId": "p3", "purpose": "agent", "userId": "u-1", "sessions": [
                {"sessionId": "s3", "mediaType": "voice", "segments": segments("interact", "hold", "wrapup")},
                {"sessionId": "s4", "mediaType": "voice"}]},  # a session with no segments
            {"participantId": "p4", "purpose": "external"},  # a participant with no sessions at all
        ]),
        conversation("g2", []),  # a conversation with no participants
    ]
    write(landing, "genesys_cloud_conversations/job-1-page-1.json",
          json.dumps({"conversations": conversations, "cursor": "abc"}))
    result = ingest_adapter(con, landing, "genesys_cloud_conversations", KEY)
    expected = 2 + 1 + 3 + 1 + 1 + 1  # segments; a session without segments; a participant; a conversation
    assert result.files[0].rows == expected
    got = rows(con, 'select "conversationId", "participants.participantId", "participants.sessions.sessionId", '
                    '"participants.sessions.segments.segmentType", _record from raw.genesys_cloud_conversations '
                    'order by _line')
    assert ("g1", "p3", "s4", None, 1) in got and ("g1", "p4", None, None, 1) in got and ("g2", None, None, None, 2) in got
    assert [r[3] for r in got if r[1] == "p3"] == ["interact", "hold", "wrapup", None]
    ani = rows(con, 'select distinct "participants.sessions.ani" from raw.genesys_cloud_conversations '
                    'where "participants.sessions.ani" is not null')
    assert ani == [(hash_phone("tel:+12125550147", KEY),)]
    # the segment's queue id (a UUID with a long digit run) is kept as delivered, not taken for a phone number
    assert rows(con, 'select distinct "participants.sessions.segments.queueId" from raw.genesys_cloud_conversations '
                     'where "participants.sessions.segments.queueId" is not null') == [
        ("12345678-9012-4aaa-8bbb-123456789012",)]


def test_flatten_keeps_unexploded_arrays_whole_and_multiplies_only_along_the_paths():
    assert flatten({"a": {"b": [1, 2]}, "x": [{"y": 1}, {"y": 2}], "e": {}}, {"x"}) == [
        {"a.b": [1, 2], "x.y": 1}, {"a.b": [1, 2], "x.y": 2}]
    assert flatten({"k": 1, "x": []}, {"x"}) == [{"k": 1}]
    assert flatten({"k": 1, "x": None}, {"x"}) == [{"k": 1}]


def test_malformed_json_is_a_row_with_its_message_and_reading_resumes(tmp_path, con):
    landing = tmp_path / "landing"
    good = [json.dumps(ctr(f"c{i}")) for i in range(3)]
    broken = '{"ContactId": "x1", "Channel": "VOICE", "CustomerEndpoint": {"Address": "+1 212 555 0147"'
    write(landing, "amazon_connect_ctr/part-0", good[0] + broken + good[1] + "\n42\n" + good[2])
    result = ingest_adapter(con, landing, "amazon_connect_ctr", KEY)
    assert (result.files[0].status, result.files[0].rows, result.files[0].malformed) == ("loaded", 5, 2)
    got = rows(con, 'select _record, "ContactId", _malformed, _raw_line from raw.amazon_connect_ctr order by _line')
    assert [r[1] for r in got] == ["c0", None, "c1", None, "c2"]
    assert got[1][2].startswith("invalid JSON") and "line 1" in got[1][2]
    assert got[1][3].startswith('{"ContactId": "x1"') and "<num>" in got[1][3]  # the broken text, masked
    assert got[3][2] == "a JSON int, not an object"
    assert [r[0] for r in got] == [1, 2, 3, 4, 5]


def test_a_truncated_api_page_keeps_the_records_before_the_break(tmp_path, con):
    landing = tmp_path / "landing"
    page = json.dumps({"conversations": [conversation(f"g{i}", [{"purpose": "customer"}]) for i in range(3)]})
    write(landing, "genesys_cloud_conversations/cut.json", page[: page.rindex('"purpose"')])  # download cut short
    result = ingest_adapter(con, landing, "genesys_cloud_conversations", KEY)
    got = rows(con, 'select "conversationId", _malformed is not null from raw.genesys_cloud_conversations '
                    'order by _line')
    assert got == [(None, True), ("g0", False), ("g1", False), (None, True)]
    assert result.files[0].malformed == 2


def test_json_values_reads_any_separation():
    values = [v for v, _, _ in json_values('{"a":1}{"a":2}\n\n  {"a":3}\r\n[{"a":4}]')]
    assert values == [{"a": 1}, {"a": 2}, {"a": 3}, [{"a": 4}]]


# ---------------------------------------------------------------- CSV


SN_HEADER = ("number,incident_state,active,sys_mod_count,caller_id,opened_at,sys_updated_at,category,priority,"
             "category,short_description,resolved_at\n")


def test_csv_duplicate_header_is_kept_by_position(tmp_path, con):
    landing = tmp_path / "landing"
    write(landing, "servicenow_incidents/export.csv", SN_HEADER
          + "INC0000045,New,true,0,Caller 2403,29/2/2016 01:16,29/2/2016 01:23,Category 55,2 - Medium,Category 56,"
            "\"printer, call +1 212 555 0147\",?\n"
          + "INC0000045,Resolved,true,1,Caller 2403,29/2/2016 01:16,1/3/2016 09:00,Category 55,2 - Medium,?,,"
            "1/3/2016 09:00\n")
    result = ingest_adapter(con, landing, "servicenow_incidents", KEY)
    assert [(f.status, f.rows) for f in result.files] == [("loaded", 2)]
    got = rows(con, 'select "number", category, category__2, caller_id, short_description, opened_at, _date_order, '
                    '_line, _record from raw.servicenow_incidents order by _line')
    assert got[0] == ("INC0000045", "Category 55", "Category 56", "Caller 2403", "printer, call <num>",
                      "29/2/2016 01:16", "dmy", 2, 2)
    assert got[1][2] == "?" and got[1][7:] == (3, 3)


def test_tab_separated_anonymous_bank_in_its_own_folder_and_the_old_one(tmp_path, con):
    landing = tmp_path / "landing"
    header = ("vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\tq_start\tq_exit"
              "\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver\n")
    line = "AA0101\t34536\t0\t0\tPS\t990201\t7:02:47\t7:02:56\t9\t0:00:00\t0:00:00\t0\tAGENT\t7:02:55\t7:05:41\t166\tDORIT\n"
    write(landing, "anonymous_bank/feb.tsv", header + line)
    write(landing, "calls/anonymous_bank/march.tsv", header + line.replace("34536", "34537"))
    # the old folder (calls/anonymous_bank/, where the retired import mapping read it) is still the adapter's
    assert [p.relative_to(landing).as_posix() for p in adapter_files(landing, "anonymous_bank")] == [
        "anonymous_bank/feb.tsv", "calls/anonymous_bank/march.tsv"]
    result = ingest_adapter(con, landing, "anonymous_bank", KEY)
    assert [(f.file, f.status, f.rows) for f in result.files] == [
        ("anonymous_bank/feb.tsv", "loaded", 1), ("calls/anonymous_bank/march.tsv", "loaded", 1)]
    assert rows(con, 'select "vru+line", call_id, ser_start, _date_order from raw.anonymous_bank order by _load_id') == [
        ("AA0101", "34536", "7:02:55", None), ("AA0101", "34537", "7:02:55", None)]


def test_old_anonymous_bank_folder_is_read_once_contract_files_beside_it_are_not(tmp_path):
    landing = tmp_path / "landing"
    write(landing, "calls/anonymous_bank/march.tsv", "vru+line\tcall_id\nAA\t1\n")
    write(landing, "calls/day1.csv", "call_id\n1\n")
    assert [p.relative_to(landing).as_posix() for p in adapter_files(landing, "anonymous_bank")] == [
        "calls/anonymous_bank/march.tsv"]


def test_settings_file_and_dotfiles_are_not_deliveries(tmp_path, con):
    landing = tmp_path / "landing"
    write(landing, "amazon_connect_ctr/callqa_adapter.yml", "date_order: mdy\n")
    write(landing, "amazon_connect_ctr/.DS_Store", b"\x00\x01")
    write(landing, "amazon_connect_ctr/.partial/x", "{}")
    write(landing, "amazon_connect_ctr/a", json.dumps(ctr("c1")))
    assert [p.name for p in adapter_files(landing, "amazon_connect_ctr")] == ["a"]


# ---------------------------------------------------------------- date order


def sn_file(opened, updated):
    return SN_HEADER + f"INC1,New,true,0,Caller 1,{opened},{updated},c,3 - Low,c,,\n"


def test_ambiguous_dates_are_refused_naming_the_file_and_the_setting_then_pinning_loads_them(tmp_path, con):
    landing = tmp_path / "landing"
    write(landing, "servicenow_incidents/jan.csv", sn_file("3/1/2016 10:00", "4/1/2016 11:00"))
    first = ingest_adapter(con, landing, "servicenow_incidents", KEY)
    (refused,) = first.refused
    assert "servicenow_incidents/jan.csv" in refused.error
    assert "date_order" in refused.error and "servicenow_incidents/callqa_adapter.yml" in refused.error
    assert "'3/1/2016 10:00'" in refused.error
    # same bytes, no setting: refused again, reported once
    again = ingest_adapter(con, landing, "servicenow_incidents", KEY)
    assert [f.status for f in again.files] == ["refused"]
    assert sorted(rows(con, "select status, count(*) from raw._ingest_ledger group by 1")) == [
        ("refused", 1), ("retried", 1)]
    write(landing, "servicenow_incidents/callqa_adapter.yml", "date_order: dmy\n")
    pinned = ingest_adapter(con, landing, "servicenow_incidents", KEY)
    assert [(f.status, f.rows) for f in pinned.files] == [("loaded", 1)]
    assert rows(con, "select _date_order from raw.servicenow_incidents") == [("dmy",)]
    assert sorted(rows(con, "select status, count(*) from raw._ingest_ledger group by 1")) == [
        ("loaded", 1), ("retried", 2)]
    # and now it is loaded: a rerun is a no-op
    assert [f.status for f in ingest_adapter(con, landing, "servicenow_incidents", KEY).files] == ["already_loaded"]


def test_date_order_is_detected_from_a_day_or_a_month_above_12(tmp_path, con):
    landing = tmp_path / "landing"
    write(landing, "servicenow_incidents/a.csv", sn_file("3/1/2016 10:00", "13/1/2016 11:00"))  # day first
    write(landing, "servicenow_incidents/b.csv", sn_file("1/3/2016 10:00", "1/13/2016 11:00"))  # month first
    write(landing, "servicenow_incidents/c.csv", sn_file("29-02-2016 10:00", "01-03-2016 11:00"))  # dashes
    write(landing, "servicenow_incidents/d.csv", sn_file("2016-02-29 10:00:00", "2016-03-01 11:00:00"))  # ISO
    write(landing, "servicenow_incidents/e.csv", sn_file("13/1/2016 10:00", "1/13/2016 11:00"))  # both
    result = ingest_adapter(con, landing, "servicenow_incidents", KEY)
    assert [f.status for f in result.files] == ["loaded"] * 4 + ["refused"]
    assert rows(con, "select _file, _date_order from raw.servicenow_incidents order by 1") == [
        ("servicenow_incidents/a.csv", "dmy"), ("servicenow_incidents/b.csv", "mdy"),
        ("servicenow_incidents/c.csv", "dmy"), ("servicenow_incidents/d.csv", "ymd")]
    assert "day-first" in result.files[4].error and "month-first" in result.files[4].error


def test_a_pinned_order_is_used_and_a_contradicted_or_wrong_one_is_a_clear_error(tmp_path, con):
    landing = tmp_path / "landing"
    write(landing, "servicenow_incidents/callqa_adapter.yml", "date_order: mdy\n")
    write(landing, "servicenow_incidents/a.csv", sn_file("3/1/2016 10:00", "4/1/2016 11:00"))
    write(landing, "servicenow_incidents/b.csv", sn_file("3/1/2016 10:00", "25/1/2016 11:00"))
    result = ingest_adapter(con, landing, "servicenow_incidents", KEY)
    assert [f.status for f in result.files] == ["loaded", "refused"]
    assert rows(con, "select _date_order from raw.servicenow_incidents") == [("mdy",)]
    assert "pins date_order: mdy" in result.files[1].error and "'25/1/2016 11:00'" in result.files[1].error

    write(landing, "servicenow_incidents/callqa_adapter.yml", "date_order: european\n")
    with pytest.raises(ad.AdapterSettingsError, match="date_order must be one of dmy, mdy, ymd"):
        ad.read_settings(landing, "servicenow_incidents")
    write(landing, "servicenow_incidents/callqa_adapter.yml", "dateorder: dmy\n")
    with pytest.raises(ad.AdapterSettingsError, match="unknown setting.*dateorder"):
        ad.read_settings(landing, "servicenow_incidents")
    write(landing, "servicenow_incidents/c.csv", sn_file("13/1/2016 10:00", "14/1/2016 11:00"))
    result = ingest_adapter(con, landing, "servicenow_incidents", KEY)
    assert [(f.file, f.status) for f in result.files if f.status != "already_loaded"] == [
        ("servicenow_incidents/b.csv", "refused"), ("servicenow_incidents/c.csv", "refused")]
    assert all("unknown setting" in f.error for f in result.refused)


# ---------------------------------------------------------------- PII, once-only, counts


def test_phone_numbers_never_reach_the_raw_table(tmp_path, con):
    landing = tmp_path / "landing"
    write(landing, "amazon_connect_ctr/a", "".join(json.dumps(ctr(f"c{i}", **{"Notes": PHONE})) for i in range(2))
          + '{"ContactId": "bad", "CustomerEndpoint": {"Address": "' + PHONE + '"')
    write(landing, "genesys_cloud_conversations/p.json", json.dumps({"conversations": [conversation("g1", [
        {"purpose": "customer", "participantName": f"Jane {PHONE}",
         "sessions": [{"ani": f"tel:{PHONE}", "dnis": "tel:+12125550147", "addressOther": PHONE}]}])]}))
    write(landing, "servicenow_incidents/x.csv", SN_HEADER
          + f"INC1,New,true,0,Caller 1,2016-01-01 10:00,2016-01-01 10:00,c,3 - Low,c,ring {PHONE},\n")
    for name in ("amazon_connect_ctr", "genesys_cloud_conversations", "servicenow_incidents"):
        assert not ingest_adapter(con, landing, name, KEY).refused
        dump = " ".join(str(v) for r in rows(con, f"select * from raw.{name}") for v in r)
        assert not any(d in dump for d in PHONE_DIGITS), name
        assert not any(d in dump.replace("-", "").replace(" ", "") for d in ("2125550147",)), name


def test_rerun_is_a_no_op_and_the_same_bytes_elsewhere_are_a_duplicate(tmp_path, con):
    landing = tmp_path / "landing"
    body = "".join(json.dumps(ctr(f"c{i}")) for i in range(2))
    write(landing, "amazon_connect_ctr/a", body)
    first = ingest_adapter(con, landing, "amazon_connect_ctr", KEY)
    write(landing, "amazon_connect_ctr/copy-of-a", body)
    second = ingest_adapter(con, landing, "amazon_connect_ctr", KEY)
    assert [f.status for f in first.files] == ["loaded"]
    assert [f.status for f in second.files] == ["already_loaded", "duplicate"]
    assert rows(con, "select count(*) from raw.amazon_connect_ctr") == [(2,)]
    assert rows(con, "select source, status from raw._ingest_ledger order by load_id") == [
        ("amazon_connect_ctr", "loaded"), ("amazon_connect_ctr", "duplicate")]


def test_a_file_that_is_not_the_export_is_refused_with_the_missing_columns(tmp_path, con):
    landing = tmp_path / "landing"
    write(landing, "amazon_connect_ctr/a", json.dumps({"Id": "x", "Channel": "VOICE"}))
    write(landing, "amazon_connect_ctr/b", "{not json at all")
    write(landing, "amazon_connect_ctr/c", "")
    result = ingest_adapter(con, landing, "amazon_connect_ctr", KEY)
    assert [f.status for f in result.files] == ["refused", "refused", "empty"]
    assert "ContactId" in result.files[0].error and "every amazon_connect_ctr export has" in result.files[0].error
    assert "no record could be read: invalid JSON" in result.files[1].error
    assert not con.execute("select count(*) from information_schema.tables where table_name = "
                           "'amazon_connect_ctr'").fetchall()[0][0]


def test_raw_rows_equal_the_exploded_count_of_every_record(tmp_path, con):
    landing = tmp_path / "landing"
    conversations = [conversation(f"g{i}", [
        {"purpose": "customer", "sessions": [{"segments": segments(*["interact"] * (i % 3))} for _ in range(i % 2 + 1)]},
        {"purpose": "agent", "sessions": []}]) for i in range(7)]
    write(landing, "genesys_cloud_conversations/a.jsonl", "\n".join(json.dumps(c) for c in conversations))

    def exploded(c):
        return sum(sum(max(1, len(s.get("segments", []))) for s in p["sessions"]) or 1 for p in c["participants"])

    result = ingest_adapter(con, landing, "genesys_cloud_conversations", KEY)
    assert result.files[0].rows == sum(exploded(c) for c in conversations)
    assert rows(con, "select count(*), count(distinct _record), count(distinct _line) from "
                     "raw.genesys_cloud_conversations") == [(result.files[0].rows, 7, result.files[0].rows)]


def test_long_column_names_are_shortened_to_fit_postgresql(tmp_path, con):
    landing = tmp_path / "landing"
    long_key = "a_contact_attribute_whose_name_is_far_longer_than_postgresql_allows_for_identifiers"
    write(landing, "amazon_connect_ctr/a", json.dumps(ctr("c1", Attributes={long_key: "x"})))
    ingest_adapter(con, landing, "amazon_connect_ctr", KEY)
    columns = [c for (c,) in rows(con, "select column_name from information_schema.columns "
                                       "where table_name = 'amazon_connect_ctr'")]
    short = fit_identifier(f"Attributes.{long_key}")
    assert short in columns and len(short.encode()) == 63 and short.startswith("Attributes.a_contact")
    assert all(len(c.encode()) <= 63 for c in columns)
    assert fit_identifier(f"Attributes.{long_key}") == short  # deterministic


# ---------------------------------------------------------------- registry, dbt sources, dry run


def test_the_dbt_sources_declare_exactly_the_registrys_raw_tables():
    doc = yaml.safe_load((DBT_PROJECT_DIR / "models" / "staging" / "adapters" / "_adapters__sources.yml").read_text())
    (source,) = doc["sources"]
    assert source["name"] == "adapters" and source["schema"] == "raw"
    assert source["config"]["loaded_at_field"] == "_loaded_at"
    assert [t["name"] for t in source["tables"]] == list(ADAPTERS)


def test_every_adapter_declares_what_it_needs():
    from dagster_project.lib.contract import load_contract

    contract = load_contract()
    for spec in ADAPTERS.values():
        assert spec.required and spec.feeds and spec.export and spec.references, spec.name
        assert set(spec.feeds) <= set(contract), spec.name
        assert spec.format in ("csv", "json")
        assert all(spec.is_named(c) for c in spec.required)


def test_dry_run_reports_recognition_fields_dates_and_malformed_rows_without_a_warehouse(tmp_path):
    folder = tmp_path / "exports"
    write(folder, "amazon_connect_ctr/a", json.dumps(ctr("c1", agent=False)) + "{broken")
    write(folder, "servicenow_incidents/x.csv", sn_file("3/1/2016 10:00", "4/1/2016 11:00"))
    reports = {r["adapter"]: r for r in ad.dry_run(folder)}
    ctr_report = reports["amazon_connect_ctr"]
    assert ctr_report["recognised"] and ctr_report["records"] == 2 and ctr_report["malformed"] == 1
    assert "Agent.ConnectedToAgentTimestamp" in ctr_report["missing_documented"]
    assert ctr_report["date_order"] == "ymd"
    sn = reports["servicenow_incidents"]
    assert sn["recognised"] and sn["date_order"] is None and "callqa_adapter.yml" in sn["date_problem"]
    text = ad.format_dry_run(ad.dry_run(folder))
    assert "would be refused" in text and "unless --no-mapping" in text
    # a loose file in a folder of another name: recognised by its columns
    write(tmp_path / "loose", "dump.json", json.dumps({"tickets": [{"id": 1, "created_at": "2024-01-01T00:00:00Z",
                                                                   "updated_at": "2024-01-01T00:00:00Z",
                                                                   "status": "open"}]}))
    (loose,) = ad.dry_run(tmp_path / "loose")
    assert loose["recognised"] and loose["adapter"] == "zendesk_tickets"
    assert not (tmp_path / "w.duckdb").exists()


def test_a_landing_folder_holding_only_adapter_folders_has_files(tmp_path):
    from dagster_project.lib.preflight import PreflightError, check_landing

    landing = tmp_path / "landing"
    landing.mkdir()
    with pytest.raises(PreflightError, match="adapter folders"):
        check_landing(landing)
    write(landing, "zendesk_tickets/page-1", "{}")
    assert check_landing(landing)["zendesk_tickets"] == 1


def test_callqa_adapters_lists_and_dry_runs(tmp_path):
    from typer.testing import CliRunner

    from dagster_project.cli import app

    listed = CliRunner().invoke(app, ["adapters"])
    assert listed.exit_code == 0
    for spec in ADAPTERS.values():
        assert f"<landing>/{spec.folder}/" in listed.output
    write(tmp_path / "x" / "servicenow_incidents", "a.csv", sn_file("3/1/2016 10:00", "4/1/2016 11:00"))
    dry = CliRunner().invoke(app, ["adapters", "--dry-run", str(tmp_path / "x"), "--adapter", "servicenow_incidents"])
    assert dry.exit_code == 0, dry.output
    assert "servicenow_incidents" in dry.output and "date_order" in dry.output
    bad = CliRunner().invoke(app, ["adapters", "--dry-run", str(tmp_path / "x"), "--adapter", "nope"])
    assert bad.exit_code == 1 and "no adapter 'nope'" in bad.output
