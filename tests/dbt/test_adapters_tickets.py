"""Ticketing adapters (issue 13): a ServiceNow incident audit export and the Zendesk incremental ticket export +
ticket audits, mapped by the dbt adapter models (models/staging/adapters/) into tickets, ticket_events and surveys,
through the landing boundary (base_landing__<source>: staged / rejected / history) to fct_tickets.

The exports are the sample files under tests/fixtures/adapters/ (built from the vendors' documented record formats;
tests/fixtures/adapters/README.md says what each case is), loaded by the real ingestion (ingest_adapter), then built.

Zone UTC: every local ServiceNow time reads as that instant.
"""
from __future__ import annotations

from datetime import datetime, timezone

import duckdb
import pytest

from dbt_helpers import REPO_ROOT, create_raw_layer, dbt_env, failures, run_dbt

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "adapters"
TZ = "UTC"
UTC = timezone.utc
ADAPTERS = ("servicenow_incidents", "zendesk_tickets", "zendesk_ticket_audits")
PII_KEY = b"test-only-secret"

SELECT = ("+fct_tickets +stg_landing__surveys +rejected_rows +layer_reconciliation "
          "base_servicenow_incidents__tickets base_servicenow_incidents__ticket_events "
          "base_zendesk_tickets__tickets base_zendesk_tickets__surveys base_zendesk_ticket_audits__ticket_events")


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    """The fixture folders dropped into a landing folder, loaded by the real ingestion (lib/adapters.py
    ingest_adapter: readers, flattening, date order, PII) into a fresh warehouse, then the dbt build."""
    import shutil

    from dagster_project.lib.adapters import ingest_adapter

    work = tmp_path_factory.mktemp("adapters_tickets")
    landing = work / "landing"
    for adapter in ADAPTERS:
        shutil.copytree(FIXTURES / adapter, landing / adapter, ignore=shutil.ignore_patterns("README.md"))
    warehouse = work / "warehouse" / "callqa.duckdb"
    create_raw_layer(warehouse, {})
    con = duckdb.connect(str(warehouse))
    try:
        loads = {a: ingest_adapter(con, landing, a, PII_KEY) for a in ADAPTERS}
    finally:
        con.close()
    with dbt_env(warehouse, TZ):
        result = run_dbt(["build", "--select", *SELECT.split()], work)
    assert result.success, failures(result)
    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    yield con, loads
    con.close()


@pytest.fixture(scope="module")
def built(ingested):
    """The built warehouse and the raw rows each adapter delivered."""
    con, loads = ingested
    return con, {a: sum(f.rows for f in load.files) for a, load in loads.items()}


def _rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def _dicts(con, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor.fetchall()]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# ---- ServiceNow --------------------------------------------------------------------------------------------
def test_servicenow_current_state_is_the_latest_update(built):
    con, _ = built
    tickets = {r["ticket_id"]: r for r in _dicts(con, """
        select * from staging.stg_landing__tickets where ticket_id like 'INC%'""")}
    assert set(tickets) == {"INC0000045", "INC0000047", "INC0000050", "INC0000060",
                            "INC0010001", "INC0010002", "INC0010003"}
    t45 = tickets["INC0000045"]
    # display values: `Caller 2403` -> 2403, `3 - Moderate` -> normal; day-first 29/2/2016 and 5/3/2016
    assert (t45["status"], t45["priority"], t45["customer_id"], t45["channel"]) == ("closed", "normal", "2403", "phone")
    assert (t45["created_at"], t45["solved_at"], t45["closed_at"]) == (
        _at("2016-02-29 01:16"), _at("2016-02-29 11:29"), _at("2016-03-05 12:00"))
    assert (t45["assignee_group"], t45["reason_code"]) == ("Group 70", "Category 55")
    # delivered out of order: the latest sys_mod_count wins, not the last line
    assert (tickets["INC0000047"]["status"], tickets["INC0000047"]["priority"]) == ("solved", "high")
    # `?` for empty: no caller; the first `category` empty -> the duplicated header's second column
    t50 = tickets["INC0000050"]
    assert (t50["customer_id"], t50["reason_code"], t50["channel"], t50["priority"]) == (
        None, "Category 9", "self_service", "low")
    # bare values, month-first with seconds: 5 Planning -> low; 8 Canceled -> closed
    t1 = tickets["INC0010001"]
    assert (t1["status"], t1["priority"], t1["created_at"], t1["closed_at"]) == (
        "closed", "low", _at("2026-03-14 08:00"), _at("2026-03-22 10:00"))
    assert (tickets["INC0010002"]["status"], tickets["INC0010002"]["priority"]) == ("closed", "high")
    # an unknown state in the latest update: that update is rejected, the last valid one is the current state
    assert tickets["INC0000060"]["status"] == "open"
    assert tickets["INC0010003"]["status"] == "new"


def test_servicenow_superseded_updates_are_history_and_unknown_states_rejected(built):
    con, raw_counts = built
    fates = dict(_rows(con, """
        select _fate, count(*) from staging.base_landing__tickets
        where _adapter = 'servicenow_incidents' group by _fate"""))
    assert fates == {"staged": 7, "rejected": 2, "history": raw_counts["servicenow_incidents"] - 9}
    rejects = _rows(con, """
        select file, line, reason, detail from audit.rejected_rows
        where adapter = 'servicenow_incidents' and source = 'tickets' order by file, line""")
    assert [(f, l, r) for f, l, r, _ in rejects] == [
        ("servicenow_incidents/incident_api_export.csv", 10, "not_mapped"),
        ("servicenow_incidents/incident_event_log.csv", 18, "not_mapped"),
    ]
    assert "incident_state 9 " in rejects[0][3] and "incident_state -100 " in rejects[1][3]


def test_servicenow_status_history_reopen_and_changes(built):
    con, _ = built
    events = _rows(con, """
        select ticket_id, event_type, from_value, to_value, event_at, actor_id
        from staging.stg_landing__ticket_events where ticket_id in ('INC0000047', 'INC0000045', 'INC0000050')
        order by ticket_id, event_at, event_type""")
    assert events == [
        ("INC0000045", "created", None, "new", _at("2016-02-29 01:16"), "8"),
        ("INC0000045", "assignment", "Group 56", "Group 70", _at("2016-02-29 01:25"), "21"),
        ("INC0000045", "status_change", "new", "open", _at("2016-02-29 04:57"), "21"),
        ("INC0000045", "status_change", "open", "solved", _at("2016-02-29 11:29"), "21"),
        ("INC0000045", "status_change", "solved", "closed", _at("2016-03-05 12:00"), "21"),
        ("INC0000047", "created", None, "new", _at("2016-03-13 10:00"), "8"),
        ("INC0000047", "priority_change", "normal", "high", _at("2016-03-13 10:30"), "21"),
        ("INC0000047", "status_change", "new", "open", _at("2016-03-13 10:30"), "21"),
        ("INC0000047", "status_change", "open", "solved", _at("2016-03-14 09:00"), "21"),
        ("INC0000047", "status_change", "solved", "open", _at("2016-03-15 08:00"), "21"),
        ("INC0000047", "status_change", "open", "solved", _at("2016-03-15 16:00"), "21"),
        ("INC0000050", "created", None, "new", _at("2016-03-20 09:00"), "8"),
        ("INC0000050", "status_change", "new", "pending", _at("2016-03-20 10:00"), "21"),
        ("INC0000050", "status_change", "pending", "hold", _at("2016-03-21 10:00"), "21"),
        ("INC0000050", "status_change", "hold", "solved", _at("2016-03-22 10:00"), "21"),
    ]
    # the unknown state gives no event: new -> open and nothing after
    assert _rows(con, """
        select event_type, to_value from staging.stg_landing__ticket_events
        where ticket_id = 'INC0000060' order by event_at""") == [("created", "new"), ("status_change", "open")]
    tickets = {r[0]: r[1:] for r in _rows(con, """
        select ticket_id, solve_count, reopen_count, priority_at_creation
        from marts.fct_tickets where ticket_id in ('INC0000047', 'INC0000045')""")}
    assert tickets == {"INC0000047": (2, 1, "normal"), "INC0000045": (1, 0, "normal")}


# ---- Zendesk -----------------------------------------------------------------------------------------------
def test_zendesk_tickets_latest_version_deleted_rejected(built):
    con, raw_counts = built
    tickets = {r["ticket_id"]: r for r in _dicts(con, """
        select * from staging.stg_landing__tickets where ticket_id not like 'INC%'""")}
    assert set(tickets) == {"101", "102", "103", "105"}
    # ticket 102: three exported versions, the latest (pending) wins; no priority -> normal; via.channel
    assert (tickets["102"]["status"], tickets["102"]["priority"], tickets["102"]["channel"],
            tickets["102"]["customer_id"], tickets["102"]["assignee_group"]) == ("pending", "normal", "web", "9002", "360001")
    assert (tickets["103"]["status"], tickets["103"]["priority"], tickets["103"]["channel"]) == ("closed", "urgent", "voice")
    assert tickets["101"]["created_at"] == _at("2026-03-02 09:00")
    fates = dict(_rows(con, """
        select _fate, count(*) from staging.base_landing__tickets
        where _adapter = 'zendesk_tickets' group by _fate"""))
    assert fates == {"staged": 4, "rejected": 1, "history": 2}
    assert sum(fates.values()) == raw_counts["zendesk_tickets"]
    (reason, detail), = _rows(con, """
        select reason, detail from audit.rejected_rows where adapter = 'zendesk_tickets'""")
    assert reason == "not_mapped" and "deleted" in detail


def test_zendesk_satisfaction_ratings_become_surveys(built):
    con, _ = built
    surveys = _rows(con, """
        select survey_id, ticket_id, customer_id, responded_at, csat, comment
        from staging.stg_landing__surveys order by survey_id""")
    assert [s[:5] for s in surveys] == [
        ("5001", "101", "9001", _at("2026-03-03 15:10"), 5),
        ("5003", "103", "9003", _at("2026-03-06 12:00"), 1),
    ]
    # offered / unoffered ratings are no responses; the comment's phone number is masked
    assert "555 0123" not in surveys[0][5] and "Great help" in surveys[0][5]


def test_zendesk_audits_status_history_and_first_response(built):
    con, _ = built
    events = _rows(con, """
        select event_id, event_type, from_value, to_value, actor_id, is_public
        from staging.stg_landing__ticket_events where ticket_id = '103' order by event_at, event_id""")
    assert events == [
        ("30101", "created", None, "open", "9003", None),
        ("30103", "assignment", None, "360002", "9003", None),
        ("30111", "comment", None, None, "7002", False),
        ("30121", "priority_change", "normal", "urgent", "7002", None),
        ("30122", "comment", None, None, "7002", True),
        ("30131", "status_change", "open", "solved", "7002", None),
        ("30141", "status_change", "solved", "open", "9003", None),
        ("30142", "comment", None, None, "9003", True),
        ("30151", "status_change", "open", "solved", "7002", None),
        ("30152", "assignment", "360002", "360003", "7002", None),
        ("30161", "status_change", "solved", "closed", "system", None),
    ]
    fct = {r[0]: r[1:] for r in _rows(con, """
        select ticket_id, reopen_count, priority_at_creation, first_response_minutes, first_solved_at
        from marts.fct_tickets where ticket_id in ('101', '103')""")}
    assert fct["103"][:2] == (1, "normal")
    # ticket 101: the requester's own comment at creation is no response; the agent's public reply 40 min later is
    assert fct["101"][2] == 40
    assert fct["101"][3] == _at("2026-03-03 15:00")


def test_zendesk_audit_of_a_ticket_never_exported_is_rejected_and_every_raw_row_counted(built):
    con, raw_counts = built
    rejects = _rows(con, """
        select reason, detail from audit.rejected_rows where adapter = 'zendesk_ticket_audits'""")
    assert len(rejects) == 2 and all(r == "not_mapped" and "ticket 999 " in d for r, d in rejects)
    # every raw audit event is accounted for: ticket events, the events riding on them, and the rejects
    accounted = _rows(con, """
        select _fate, sum(_raw_rows) from staging.base_landing__ticket_events
        where _adapter = 'zendesk_ticket_audits' group by _fate order by _fate""")
    assert accounted == [("rejected", 2), ("staged", raw_counts["zendesk_ticket_audits"] - 2)]


def test_reconciliation_accounts_for_every_adapter_row(built):
    con, raw_counts = built
    rows = {r["source"]: r for r in _dicts(con, "select * from audit.layer_reconciliation")}
    for adapter in ADAPTERS:
        row = rows[adapter]
        assert row["raw_rows"] == raw_counts[adapter]
        assert row["raw_rows"] == row["staged_rows"] + row["rejected_rows"] + row["history_rows"], row
    assert all(r["is_reconciled"] for r in rows.values()), [r for r in rows.values() if not r["is_reconciled"]]


# ---- end to end: what ingestion loaded, through dbt --------------------------------------------------------


def test_end_to_end_ingested_exports_reach_tickets_events_and_surveys(ingested):
    con, loads = ingested
    statuses = {f.file: f.status for load in loads.values() for f in load.files}
    assert statuses["servicenow_incidents/incident_event_log.csv"] == "loaded"
    assert {s for f, s in statuses.items() if f.startswith("zendesk")} == {"loaded"}
    tickets = dict(_rows(con, "select ticket_id, status from staging.stg_landing__tickets"))
    assert {k: v for k, v in tickets.items() if k.startswith("INC00000")} == {
        "INC0000045": "closed", "INC0000047": "solved", "INC0000050": "solved", "INC0000060": "open"}
    assert {k: v for k, v in tickets.items() if not k.startswith("INC")} == {
        "101": "solved", "102": "pending", "103": "closed", "105": "open"}
    fct = {r[0]: r[1:] for r in _rows(con, """
        select ticket_id, reopen_count, first_response_minutes from marts.fct_tickets
        where ticket_id in ('INC0000047', '101', '103')""")}
    assert fct == {"INC0000047": (1, None), "101": (0, 40), "103": (1, 60)}
    # ratings: csat 5 / 1; the comment's phone number never reaches staging (masked at ingestion already)
    surveys = _rows(con, "select survey_id, csat, comment from staging.stg_landing__surveys order by survey_id")
    assert [s[:2] for s in surveys] == [("5001", 5), ("5003", 1)]
    assert "415" not in surveys[0][2]
    reasons = _rows(con, """
        select adapter, source, reason, count(*) from audit.rejected_rows
        where adapter is not null and file <> 'servicenow_incidents/incident_api_export.csv'
        group by adapter, source, reason order by adapter, source""")
    assert reasons == [
        ("servicenow_incidents", "tickets", "not_mapped", 1),
        ("zendesk_ticket_audits", "ticket_events", "not_mapped", 2),
        ("zendesk_tickets", "tickets", "not_mapped", 1),
    ]
    reconciliation = {r["source"]: r for r in _dicts(con, "select * from audit.layer_reconciliation")}
    for adapter in ADAPTERS:
        delivered = sum(f.rows for f in loads[adapter].files)
        row = reconciliation[adapter]
        assert row["raw_rows"] == delivered and row["is_reconciled"], row
    assert all(r["is_reconciled"] for r in reconciliation.values())


def test_end_to_end_servicenow_table_export_with_sys_updated_on_is_loaded(ingested):
    _, loads = ingested
    statuses = {f.file: f.status for f in loads["servicenow_incidents"].files}
    assert statuses["servicenow_incidents/incident_api_export.csv"] == "loaded"
