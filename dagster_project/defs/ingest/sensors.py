"""Automation: a sensor on the landing folder and a daily schedule, both running the whole pipeline.

The sensor never opens the warehouse (that would compete with the single DuckDB writer): it fingerprints
the landing folder (path, size, modification time of every file) and asks for a run when it changes. The
ledger then makes sure only new bytes are loaded."""

import hashlib
import os

import dagster as dg

from dagster_project.lib.adapters import ADAPTERS, SETTINGS_FILE, adapter_files, adapter
from dagster_project.lib.contract import load_contract
from dagster_project.lib.ingest import landing_files
from dagster_project.settings import Settings

callqa_job = dg.define_asset_job(
    "callqa_pipeline",
    selection=dg.AssetSelection.all(),
    description="Ingest every landing source, then build and test all dbt models.",
)


def landing_fingerprint(settings: Settings) -> tuple[str, int]:
    digest = hashlib.sha256()
    count = 0
    for source in load_contract():
        for path in landing_files(settings.landing_dir, source):
            stat = path.stat()
            digest.update(f"{path}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
            count += 1
    for name in ADAPTERS:
        for path in adapter_files(settings.landing_dir, name):
            stat = path.stat()
            digest.update(f"{path}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
            count += 1
        # a changed adapter setting (e.g. date_order pinned) lifts refusals: worth a run
        config = settings.landing_dir / adapter(name).folder / SETTINGS_FILE
        if config.is_file():
            stat = config.stat()
            digest.update(f"{config}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest(), count


@dg.sensor(job=callqa_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED)
def landing_folder_sensor(context: dg.SensorEvaluationContext):
    """Runs the pipeline when files appear or change in the landing folder."""
    fingerprint, files = landing_fingerprint(Settings.from_env())
    if files == 0 or fingerprint == context.cursor:
        return dg.SkipReason(f"no new landing files ({files} files seen)")
    context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint, tags={"callqa/landing_files": str(files)})


daily_schedule = dg.ScheduleDefinition(
    name="callqa_daily",
    job=callqa_job,
    cron_schedule="0 6 * * *",
    execution_timezone=os.environ.get("CALLQA_TIMEZONE", "UTC"),
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="The whole pipeline every morning at 06:00 local time.",
)
