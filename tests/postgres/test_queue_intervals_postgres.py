"""ACD interval reports (queue_intervals) on PostgreSQL: the hand-built raw layer of tests/dbt/test_queue_intervals.py
copied to a PostgreSQL database of this test's own, the same dbt selection built there (models, contracts, data tests
and unit tests), and every table the DuckDB test asserts on compared row for row with DuckDB: so its hand-computed
numbers (forecast accuracy at 5 minutes, service level from interval rows, the rejects) hold on both targets.

Skipped without a reachable server, unless CALLQA_REQUIRE_POSTGRES=1 (as in test_postgres_target.py)."""
import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dbt"))

from dagster_project.lib.dbt_inprocess import temporary_env  # noqa: E402
from dagster_project.lib.postgres_raw import copy_raw_layer  # noqa: E402
from tests.dbt import test_queue_intervals as qi  # noqa: E402
from tests.dbt.dbt_helpers import dbt_env, failures, run_dbt  # noqa: E402
from tests.postgres.pg_helpers import differences, postgres_env, rows_on_both, scratch_database, server  # noqa: E402

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
    postgres = server()
    base = tmp_path_factory.mktemp("queue_intervals_pg")
    warehouse = base / "callqa.duckdb"
    qi.build_raw_layer(warehouse)

    with scratch_database(postgres) as target:
        with dbt_env(warehouse, qi.TZ):
            con = duckdb.connect(str(warehouse))
            copy_raw_layer(con, target)
            con.close()
            duck = run_dbt(["build", "--select", *SELECTION, "--indirect-selection", "cautious"], base / "dbt_duckdb")
            with temporary_env(postgres_env(target)):
                pg = run_dbt(["build", "--select", *SELECTION, "--indirect-selection", "cautious"], base / "dbt_postgres")
        yield {"duckdb": duck, "postgres": pg, "warehouse": warehouse, "target": target}


def test_builds_on_both_targets(both):
    assert both["duckdb"].success, "\n".join(failures(both["duckdb"]))
    assert both["postgres"].success, "\n".join(failures(both["postgres"]))


def test_same_rows_on_both_targets(both):
    duck = duckdb.connect(str(both["warehouse"]), read_only=True)
    duck.execute("SET TimeZone = 'UTC'")
    pg = both["target"].connect()
    found = []
    try:
        for table, where in TABLES.items():
            schema, name = table.split(".")
            columns = [c for (c,) in duck.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                "order by ordinal_position", [schema, name]).fetchall()]
            columns = [c for c in columns if c != "_loaded_at"]
            column_list = ", ".join(f'"{c}"' for c in columns)
            duck_rows, pg_rows = rows_on_both(duck, pg, f"select {column_list} from {table} where {where}")
            found += differences(table, columns, duck_rows, pg_rows)
    finally:
        duck.close()
        pg.close()
    assert not found, "\n".join(found)
