"""The dbt project as Dagster sees it. Preparing (dbt parse → manifest.json) happens before definitions load,
never at import time: `callqa run` and `make` call `prepare_dbt_project()`; `dagster dev` prepares it itself."""

from dagster_dbt import DbtProject

from dagster_project.settings import DBT_PROJECT_DIR, Settings

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def prepare_dbt_project() -> None:
    """Write the manifest the definitions are built from (dbt parse), with the current settings."""
    Settings.from_env().export()
    dbt_project.preparer.prepare(dbt_project)
