"""Running the whole pipeline in a test: a landing folder and warehouse of the test's own, set in the
environment only for the duration (the module fixtures of the end-to-end tests share this)."""
from contextlib import contextmanager
from pathlib import Path

import duckdb


@contextmanager
def pipeline_env(base: Path, landing: Path, timezone: str):
    """Yields `run(full_refresh=False, early_skip=True)` (runs the pipeline, returns its outcome) and `connect()` (a
    read-only connection)."""
    from dagster_project.lib.dbt_inprocess import temporary_env
    from dagster_project.pipeline import run_pipeline
    from dagster_project.settings import Settings

    env = {
        "CALLQA_LANDING_DIR": str(landing),
        "CALLQA_WAREHOUSE": str(base / "callqa.duckdb"),
        "CALLQA_TIMEZONE": timezone,
        "CALLQA_DUCKDB_TEMP_DIR": str(base / "tmp"),
        "CALLQA_DUCKDB_MEMORY_LIMIT": "2GB",
        # explicit, so neither the caller's environment nor an earlier run in this process decides where it publishes
        "CALLQA_SERVING_WAREHOUSE": str(base / "callqa_serving.duckdb"),
        "CALLQA_EXPORT_DIR": str(base / "exports"),
    }
    with temporary_env(env):
        yield (lambda full_refresh=False, early_skip=True: run_pipeline(
            Settings.from_env(), full_refresh=full_refresh, early_skip=early_skip)), (
            lambda: duckdb.connect(env["CALLQA_WAREHOUSE"], read_only=True))
