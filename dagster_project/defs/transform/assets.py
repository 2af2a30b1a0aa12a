"""dbt models, seeds and tests as Dagster assets and asset checks, in one lineage graph with ingestion."""

import json
import logging
import shutil
from pathlib import Path
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from dagster_project.defs.location import (
    DBT_OP,
    DbtRunConfig,
    delivery_partitions,
    partition_window,
    single_run_backfill,
    with_run_tags,
)
from dagster_project.defs.transform.project import dbt_project
from dagster_project.lib.build_state import (
    code_fingerprint,
    current_state,
    forced_refresh_reason,
    last_published,
    models_fingerprint,
    project_fingerprint,
    record_built,
    record_dbt_finished,
    record_equivalent_code,
    skip_reason,
)
from dagster_project.lib.dbt_progress import DbtProgress, install_command_filter, node_layers, quiet_stdout
from dagster_project.lib.run_window import dbt_args
from dagster_project.resources import WAREHOUSE_POOL, WarehouseResource
from dagster_project.settings import Settings


# dbt sources written by the ingestion step (schema raw): contract files and other systems' exports.
RAW_SOURCES = ("landing", "adapters")


class CallqaDbtTranslator(DagsterDbtTranslator):
    """dbt sources `landing.<source>` and `adapters.<adapter>` are the ingestion assets `raw/<source>` and
    `raw/<adapter>`; another source (e.g. `analysis`, written by Python assets) is `<source name>/<table>`; a model
    is `<schema>/<name>`."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        resource_type = props["resource_type"]
        if resource_type == "source":
            prefix = "raw" if props.get("source_name") in RAW_SOURCES else props.get("source_name")
            return spec.replace_attributes(key=dg.AssetKey([prefix, props["name"]]))
        schema = (props.get("config") or {}).get("schema") or props.get("schema") or "main"
        group = "reference" if resource_type == "seed" else schema
        return spec.replace_attributes(key=dg.AssetKey([schema, props["name"]]), group_name=group)


def timezone_var(settings: Settings) -> dict[str, str]:
    """dbt's `timezone` var when CALLQA_TIMEZONE is not set in this process: the zone the warehouse recorded on its
    first run (a step launched from the UI or the schedule does not go through `callqa run`, which sets it). With
    CALLQA_TIMEZONE set, dbt reads it itself and refuses a mismatch (macro check_recorded_timezone)."""
    if settings.timezone_explicit:
        return {}
    from dagster_project.lib.warehouse import recorded_timezone

    recorded = recorded_timezone(settings)
    return {"timezone": recorded} if recorded else {}


translator = CallqaDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


# Models built after the satisfaction analysis (they read its tables, dbt source `analysis`): a dbt asset of their
# own (defs/alerts), so that the main build stays one dbt invocation before the analysis (docs/decisions.md).
AFTER_ANALYSIS_MODELS = "rpt_alerts rpt_journey_contacts"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    pool=WAREHOUSE_POOL,
    name=DBT_OP,
    partitions_def=delivery_partitions,
    backfill_policy=single_run_backfill,
    exclude=AFTER_ANALYSIS_MODELS,
)
def callqa_dbt_assets(context: dg.AssetExecutionContext, config: DbtRunConfig, dbt: DbtCliResource,
                      warehouse: WarehouseResource):
    """dbt build: seeds, staging, audit, intermediate and marts, each followed by its data tests.
    dbt unit tests check the SQL logic, not the data: they run in `make test`, not on every load.
    The run config and the partition become dbt's arguments (lib/run_window.dbt_args): `--full-refresh`, or the
    window's vars."""
    config = with_run_tags(config, context.run.tags)
    settings = warehouse.settings()
    skipped, forced = start_build(context, warehouse, config.full_refresh, settings.serving_warehouse.exists())
    if skipped:
        yield from skipped
        return
    if forced:  # rows of other dbt models kept in place (lib/build_state.forced_refresh_reason)
        config = config.model_copy(update={"full_refresh": True})
        context.log.info(f"full refresh: {forced}")
    elif config.full_refresh:
        context.log.info("full refresh: every incremental model is rebuilt from raw")
    args = dbt_args(config, partition_window(context), timezone_var(settings))
    yield from dbt_build(context, dbt, args)
    con = warehouse.connect()
    try:
        record_dbt_finished(con, context.run.run_id)
    finally:
        con.close()


# The metadata key of the observations a skipped build leaves on the marts (pipeline.py reads it back).
SKIPPED_METADATA = "skipped"


def start_build(context: dg.AssetExecutionContext, warehouse: WarehouseResource, full_refresh: bool,
                serving_copy_exists: bool) -> tuple[list[dg.AssetObservation], str | None]:
    """lib/build_state's rules. With nothing new since the last published build: observations of the selected marts
    saying why (no materialization, so Dagster skips the analysis, the checks and publishing), after recording the
    code found equivalent to the published build's (the next such `callqa run` skips before starting). Else no
    observation and, when the build must be a full refresh though none was asked (the dbt models changed since the
    kept rows were built), why; after recording the state, the code and the models this build starts from."""
    con = warehouse.connect()
    try:
        manifest = json.loads(Path(dbt_project.manifest_path).read_text(encoding="utf-8"))
        current = current_state(con, project_fingerprint(manifest))
        last = last_published(con)
        reason = skip_reason(current, last, full_refresh, serving_copy_exists)
        if reason is None:
            models = models_fingerprint(manifest, Path(dbt_project.project_dir) / "dbt_project.yml")
            forced = None if full_refresh else forced_refresh_reason(con, models)
            record_built(con, context.run.run_id, current, full_refresh or forced is not None, code=code_fingerprint(),
                         models=models)
            return [], forced
        record_equivalent_code(con, last[0], code_fingerprint())
    finally:
        con.close()
    context.log.info(reason)
    return [dg.AssetObservation(asset_key=key, metadata={SKIPPED_METADATA: reason})
            for key in sorted(context.selected_asset_keys, key=lambda k: k.to_user_string()) if key.path[0] == "marts"], None


def after_analysis_nodes(manifest: Mapping[str, Any]) -> set[str]:
    """unique_ids of the models of AFTER_ANALYSIS_MODELS and of the data tests that read them."""
    nodes = manifest.get("nodes", {})
    models = {uid for uid, node in nodes.items()
              if node.get("resource_type") == "model" and node["name"] in AFTER_ANALYSIS_MODELS.split()}
    return models | {uid for uid, node in nodes.items() if node.get("resource_type") == "test"
                     and models & set((node.get("depends_on") or {}).get("nodes", []))}


def dbt_build(context: dg.AssetExecutionContext, dbt: DbtCliResource, args: list[str], after_analysis: bool = False):
    """`dbt build` of the asset's selection with `args` (lib/run_window.dbt_args: without unit tests), streamed as
    Dagster events, a log line per layer (counting the nodes of this asset: the main build's, or the models built
    after the analysis)."""
    install_command_filter(logging.getLogger("dagster.builtin"))  # dagster-dbt's logger: the command once, short
    invocation = dbt.cli(args, context=context)
    target = Path(invocation.target_path)
    target = target if target.is_absolute() else Path(invocation.project_dir) / target
    # What dbt prints (a line per node) goes to a file beside dbt's debug log (dbt.log); the log shows a line per
    # layer (lib/dbt_progress.py).
    output = target / DBT_OUTPUT_FILE
    output.parent.mkdir(parents=True, exist_ok=True)
    after = after_analysis_nodes(invocation.manifest)
    layers = {uid: layer for uid, layer in node_layers(invocation.manifest).items() if (uid in after) == after_analysis}
    progress = DbtProgress(layers, context.log.info)
    with open(output, "w", encoding="utf-8") as sink:
        try:
            for event in quiet_stdout(invocation.stream_raw_events(), sink):
                progress.feed(event.raw_event)
                # what invocation.stream() does with each event
                yield from event.to_default_asset_events(
                    manifest=invocation.manifest, dagster_dbt_translator=invocation.dagster_dbt_translator,
                    context=context, target_path=invocation.target_path, project=invocation.project)
        finally:
            progress.finish(f"{output} (debug log: {target / 'dbt.log'})")
    prune_run_target_dirs(target.parent, asset=target.name.rsplit("-", 2)[0])


# dbt's own output (what `dbt build` prints) of a run, in its invocation folder beside dbt.log.
DBT_OUTPUT_FILE = "dbt_output.log"


# dagster-dbt gives every invocation a target folder of its own (callqa_dbt-<run>-<hash>, ~20 MB at demo size: the
# compiled SQL and run results); they were never removed (998 MB after 47 runs). The newest few stay for debugging.
KEEP_RUN_TARGETS = 3


def prune_run_target_dirs(target_root: Path, keep: int = KEEP_RUN_TARGETS, asset: str = "callqa_dbt") -> list[Path]:
    """Remove all but the `keep` newest `<asset>-*` invocation folders (of one dbt asset) under dbt's target folder."""
    runs = sorted((p for p in target_root.glob(f"{asset}-*") if p.is_dir()), key=lambda p: p.stat().st_mtime)
    removed = runs[:-keep] if keep > 0 else runs
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed
