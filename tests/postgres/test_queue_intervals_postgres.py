"""ACD interval reports (queue_intervals) on PostgreSQL: the hand-built raw layer of tests/dbt/test_queue_intervals.py
copied to a PostgreSQL database of this test's own, the same dbt selection built there (models, contracts, data tests
and unit tests), and every table the DuckDB test asserts on compared row for row with DuckDB: so its hand-computed
numbers (forecast accuracy at 5 minutes, service level from interval rows, the rejects) hold on both targets.

Skipped without a reachable server, unless CALLQA_REQUIRE_POSTGRES=1 (as in test_postgres_target.py)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dbt"))

from tests.dbt import test_queue_intervals as qi  # noqa: E402
from tests.dbt.dbt_helpers import failures  # noqa: E402
from tests.postgres.pg_helpers import built_on_both, table_differences  # noqa: E402

pytestmark = pytest.mark.slow

TABLES = {  # table -> filter (the rows the DuckDB test reads)
    "staging.stg_landing__queue_intervals": "true",
    "staging.stg_landing__wfm_forecasts": "true",
    "audit.rejected_rows": "source = 'queue_intervals'",
    "audit.layer_reconciliation": "true",
    "marts.fct_forecast_intervals": "true",
    "marts.rpt_forecast_accuracy_daily": "true",
    "marts.rpt_service_level_interval": "true",
}
SELECTION = ["+rpt_forecast_accuracy_daily", "+rpt_service_level_interval", "+layer_reconciliation"]


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    base = tmp_path_factory.mktemp("queue_intervals_pg")
    warehouse = base / "callqa.duckdb"
    qi.build_raw_layer(warehouse)
    with built_on_both(base, warehouse, qi.TZ, SELECTION) as built:
        yield built


def test_builds_on_both_targets(both):
    assert both["duckdb"].success, "\n".join(failures(both["duckdb"]))
    assert both["postgres"].success, "\n".join(failures(both["postgres"]))


def test_same_rows_on_both_targets(both):
    found = table_differences(both["warehouse"], both["target"], TABLES)
    assert not found, "\n".join(found)
