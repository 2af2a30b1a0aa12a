"""Configuration of callqa: environment variables with working defaults.

Every setting is read when it is needed (not frozen at import), so tests and the CLI can point callqa at
another landing folder or warehouse by setting the environment.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt"
SEEDS_DIR = REPO_ROOT / "seeds"

DEFAULT_LANDING_DIR = REPO_ROOT / "data" / "landing"
DEFAULT_WAREHOUSE = REPO_ROOT / "data" / "warehouse" / "callqa.duckdb"


def _path(env_name: str, default: Path) -> Path:
    value = os.environ.get(env_name)
    return Path(value).expanduser().resolve() if value else default


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

    @classmethod
    def from_env(cls) -> "Settings":
        warehouse = _path("CALLQA_WAREHOUSE", DEFAULT_WAREHOUSE)
        return cls(
            landing_dir=_path("CALLQA_LANDING_DIR", DEFAULT_LANDING_DIR),
            warehouse=warehouse,
            timezone=os.environ.get("CALLQA_TIMEZONE", "UTC"),
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
