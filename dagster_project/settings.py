"""Configuration of callqa: environment variables with working defaults.

Every setting is read when it is needed (not frozen at import), so tests and the CLI can point callqa at
another landing folder or warehouse by setting the environment.
"""
from __future__ import annotations

import os
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
SEEDS_DIR = REPO_ROOT / "seeds"

DEFAULT_LANDING_DIR = REPO_ROOT / "data" / "landing"
DEFAULT_WAREHOUSE = REPO_ROOT / "data" / "warehouse" / "callqa.duckdb"
# What `make demo` writes (Makefile DEMO_DIR): readers fall back to it when it is the only warehouse.
DEMO_WAREHOUSE = REPO_ROOT / "data" / "demo" / "callqa.duckdb"
DEFAULT_TIMEZONE = "UTC"


def _path(env_name: str, default: Path) -> Path:
    value = os.environ.get(env_name)
    return Path(value).expanduser().resolve() if value else default


def default_warehouse(for_reading: bool = False) -> Path:
    """The warehouse when CALLQA_WAREHOUSE is not set. A run writes data/warehouse/callqa.duckdb; a reader reads
    it, or the demo's (data/demo/callqa.duckdb) when that is the only one, so that every reading command works
    with no flags after `make demo`. A run never falls back: it would mix the user's files into the demo."""
    if for_reading and not DEFAULT_WAREHOUSE.exists() and DEMO_WAREHOUSE.exists():
        return DEMO_WAREHOUSE
    return DEFAULT_WAREHOUSE


class InvalidTimezone(ValueError):
    """A time zone name that is not in the IANA database (the message is one line, for the user)."""


def check_timezone(name: str, what: str = "CALLQA_TIMEZONE") -> str:
    """`name` if it is an IANA time zone (as zoneinfo knows it, e.g. America/New_York), else InvalidTimezone."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidTimezone(
            f"{what}={name!r} is not a time zone: use an IANA name such as America/New_York, Europe/Paris or UTC"
        ) from None
    return name


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse: Path
    timezone: str
    duckdb_memory_limit: str
    duckdb_threads: int
    duckdb_temp_dir: Path
    # The published copy readers use (notebooks, BI, `callqa status`), and Parquet exports of the public tables.
    serving_warehouse: Path
    export_dir: Path
    # False when CALLQA_TIMEZONE was not set (timezone is then the default, UTC): a run then takes the zone the
    # warehouse recorded on its first run (lib/warehouse.py) instead.
    timezone_explicit: bool = True

    @classmethod
    def from_env(cls, for_reading: bool = False) -> "Settings":
        """The settings from the environment; `for_reading`: the default warehouse of a reader (see
        default_warehouse)."""
        warehouse = _path("CALLQA_WAREHOUSE", default_warehouse(for_reading))
        timezone = os.environ.get("CALLQA_TIMEZONE") or None
        return cls(
            landing_dir=_path("CALLQA_LANDING_DIR", DEFAULT_LANDING_DIR),
            warehouse=warehouse,
            timezone=timezone or DEFAULT_TIMEZONE,
            timezone_explicit=timezone is not None,
            duckdb_memory_limit=os.environ.get("CALLQA_DUCKDB_MEMORY_LIMIT", "4GB"),
            duckdb_threads=int(os.environ.get("CALLQA_DUCKDB_THREADS", "2")),
            duckdb_temp_dir=_path("CALLQA_DUCKDB_TEMP_DIR", warehouse.parent / "duckdb_tmp"),
            serving_warehouse=_path("CALLQA_SERVING_WAREHOUSE", warehouse.parent / "callqa_serving.duckdb"),
            export_dir=_path("CALLQA_EXPORT_DIR", warehouse.parent / "exports"),
        )

    def export(self) -> None:
        """Write the resolved settings back to the environment, as absolute paths, for dbt subprocesses.
        The serving copy and export paths are not written: they derive from the warehouse unless set, and pinning
        them would make a later run in the same process (another warehouse) publish over this one's copy."""
        os.environ["CALLQA_LANDING_DIR"] = str(self.landing_dir)
        os.environ["CALLQA_WAREHOUSE"] = str(self.warehouse)
        os.environ["CALLQA_TIMEZONE"] = self.timezone
        os.environ["CALLQA_DUCKDB_MEMORY_LIMIT"] = self.duckdb_memory_limit
        os.environ["CALLQA_DUCKDB_THREADS"] = str(self.duckdb_threads)
        os.environ["CALLQA_DUCKDB_TEMP_DIR"] = str(self.duckdb_temp_dir)
