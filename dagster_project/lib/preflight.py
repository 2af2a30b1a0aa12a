"""What is checked before a run starts (`callqa run`, pipeline.run_pipeline), so that a mistake in the command
fails in one line and leaves the warehouse and its published copy as they were:

- the time zone is a real IANA zone (settings.check_timezone);
- the landing folder exists and at least one source or adapter has a file in it (a typo in `--landing` used to load
  nothing, "succeed" and publish an empty warehouse over the last good one);
- the zone is the one the warehouse was built with (lib/warehouse.settle_timezone), recorded on the first run.
"""
from __future__ import annotations

from pathlib import Path

from dagster_project.settings import Settings, check_timezone


class PreflightError(RuntimeError):
    """A reason not to start the run; the message is one line, for the user."""


def landing_file_counts(landing_dir: Path) -> dict[str, int]:
    """Files per contract source and per adapter (lib/adapters.py) in the landing folder, found exactly as
    ingestion finds them."""
    from dagster_project.lib.adapters import adapter_file_counts
    from dagster_project.lib.contract import load_contract
    from dagster_project.lib.ingest import landing_files

    counts = {source: len(landing_files(landing_dir, source)) for source in load_contract()}
    counts.update(adapter_file_counts(landing_dir))
    return counts


def check_landing(landing_dir: Path) -> dict[str, int]:
    if not landing_dir.is_dir():
        raise PreflightError(
            f"no landing folder at {landing_dir}: pass --landing DIR or set CALLQA_LANDING_DIR "
            "(nothing was loaded or published)"
        )
    counts = landing_file_counts(landing_dir)
    if not any(counts.values()):
        from dagster_project.lib.ingest import SUFFIXES

        raise PreflightError(
            f"no landing files in {landing_dir}: expected <source>/ folders such as calls/ or agents/ with "
            f"{' / '.join(SUFFIXES)} files, or adapter folders such as amazon_connect_ctr/ (`callqa adapters` "
            "lists them) (nothing was loaded or published)"
        )
    return counts


def check_arguments(settings: Settings) -> None:
    """The checks that write nothing (a real zone, a landing folder with files): run before anything is created,
    even the warehouse's lock file."""
    from dagster_project.settings import InvalidTimezone

    try:
        if settings.timezone_explicit:
            check_timezone(settings.timezone)
        check_landing(settings.landing_dir)
    except InvalidTimezone as exc:
        raise PreflightError(str(exc)) from None


def preflight(settings: Settings, rebuild: bool = False) -> Settings:
    """The settings the run must use (the zone settled against the warehouse's), or PreflightError.
    Nothing is written unless every check passes; then the zone is recorded in a new warehouse."""
    import duckdb

    from dagster_project.lib.warehouse import PiiKeyMismatch, TimezoneMismatch, settle_pii_key, settle_timezone
    from dagster_project.settings import InvalidTimezone

    try:
        if settings.timezone_explicit:
            check_timezone(settings.timezone)
        check_landing(settings.landing_dir)
        settled = settle_timezone(settings, rebuild=rebuild)
        settle_pii_key(settled)
        return settled
    except (InvalidTimezone, TimezoneMismatch, PiiKeyMismatch) as exc:
        raise PreflightError(str(exc)) from None
    except duckdb.IOException as exc:
        raise PreflightError(f"cannot open {settings.warehouse} for writing (is another run using it?): "
                             f"{str(exc).splitlines()[0]}") from None
