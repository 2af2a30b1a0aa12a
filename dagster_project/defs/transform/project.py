"""The dbt project as Dagster sees it. Preparing (dbt parse → manifest.json) happens before definitions load,
never at import time: `callqa run` and `make` call `prepare_dbt_project()`; `dagster dev` prepares it itself."""

import os

from dagster_dbt import DbtProject

from dagster_project.settings import DBT_PROJECT_DIR, Settings

# CALLQA_DBT_TARGET_PATH (relative to dbt/) lets parallel test workers keep their manifests apart.
dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    profiles_dir=DBT_PROJECT_DIR,
    target_path=os.environ.get("CALLQA_DBT_TARGET_PATH", "target"),
)


def prepare_dbt_project() -> None:
    """Write the manifest the definitions are built from (dbt parse), with the current settings."""
    Settings.from_env().export()
    dbt_project.preparer.prepare(dbt_project)
