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


REFIT = {"ops": {"satisfaction_analysis": {"config": {"n_bootstrap": 199, "refit_every_run": True}}}}


def _materialize(run_config=FAST, **kwargs):
    return dg.materialize([satisfaction_analysis], resources={"warehouse": WarehouseResource.from_env()},
                          run_config=run_config, raise_on_error=False, **kwargs)


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
                           "holdout_calibration_within_tolerance", "analysis_current"}
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


def _status(warehouse) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        from dagster_project.lib.drivers.store import read_status
        return read_status(con)
    finally:
        con.close()


def _non_converging(monkeypatch):
    from dagster_project.lib.drivers import analysis, ordinal

    def two_iterations(*args, **kwargs):
        return ordinal.fit_ordinal_model(*args, **{**kwargs, "maxiter": 2})

    monkeypatch.setattr(analysis, "fit_ordinal_model", two_iterations)


def test_a_failed_fit_with_no_earlier_version_scores_every_contact_null_with_the_reason(isolated_env, monkeypatch):
    """A fit that does not converge does not fail the step: every contact gets a NULL score carrying the reason, the
    status says empty, and only the check `analysis_current` fails (so `callqa run` publishes and exits 2)."""
    warehouse = isolated_env / "warehouse" / "callqa.duckdb"
    frame = simulate_modelling_table(n_contacts=3000, days=30, survey_rate=0.3, seed=9)
    _warehouse(warehouse, frame)
    _non_converging(monkeypatch)
    result = _materialize()
    assert result.success
    assert {e.asset_key for e in result.get_asset_materialization_events()} == set(ANALYSIS_KEYS.values())
    checks = _checks(result)
    assert not checks["analysis_current"].passed
    assert "did not converge" in checks["analysis_current"].description
    assert all(c.passed for n, c in checks.items() if n != "analysis_current"), \
        {n: c.description for n, c in checks.items()}
    status = _status(warehouse)
    assert status["status"] == "empty" and "did not converge" in status["reason"]
    assert status["tables_run_id"] is None and status["attempted_run_id"] == result.run_id
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("select count(*), count(expected_csat), count(*) filter (where score_null_reason like "
                           "'no model: analysis failed: OrdinalConvergenceError%did not converge%') "
                           "from analysis.contact_satisfaction_scores").fetchall()[0]
        assert rows == (len(frame), 0, len(frame))
        assert con.execute("select distinct status from analysis.satisfaction_model_fit").fetchall() == [("failed",)]
    finally:
        con.close()


def test_a_failed_run_keeps_the_last_good_tables_marked_stale_and_a_good_run_refreshes_them(isolated_env, monkeypatch):
    warehouse = isolated_env / "warehouse" / "callqa.duckdb"
    _warehouse(warehouse, simulate_modelling_table(n_contacts=3000, days=30, survey_rate=0.3, seed=9))
    good = _materialize()
    assert good.success and all(c.passed for c in _checks(good).values())
    assert _status(warehouse)["status"] == "current"

    def snapshot():
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            return con.execute("select * from analysis.contact_satisfaction_scores order by contact_id").fetchall()
        finally:
            con.close()

    before = snapshot()
    from dagster_project.lib.drivers import analysis

    def refuse(*args, **kwargs):
        raise analysis.OrdinalSeparationError("planted refusal for the test", predictors=[])

    with monkeypatch.context() as patched:
        patched.setattr(analysis, "fit_ordinal_model", refuse)
        failed = _materialize(REFIT)  # the same data: the schedule alone would score with the stored model
    assert failed.success
    assert not _checks(failed)["analysis_current"].passed
    status = _status(warehouse)
    assert status["status"] == "stale" and "planted refusal" in status["reason"]
    assert status["tables_run_id"] == good.run_id and status["attempted_run_id"] == failed.run_id
    assert snapshot() == before  # the last good version, untouched

    again = _materialize()
    assert again.success and _checks(again)["analysis_current"].passed
    status = _status(warehouse)
    assert status["status"] == "current" and status["reason"] is None and status["tables_run_id"] == again.run_id


def test_an_unreadable_modelling_table_degrades_to_empty_tables(isolated_env):
    warehouse = isolated_env / "warehouse" / "callqa.duckdb"
    _warehouse(warehouse, simulate_modelling_table(n_contacts=500, days=10, survey_rate=0.2, seed=2))
    con = duckdb.connect(str(warehouse))
    con.execute("drop table marts.fct_contact_drivers")
    con.close()
    result = _materialize()
    assert result.success
    checks = _checks(result)
    assert not checks["analysis_current"].passed and "fct_contact_drivers" in checks["analysis_current"].description
    assert _status(warehouse)["status"] == "empty"


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
        "model_converged", "probabilities_sum_to_one", "every_contact_scored", "holdout_calibration_within_tolerance",
        "analysis_current"}


def test_between_refits_a_run_scores_the_new_contacts_with_the_stored_model(isolated_env):
    """The second run on the same data and a run with new contacts refit nothing: only the new contacts are scored
    (none, then 100; the others keep their scores), the fit tables stay as the first run wrote them,
    analysis_status says which fit scored and when the next refit comes, and every check passes; refit_every_run
    refits (and scores every contact)."""
    warehouse = isolated_env / "warehouse" / "callqa.duckdb"
    frame = simulate_modelling_table(n_contacts=3000, days=30, survey_rate=0.3, seed=9)
    _warehouse(warehouse, frame)
    first = _materialize()
    assert first.success and _status(warehouse)["reason"] is None

    def tables():
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            return {t: con.execute(f"select * from analysis.{t} order by all").fetchall() for t in
                    ("satisfaction_drivers", "satisfaction_thresholds", "satisfaction_threshold_profile",
                     "satisfaction_model_fit", "satisfaction_calibration", "contact_satisfaction_scores")}
        finally:
            con.close()

    fitted = tables()
    second = _materialize()
    assert second.success and all(c.passed for c in _checks(second).values())
    status = _status(warehouse)
    assert status["status"] == "current" and status["tables_run_id"] == second.run_id
    assert status["reason"].startswith(f"scored with the model fitted in run {first.run_id[:8]} on data ")
    assert "next refit when fitting rows <= " in status["reason"]
    assert "this run's scores, scored with the model" in _checks(second)["analysis_current"].description
    assert tables() == fitted  # scores as they were, fit tables untouched
    assert _scored_this_run(second) == 0

    con = duckdb.connect(str(warehouse))
    try:  # 100 new unsurveyed contacts the next day: the fitting data is the same
        con.execute("insert into marts.fct_contact_drivers select * replace ('new-' || contact_id as contact_id, "
                    "local_date + interval 1 day as local_date) from marts.fct_contact_drivers "
                    "where csat is null order by contact_id limit 100")
    finally:
        con.close()
    third = _materialize()
    assert third.success and all(c.passed for c in _checks(third).values())
    assert _scored_this_run(third) == 100
    assert _status(warehouse)["reason"].startswith(f"scored with the model fitted in run {first.run_id[:8]}")
    after = tables()
    assert {t: rows for t, rows in after.items() if t != "contact_satisfaction_scores"} == \
        {t: rows for t, rows in fitted.items() if t != "contact_satisfaction_scores"}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select count(*), count(expected_csat), count(*) filter (where used_in_fit or in_holdout) "
                           "from analysis.contact_satisfaction_scores where contact_id like 'new-%'"
                           ).fetchall() == [(100, 100, 0)]
    finally:
        con.close()

    refit = _materialize(REFIT)
    assert refit.success and _checks(refit)["analysis_current"].description == "the analysis tables are this run's"
    assert _status(warehouse)["reason"] is None
    assert _scored_this_run(refit) == len(frame) + 100


def _scored_this_run(result) -> int:
    (event,) = [e for e in result.get_asset_materialization_events()
                if e.asset_key == dg.AssetKey(["analysis", "contact_satisfaction_scores"])]
    return event.materialization.metadata["contacts_scored_this_run"].value


# ---- the survey dimension analysis refits on the same schedule (store.survey_refit_decision) -------------------

def _survey_warehouse(path) -> None:
    from tests.unit.test_survey_schedule import _dated
    from tests.unit.test_survey_drivers import _survey

    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema marts")
        con.register("frame", _dated(_survey(n=300)))
        con.execute("create table marts.fct_survey_answers as select * from frame")
    finally:
        con.close()


def _survey_run(**kwargs):
    from dagster_project.defs.analysis.assets import survey_dimension_analysis

    result = dg.materialize([survey_dimension_analysis], resources={"warehouse": WarehouseResource.from_env()},
                            raise_on_error=False, **kwargs)
    assert result.success
    modes = {e.materialization.metadata["analysis_mode"].value for e in result.get_asset_materialization_events()}
    (mode,) = modes
    return result, mode


def _survey_state(warehouse) -> tuple[dict, dict]:
    from dagster_project.lib.drivers.store import SURVEY_ANALYSIS_NAME, SURVEY_TABLES, read_status

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return ({t: con.execute(f"select * from analysis.{t} order by all").fetchall() for t in SURVEY_TABLES},
                read_status(con, SURVEY_ANALYSIS_NAME))
    finally:
        con.close()


def test_the_survey_analysis_keeps_its_tables_between_refits_and_refits_on_a_full_refresh(isolated_env):
    """The first run fits; the second, on the same answers, keeps the three tables as they are (tables_run_id the
    first run's) and says so; a full refresh run (the job's tag) refits."""
    from dagster_project.defs.location import FULL_REFRESH_TAG

    warehouse = isolated_env / "warehouse" / "callqa.duckdb"
    _survey_warehouse(warehouse)
    first, mode = _survey_run()
    assert mode == "refit: no fitted model stored"
    fitted, status = _survey_state(warehouse)
    assert status["status"] == "current" and status["reason"] is None and status["tables_run_id"] == first.run_id
    assert fitted["survey_dimension_drivers"]

    second, mode = _survey_run()
    tables, status = _survey_state(warehouse)
    assert tables == fitted
    assert status["status"] == "current" and status["reason"] == mode
    assert mode.startswith(f"kept the tables fitted in run {first.run_id[:8]} on responses 2026-03-01 to "
                           "2026-03-30 (300 responses); next refit when responses <= 285 or >= 315")
    assert (status["tables_run_id"], status["attempted_run_id"]) == (first.run_id, second.run_id)

    third, mode = _survey_run(tags={FULL_REFRESH_TAG: "true"})
    _, status = _survey_state(warehouse)
    assert mode == "refit: full refresh"
    assert status["reason"] is None and status["tables_run_id"] == third.run_id


def test_a_survey_refit_decision_that_fails_refits(isolated_env):
    """Deciding is an optimisation: when it fails (here the stored fit is unreadable) the run refits, as every run
    did before the schedule, and stores a good record again; the next run keeps."""
    warehouse = isolated_env / "warehouse" / "callqa.duckdb"
    _survey_warehouse(warehouse)
    _survey_run()
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("create or replace table runs.survey_model as select 'unreadable' as something")
    finally:
        con.close()
    second, mode = _survey_run()
    assert mode.startswith("refit: the refit decision failed (BinderException")
    _, status = _survey_state(warehouse)
    assert status["status"] == "current" and status["reason"] is None and status["tables_run_id"] == second.run_id
    assert _survey_run()[1].startswith(f"kept the tables fitted in run {second.run_id[:8]}")


def test_the_survey_analysis_takes_its_thresholds_from_the_satisfaction_steps_config():
    from dagster_project.defs.analysis.assets import _refit_policy
    from dagster_project.lib.drivers.schedule import RefitPolicy

    assert _refit_policy(None) == _refit_policy({"ops": {"callqa_dbt": {"config": {}}}}) == RefitPolicy()
    assert _refit_policy(REFIT).every_run
    assert _refit_policy({"ops": {"satisfaction_analysis": {"config": {"refit_max_days": 3}}}}) == \
        RefitPolicy(max_days=3)
