"""The pipeline launched the way the Dagster UI, the schedule and the sensor launch it: a persistent instance whose
pools allow one warehouse writer at a time, and the multiprocess executor (every step in a process of its own).
It must build and publish like `callqa run` (issue 12.2: it ran 10 minutes and failed, the reconciliation check
colliding with the analysis outside the pool), and a zone other than the warehouse's must be refused there too."""
from datetime import date

import dagster as dg
import duckdb
import pytest

pytestmark = pytest.mark.slow


def _env(monkeypatch, base, landing, zone):
    for name, value in {
        "CALLQA_LANDING_DIR": landing, "CALLQA_WAREHOUSE": base / "callqa.duckdb", "CALLQA_TIMEZONE": zone,
        "CALLQA_DUCKDB_TEMP_DIR": base / "tmp", "CALLQA_DUCKDB_MEMORY_LIMIT": "1GB",
        "CALLQA_SERVING_WAREHOUSE": base / "callqa_serving.duckdb", "CALLQA_EXPORT_DIR": base / "exports",
    }.items():
        monkeypatch.setenv(name, str(value))


def test_a_ui_style_multiprocess_launch_builds_publishes_and_refuses_another_zone(tmp_path, monkeypatch):
    from dagster_project.defs.transform.project import prepare_dbt_project
    from dagster_project.lib.synth import generate

    landing = tmp_path / "landing"
    generate(landing, days=3, contacts_per_day=120, seed=3, start_date=date(2026, 3, 2), timezone="America/New_York")
    _env(monkeypatch, tmp_path, landing, "America/New_York")
    prepare_dbt_project()
    from dagster_project.definitions import callqa_pipeline_job

    (tmp_path / "dagster_home").mkdir()
    instance = dg.DagsterInstance.local_temp(str(tmp_path / "dagster_home"),
                                             overrides={"concurrency": {"pools": {"default_limit": 1}}})
    from dagster_project.defs.location import delivery_partition_key

    job = dg.reconstructable(callqa_pipeline_job)
    today = {"dagster/partition": delivery_partition_key()}  # the UI asks for a partition of a partitioned job
    with dg.execute_job(job, instance=instance, tags=today) as result:
        assert result.success, [str(e.event_specific_data.error) for e in result.all_events
                                if e.event_type_value == "STEP_FAILURE"]
        step_pids = {e.pid for e in result.all_events if e.event_type_value == "STEP_START"}
        steps = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"}
    assert len(step_pids) > 1, "each step runs in a process of its own (the multiprocess executor)"
    assert {"ingest_landing", "callqa_dbt", "satisfaction_analysis", "survey_dimension_analysis",
            "publish__serving_copy"} <= steps, steps
    serving = duckdb.connect(str(tmp_path / "callqa_serving.duckdb"), read_only=True)
    try:
        assert serving.execute("select count(*) from marts.fct_contacts").fetchall()[0][0] > 0
        # one row per analysis: the satisfaction drivers and the survey dimensions
        assert serving.execute("select analysis from analysis.analysis_status order by 1").fetchall() == [
            ("satisfaction_drivers",), ("survey_dimension_drivers",)]
    finally:
        serving.close()
    published = (tmp_path / "callqa_serving.duckdb").stat().st_mtime_ns

    # The same warehouse launched in another zone: refused in the ingestion step, nothing loaded or published.
    monkeypatch.setenv("CALLQA_TIMEZONE", "Asia/Jerusalem")
    with dg.execute_job(job, instance=instance, tags=today) as refused:
        assert not refused.success
        errors = " ".join(str(e.event_specific_data.error) for e in refused.all_events
                          if e.event_type_value == "STEP_FAILURE")
    assert "built with CALLQA_TIMEZONE=America/New_York" in errors, errors
    assert (tmp_path / "callqa_serving.duckdb").stat().st_mtime_ns == published
