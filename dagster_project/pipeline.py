"""Running the whole pipeline in process (what `callqa run` and the end-to-end tests do)."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from dagster_project.settings import Settings


@dataclass
class PipelineOutcome:
    success: bool
    failed_checks: list[str] = field(default_factory=list)
    refused_files: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    summary: str = ""
    skipped: str | None = None  # why nothing was built (no new loads since the last published build)

    @property
    def exit_code(self) -> int:
        if not self.success:
            return 1
        return 2 if (self.failed_checks or self.refused_files) else 0


def _key_source(settings: Settings) -> str:
    """Where the run's phone-number key came from (the variable, or the warehouse's generated key file)."""
    import os

    if os.environ.get("CALLQA_PII_KEY"):
        return "CALLQA_PII_KEY"
    from dagster_project.lib.pii import key_file

    path = key_file(settings.warehouse)
    return f"{path} (generated for this warehouse; keep it with its backups)" if path.exists() else "none yet"


def planted_story(landing_dir: Path) -> list[str]:
    """For a synthetic center (`callqa generate` writes ground_truth.json into its landing folder): the weak spots
    planted on purpose, so that a reader of the demo tells the story from a defect. Empty for real data."""
    from dagster_project.lib.planted import TRUTH_FILE, planted_weak_spots

    spots = planted_weak_spots(landing_dir)
    if not spots:
        return []
    return [f"planted on purpose in this synthetic center ({TRUTH_FILE}): not defects of callqa"] + [
        f"  - {spot['name'].replace('_', ' ')}: {spot['what']} (see {spot['where']})" for spot in spots]


def _error_text(event) -> str:
    """The error of a failed step with its causes (dagster-dbt puts dbt's own messages in the message)."""
    error = getattr(event.event_specific_data, "error", None)
    parts = []
    while error is not None:
        parts.append(error.message or "")
        error = error.cause
    return "\n".join(parts)


def failure_hints(errors: list[str], settings: Settings) -> list[str]:
    """What ran out and what to set, for failures a user can fix by configuration."""
    text = "\n".join(errors)
    hints = []
    if "Out of Memory" in text:
        hints.append(f"DuckDB ran out of memory (CALLQA_DUCKDB_MEMORY_LIMIT={settings.duckdb_memory_limit}; spills go to "
                     f"{settings.duckdb_temp_dir}): raise CALLQA_DUCKDB_MEMORY_LIMIT (4GB is the default), or lower "
                     "CALLQA_DUCKDB_THREADS so fewer queries share it")
    if "No space left on device" in text:
        hints.append(f"the disk is full (warehouse {settings.warehouse}, spills in {settings.duckdb_temp_dir}): free "
                     "space or point CALLQA_DUCKDB_TEMP_DIR at a larger disk")
    if "schemas on this incremental model are out of sync" in text:
        hints.append("a table this callqa keeps up to date in place has other columns in the warehouse (built by an "
                     "earlier version, or the model's columns changed): run `callqa run --full-refresh` once")
    return hints


def outcome_line(success: bool, failed_checks: list[str], refused_files: list[str], published: bool) -> str:
    """The summary's first line: what happened, worst first (exit code 1: failed; 2: published with a problem)."""
    if not success:
        return "callqa run FAILED: nothing new was published" + (" (the last good serving copy stays)" if published else "")
    problems = []
    if refused_files:
        problems.append(f"{len(refused_files)} file(s) REFUSED (see refused below)")
    if failed_checks:
        problems.append(f"{len(failed_checks)} check(s) FAILED: {', '.join(failed_checks)}")
    return "callqa run published with " + "; ".join(problems) if problems else "callqa run succeeded"


def job_run_config(log_level: str, full_refresh: bool = False) -> dict:
    """The run config `callqa run` launches the job with: its log level, and a full refresh when asked."""
    from dagster_project.defs.location import full_refresh_run_config

    config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    return {**config, **full_refresh_run_config()} if full_refresh else config


def run_pipeline(settings: Settings | None = None, quiet: bool = True, rebuild: bool = False,
                 full_refresh: bool = False, early_skip: bool = True) -> PipelineOutcome:
    """Runs every new delivery, in today's partition (defs/location.delivery_partition_key); `full_refresh` rebuilds every incremental dbt model
    from raw (dbt --full-refresh). Raises lib.preflight.PreflightError (one line; nothing loaded or published) before the job when the zone
    is invalid or not the warehouse's (unless `rebuild`), the landing folder is missing or has no file, or another
    `callqa run` holds the warehouse (lib/runlock.py: one writer at a time, refused at once, naming the holder).
    With nothing new since the last published build (lib/build_state.fast_skip_reason) it returns before starting
    Dagster, unless `early_skip` is False (then the Dagster run decides by the same rule and skips dbt)."""
    from dagster_project.lib.preflight import PreflightError, check_arguments
    from dagster_project.lib.runlock import WarehouseBusy, warehouse_lock

    settings = settings or Settings.from_env()
    check_arguments(settings)  # nothing is created (not even the lock file) for a typo
    try:
        with warehouse_lock(settings.warehouse):
            return _run_locked(settings, quiet, rebuild, full_refresh, early_skip)
    except WarehouseBusy as exc:
        raise PreflightError(str(exc)) from None


def early_skip_reason(settings: Settings) -> str | None:
    """lib/build_state.fast_skip_reason on the settled warehouse (read only), or None (start the run)."""
    from dagster_project.lib.build_state import code_fingerprint, fast_skip_reason
    from dagster_project.lib.warehouse import warehouse_connection

    if not settings.warehouse.exists() or not settings.serving_warehouse.exists():
        return None
    with warehouse_connection(settings, read_only=True) as con:
        return fast_skip_reason(con, settings.landing_dir, code_fingerprint(), serving_copy_exists=True)


def _run_locked(settings: Settings, quiet: bool, rebuild: bool, full_refresh: bool,
                early_skip: bool = True) -> PipelineOutcome:
    from dagster_project.lib.preflight import preflight
    from dagster_project.lib.runlock import PID_TAG, WAREHOUSE_TAG, reclaim_stale_runs

    settings = preflight(settings, rebuild=rebuild)
    if early_skip and not (full_refresh or rebuild):
        reason = early_skip_reason(settings)
        if reason is not None:
            return summarize(settings, success=True, run_label="no Dagster run", skipped=reason)
    import dagster as dg

    from dagster_project.defs.transform.project import prepare_dbt_project

    settings.export()
    prepare_dbt_project()
    from dagster_project.definitions import defs
    # The first import of the definitions exports the settings the code location resolved when defs/location.py was
    # first imported, which in a process that imported it earlier (a test worker, a notebook) is not this run's
    # environment: this run's settings win for dbt's subprocesses.
    settings.export()
    from dagster_project.resources import WarehouseResource

    log_level = "WARNING" if quiet else "INFO"
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    reclaimed = reclaim_stale_runs(instance, settings.warehouse)
    for line in reclaimed.unknown:  # now, not only in the summary: such a run may hold the slot this run waits for
        print(f"callqa: {line}", file=sys.stderr, flush=True)
    from dagster_project.defs.location import delivery_partition_key

    job = defs.resolve_job_def("callqa_pipeline")
    result = job.execute_in_process(
        instance=instance,
        partition_key=delivery_partition_key(),  # today's: every new file is loaded, dbt's window is today
        raise_on_error=False,
        tags={PID_TAG: str(os.getpid()), WAREHOUSE_TAG: str(settings.warehouse)},
        run_config=job_run_config(log_level, full_refresh),
        # this run's settings (preflight settled them), not those the definitions module resolved when first imported
        resources={"warehouse": WarehouseResource.from_settings(settings)},
    )

    failed_checks = [
        f"{e.asset_key.to_user_string()}:{e.check_name}"
        for e in result.get_asset_check_evaluations()
        if not e.passed
    ]
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    return summarize(settings, result.success, f"Dagster run {result.run_id[:8]}", skipped_build(result),
                     failed_checks, [e.step_key for e in failures],
                     failure_hints([_error_text(e) for e in failures], settings), reclaimed)


def summarize(settings: Settings, success: bool, run_label: str, skipped: str | None = None,
              failed_checks: list[str] = (), failed_steps: list[str] = (), hints: list[str] = (),
              reclaimed=None) -> PipelineOutcome:
    """The outcome and what `callqa run` prints: the first line, where things are, the warehouse's status per source
    and its headlines (read back from the warehouse), what failed."""
    import duckdb

    from dagster_project.lib.adapters import reported_sources
    from dagster_project.lib.headlines import headlines
    from dagster_project.lib.status import format_status, source_status
    from dagster_project.lib.warehouse import warehouse_connection

    failed_checks, failed_steps = list(failed_checks), list(failed_steps)
    try:
        with warehouse_connection(settings, read_only=True) as con:
            report = source_status(con, reported_sources(con))
            headline_lines = headlines(con)
        status_text = format_status(report)
        if headline_lines:
            status_text += "\n\nheadlines\n" + "\n".join(headline_lines)
        story = planted_story(settings.landing_dir)
        if story:
            status_text += "\n\n" + "\n".join(story)
    except duckdb.Error as exc:  # e.g. a failed step left a dbt process holding the writer lock
        report, status_text = [], f"(could not read the warehouse status: {exc})"
    refused = [f["error"] for e in report for f in e.get("refused_files", [])]
    lines = [
        f"{outcome_line(success, failed_checks, refused, settings.serving_warehouse.exists())} ({run_label})",
        *([f"nothing to do: {skipped}"] if skipped else []),
        f"landing:   {settings.landing_dir}",
        f"warehouse: {settings.warehouse}",
        f"serving:   {settings.serving_warehouse}" + ("" if settings.serving_warehouse.exists() else " (not published)"),
        f"parquet:   {settings.export_dir / 'current'}",
        f"pii key:   {_key_source(settings)}",
        "",
        status_text,
    ]
    if reclaimed is not None and reclaimed.reclaimed:
        lines.append(f"reclaimed the pool slots of {len(reclaimed.reclaimed)} earlier run(s) whose process was gone: "
                     + ", ".join(r[:8] for r in reclaimed.reclaimed))
    if reclaimed is not None:
        lines.extend(reclaimed.unknown)
    if failed_steps:
        lines.append("failed steps: " + ", ".join(failed_steps))
    if failed_checks:
        lines.append("failed checks: " + ", ".join(failed_checks))
    lines.extend(hints)
    lines.append("")
    lines.append(
        "Open the Dagster UI with `make dev`; query the published copy with `callqa query \"select ...\"` or "
        f"`duckdb -readonly {settings.serving_warehouse}`."
    )
    return PipelineOutcome(
        success=success,
        failed_checks=failed_checks,
        refused_files=refused,
        failed_steps=failed_steps,
        summary="\n".join(lines),
        skipped=skipped,
    )


def skipped_build(result) -> str | None:
    """Why the run's dbt step built nothing (lib/build_state.skip_reason, left on the marts as observations), or None."""
    from dagster_project.defs.transform.assets import SKIPPED_METADATA

    for event in result.get_asset_observation_events():
        value = event.asset_observation_data.asset_observation.metadata.get(SKIPPED_METADATA)
        if value is not None:
            return value.value
    return None
