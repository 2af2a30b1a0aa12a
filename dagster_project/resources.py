"""Dagster resources: the DuckDB warehouse (one writer at a time, limits from settings)."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import dagster as dg

from dagster_project.lib.warehouse import connect
from dagster_project.settings import Settings

# Every asset that writes the warehouse runs in this pool; the instance limits it to one at a time
# (dagster.yaml: concurrency.pools.default_limit = 1), because DuckDB allows a single writer process.
WAREHOUSE_POOL = "duckdb_warehouse"

_PATHS = {f.name for f in dataclasses.fields(Settings) if f.type in (Path, "Path")}


class WarehouseResource(dg.ConfigurableResource):
    """Connections to the DuckDB warehouse. Its fields are the settings (settings.Settings), resolved once (when the
    code location loads, or by `callqa run`) and passed here: no step re-reads the environment. The PII key is not a
    field (Dagster shows resource fields in the UI): lib/warehouse.settle_pii_key reads it where it is used."""

    landing_dir: str
    warehouse: str
    timezone: str
    timezone_explicit: bool
    duckdb_memory_limit: str
    duckdb_threads: int
    duckdb_temp_dir: str
    serving_warehouse: str
    export_dir: str

    @classmethod
    def from_settings(cls, settings: Settings) -> "WarehouseResource":
        return cls(**{name: str(value) if name in _PATHS else value
                      for name, value in dataclasses.asdict(settings).items()})

    @classmethod
    def from_env(cls) -> "WarehouseResource":
        return cls.from_settings(Settings.from_env())

    def settings(self) -> Settings:
        return Settings(**{f.name: Path(getattr(self, f.name)) if f.name in _PATHS else getattr(self, f.name)
                           for f in dataclasses.fields(Settings)})

    def connect(self, read_only: bool = False):
        return connect(self.settings(), read_only=read_only)
