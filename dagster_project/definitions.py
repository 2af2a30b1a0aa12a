"""The one Dagster code location of callqa: ingestion, dbt, checks, sensor, schedule.

The dbt manifest must exist before this module is imported (`callqa run`, `make dev` and the tests prepare it)."""

import dagster as dg
from dagster_dbt import DbtCliResource

from dagster_project.defs.alerts.assets import AFTER_ANALYSIS_MARTS, alert_assets
from dagster_project.defs.analysis.assets import ALL_ANALYSIS_KEYS, analysis_assets
from dagster_project.defs.ingest.assets import ingest_assets
from dagster_project.defs.ingest.sensors import (
    callqa_full_refresh_job,
    callqa_job,
    daily_schedule,
    landing_folder_sensor,
)
from dagster_project.defs.location import LOCATION_SETTINGS
from dagster_project.defs.publish.assets import build_serving_copy_asset
from dagster_project.defs.transform.assets import callqa_dbt_assets
from dagster_project.defs.transform.checks import raw_equals_staged_plus_rejected
from dagster_project.defs.transform.project import dbt_project
from dagster_project.resources import WarehouseResource

# The settings are resolved once, when the location loads (defs/location.py), and passed to the resources as
# fields. dbt (a subprocess) reads the warehouse path and time zone from the environment: make them explicit for it.
LOCATION_SETTINGS.export()

defs = dg.Definitions(
    assets=[*ingest_assets, callqa_dbt_assets, *analysis_assets, *alert_assets,
            build_serving_copy_asset([*ALL_ANALYSIS_KEYS.values(), *AFTER_ANALYSIS_MARTS])],
    asset_checks=[raw_equals_staged_plus_rejected],
    jobs=[callqa_job, callqa_full_refresh_job],
    sensors=[landing_folder_sensor],
    schedules=[daily_schedule],
    resources={
        "warehouse": WarehouseResource.from_settings(LOCATION_SETTINGS),
        "dbt": DbtCliResource(project_dir=dbt_project),
    },
)


def callqa_pipeline_job() -> dg.JobDefinition:
    """The job as a module-level function, so that `dagster.reconstructable` can hand it to the multiprocess
    executor's step processes exactly as a launch from the UI does (tests/e2e/test_ui_launch.py)."""
    return defs.resolve_job_def("callqa_pipeline")
