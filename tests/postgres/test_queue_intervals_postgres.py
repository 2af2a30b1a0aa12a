"""ACD interval reports (queue_intervals) on PostgreSQL: the hand-built raw layer of tests/dbt/test_queue_intervals.py
copied to a PostgreSQL database of this test's own, the same dbt selection built there (models, contracts, data tests
and unit tests), and every table the DuckDB test asserts on compared row for row with DuckDB: so its hand-computed
numbers (forecast accuracy at 5 minutes, service level from interval rows, the rejects) hold on both targets.

Skipped without a reachable server, unless CALLQA_REQUIRE_POSTGRES=1 (as in test_postgres_target.py)."""
import dataclasses
import os
import sys
import uuid
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dbt"))

from dagster_project.lib.postgres_raw import copy_raw_layer  # noqa: E402
from tests.dbt import test_queue_intervals as qi  # noqa: E402
from tests.dbt.dbt_helpers import dbt_env, failures, run_dbt  # noqa: E402
from tests.postgres.test_postgres_target import _normalise, _same, _server, _sort_key  # noqa: E402

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
    server = _server()
    base = tmp_path_factory.mktemp("queue_intervals_pg")
    warehouse = base / "callqa.duckdb"
    qi.build_raw_layer(warehouse)

    dbname = f"callqa_test_{uuid.uuid4().hex[:10]}"
    admin = server.connect()
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'create database "{dbname}"')
    target = dataclasses.replace(server, dbname=dbname)
    try:
        with dbt_env(warehouse, qi.TZ):
            con = duckdb.connect(str(warehouse))
            copy_raw_layer(con, target)
            con.close()
            duck = run_dbt(["build", "--select", *SELECTION, "--indirect-selection", "cautious"], base / "dbt_duckdb")
            pg_env = {"DBT_TARGET": "postgres", "PGHOST": target.host, "PGPORT": str(target.port),
                      "PGUSER": target.user, "PGDATABASE": dbname}
            if target.passfile:
                pg_env["PGPASSFILE"] = target.passfile
            saved = {k: os.environ.get(k) for k in pg_env}
            os.environ.update(pg_env)
            try:
                pg = run_dbt(["build", "--select", *SELECTION, "--indirect-selection", "cautious"], base / "dbt_postgres")
            finally:
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
        yield {"duckdb": duck, "postgres": pg, "warehouse": warehouse, "target": target}
    finally:
        with admin.cursor() as cur:
            cur.execute(f'drop database if exists "{dbname}" with (force)')
        admin.close()


def test_builds_on_both_targets(both):
    assert both["duckdb"].success, "\n".join(failures(both["duckdb"]))
    assert both["postgres"].success, "\n".join(failures(both["postgres"]))


def test_same_rows_on_both_targets(both):
    duck = duckdb.connect(str(both["warehouse"]), read_only=True)
    duck.execute("SET TimeZone = 'UTC'")
    pg = both["target"].connect()
    differences = []
    try:
        for table, where in TABLES.items():
            schema, name = table.split(".")
            columns = [c for (c,) in duck.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                "order by ordinal_position", [schema, name]).fetchall()]
            columns = [c for c in columns if c != "_loaded_at"]
            column_list = ", ".join(f'"{c}"' for c in columns)
            sql = f"select {column_list} from {table} where {where}"
            duck_rows = sorted(([_normalise(v) for v in r] for r in duck.execute(sql).fetchall()), key=_sort_key)
            with pg.cursor() as cur:
                cur.execute(sql)
                pg_rows = sorted(([_normalise(v) for v in r] for r in cur.fetchall()), key=_sort_key)
            assert duck_rows, f"{table} is empty: the comparison would prove nothing"
            if len(duck_rows) != len(pg_rows):
                differences.append(f"{table}: {len(duck_rows)} rows on DuckDB, {len(pg_rows)} on PostgreSQL")
                continue
            for d_row, p_row in zip(duck_rows, pg_rows):
                bad = [f"{c}: {d!r} vs {p!r}" for c, d, p in zip(columns, d_row, p_row) if not _same(d, p)]
                if bad:
                    differences.append(f"{table}: " + "; ".join(bad[:5]))
                    break
    finally:
        duck.close()
        pg.close()
    assert not differences, "\n".join(differences)
