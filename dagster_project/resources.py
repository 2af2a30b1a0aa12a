"""Dagster resources: the DuckDB warehouse (one writer at a time, limits from settings)."""

import dagster as dg

from dagster_project.lib.warehouse import connect
from dagster_project.settings import Settings

# Every asset that writes the warehouse runs in this pool; the instance limits it to one at a time
# (dagster.yaml: concurrency.pools.default_limit = 1), because DuckDB allows a single writer process.
WAREHOUSE_POOL = "duckdb_warehouse"


class WarehouseResource(dg.ConfigurableResource):
    """Connections to the DuckDB warehouse. Paths and limits come from the CALLQA_* environment."""

    def settings(self) -> Settings:
        return Settings.from_env()

    def connect(self, read_only: bool = False):
        return connect(self.settings(), read_only=read_only)
