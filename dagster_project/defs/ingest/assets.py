"""Ingestion: new landing files into raw.<source>, losslessly (lib/ingest.py). One asset per landing source in the
lineage graph, all computed by one step (a multi-asset that can be subset): sixteen steps each starting a process
under the multiprocess executor (a launch from the UI, the schedule or the sensor) spent minutes importing with
nothing to load.

The step first checks what `callqa run` checks before a run (lib/preflight.py): a real time zone that is the one the
warehouse recorded on its first run (recorded now on a new warehouse), the PII key it was built with (CALLQA_PII_KEY
or the warehouse's generated key file), and a landing folder with files. A run
launched from the UI, the schedule or the sensor is therefore refused exactly like `callqa run`, before anything is
loaded, and publishes nothing.

Not partitioned (the dbt step is, defs/location.py): every run loads every new file, whatever its partition; a
micro-batch (the landing sensor) only the files its config names (lib/run_window.delivery_filter). The ledger
skips every file already loaded."""

import dagster as dg

from dagster_project.defs.location import IngestConfig
from dagster_project.lib.adapters import ADAPTERS, ingest_adapter
from dagster_project.lib.contract import load_contract
from dagster_project.lib.ingest import ingest_source
from dagster_project.lib.planted import record_planted
from dagster_project.lib.preflight import check_landing
from dagster_project.lib.run_window import delivery_filter
from dagster_project.lib.warehouse import settle_pii_key, settle_timezone
from dagster_project.resources import WAREHOUSE_POOL, WarehouseResource
from dagster_project.settings import check_timezone

REFUSED_CHECK = "no_refused_files"
CONTRACTS = load_contract()
RAW_KEYS = {name: dg.AssetKey(["raw", name]) for name in CONTRACTS}
# Other systems' exports (lib/adapters.py), each its own raw table: `raw/<adapter>`, in the same step.
ADAPTER_KEYS = {name: dg.AssetKey(["raw", name]) for name in ADAPTERS}


def _description(name: str) -> str:
    if name in CONTRACTS:
        return (f"Landing files of `{name}` loaded as delivered (text, plus file, line, load time and SHA-256); "
                f"phone numbers hashed, free text masked. {CONTRACTS[name].description}")
    spec = ADAPTERS[name]
    return (f"Adapter `{name}`: files of `<landing>/{spec.folder}/` loaded as delivered (flattened to text columns, "
            f"plus file, row, record, date order, load time and SHA-256); phone numbers hashed, free text masked. "
            f"{spec.description} Feeds {', '.join(spec.feeds)}.")


@dg.multi_asset(
    name="ingest_landing",
    specs=[
        dg.AssetSpec(
            key,
            group_name="ingest",
            kinds={"python", "duckdb"},
            skippable=True,
            description=_description(name),
        )
        for name, key in {**RAW_KEYS, **ADAPTER_KEYS}.items()
    ],
    check_specs=[
        dg.AssetCheckSpec(REFUSED_CHECK, asset=key,
                          description="No file of this run was refused (e.g. missing a required column).")
        for key in {**RAW_KEYS, **ADAPTER_KEYS}.values()
    ],
    can_subset=True,
    pool=WAREHOUSE_POOL,
)
def ingest_landing(context: dg.AssetExecutionContext, config: IngestConfig, warehouse: WarehouseResource):
    """Every selected landing source, one after the other, in one process."""
    settings = warehouse.settings()
    take = delivery_filter(settings.landing_dir, config.files)
    if settings.timezone_explicit:
        check_timezone(settings.timezone)
    check_landing(settings.landing_dir)
    settle_timezone(settings)
    pii_key = settle_pii_key(settings)
    selected = context.selected_asset_keys
    con = warehouse.connect()
    try:
        for name, asset_key in {**RAW_KEYS, **ADAPTER_KEYS}.items():
            if asset_key not in selected:
                continue
            if name in ADAPTER_KEYS:
                result = ingest_adapter(con, settings.landing_dir, name, pii_key, take=take)
            else:
                result = ingest_source(con, settings.landing_dir, CONTRACTS[name], key=pii_key, take=take)
            for refused in result.refused:
                context.log.error(refused.error)
            for f in result.files:
                if f.status == "duplicate":
                    context.log.warning(f"{f.file}: {f.error}")
            yield dg.MaterializeResult(
                asset_key=asset_key,
                metadata={
                    "landing_dir": str(settings.landing_dir),
                    "files_loaded": result.count("loaded"),
                    "files_empty": result.count("empty"),
                    "files_refused": result.count("refused"),
                    "files_duplicate": result.count("duplicate"),
                    "files_already_loaded": result.count("already_loaded"),
                    "rows_loaded": result.rows_loaded,
                    "rows_malformed": sum(f.malformed for f in result.files),
                },
            )
            yield dg.AssetCheckResult(
                asset_key=asset_key,
                check_name=REFUSED_CHECK,
                passed=not result.refused,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={"refused": "\n".join(f.error for f in result.refused) or "none"},
            )
        # A synthetic center's planted weak spots, for the readers of the serving copy (lib/planted.py).
        record_planted(con, settings.landing_dir)
    finally:
        con.close()


ingest_assets = [ingest_landing]
