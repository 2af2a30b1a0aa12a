"""End to end: generate a small dirty contact center, run the whole Dagster + dbt pipeline, and prove per
source that nothing is lost or counted twice, that the rejects are exactly the planted bad rows, that no phone
number reaches the warehouse, and that a rerun changes nothing."""
import json
import re
from datetime import date

import duckdb
import pytest

from dagster_project.lib.contract import load_contract
from dagster_project.lib.reconcile import reconcile
from dagster_project.lib.status import source_status
from tests.e2e.pipeline_env import pipeline_env

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dirty_run(tmp_path_factory):
    from dagster_project.lib.synth import generate

    base = tmp_path_factory.mktemp("e2e")
    landing = base / "landing"
    tz = "America/New_York"
    truth = generate(landing, days=10, contacts_per_day=150, seed=7, dirty=True,
                     start_date=date(2026, 3, 2), timezone=tz)
    with pipeline_env(base, landing, tz) as (run, connect):
        first = run()
        con = connect()
        snapshot = _snapshot(con)
        con.close()
        second = run()
        con = connect()
        yield {"truth": truth, "first": first, "second": second, "con": con, "landing": landing,
               "snapshot": snapshot}
        con.close()


def _snapshot(con):
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema in ('raw', 'staging', 'audit') order by 1, 2"
    ).fetchall()
    return {f"{s}.{t}": con.execute(f'select count(*) from {s}."{t}"').fetchall()[0][0] for s, t in tables}


def test_pipeline_runs_and_reports_the_refused_files(dirty_run):
    first = dirty_run["first"]
    assert first.success, first.summary
    assert not first.failed_steps
    refused = [f for d in dirty_run["truth"]["delivery"].values() for f in d["refused_files"]]
    assert len(first.refused_files) == len(refused) > 0
    for planted in refused:
        assert any(planted["file"].split("/")[-1] in e and planted["missing_column"] in e for e in first.refused_files)
    assert first.exit_code == 2


def test_every_delivered_row_is_staged_or_rejected_once(dirty_run):
    rows = reconcile(dirty_run["con"], list(load_contract()))
    assert len(rows) == len(load_contract())
    for r in rows:
        assert r.is_reconciled, r


def test_rejects_are_exactly_the_planted_bad_rows(dirty_run):
    report = {e["source"]: e for e in source_status(dirty_run["con"], list(load_contract()))}
    for source, delivery in dirty_run["truth"]["delivery"].items():
        got = report[source]
        assert got["rows_delivered"] == delivery["delivered_rows"], source
        expected = {k: v for k, v in delivery["expected_rejects"].items() if v}
        assert got["rows_rejected"] == expected, source
        assert got["rows_staged"] == delivery["expected_staged"], source


def test_no_phone_number_anywhere_in_the_warehouse(dirty_run):
    con = dirty_run["con"]
    numbers = set()
    for path in (dirty_run["landing"] / "calls").rglob("*.csv*"):
        import gzip
        data = path.read_bytes()
        text = (gzip.decompress(data) if path.name.endswith(".gz") else data).decode("utf-8", "replace")
        numbers.update(re.findall(r"\+\d[\d ()\-]{8,}\d", text))
    assert numbers, "the generator should deliver caller numbers"
    digits = {re.sub(r"\D", "", n) for n in numbers}
    columns = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR' and table_schema not in ('information_schema', 'pg_catalog')"
    ).fetchall()
    for schema, table, column in columns:
        values = con.execute(f'select distinct "{column}" from {schema}."{table}" where "{column}" is not null').fetchall()
        for (value,) in values:
            assert not any(n in value for n in numbers), (schema, table, column, value)
            assert not any(d in value for d in digits), (schema, table, column, value)


def test_a_rerun_with_no_new_files_changes_nothing(dirty_run):
    assert dirty_run["second"].success
    assert _snapshot(dirty_run["con"]) == dirty_run["snapshot"]
