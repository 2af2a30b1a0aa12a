"""Contact-center adapters end to end on DuckDB: the sample exports in tests/fixtures/adapters (Amazon Connect CTRs as
Firehose writes them and as JSON lines, a Genesys Cloud conversation-details API page) ingested by ingest_adapter into
raw.<adapter>, then the adapter models (and their dbt unit tests) built; asserted: the contacts callqa counts (transfer
legs folded into the initial contact, abandons, self-service, callbacks, digital channels), the rejects with their
reasons, every raw row accounted for exactly once (sum of _raw_rows), and no phone number anywhere in the models.
Then through the landing boundary: the mapped rows staged in stg_landing__calls / stg_landing__digital_contacts,
rejected in audit.rejected_rows with their adapter, and audit.layer_reconciliation reconciled per adapter."""
from __future__ import annotations

import re
import shutil

import duckdb
import pytest

from dbt_helpers import REPO_ROOT, create_raw_layer, dbt_env, failures, run_dbt

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "adapters"
MODELS = [
    "base_amazon_connect_ctr__calls",
    "base_amazon_connect_ctr__digital_contacts",
    "base_genesys_cloud_conversations__calls",
    "base_genesys_cloud_conversations__digital_contacts",
]
KEY = b"contacts-adapter-test-key-0123456789"

def boundary(test):  # kept as a marker name: every test here runs through the landing boundary
    return test


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from dagster_project.lib.adapters import ingest_adapter

    work = tmp_path_factory.mktemp("contacts_adapters")
    landing = work / "landing"
    shutil.copytree(FIXTURES, landing)
    warehouse = work / "warehouse.duckdb"
    create_raw_layer(warehouse, {})  # the contract sources, empty: only the adapters deliver here
    con = duckdb.connect(str(warehouse))
    try:
        loads = {name: ingest_adapter(con, landing, name, KEY) for name in ("amazon_connect_ctr", "genesys_cloud_conversations")}
        raw_rows = {
            name: con.execute(f'select count(*) from raw."{name}"').fetchall()[0][0]
            for name in ("amazon_connect_ctr", "genesys_cloud_conversations")
        }
    finally:
        con.close()
    with dbt_env(warehouse, "UTC"):
        result = run_dbt(["build", "--select", "staging", "audit", "+stg_survey_question_catalogue"], work)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = {}
        for model in MODELS:
            cur = con.execute(f"select * from staging.{model}")
            names = [d[0] for d in cur.description]
            rows[model] = [dict(zip(names, r)) for r in cur.fetchall()]
        for relation in ("staging.stg_landing__calls", "staging.stg_landing__digital_contacts",
                         "audit.rejected_rows", "audit.layer_reconciliation"):
            cur = con.execute(f"select * from {relation}")
            names = [d[0] for d in cur.description]
            rows[relation] = [dict(zip(names, r)) for r in cur.fetchall()]
    finally:
        con.close()
    return {"result": result, "loads": loads, "raw_rows": raw_rows, "rows": rows}


def by_id(rows, key):
    return {r[key]: r for r in rows if r["_not_mapped"] is None and r["_malformed"] is None}


@boundary
def test_ingestion_reads_firehose_jsonl_and_api_page(built):
    files = {f.file.rsplit("/", 1)[-1]: f for load in built["loads"].values() for f in load.files}
    assert {f.status for f in files.values()} == {"loaded"}, files
    assert built["raw_rows"] == {"amazon_connect_ctr": 19, "genesys_cloud_conversations": 30}


@boundary
def test_models_and_unit_tests_pass(built):
    assert not failures(built["result"]), failures(built["result"])
    ran = {r.node.unique_id for r in built["result"].result.results}
    assert sum(1 for u in ran if u.startswith("unit_test.callqa.")) >= 3, ran


@boundary
def test_every_raw_row_is_accounted_for_once(built):
    for adapter in ("amazon_connect_ctr", "genesys_cloud_conversations"):
        mapped = sum(r["_raw_rows"] for model in MODELS if adapter in model for r in built["rows"][model])
        assert mapped == built["raw_rows"][adapter], adapter
    for model in MODELS:
        identities = [(r["_load_id"], r["_line"]) for r in built["rows"][model]]
        assert len(identities) == len(set(identities)), model


@boundary
def test_connect_calls(built):
    calls = by_id(built["rows"]["base_amazon_connect_ctr__calls"], "call_id")
    a1 = calls["a1000000-0000-4000-8000-000000000001"]  # + TRANSFER leg, MONITOR leg, re-delivered copy
    assert (a1["outcome"], a1["transfer_count"], a1["talk_seconds"], a1["hold_seconds"], a1["wrap_seconds"]) == (
        "answered", "1", "350", "20", "90")
    assert (a1["queue"], a1["agent_id"], a1["reason_code"], a1["_raw_rows"]) == ("Billing", "agent.ana", "billing_dispute", 4)
    assert (a1["queued_at"], a1["answered_at"], a1["ended_at"]) == (
        "2026-03-02 09:00:30+00:00", "2026-03-02 09:01:00+00:00", "2026-03-02 09:07:30+00:00")
    assert "a1000000-0000-4000-8000-0000000000t1" not in calls  # the transfer leg is not a call
    a5 = calls["a5000000-0000-4000-8000-000000000005"]  # QUEUE_TRANSFER before the answer: not a transfer
    assert (a5["queue"], a5["transfer_count"], a5["answered_at"], a5["_raw_rows"]) == ("Overflow", "0", "2026-03-02 10:03:00+00:00", 2)
    outcomes = {k[:2]: (v["direction"], v["outcome"]) for k, v in calls.items()}
    assert outcomes == {
        "a1": ("inbound", "answered"), "a2": ("inbound", "abandoned"), "a3": ("inbound", "self_served"),
        "a4": ("inbound", "abandoned"), "a5": ("inbound", "answered"), "a6": ("inbound", "abandoned"),
        "cb": ("outbound", "answered"), "o1": ("outbound", "answered"),
    }
    assert calls["cb600000-0000-4000-8000-000000000006"]["callback_for_call_id"] == "a6000000-0000-4000-8000-000000000006"
    assert calls["a4000000-0000-4000-8000-000000000004"]["queued_at"] is None  # hung up in the IVR: never offered
    assert all(re.fullmatch("[0-9a-f]{64}", c["caller_number"]) for c in calls.values())


@boundary
def test_connect_digital_contacts(built):
    digital = by_id(built["rows"]["base_amazon_connect_ctr__digital_contacts"], "contact_id")
    got = {k[:2]: (v["channel"], v["outcome"], v["bot_handled"], v["escalated_to_agent"]) for k, v in digital.items()}
    assert got == {
        "c1": ("chat", "handled", "true", "true"), "c2": ("chat", "resolved_by_bot", "true", "false"),
        "c3": ("chat", "abandoned", "false", "false"), "k1": ("app", "handled", "false", "false"),
        "e1": ("email", "handled", "false", "false"),
    }
    c1 = digital["c1000000-0000-4000-8000-000000000021"]
    assert (c1["first_response_at"], c1["ended_at"], c1["customer_id"], c1["_raw_rows"]) == (
        "2026-03-02 12:01:20+00:00", "2026-03-02 12:12:00+00:00", "CUST-7", 2)


@boundary
def test_genesys_calls_and_chat(built):
    calls = by_id(built["rows"]["base_genesys_cloud_conversations__calls"], "call_id")
    g1 = calls["9f1e0001-0000-4000-8000-000000000001"]
    assert (g1["outcome"], g1["transfer_count"], g1["talk_seconds"], g1["hold_seconds"], g1["wrap_seconds"], g1["_raw_rows"]) == (
        "answered", "1", "420.000", "30.000", "70.000", 12)
    assert (g1["queue"], g1["agent_id"], g1["ivr_ended_at"], g1["queued_at"], g1["answered_at"]) == (
        "Billing", "u-ana", "2026-03-02 08:00:40+00:00", "2026-03-02 08:00:40+00:00", "2026-03-02 08:01:10+00:00")
    assert calls["9f1e0002-0000-4000-8000-000000000002"]["outcome"] == "abandoned"
    assert (calls["9f1e0005-0000-4000-8000-000000000005"]["direction"], calls["9f1e0005-0000-4000-8000-000000000005"]["outcome"]) == (
        "outbound", "answered")
    assert calls["9f1e0006-0000-4000-8000-000000000006"]["outcome"] == "answered"
    chat = by_id(built["rows"]["base_genesys_cloud_conversations__digital_contacts"], "contact_id")
    g3 = chat["9f1e0003-0000-4000-8000-000000000003"]
    assert (g3["channel"], g3["outcome"], g3["bot_handled"], g3["escalated_to_agent"], g3["agent_id"]) == (
        "chat", "handled", "true", "true", "u-cy")


@boundary
def test_rejects_carry_their_reason(built):
    rejects = sorted(
        r["_not_mapped"] for model in MODELS for r in built["rows"][model] if r["_not_mapped"] is not None
    )
    assert rejects == [
        "a TRANSFER record of contact x9000000-0000-4000-8000-00000000000x whose own record was not delivered",
        "participant p-cust-4 (customer) has a session without segments: nothing to map",
        "participant p-user-6 (user) has no session: nothing to map",
    ]


@boundary
def test_no_phone_number_in_the_models(built):
    """Every phone number delivered in the sample exports (E.164 or tel: URIs) is absent from every model row."""
    delivered = {
        m.group(1)
        for f in FIXTURES.rglob("*") if f.is_file()
        for m in re.finditer(r"\+(\d{10,15})", f.read_text(encoding="utf-8"))
    }
    assert len(delivered) >= 8, delivered
    for model in MODELS:
        for row in built["rows"][model]:
            text = " ".join(str(v) for v in row.values() if v is not None)
            assert not [n for n in delivered if n in text], (model, row)


def test_through_the_boundary_staged_rejected_and_reconciled(built):
    """The adapter rows are staged or rejected by the same contract rules as delivered files, with their adapter."""
    rows = built["rows"]
    for source, models in (("calls", MODELS[0::2]), ("digital_contacts", MODELS[1::2])):
        mapped = [r for m in models for r in rows[m]]
        staged = rows[f"staging.stg_landing__{source}"]
        rejected = [r for r in rows["audit.rejected_rows"] if r["source"] == source]
        assert len(staged) + len(rejected) == len(mapped), source
        assert {r["_adapter"] for r in staged} <= {"amazon_connect_ctr", "genesys_cloud_conversations"}
        not_mapped = sorted(r["detail"] for r in rejected if r["reason"] == "not_mapped")
        assert not_mapped == sorted(r["_not_mapped"] for r in mapped if r["_not_mapped"] is not None), source
    reconciliation = {r["source"]: r for r in rows["audit.layer_reconciliation"]}
    assert all(r["is_reconciled"] for r in reconciliation.values()), reconciliation
    for adapter in ("amazon_connect_ctr", "genesys_cloud_conversations"):
        r = reconciliation[adapter]
        assert r["kind"] == "adapter" and r["raw_rows"] == built["raw_rows"][adapter] > 0, r
        assert r["staged_rows"] + r["rejected_rows"] + r["history_rows"] == r["raw_rows"], r
    assert reconciliation["calls"]["adapter_rows"] == len([r for m in MODELS[0::2] for r in rows[m]])
