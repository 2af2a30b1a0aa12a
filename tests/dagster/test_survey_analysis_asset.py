"""The survey dimension asset (analysis.survey_dimension_* tables, lib/drivers/surveys.py), materialized on a temporary
DuckDB holding marts.fct_survey_answers: the tables and their status, and a failure that degrades instead of
blocking the run."""
import dagster as dg
import duckdb

from dagster_project.defs.analysis.assets import SURVEY_KEYS, survey_dimension_analysis
from dagster_project.resources import WarehouseResource
from tests.unit.test_survey_drivers import _answers, _survey


def _materialize():
    return dg.materialize([survey_dimension_analysis], resources={"warehouse": WarehouseResource.from_env()},
                          raise_on_error=False)


def test_writes_the_survey_tables_and_marks_them_current(isolated_env):
    warehouse = isolated_env / "warehouse" / "callqa.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse))
    con.execute("create schema marts")
    frame = _answers(_survey(n=300))
    con.register("frame", frame)
    con.execute("create table marts.fct_survey_answers as select * from frame")
    con.close()
    result = _materialize()
    assert result.success
    assert {e.asset_key for e in result.get_asset_materialization_events()} == set(SURVEY_KEYS.values())
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("select dimension, status from analysis.survey_dimension_drivers "
                           "where segment_type = 'all' order by dimension").fetchall()
        assert rows == [("empathy", "estimated"), ("reliability", "estimated"), ("responsiveness", "estimated")]
        assert con.execute("select status, reason from analysis.analysis_status "
                           "where analysis = 'survey_dimension_drivers'").fetchall() == [("current", None)]
    finally:
        con.close()


def test_a_failure_is_recorded_with_its_reason_and_does_not_fail_the_step(isolated_env):
    warehouse = isolated_env / "warehouse" / "callqa.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    duckdb.connect(str(warehouse)).close()   # no marts.fct_survey_answers
    result = _materialize()
    assert result.success
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        ((status, reason),) = con.execute("select status, reason from analysis.analysis_status "
                                          "where analysis = 'survey_dimension_drivers'").fetchall()
        assert status == "empty" and "fct_survey_answers" in reason
        assert con.execute("select count(*) from analysis.survey_dimension_drivers").fetchall() == [(0,)]
    finally:
        con.close()
