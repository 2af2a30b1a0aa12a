"""One ingestion asset per landing source: new files into raw.<source>, losslessly (lib/ingest.py)."""

import dagster as dg

from dagster_project.lib.contract import SourceContract, load_contract
from dagster_project.lib.ingest import ingest_source
from dagster_project.resources import WAREHOUSE_POOL, WarehouseResource

REFUSED_CHECK = "no_refused_files"


def build_ingest_asset(contract: SourceContract) -> dg.AssetsDefinition:
    key = dg.AssetKey(["raw", contract.name])

    @dg.asset(
        key=key,
        group_name="ingest",
        kinds={"python", "duckdb"},
        pool=WAREHOUSE_POOL,
        description=f"Landing files of `{contract.name}` loaded as delivered (text, plus file, line, load "
        f"time and SHA-256); phone numbers hashed, free text masked. {contract.description}",
        check_specs=[
            dg.AssetCheckSpec(
                REFUSED_CHECK,
                asset=key,
                description="No file of this run was refused (e.g. missing a required column).",
            )
        ],
    )
    def _ingest(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        settings = warehouse.settings()
        con = warehouse.connect()
        try:
            result = ingest_source(con, settings.landing_dir, contract)
        finally:
            con.close()
        for refused in result.refused:
            context.log.error(refused.error)
        for f in result.files:
            if f.status == "duplicate":
                context.log.warning(f"{f.file}: {f.error}")
        yield dg.MaterializeResult(
            metadata={
                "landing_dir": str(settings.landing_dir),
                "files_loaded": result.count("loaded"),
                "files_empty": result.count("empty"),
                "files_refused": result.count("refused"),
                "files_duplicate": result.count("duplicate"),
                "files_already_loaded": result.count("already_loaded"),
                "rows_loaded": result.rows_loaded,
                "rows_malformed": sum(f.malformed for f in result.files),
            }
        )
        yield dg.AssetCheckResult(
            check_name=REFUSED_CHECK,
            passed=not result.refused,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"refused": "\n".join(f.error for f in result.refused) or "none"},
        )

    return _ingest


ingest_assets = [build_ingest_asset(c) for c in load_contract().values()]
