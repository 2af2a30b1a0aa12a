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


def test_schedule_and_sensor(defs, tmp_path, monkeypatch):
    from dagster_project.defs.ingest.sensors import landing_folder_sensor

    assert defs.resolve_schedule_def("callqa_daily").cron_schedule == "0 6 * * *"
    monkeypatch.setenv("CALLQA_LANDING_DIR", str(tmp_path))
    context = dg.build_sensor_context()
    assert isinstance(landing_folder_sensor(context), dg.SkipReason)
    (tmp_path / "calls").mkdir()
    (tmp_path / "calls" / "a.csv").write_text("call_id\n1\n")
    request = landing_folder_sensor(context)
    assert isinstance(request, dg.RunRequest)
    # the same folder again: no second run
    context = dg.build_sensor_context(cursor=request.run_key)
    assert isinstance(landing_folder_sensor(context), dg.SkipReason)


def test_ingestion_asset_materializes_on_a_temp_warehouse(isolated_env, defs):
    import duckdb

    landing = isolated_env / "landing"
    (landing / "agents").mkdir()
    (landing / "agents" / "roster.csv").write_text("agent_id,hired_at,site\nA1,2026-01-05,Manila\nA2,2026-01-06,\n")
    (landing / "agents" / "bad.csv").write_text("agent_id,site\nA3,Manila\n")
    from dagster_project.defs.ingest.assets import ingest_landing
    from dagster_project.resources import WarehouseResource

    agents = dg.AssetKey(["raw", "agents"])
    result = dg.materialize([ingest_landing], selection=[agents], resources={"warehouse": WarehouseResource()},
                            raise_on_error=False)
    assert result.success
    (check,) = result.get_asset_check_evaluations()  # only the selected source's check
    assert not check.passed and "bad.csv" in check.metadata["refused"].value
    (materialization,) = result.get_asset_materialization_events()
    assert materialization.asset_key == agents
    assert materialization.materialization.metadata["rows_loaded"].value == 2
    con = duckdb.connect(str(isolated_env / "warehouse" / "callqa.duckdb"), read_only=True)
    assert con.execute("select agent_id from raw.agents order by 1").fetchall() == [("A1",), ("A2",)]
    con.close()


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
    result = dg.materialize([ingest_landing], selection=[key], resources={"warehouse": WarehouseResource()})
    (materialization,) = result.get_asset_materialization_events()
    assert materialization.materialization.metadata["rows_loaded"].value == 1
    con = duckdb.connect(str(isolated_env / "warehouse" / "callqa.duckdb"), read_only=True)
    assert con.execute('select "ContactId" from raw.amazon_connect_ctr').fetchall() == [("c1",)]
    con.close()
