"""Every dbt unit test of the project runs and passes, against a copy of the shared clean run's warehouse (dbt unit
tests need the relations of their inputs for column types, so they run on a built warehouse). Per-folder tests run
the unit tests of the models they build; this one guarantees none is left unrun (e.g. rpt_alerts, built only after
the analysis, and the marts no tests/dbt file selects)."""
import json
import shutil

import pytest

from tests.dbt.dbt_helpers import dbt_env, failures, run_dbt

pytestmark = pytest.mark.slow


def test_every_dbt_unit_test_passes(clean_run, tmp_path):
    _, con = clean_run
    path = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchall()[0][0]
    warehouse = tmp_path / "callqa.duckdb"
    shutil.copyfile(path, warehouse)
    with dbt_env(warehouse, "America/New_York"):
        result = run_dbt(["test", "--select", "test_type:unit"], tmp_path / "dbt")
    assert result.success, failures(result)
    ran = {r.node.unique_id for r in result.result.results if r.node.unique_id.startswith("unit_test.")}
    manifest = json.loads((tmp_path / "dbt" / "target" / "manifest.json").read_text())
    assert ran == set(manifest["unit_tests"]), sorted(set(manifest["unit_tests"]) ^ ran)
    assert len(ran) >= 68
    assert "unit_test.callqa.rpt_alerts.rpt_alerts__thresholds_windows_and_minimum_contacts" in ran
