"""What the whole code location shares: its settings, resolved once when it loads, and how runs are cut.

- `LOCATION_SETTINGS`: the CALLQA_* environment read once (settings.Settings.from_env); resources get them as
  fields (resources.WarehouseResource), the schedule and the partitions take their zone from them. `callqa run`
  passes its own resolved settings to the job the same way (pipeline.py).
- `delivery_partitions`: one partition per local date of delivery (in CALLQA_TIMEZONE, UTC when unset, like the
  schedule), today's included while files still land, on the dbt step; a backfill of many days is one run
  (single-run backfill policy): one `dbt build` over the whole window, never one per day. Every launch has a
  partition (`callqa run` and the sensor: today's unless told; see delivery_partition_key). Ingestion is not
  partitioned: it loads whatever is new, whatever the partition.
- The typed run config of the dbt step (`full_refresh`, a date window) and of the ingestion step (the files of a
  micro-batch); lib/run_window.py turns them into dbt's arguments and the files to read.
"""
from __future__ import annotations

from datetime import date

import dagster as dg

from dagster_project.lib.run_window import DateWindow
from dagster_project.settings import Settings

LOCATION_SETTINGS = Settings.from_env()
# The first day a delivery can be partitioned under (deliveries are files landing now, not the history they hold).
DELIVERY_PARTITIONS_START = "2024-01-01"

delivery_partitions = dg.DailyPartitionsDefinition(
    start_date=DELIVERY_PARTITIONS_START, timezone=LOCATION_SETTINGS.timezone, end_offset=1)
single_run_backfill = dg.BackfillPolicy.single_run()


class DbtRunConfig(dg.Config):
    """How the dbt step builds (in the launchpad: ops > callqa_dbt > config).

    full_refresh: rebuild every incremental model from raw (dbt --full-refresh), ignoring any date window: after a
    change of logic, or to compare against the increments.
    window_start, window_end: local dates of delivery (YYYY-MM-DD, the end exclusive); both or neither; instead of
    the launched partition's window (lib/run_window.run_window)."""

    full_refresh: bool = False
    window_start: str | None = None
    window_end: str | None = None


class IngestConfig(dg.Config):
    """Which landing files the ingestion step reads (ops > ingest_landing > config).

    files: only these (paths relative to the landing folder): a micro-batch, as the landing sensor asks; empty:
    every new file."""

    files: list[str] = []


def delivery_partition_key(day: date | None = None) -> str:
    """The partition a run is launched in: `day`'s, or today's (the last one) for no day or a day the partitions do
    not hold (a file dated before their start, or in the future). Every launch has one: the dbt step is a
    partitioned multi-asset whose models depend on each other, and Dagster 1.13 fails such a step in a run without a
    partition ("Cannot access partition_key for a non-partitioned run", looking up its inputs' data versions)."""
    if day is not None and delivery_partitions.has_partition_key(day.isoformat()):
        return day.isoformat()
    return delivery_partitions.get_last_partition_key()


def partition_window(context: dg.AssetExecutionContext) -> DateWindow | None:
    """The run's partition (or backfill range) as local dates of delivery; None for a run without a partition."""
    if not (context.has_partition_key or context.has_partition_key_range):
        return None
    return DateWindow.of_partition(context.partition_time_window)


DBT_OP = "callqa_dbt"


def full_refresh_run_config() -> dict:
    """Run config of a full refresh (`callqa run --full-refresh`, or typed in the launchpad)."""
    return {"ops": {DBT_OP: {"config": {"full_refresh": True}}}}


# A job's own config is not applied to a partitioned job's run launched without a partition, so the UI's
# `callqa_full_refresh` job says it with a tag on every run it launches.
FULL_REFRESH_TAG = "callqa/full_refresh"


def with_run_tags(config: DbtRunConfig, tags: dict[str, str]) -> DbtRunConfig:
    """The dbt step's config, with a full refresh when the run's job asks for one by tag."""
    if tags.get(FULL_REFRESH_TAG) == "true" and not config.full_refresh:
        return config.model_copy(update={"full_refresh": True})
    return config


def is_full_refresh_run(run_config: dict | None, tags: dict[str, str]) -> bool:
    """Whether a run is a full refresh, for steps other than dbt (the satisfaction analysis refits then): the dbt
    step's config of the run, with the job's tag, by the same rule as the dbt step (`with_run_tags`)."""
    ops = (run_config or {}).get("ops") or {}
    dbt_config = (ops.get(DBT_OP) or {}).get("config") or {}
    return with_run_tags(DbtRunConfig(**dbt_config), tags).full_refresh
