"""The satisfaction-analysis assets, materialized on a temporary DuckDB holding a simulated modelling table
(marts.fct_contact_drivers) and the real seeds metric_targets: tables, checks, the no-model path, a fit that fails,
and the lineage from the marts in the one Dagster graph."""
import dagster as dg
import duckdb

from dagster_project.defs.analysis.assets import ANALYSIS_KEYS, satisfaction_analysis
from dagster_project.lib.drivers.simulate import simulate_modelling_table
from dagster_project.resources import WAREHOUSE_POOL, WarehouseResource
from dagster_project.settings import SEEDS_DIR

FAST = {"ops": {"satisfaction_analysis": {"config": {"n_bootstrap": 199}}}}


def _warehouse(path, frame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema marts")
        con.execute("create schema reference")
        con.register("frame", frame)
        con.execute("create table marts.fct_contact_drivers as select * from frame")
        con.execute(f"create table reference.metric_targets as select * from read_csv('{SEEDS_DIR / 'metric_targets.csv'}', "
                    "header = true, all_varchar = true)")
        con.execute("alter table reference.metric_targets alter target type double")
    finally:
        con.close()


def _materialize(**kwargs):
    return dg.materialize([satisfaction_analysis], resources={"warehouse": WarehouseResource()}, run_config=FAST,
                          raise_on_error=False, **kwargs)


def _checks(result) -> dict:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def test_materializes_every_analysis_table_with_passing_checks(isolated_env):
    warehouse = isolated_env / "warehouse" / "callqa.duckdb"
    frame = simulate_modelling_table(n_contacts=5000, days=35, survey_rate=0.3, seed=5)
    _warehouse(warehouse, frame)
    result = _materialize()
    assert result.success
    checks = _checks(result)
    assert set(checks) == {"model_converged", "probabilities_sum_to_one", "every_contact_scored",
                           "holdout_calibration_within_tolerance"}
    assert all(c.passed for c in checks.values()), {n: (c.passed, c.description) for n, c in checks.items()}
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert materialized == set(ANALYSIS_KEYS.values())
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from analysis.contact_satisfaction_scores").fetchall()[0][0] == len(frame)
        fit = dict(con.execute("select model, status from analysis.satisfaction_model_fit").fetchall())
        assert fit == {"all_surveyed": "fitted", "holdout_training": "fitted"}
        # targets come from the seeds: the tolerance written is metric_targets csat_calibration_tolerance
        assert con.execute("select distinct calibration_tolerance from analysis.satisfaction_model_fit").fetchall() == [(0.05,)]
        types = dict(con.execute("select column_name, data_type from information_schema.columns "
                                 "where table_schema = 'analysis' and table_name = 'satisfaction_drivers'").fetchall())
        assert types["coef"] == "DOUBLE" and types["quadrant"] == "VARCHAR"
        top = con.execute("select driver from analysis.satisfaction_drivers where role = 'driver' "
                          "order by importance desc nulls last limit 1").fetchall()[0][0]
        assert top in {"ivr_seconds", "wait_seconds", "had_prior_contact_7d"}
    finally:
        con.close()


def test_too_few_surveys_write_null_scores_with_the_reason(isolated_env):
    warehouse = isolated_env / "warehouse" / "callqa.duckdb"
    frame = simulate_modelling_table(n_contacts=400, days=10, survey_rate=0.2, seed=2)
    _warehouse(warehouse, frame)
    result = _materialize()
    assert result.success
    assert all(c.passed for c in _checks(result).values())
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("select count(*), count(expected_csat), min(score_null_reason) "
                           "from analysis.contact_satisfaction_scores").fetchall()[0]
        assert rows[0] == len(frame) and rows[1] == 0 and "fewer than the 300 needed" in rows[2]
        assert con.execute("select distinct status from analysis.satisfaction_model_fit").fetchall() == [("insufficient_data",)]
    finally:
        con.close()


def test_a_fit_that_does_not_converge_fails_the_step_and_writes_nothing(isolated_env, monkeypatch):
    from dagster_project.lib.drivers import analysis, ordinal

    warehouse = isolated_env / "warehouse" / "callqa.duckdb"
    _warehouse(warehouse, simulate_modelling_table(n_contacts=3000, days=30, survey_rate=0.3, seed=9))

    def two_iterations(*args, **kwargs):
        return ordinal.fit_ordinal_model(*args, **{**kwargs, "maxiter": 2})

    monkeypatch.setattr(analysis, "fit_ordinal_model", two_iterations)
    result = _materialize()
    assert not result.success
    failure = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"][0]
    assert "did not converge" in str(failure.event_specific_data.error)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from information_schema.tables "
                           "where table_schema = 'analysis'").fetchall()[0][0] == 0
    finally:
        con.close()


def test_the_analysis_reads_the_modelling_mart_and_writes_in_the_single_writer_pool():
    """Asset-level lineage (the whole graph, with dbt and the serving copy, is checked end to end in
    tests/e2e/test_recovery_drivers.py, where the dbt manifest is already prepared)."""
    for key in ANALYSIS_KEYS.values():
        spec = next(s for s in satisfaction_analysis.specs if s.key == key)
        assert {d.asset_key for d in spec.deps} == {dg.AssetKey(["marts", "fct_contact_drivers"]),
                                                    dg.AssetKey(["reference", "metric_targets"])}
        assert spec.group_name == "analysis"
    assert satisfaction_analysis.op.pool == WAREHOUSE_POOL
    assert {c.name for c in satisfaction_analysis.check_specs} == {
        "model_converged", "probabilities_sum_to_one", "every_contact_scored", "holdout_calibration_within_tolerance"}
