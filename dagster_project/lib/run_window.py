"""What a run processes: its date window of deliveries and whether it rebuilds everything, as plain values and pure
functions (the Dagster assets only read them off the run's config and partition).

- A run's **window** is a range of local dates of delivery, `start` inclusive, `end` exclusive: a daily partition
  (or a backfill's range of them, run once: single-run backfill policy; `callqa run` is today's), or a window
  given in the run config, which wins. Whatever the window, a run loads every new delivery.
- **dbt** gets the window as vars (`callqa_window_start`, `callqa_window_end`: ISO local dates, end exclusive), for
  the models that build by load; `full_refresh` becomes dbt's `--full-refresh` (every incremental model rebuilt from
  raw) and then takes no window: it rebuilds the whole history whatever the partition.
- **Ingestion** is not partitioned: every run loads every new file (the ledger skips the rest), except a
  micro-batch (the landing sensor), which names its files: only those are read. A file's date of delivery (which
  partition the sensor asks for) is the local date of its modification time.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

DBT_BUILD = ["build", "--exclude-resource-type", "unit_test"]
WINDOW_START_VAR = "callqa_window_start"
WINDOW_END_VAR = "callqa_window_end"


class InvalidWindow(ValueError):
    """A run config whose date window cannot be used (the message is one line, for the user)."""


@dataclass(frozen=True)
class DateWindow:
    """Local dates of delivery: `start` inclusive, `end` exclusive."""

    start: date
    end: date

    def __post_init__(self):
        if self.end <= self.start:
            raise InvalidWindow(f"the date window must end after it starts (got {self.start} to {self.end})")

    @classmethod
    def of_partition(cls, time_window) -> "DateWindow":
        """From a Dagster partition TimeWindow (local midnights of the partitions' zone)."""
        return cls(time_window.start.date(), time_window.end.date())


def config_window(start: str | None, end: str | None) -> DateWindow | None:
    """The window a run config gives (`window_start`, `window_end`: YYYY-MM-DD, end exclusive), or None."""
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise InvalidWindow("give both window_start and window_end (YYYY-MM-DD, the end exclusive), or neither")
    try:
        return DateWindow(date.fromisoformat(start), date.fromisoformat(end))
    except ValueError as exc:
        if isinstance(exc, InvalidWindow):
            raise
        raise InvalidWindow(f"window_start and window_end must be dates as YYYY-MM-DD (got {start!r}, {end!r})") from None


def run_window(config, partition: DateWindow | None) -> DateWindow | None:
    """The window of a run: the config's when it gives one (a launch always has a partition, so a window in the
    config is the explicit choice of another), else the partition's."""
    return config_window(config.window_start, config.window_end) or partition


def dbt_args(config, partition: DateWindow | None, extra_vars: Mapping[str, str] | None = None) -> list[str]:
    """`dbt build` arguments of a run: config (`full_refresh`, `window_start`, `window_end`) and the partition's
    window become `--full-refresh` or the window vars; `extra_vars` (e.g. the time zone) are passed as they are."""
    window = run_window(config, partition)
    dbt_vars = dict(extra_vars or {})
    if window is not None and not config.full_refresh:
        dbt_vars[WINDOW_START_VAR] = window.start.isoformat()
        dbt_vars[WINDOW_END_VAR] = window.end.isoformat()
    args = [*DBT_BUILD, "--vars", json.dumps(dbt_vars, sort_keys=True)]
    return [*args, "--full-refresh"] if config.full_refresh else args


def delivery_date(path: Path, timezone: str) -> date:
    """A landing file's local date of delivery: the date of its modification time in `timezone`."""
    return datetime.fromtimestamp(Path(path).stat().st_mtime, ZoneInfo(timezone)).date()


def delivery_filter(landing_dir: Path, files: Collection[str] | None = None) -> Callable[[Path], bool] | None:
    """Which landing files a run reads: with `files` (paths relative to the landing folder, a micro-batch) only
    those; else None (every new file)."""
    if not files:
        return None
    landing_dir = Path(landing_dir)
    named = {Path(f).as_posix() for f in files}
    return lambda path: Path(path).relative_to(landing_dir).as_posix() in named
