"""Automation: a sensor on the landing folder (a micro-batch per landing), a daily schedule (yesterday's partition)
and the full-refresh job.

The sensor never opens the warehouse (that would compete with the single DuckDB writer): it keeps, in its cursor,
the size and modification time of every landing file it has seen, and asks for a run of just the files that are
new or changed (lib/run_window: the ingestion reads only those), in the partition of their local date of delivery
(one run per date when a burst spans midnight). A changed adapter setting (callqa_adapter.yml, e.g. date_order
pinned) lifts refusals: that adapter's files go in the batch again (the ledger skips those already loaded)."""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg

from dagster_project.defs.location import FULL_REFRESH_TAG, LOCATION_SETTINGS, delivery_partition_key
from dagster_project.lib.adapters import ADAPTERS, SETTINGS_FILE, adapter, adapter_files
from dagster_project.lib.contract import load_contract
from dagster_project.lib.ingest import landing_files
from dagster_project.lib.run_window import delivery_date
from dagster_project.resources import WarehouseResource
from dagster_project.settings import Settings

callqa_job = dg.define_asset_job(
    "callqa_pipeline",
    selection=dg.AssetSelection.all(),
    description="Ingest every new landing file, then build and test all dbt models. Launched with a partition (a "
                "local date of delivery) or a range of them, one run builds that window.",
)

callqa_full_refresh_job = dg.define_asset_job(
    "callqa_full_refresh",
    selection=dg.AssetSelection.all(),
    tags={FULL_REFRESH_TAG: "true"},
    description="The whole pipeline with every incremental dbt model rebuilt from raw (dbt --full-refresh); the "
                "same as `callqa run --full-refresh`.",
)


def landing_state(settings: Settings) -> dict[str, str]:
    """Every landing file (contract sources, adapters, adapter settings) as {path relative to the landing folder:
    "size:mtime_ns"}."""
    landing = settings.landing_dir
    paths = [path for source in load_contract() for path in landing_files(landing, source)]
    for name in ADAPTERS:
        paths.extend(adapter_files(landing, name))
        config = landing / adapter(name).folder / SETTINGS_FILE
        if config.is_file():
            paths.append(config)
    state = {}
    for path in paths:
        stat = path.stat()
        state[path.relative_to(landing).as_posix()] = f"{stat.st_size}:{stat.st_mtime_ns}"
    return state


def landing_batches(settings: Settings, seen: dict[str, str], now: dict[str, str]) -> dict[date, list[str]]:
    """The files to process, by local date of delivery: new or changed since `seen`; for a new or changed adapter
    settings file, that adapter's files."""
    changed = sorted(path for path, stamp in now.items() if seen.get(path) != stamp)
    files = set()
    for path in changed:
        if Path(path).name == SETTINGS_FILE:
            folder = Path(path).parent.as_posix()
            files.update(f.relative_to(settings.landing_dir).as_posix()
                         for name in ADAPTERS if adapter(name).folder == folder
                         for f in adapter_files(settings.landing_dir, name))
        else:
            files.add(path)
    batches: dict[date, list[str]] = {}
    for path in sorted(files):
        batches.setdefault(delivery_date(settings.landing_dir / path, settings.timezone), []).append(path)
    return batches


@dg.sensor(job=callqa_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED)
def landing_folder_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    """A micro-batch when files land: a run that ingests just the new files and builds their day."""
    settings = warehouse.settings()
    now = landing_state(settings)
    seen = json.loads(context.cursor) if context.cursor else {}
    batches = landing_batches(settings, seen, now)
    if not batches:
        return dg.SkipReason(f"no new landing files ({len(now)} files seen)")
    context.update_cursor(json.dumps(now, sort_keys=True))
    requests = []
    for day, files in batches.items():
        stamps = "\n".join(f"{f}|{now.get(f, '')}" for f in files)
        requests.append(dg.RunRequest(
            run_key=hashlib.sha256(stamps.encode()).hexdigest(),
            partition_key=delivery_partition_key(day),
            run_config={"ops": {"ingest_landing": {"config": {"files": files}}}},
            tags={"callqa/landing_files": str(len(files)), "callqa/delivery_date": day.isoformat()},
        ))
    return requests


@dg.schedule(name="callqa_daily", job=callqa_job, cron_schedule="0 6 * * *",
             execution_timezone=LOCATION_SETTINGS.timezone, default_status=dg.DefaultScheduleStatus.STOPPED,
             description="Every morning at 06:00 local time: yesterday's partition (the files delivered up to "
                         "midnight, and any earlier one not loaded yet).")
def daily_schedule(context: dg.ScheduleEvaluationContext):
    day = yesterday(context.scheduled_execution_time, LOCATION_SETTINGS.timezone)
    return dg.RunRequest(run_key=day.isoformat(), partition_key=day.isoformat())


def yesterday(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date() - timedelta(days=1)
