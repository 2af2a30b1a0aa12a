"""Publishing after a successful build: the serving copy readers use, and Parquet exports (lib/publish.py).

The asset depends on every mart (and on audit.rejected_rows, whose blocking reconciliation check must pass),
so Dagster runs it only when all of them materialized in this run; a failed step or check leaves the last good
serving copy in place."""

import dagster as dg

from dagster_project.defs.transform.assets import callqa_dbt_assets
from dagster_project.lib.build_state import record_published
from dagster_project.lib.publish import publish
from dagster_project.lib.warehouse import checkpoint_and_compact
from dagster_project.resources import WAREHOUSE_POOL, WarehouseResource

SERVING_COPY = dg.AssetKey(["publish", "serving_copy"])
# Other published assets (e.g. the analysis tables) add their keys here through `publish_deps`.
_RECONCILED = dg.AssetKey(["audit", "rejected_rows"])


def publish_deps(extra: list[dg.AssetKey] | None = None) -> list[dg.AssetKey]:
    marts = [key for key in callqa_dbt_assets.keys if key.path[0] == "marts"]
    return sorted([*marts, _RECONCILED, *(extra or [])], key=lambda k: k.to_user_string())


def build_serving_copy_asset(extra_deps: list[dg.AssetKey] | None = None) -> dg.AssetsDefinition:
    @dg.asset(
        key=SERVING_COPY,
        deps=publish_deps(extra_deps),
        group_name="publish",
        kinds={"duckdb", "parquet"},
        pool=WAREHOUSE_POOL,
        description="The marts, analysis and reference tables copied into the serving DuckDB file (swapped "
        "atomically) and exported to Parquet: what notebooks, BI and analysts read.",
    )
    def serving_copy(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        settings = warehouse.settings()
        con = warehouse.connect()
        try:
            result = publish(con, settings.serving_warehouse, settings.export_dir, run_id=context.run.run_id)
            record_published(con, context.run.run_id)  # the next run with no new loads skips (lib/build_state.py)
        finally:
            con.close()
        context.log.info(f"published {len(result.tables)} tables to {result.serving_warehouse}, {result.summary()}")
        for name, change in result.changes.items():
            if change.action != "kept":
                context.log.debug(f"serving copy: {name} {change}")
        checked, compacted = checkpoint_and_compact(settings)
        if compacted:
            context.log.info(f"warehouse compacted: {checked.file_bytes:,} bytes ({checked.free_share:.0%} free "
                             f"blocks) -> {compacted.file_bytes:,} bytes")
        return dg.MaterializeResult(
            metadata={
                "serving_warehouse": str(result.serving_warehouse),
                "parquet_exports": str(result.export_dir / "current"),
                "version": result.version,
                "tables": len(result.tables),
                "rows": result.total_rows,
                "serving_copy_built": result.summary(),
                "warehouse_bytes": (compacted or checked).file_bytes,
                "warehouse_free_block_share": round((compacted or checked).free_share, 4),
                "warehouse_compacted": compacted is not None,
            }
        )

    return serving_copy
