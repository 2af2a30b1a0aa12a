"""The adapter models (Amazon Connect, Genesys Cloud, ServiceNow incidents, Zendesk tickets and audits) on PostgreSQL:
the sample exports
of tests/fixtures/adapters/ ingested once (DuckDB raw layer), the raw layer copied to a database of this test's own,
dbt builds the adapter models, the landing boundary and fct_tickets on both targets (and the adapter models' unit
tests on PostgreSQL: their SQL inputs run there too), and the results are compared row for row: staged tickets, events and surveys,
every row's fate and reject reason (base_landing__*), the staged calls and digital contacts, fct_tickets, the
rejects and the layer reconciliation. Skipped without a server, unless CALLQA_REQUIRE_POSTGRES=1."""
import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.lib.dbt_inprocess import temporary_env
from tests.dbt.dbt_helpers import create_raw_layer, dbt_env, failures, run_dbt
from tests.postgres.pg_helpers import postgres_env, rows_on_both, scratch_database, server

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "adapters"
ADAPTERS = ("amazon_connect_ctr", "genesys_cloud_conversations", "servicenow_incidents", "zendesk_tickets",
            "zendesk_ticket_audits")
TZ = "Europe/Lisbon"  # local ServiceNow times read in a zone with an offset (+01:00 in summer 2016)
# Staging and audit of every source (the landing boundary), and fct_tickets; cautious: no test of a model outside
# the selection.
SELECT = ["+fct_tickets", "+layer_reconciliation", "+rejected_rows", "--indirect-selection", "cautious"]
MODELS = ["base_servicenow_incidents__tickets", "base_servicenow_incidents__ticket_events", "base_zendesk_tickets__tickets",
          "base_zendesk_tickets__surveys", "base_zendesk_ticket_audits__ticket_events",
          "base_amazon_connect_ctr__calls", "base_amazon_connect_ctr__digital_contacts",
          "base_genesys_cloud_conversations__calls", "base_genesys_cloud_conversations__digital_contacts"]
COMPARED = {
    "staging.stg_landing__tickets": "ticket_id, customer_id, created_at, channel, priority, reason_code, status, "
                                    "assignee_group, solved_at, closed_at",
    "staging.stg_landing__ticket_events": "event_id, ticket_id, event_at, event_type, from_value, to_value, "
                                          "actor_id, is_public",
    "staging.stg_landing__surveys": "survey_id, ticket_id, customer_id, responded_at, csat, comment",
    "staging.base_landing__tickets": "_adapter, _file, _line, _record_key, _fate, _reject_reason, _reject_detail, "
                                     "_raw_rows",
    "staging.base_landing__ticket_events": "_adapter, _file, _line, _record_key, _fate, _reject_reason, "
                                           "_reject_detail, _raw_rows",
    "staging.stg_landing__calls": "call_id, customer_id, caller_number_hash, direction, queue, arrived_at, "
                                  "ivr_ended_at, queued_at, answered_at, ended_at, outcome, agent_id, talk_seconds, "
                                  "hold_seconds, wrap_seconds, transfer_count, callback_for_call_id, _adapter",
    "staging.stg_landing__digital_contacts": "contact_id, customer_id, channel, started_at, first_response_at, "
                                             "ended_at, bot_handled, escalated_to_agent, outcome, agent_id, queue, "
                                             "_adapter",
    "staging.base_landing__calls": "_adapter, _file, _line, _record_key, _fate, _reject_reason, _reject_detail, "
                                   "_raw_rows",
    "staging.base_landing__digital_contacts": "_adapter, _file, _line, _record_key, _fate, _reject_reason, "
                                              "_reject_detail, _raw_rows",
    "audit.rejected_rows": "source, adapter, file, line, record_key, reason, detail",
    "audit.layer_reconciliation": "source, kind, raw_rows, adapter_rows, staged_rows, rejected_rows, history_rows, "
                                  "rows_staged_and_rejected, rows_neither_staged_nor_rejected, is_reconciled",
    "marts.fct_tickets": "ticket_id, status, priority, priority_at_creation, created_at, first_response_at, "
                         "first_solved_at, solve_count, reopen_count, resolution_minutes",
}


@pytest.fixture(scope="module")
def both_targets(tmp_path_factory):
    adapters_lib = pytest.importorskip("dagster_project.lib.adapters")
    from dagster_project.lib.postgres_raw import copy_raw_layer

    postgres = server()
    base = tmp_path_factory.mktemp("adapter_models_postgres")
    landing = base / "landing"
    for adapter in ADAPTERS:
        shutil.copytree(FIXTURES / adapter, landing / adapter, ignore=shutil.ignore_patterns("README.md"))
    warehouse = base / "warehouse" / "callqa.duckdb"
    create_raw_layer(warehouse, {})

    with scratch_database(postgres) as target:
        with dbt_env(warehouse, TZ):
            con = duckdb.connect(str(warehouse))
            con.execute("SET TimeZone = 'UTC'")
            for adapter in ADAPTERS:
                adapters_lib.ingest_adapter(con, landing, adapter, b"test-only-secret")
            copy_raw_layer(con, target)
            con.close()
            duck = run_dbt(["build", "--select", *SELECT, "--exclude-resource-type", "unit_test"], base / "dbt_duckdb")
            with temporary_env(postgres_env(target)):
                pg = run_dbt(["build", "--select", *SELECT, "--exclude-resource-type", "unit_test"],
                             base / "dbt_postgres")
                # the adapter models' unit tests: their SQL inputs and expectations on PostgreSQL too
                pg_unit = run_dbt(["test", "--select", *MODELS, "--resource-type", "unit_test"], base / "dbt_postgres")
        yield {"duckdb": duck, "postgres": pg, "postgres_unit": pg_unit, "warehouse": warehouse, "target": target}


def test_adapter_models_and_their_unit_tests_build_on_both_targets(both_targets):
    assert both_targets["duckdb"].success, "\n".join(failures(both_targets["duckdb"]))
    assert both_targets["postgres"].success, "\n".join(failures(both_targets["postgres"]))
    assert "model.callqa.base_zendesk_ticket_audits__ticket_events" in {
        r.node.unique_id for r in both_targets["postgres"].result.results}
    assert both_targets["postgres_unit"].success, "\n".join(failures(both_targets["postgres_unit"]))
    unit_tests = {r.node.name for r in both_targets["postgres_unit"].result.results
                  if str(r.node.resource_type).lower().endswith("unit_test")}
    assert len(unit_tests) == 8, unit_tests


@pytest.mark.parametrize("relation", sorted(COMPARED))
def test_same_rows_on_duckdb_and_postgresql(both_targets, relation):
    where = "where _adapter is not null" if ".base_landing__" in relation else ""
    sql = f"select {COMPARED[relation]} from {relation} {where}"
    duck = duckdb.connect(str(both_targets["warehouse"]), read_only=True)
    duck.execute("SET TimeZone = 'UTC'")
    pg = both_targets["target"].connect()
    try:
        duck_rows, pg_rows = rows_on_both(duck, pg, sql)
    finally:
        duck.close()
        pg.close()
    assert duck_rows, f"{relation} is empty: the comparison would prove nothing"
    assert pg_rows == duck_rows
