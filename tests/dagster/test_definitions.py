"""The Dagster code location: one graph from landing files to dbt models, one writer pool, automation."""
import dagster as dg
import pytest

from dagster_project.defs.transform.project import prepare_dbt_project
from dagster_project.lib.contract import load_contract
from dagster_project.resources import WAREHOUSE_POOL


@pytest.fixture(scope="module")
def defs():
    prepare_dbt_project()
    from dagster_project.definitions import defs

    return defs


def test_definitions_load_and_validate(defs):
    dg.Definitions.validate_loadable(defs)


def test_every_source_is_an_ingestion_asset_feeding_its_staging_model(defs):
    """raw/<source> -> staging/base_landing__<source> (the landing boundary) -> staging/stg_landing__<source>."""
    graph = defs.resolve_asset_graph()
    for source in load_contract():
        raw_key = dg.AssetKey(["raw", source])
        base_key = dg.AssetKey(["staging", f"base_landing__{source}"])
        staging_key = dg.AssetKey(["staging", f"stg_landing__{source}"])
        assert graph.has(raw_key) and graph.get(raw_key).is_materializable
        assert raw_key in graph.get(base_key).parent_keys, source
        assert base_key in graph.get(staging_key).parent_keys, source


def test_every_warehouse_writer_is_in_the_single_writer_pool(defs):
    pools = {
        node.key.to_user_string(): node.assets_def.op.pool
        for node in defs.resolve_asset_graph().asset_nodes
        if node.is_materializable
    }
    assert set(pools.values()) == {WAREHOUSE_POOL}, pools


def test_publishing_waits_for_every_mart_and_the_blocking_reconciliation(defs):
    graph = defs.resolve_asset_graph()
    publish = graph.get(dg.AssetKey(["publish", "serving_copy"]))
    marts = {node.key for node in graph.asset_nodes if node.key.path[0] == "marts"}
    assert marts and marts <= set(publish.parent_keys)
    assert dg.AssetKey(["audit", "rejected_rows"]) in publish.parent_keys
    (check,) = [c for c in defs.asset_checks if "raw_equals_staged_plus_rejected" in {k.name for k in c.check_keys}]
    assert all(spec.blocking for spec in check.check_specs)


def test_reconciliation_and_dbt_tests_are_asset_checks(defs):
    checks = {(k.asset_key.to_user_string(), k.name) for k in defs.resolve_asset_graph().asset_check_keys}
    assert ("audit/rejected_rows", "raw_equals_staged_plus_rejected") in checks
    assert ("raw/calls", "no_refused_files") in checks
    assert any(asset.startswith("staging/") for asset, _ in checks)  # dbt data tests


def test_the_daily_schedule_runs_yesterdays_partition(defs):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from dagster_project.defs.location import LOCATION_SETTINGS

    schedule = defs.resolve_schedule_def("callqa_daily")
    assert schedule.cron_schedule == "0 6 * * *"
    assert schedule.execution_timezone == LOCATION_SETTINGS.timezone
    moment = datetime(2026, 3, 3, 6, 0, tzinfo=ZoneInfo(LOCATION_SETTINGS.timezone))
    (request,) = schedule.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=moment, repository_def=defs.get_repository_def())).run_requests
    assert request.partition_key == "2026-03-02"


def _sensor_context(landing, cursor=None):
    from dagster_project.resources import WarehouseResource
    from dagster_project.settings import Settings

    settings = Settings(landing_dir=landing, warehouse=landing.parent / "w.duckdb", timezone="America/New_York",
                        duckdb_memory_limit="1GB", duckdb_threads=1, duckdb_temp_dir=landing.parent / "tmp",
                        serving_warehouse=landing.parent / "s.duckdb", export_dir=landing.parent / "exports")
    return dg.build_sensor_context(cursor=cursor, resources={"warehouse": WarehouseResource.from_settings(settings)})


def _land(path, text, when):
    import os

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, (when.timestamp(), when.timestamp()))


def test_the_landing_sensor_asks_for_a_micro_batch_of_just_the_new_file_in_its_days_partition(tmp_path):
    """A file lands: one run that ingests that file only (its config names it), in the partition of its local
    date of delivery; nothing new: no run; another file: a run of that one alone."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from dagster_project.defs.ingest.sensors import landing_folder_sensor

    ny = ZoneInfo("America/New_York")
    landing = tmp_path / "landing"
    landing.mkdir()
    context = _sensor_context(landing)
    assert isinstance(landing_folder_sensor(context), dg.SkipReason)
    _land(landing / "calls" / "a.csv", "call_id\n1\n", datetime(2026, 3, 2, 23, 30, tzinfo=ny))  # 3 March in UTC
    (request,) = landing_folder_sensor(context)
    assert request.partition_key == "2026-03-02"
    assert request.run_config == {"ops": {"ingest_landing": {"config": {"files": ["calls/a.csv"]}}}}
    cursor = context.cursor
    assert isinstance(landing_folder_sensor(_sensor_context(landing, cursor)), dg.SkipReason)
    _land(landing / "agents" / "roster.csv", "agent_id\nA1\n", datetime(2026, 3, 3, 8, 0, tzinfo=ny))
    context = _sensor_context(landing, cursor)
    (request,) = landing_folder_sensor(context)
    assert request.partition_key == "2026-03-03"
    assert request.run_config["ops"]["ingest_landing"]["config"]["files"] == ["agents/roster.csv"]
    # a re-delivered (rewritten) file is new bytes: a run of it again
    _land(landing / "calls" / "a.csv", "call_id\n1\n2\n", datetime(2026, 3, 3, 9, 0, tzinfo=ny))
    (request,) = landing_folder_sensor(_sensor_context(landing, context.cursor))
    assert request.run_config["ops"]["ingest_landing"]["config"]["files"] == ["calls/a.csv"]


def _ingest_agents(base, files: dict[str, str], run_config=None):
    """Land these agents files, run the ingestion asset for raw/agents alone; (result, agent ids loaded)."""
    import duckdb

    from dagster_project.defs.ingest.assets import ingest_landing
    from dagster_project.resources import WarehouseResource

    (base / "landing" / "agents").mkdir()
    for name, text in files.items():
        (base / "landing" / "agents" / name).write_text(text)
    result = dg.materialize([ingest_landing], selection=[dg.AssetKey(["raw", "agents"])], raise_on_error=False,
                            resources={"warehouse": WarehouseResource.from_env()}, run_config=run_config)
    con = duckdb.connect(str(base / "warehouse" / "callqa.duckdb"), read_only=True)
    try:
        return result, [row[0] for row in con.execute("select agent_id from raw.agents order by 1").fetchall()]
    finally:
        con.close()


def test_a_micro_batch_ingests_only_the_files_its_config_names(isolated_env, defs):
    result, loaded = _ingest_agents(
        isolated_env, {"a.csv": "agent_id,hired_at,site\nA1,2026-01-05,Manila\n",
                       "b.csv": "agent_id,hired_at,site\nB1,2026-01-05,Manila\n"},
        run_config={"ops": {"ingest_landing": {"config": {"files": ["agents/b.csv"]}}}})
    (materialization,) = result.get_asset_materialization_events()
    assert materialization.materialization.metadata["files_loaded"].value == 1
    assert loaded == ["B1"]


def test_dbt_is_partitioned_by_day_of_delivery_with_a_single_run_backfill_and_ingestion_is_not(defs):
    """Ingestion loads whatever is new; a partitioned step downstream of a partitioned one would fail every run
    launched without a partition (`callqa run`)."""
    from dagster_project.defs.ingest.assets import ingest_landing
    from dagster_project.defs.location import delivery_partitions
    from dagster_project.defs.transform.assets import callqa_dbt_assets

    assert isinstance(delivery_partitions, dg.DailyPartitionsDefinition)
    assert callqa_dbt_assets.partitions_def == delivery_partitions
    assert callqa_dbt_assets.backfill_policy == dg.BackfillPolicy.single_run()
    assert ingest_landing.partitions_def is None


def test_a_full_refresh_is_a_job_of_the_ui_and_a_config_of_the_pipeline(defs):
    """The UI: the `callqa_full_refresh` job (its runs tagged, with or without a partition), or `full_refresh` in the
    launchpad config of the dbt step; the CLI: `callqa run --full-refresh` (the same config)."""
    from dagster_project.defs.location import DbtRunConfig, FULL_REFRESH_TAG, with_run_tags

    full = defs.resolve_job_def("callqa_full_refresh")
    assert full.tags[FULL_REFRESH_TAG] == "true"
    assert with_run_tags(DbtRunConfig(), full.tags).full_refresh
    assert not with_run_tags(DbtRunConfig(), defs.resolve_job_def("callqa_pipeline").tags).full_refresh
    pipeline = defs.resolve_job_def("callqa_pipeline")
    dbt_config = pipeline.run_config_schema.config_type.fields["ops"].config_type.fields["callqa_dbt"]
    assert {"full_refresh", "window_start", "window_end"} <= set(dbt_config.config_type.fields["config"].config_type.fields)


def test_the_warehouse_resource_holds_the_settings_as_fields():
    """Resolved once and passed as fields: the resource gives back exactly the settings it was made from."""
    from pathlib import Path

    from dagster_project.resources import WarehouseResource
    from dagster_project.settings import Settings

    settings = Settings(landing_dir=Path("/l"), warehouse=Path("/w/c.duckdb"), timezone="Europe/Paris",
                        duckdb_memory_limit="2GB", duckdb_threads=3, duckdb_temp_dir=Path("/t"),
                        serving_warehouse=Path("/w/s.duckdb"), export_dir=Path("/e"), timezone_explicit=False)
    resource = WarehouseResource.from_settings(settings)
    assert resource.warehouse == "/w/c.duckdb" and resource.duckdb_threads == 3
    assert resource.settings() == settings


def test_ingestion_asset_materializes_on_a_temp_warehouse(isolated_env, defs):
    result, loaded = _ingest_agents(isolated_env, {
        "roster.csv": "agent_id,hired_at,site\nA1,2026-01-05,Manila\nA2,2026-01-06,\n",
        "bad.csv": "agent_id,site\nA3,Manila\n"})
    assert result.success
    (check,) = result.get_asset_check_evaluations()  # only the selected source's check
    assert not check.passed and "bad.csv" in check.metadata["refused"].value
    (materialization,) = result.get_asset_materialization_events()
    assert materialization.asset_key == dg.AssetKey(["raw", "agents"])
    assert materialization.materialization.metadata["rows_loaded"].value == 2
    assert loaded == ["A1", "A2"]


def test_ingestion_is_one_step_and_every_step_that_opens_the_warehouse_is_in_the_pool(defs):
    """Under the multiprocess executor (a launch from the UI, the schedule or the sensor) each step is a process:
    sixteen ingestion steps cost minutes of imports, and a step opening the warehouse outside the single-writer pool
    collided with the analysis. Every step of the job opens the warehouse, so every one is in the pool."""
    from dagster_project.resources import WAREHOUSE_POOL

    job = defs.resolve_job_def("callqa_pipeline")
    ops = {node.name: node.definition for node in job.graph.nodes}
    ingest = [name for name in ops if "ingest" in name]
    assert ingest == ["ingest_landing"], sorted(ops)
    assert {name: op.pool for name, op in ops.items()} == {name: WAREHOUSE_POOL for name in ops}


def test_old_dbt_invocation_folders_are_pruned(tmp_path):
    """Every dbt invocation of a run gets a target folder of its own (~20 MB at demo size); the newest three stay."""
    import os

    from dagster_project.defs.transform.assets import prune_run_target_dirs

    for i in range(5):
        folder = tmp_path / f"callqa_dbt-run{i}-abc"
        folder.mkdir()
        (folder / "run_results.json").write_text("{}")
        os.utime(folder, (1_000_000 + i, 1_000_000 + i))
    (tmp_path / "pytest-main").mkdir()  # other target folders are not dbt invocations of a run: kept
    removed = prune_run_target_dirs(tmp_path, keep=3)
    assert sorted(p.name for p in removed) == ["callqa_dbt-run0-abc", "callqa_dbt-run1-abc"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["callqa_dbt-run2-abc", "callqa_dbt-run3-abc",
                                                          "callqa_dbt-run4-abc", "pytest-main"]


def test_adapter_raw_tables_are_ingestion_assets_and_dbt_sources_map_onto_them(isolated_env, defs):
    """`raw/<adapter>` is an asset of the same ingestion step; dbt source `adapters.<adapter>` is that asset."""
    import json

    import duckdb

    from dagster_project.defs.ingest.assets import ingest_landing
    from dagster_project.defs.transform.assets import translator
    from dagster_project.defs.transform.project import dbt_project
    from dagster_project.lib.adapters import ADAPTERS
    from dagster_project.resources import WarehouseResource

    graph = defs.resolve_asset_graph()
    for name in ADAPTERS:
        assert graph.get(dg.AssetKey(["raw", name])).is_materializable
    manifest = json.loads(dbt_project.manifest_path.read_text())
    source = "source.callqa.adapters.amazon_connect_ctr"
    assert source in manifest["sources"]
    assert translator.get_asset_spec(manifest, source, None).key == dg.AssetKey(["raw", "amazon_connect_ctr"])

    landing = isolated_env / "landing"
    (landing / "amazon_connect_ctr").mkdir(parents=True)
    (landing / "amazon_connect_ctr" / "part-1").write_text(json.dumps(
        {"ContactId": "c1", "Channel": "VOICE", "InitiationMethod": "INBOUND",
         "InitiationTimestamp": "2024-03-01T10:00:00Z"}))
    key = dg.AssetKey(["raw", "amazon_connect_ctr"])
    result = dg.materialize([ingest_landing], selection=[key], resources={"warehouse": WarehouseResource.from_env()})
    (materialization,) = result.get_asset_materialization_events()
    assert materialization.materialization.metadata["rows_loaded"].value == 1
    con = duckdb.connect(str(isolated_env / "warehouse" / "callqa.duckdb"), read_only=True)
    assert con.execute('select "ContactId" from raw.amazon_connect_ctr').fetchall() == [("c1",)]
    con.close()
