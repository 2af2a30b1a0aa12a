"""The landing boundary's fates for an event-shaped export, computed by hand, and a reconciliation that fails when
staging loses a row (a check that could not fail would prove nothing).

One ServiceNow incident, INC1, delivered as three updates (sys_mod_count 0, 1, 2) in a first file, then update 2
delivered again in a second file (the same version re-exported):
  - update 2 of the second file (load 2): the latest version, delivered last          -> staged
  - update 2 of the first file (load 1): the same version, superseded by a re-delivery -> rejected,
    duplicate_superseded (counted apart from errors, as a contract file's re-delivery)
  - updates 0 and 1 (load 1): earlier versions of the record                           -> history (not rejects)
So base_landing__tickets holds 4 adapter rows: 1 staged + 1 rejected + 2 history, and the adapter's reconciliation
row says raw 4 = 1 + 1 + 2."""
from __future__ import annotations

import duckdb
import pytest

from dbt_helpers import create_raw_layer, dbt_env, failures, run_dbt

HEADER = "number,incident_state,sys_mod_count,sys_updated_at,opened_at,priority,contact_type,caller_id\n"
UPDATES = {
    0: "INC1,New,0,2016-03-01 09:05:00,2016-03-01 09:00:00,3 - Moderate,Phone,Caller 7\n",
    1: "INC1,Active,1,2016-03-01 10:00:00,2016-03-01 09:00:00,3 - Moderate,Phone,Caller 7\n",
    2: "INC1,Resolved,2,2016-03-01 11:00:00,2016-03-01 09:00:00,3 - Moderate,Phone,Caller 7\n",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from dagster_project.lib.adapters import ingest_adapter

    work = tmp_path_factory.mktemp("landing_boundary")
    landing = work / "landing" / "servicenow_incidents"
    landing.mkdir(parents=True)
    (landing / "a_updates.csv").write_text(HEADER + UPDATES[0] + UPDATES[1] + UPDATES[2])
    (landing / "b_reexport.csv").write_text(HEADER + UPDATES[2])
    warehouse = work / "callqa.duckdb"
    create_raw_layer(warehouse, {})
    con = duckdb.connect(str(warehouse))
    try:
        loads = ingest_adapter(con, work / "landing", "servicenow_incidents", b"boundary-test-key")
    finally:
        con.close()
    assert [f.status for f in loads.files] == ["loaded", "loaded"]
    with dbt_env(warehouse, "UTC"):
        # build (models and seeds: survey answers are checked against the survey_questions seed), no tests
        result = run_dbt(["build", "--select", "+layer_reconciliation", "--exclude-resource-type", "test", "unit_test"],
                         work)
    assert result.success, failures(result)
    return warehouse, work


def _rows(warehouse, sql):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_versions_are_history_and_a_reexported_version_is_a_superseded_duplicate(built):
    warehouse, _ = built
    fates = _rows(warehouse, """
        select _file, _line, _fate, _reject_reason
        from staging.base_landing__tickets where _adapter = 'servicenow_incidents' order by _load_id, _line""")
    assert fates == [
        ("servicenow_incidents/a_updates.csv", 2, "history", None),
        ("servicenow_incidents/a_updates.csv", 3, "history", None),
        ("servicenow_incidents/a_updates.csv", 4, "rejected", "duplicate_superseded"),
        ("servicenow_incidents/b_reexport.csv", 2, "staged", None),
    ]
    assert _rows(warehouse, "select ticket_id, status from staging.stg_landing__tickets") == [("INC1", "solved")]
    reconciliation = _rows(warehouse, """
        select raw_rows, staged_rows, rejected_rows, history_rows, is_reconciled
        from audit.layer_reconciliation where source = 'servicenow_incidents'""")
    assert reconciliation == [(4, 1, 1, 2, True)]


def test_reconciliation_fails_when_staging_loses_a_row(built):
    warehouse, work = built
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("delete from staging.stg_landing__tickets")  # the staged row disappears downstream
    finally:
        con.close()
    with dbt_env(warehouse, "UTC"):
        # counted by load (layer_reconciliation_loads; an adapter's loads are recounted every build), then summed
        result = run_dbt(["run", "--select", "layer_reconciliation_loads", "layer_reconciliation"], work)
    assert result.success, failures(result)
    row = _rows(warehouse, """
        select staged_rows, rows_neither_staged_nor_rejected, is_reconciled
        from audit.layer_reconciliation where source = 'tickets'""")
    assert row == [(0, 1, False)]
