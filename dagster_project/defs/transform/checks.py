"""Layer reconciliation, checked in Python against the warehouse (independently of the dbt audit models):
every raw row is either in staging or in audit.rejected_rows, never both, never neither."""

import dagster as dg

from dagster_project.lib.contract import load_contract
from dagster_project.lib.reconcile import reconcile
from dagster_project.resources import WAREHOUSE_POOL, WarehouseResource


@dg.asset_check(
    asset=dg.AssetKey(["audit", "rejected_rows"]),
    name="raw_equals_staged_plus_rejected",
    description="Per source: raw rows = staged rows + rejected rows, and no raw row is both staged and rejected.",
    # Blocking: publishing depends on audit.rejected_rows, so an unreconciled load is never published.
    blocking=True,
    # It opens the warehouse: one writer at a time, like every step that does (under the multiprocess executor of a
    # UI launch it otherwise collided with the analysis step and failed the run).
    pool=WAREHOUSE_POOL,
)
def raw_equals_staged_plus_rejected(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    con = warehouse.connect(read_only=False)
    try:
        rows = reconcile(con, list(load_contract()))
    finally:
        con.close()
    broken = [r for r in rows if not r.is_reconciled]
    return dg.AssetCheckResult(
        passed=not broken,
        metadata={
            "sources": len(rows),
            "not_reconciled": ", ".join(r.source for r in broken) or "none",
            "raw_rows": sum(r.raw_rows for r in rows),
            "staged_rows": sum(r.staged_rows for r in rows),
            "rejected_rows": sum(r.rejected_rows for r in rows),
        },
    )
