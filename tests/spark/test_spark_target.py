"""The same dbt project, unchanged, on DuckDB and on Apache Spark (a local Spark in this process: pyspark on Java
17, dbt-spark's `session` method, the `spark` target of dbt/profiles.yml).

One generated dirty contact center is ingested once (DuckDB raw layer); the raw layer is exported as a Parquet
lake and registered in Spark as the tables raw.<table> by the README's own command (`callqa load-spark`,
lib/spark_raw.py); dbt builds both targets (seeds, models,
contracts and data tests, the layer reconciliation among them), and every public mart is compared row for row as
tests/postgres/ does (pg_helpers.differences: text, integers, booleans and dates exactly, instants as the same UTC
instant, floating-point values within 1e-9 relative). The dbt unit tests run on Spark too.

Without Java or pyspark the module is skipped, unless CALLQA_REQUIRE_SPARK=1 (set by `make test`, which installs
Java first with `make spark-java`), so CI never skips it silently. One Spark session serves the whole module
(local[2], 2 shuffle partitions). Here on 2 shared cores (2026-12-02) the module took 9 min 30 s (Spark's dbt
build 5 min 42 s, its unit tests 2 min), and 14 min when the machine was busier (load average about 8)."""
import re
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dagster_project.lib.dbt_inprocess import temporary_env
from dagster_project.lib.spark_raw import local_session, raw_tables, spark_identifier
from tests.dbt.dbt_helpers import dbt_env, failures, run_dbt
from tests.postgres.pg_helpers import mart_differences, normalise, sort_key
from tests.spark.spark_helpers import require_spark, spark_env, spark_rows

pytestmark = pytest.mark.slow

TZ = "America/New_York"
REPO_ROOT = Path(__file__).resolve().parents[2]
README = REPO_ROOT / "README.md"

# dbt nodes known not to build on Spark yet, with the reason. The build test requires exactly these to fail (a
# node that starts to pass must leave the list); the marts among them are left out of the comparison, by name.
EXPECTED_TO_FAIL_ON_SPARK: dict[str, str] = {}

# dbt unit tests known not to run on Spark yet: their input fixtures are SQL written for DuckDB and PostgreSQL
# (`format: sql` with "double-quoted" column names, which Spark reads as strings, and the type names varchar,
# double precision, timestamptz, which Spark does not know; dbt cannot render macros in YAML). The models they test
# build on Spark and their marts are compared above; the fixtures would need Spark-only twins. fct_contacts' test
# is about the incremental update, which Spark does not do (the table is rebuilt, cross_db.sql updated_in_place).
SQL_FIXTURES = "input fixture in DuckDB/PostgreSQL SQL (format: sql: double-quoted names, varchar, timestamptz)"
EXPECTED_UNIT_TEST_FAILURES_ON_SPARK: dict[str, str] = {
    "connect_calls__abandons_self_service_callbacks_outbound": SQL_FIXTURES,
    "connect_calls__transfer_legs_fold_into_initial_contact": SQL_FIXTURES,
    "genesys_calls__segments_transfers_abandon_segmentless": SQL_FIXTURES,
    "servicenow_events__changes_reopen_late_start": SQL_FIXTURES,
    "servicenow_tickets__states_priorities_versions": SQL_FIXTURES,
    "zendesk_schedules__intervals_split_per_day_zones_mapped": SQL_FIXTURES,
    "zendesk_schedules__holiday_range_one_row_per_date": SQL_FIXTURES,
    "zendesk_audits__mapping_and_accounting": SQL_FIXTURES,
    "zendesk_surveys__good_bad_changed_offered": SQL_FIXTURES,
    "zendesk_tickets__versions_priority_deleted": SQL_FIXTURES,
    "fct_contact_pain_points__failed_points_and_repeats": SQL_FIXTURES + " (double precision)",
    **{name: SQL_FIXTURES + " (double precision)" for name in (
        "rpt_agent_scorecard_monthly__contact_measures",
        "rpt_agent_scorecard_monthly__qa_columns",
        "rpt_critical_error_accuracy__sample_size_and_sufficiency",
        "rpt_critical_error_accuracy_agent__any_critical_target",
        "rpt_fcr_daily__counts_rates_and_first_contacts",
        "rpt_journey_quality_matrix__thresholds_populations_censoring",
        "rpt_qa_calibration__one_dissenting_evaluator",
        "rpt_qa_calibration_monthly__pooled_counts",
        "rpt_qa_disputes__late_decision_and_harsh_evaluator",
        "rpt_qa_non_critical_score__pooled_weights_random_only",
        "rpt_qa_root_causes__process_wide_vs_coaching",
        "rpt_qa_sampling_plan__seeded_draw_and_targets",
        "rpt_red_line_monthly__precision_and_recall",
    )},
    # a real difference, not a fixture: the evidence's "next contact at <instant>" is the engine's text of a
    # timestamp ('2026-06-30 09:00:00+00' on DuckDB and PostgreSQL, no '+00' on Spark); rpt_alerts is empty in the
    # dbt-only comparison above, so only this test sees it. To do: one cross-database instant-to-text macro.
    "rpt_alerts__thresholds_windows_and_minimum_contacts": "evidence text of a timestamp differs on Spark (no +00)",
    "fct_contacts__incremental_lookback_and_changed_rows": SQL_FIXTURES + "; and an incremental run, which Spark "
                                                           "replaces by a full rebuild",
}

def readme_spark_command(name: str) -> str:
    """The command of the README's scale-out block that contains `name` (comments stripped)."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### Scale out"):]
    section = section[:re.search(r"\n##", section[1:]).start() + 1]
    block = re.findall(r"```bash\n(.*?)```", section, flags=re.S)[0]
    (command,) = [line.split("#")[0].strip() for line in block.splitlines() if name in line]
    return command


def test_readme_block_loads_and_builds_on_the_spark_target():
    assert readme_spark_command("make ") == "make spark-java"
    assert readme_spark_command("load-spark") == "uv run callqa load-spark"
    build = readme_spark_command("dbt build")
    assert "DBT_TARGET=spark" in build and build.endswith("dbt build --project-dir dbt --profiles-dir dbt")


@pytest.fixture(scope="module")
def both_targets(tmp_path_factory):
    from dagster_project.lib.synth import generate

    require_spark()
    base = tmp_path_factory.mktemp("spark")
    generate(base / "landing", days=12, contacts_per_day=150, seed=23, dirty=True,
             start_date=date(2026, 3, 2), timezone=TZ)  # 2026-03-08: clocks go forward in New York

    warehouse = base / "callqa.duckdb"
    with dbt_env(warehouse, TZ), temporary_env({"CALLQA_LANDING_DIR": str(base / "landing")}):
        from dagster_project.lib.contract import load_contract
        from dagster_project.lib.ingest import ingest_source

        con = duckdb.connect(str(warehouse))
        con.execute("SET TimeZone = 'UTC'")
        for contract in load_contract().values():
            ingest_source(con, base / "landing", contract, key=b"spark-test-key")
        exported = {t: con.execute(f'select count(*) from raw."{t}"').fetchone()[0] for t in raw_tables(con)}
        con.close()
        duck = run_dbt(["build", "--exclude-resource-type", "unit_test"], base / "dbt_duckdb")
        with temporary_env(spark_env(base / "spark")):
            # the README's load command, verbatim, in a process of its own (its Spark stops with it; the session
            # below opens the same metastore): the lake in $CALLQA_SPARK_DIR/lake, registered as raw.*
            subprocess.run(["bash", "-euo", "pipefail", "-c", readme_spark_command("callqa load-spark")],
                           cwd=REPO_ROOT, check=True, capture_output=True, text=True)
            spark = local_session()
            try:
                built = run_dbt(["build", "--exclude-resource-type", "unit_test"], base / "dbt_spark")
                units = run_dbt(["test", "--select", "test_type:unit"], base / "dbt_spark")
                yield {"duckdb": duck, "spark": built, "units": units, "warehouse": warehouse, "session": spark,
                       "exported": exported}
            finally:
                spark.stop()


def _failed(result) -> dict[str, str]:
    return {r.node.unique_id: str(r.message) for r in (getattr(result.result, "results", None) or [])
            if str(r.status).lower() in ("error", "fail")}


def test_raw_lake_holds_every_raw_table_with_its_load_metadata(both_targets):
    spark = both_targets["session"]
    assert both_targets["exported"]["calls"] > 0
    for table, rows in both_targets["exported"].items():
        (count,) = spark_rows(spark, f"select count(*) from raw.{spark_identifier(table)}")[0]
        assert count == rows, table
    columns = {f.name: f.dataType.simpleString() for f in spark.table("raw.calls").schema.fields}
    assert {"_load_id": "bigint", "_file": "string", "_line": "bigint", "_loaded_at": "timestamp",
            "_file_sha256": "string"}.items() <= columns.items()


def test_both_targets_build_every_model_and_test(both_targets):
    assert both_targets["duckdb"].success, "\n".join(failures(both_targets["duckdb"]))
    failed = _failed(both_targets["spark"])
    unexpected = {node: message for node, message in failed.items() if node not in EXPECTED_TO_FAIL_ON_SPARK}
    assert not unexpected, "\n".join(f"{n}: {m[:500]}" for n, m in unexpected.items())
    now_passing = set(EXPECTED_TO_FAIL_ON_SPARK) - set(failed)
    assert not now_passing, f"these build on Spark now: take them off EXPECTED_TO_FAIL_ON_SPARK: {now_passing}"


def test_dbt_unit_tests_pass_on_spark(both_targets):
    """Every dbt unit test passes on Spark but the listed ones, which fail (a test that starts to pass must leave
    the list)."""
    results = getattr(both_targets["units"].result, "results", None) or []
    assert len(results) > len(EXPECTED_UNIT_TEST_FAILURES_ON_SPARK)
    failed = {node.rsplit(".", 1)[-1]: message for node, message in _failed(both_targets["units"]).items()}
    unexpected = {name: message for name, message in failed.items() if name not in EXPECTED_UNIT_TEST_FAILURES_ON_SPARK}
    assert not unexpected, "\n".join(f"{n}: {m[:500]}" for n, m in unexpected.items())
    now_passing = set(EXPECTED_UNIT_TEST_FAILURES_ON_SPARK) - set(failed)
    assert not now_passing, f"these pass on Spark now: take them off EXPECTED_UNIT_TEST_FAILURES_ON_SPARK: {now_passing}"


def _duck_columns(duck, schema: str, table: str) -> list[str]:
    return [c for (c,) in duck.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position", [schema, table]).fetchall()]


def _compare(both_targets, schema: str, tables: list[str], skip: set[str]) -> list[str]:
    duck = duckdb.connect(str(both_targets["warehouse"]), read_only=True)
    duck.execute("SET TimeZone = 'UTC'")
    spark = both_targets["session"]
    found = []
    try:
        for table in tables:
            if table in skip:
                continue
            columns = [c for c in _duck_columns(duck, schema, table) if c != "_loaded_at"]
            duck_rows = sorted(([normalise(v) for v in r] for r in duck.execute(
                f'select {", ".join(chr(34) + c + chr(34) for c in columns)} from {schema}."{table}"').fetchall()),
                key=sort_key)
            spark_side = sorted(([normalise(v) for v in r] for r in spark_rows(
                spark, f"select {', '.join(spark_identifier(c) for c in columns)} "
                       f"from {spark_identifier(schema)}.{spark_identifier(table)}")), key=sort_key)
            found += mart_differences(table, columns, duck_rows, spark_side, sides=("on DuckDB", "on Spark"))
    finally:
        duck.close()
    return found


def test_every_public_mart_is_identical_row_for_row(both_targets):
    duck = duckdb.connect(str(both_targets["warehouse"]), read_only=True)
    marts = [t for (t,) in duck.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1").fetchall()]
    duck.close()
    assert {"fct_contacts", "rpt_fcr_daily", "rpt_service_level_interval", "fct_tickets"} <= set(marts)
    not_built = {node.rsplit(".", 1)[-1] for node in EXPECTED_TO_FAIL_ON_SPARK}
    found = _compare(both_targets, "marts", marts, skip=not_built)
    assert not found, "\n".join(found)


def test_layers_reconcile_alike(both_targets):
    """raw = staged + rejected, source by source, with the same counts on both engines."""
    found = _compare(both_targets, "audit", ["layer_reconciliation", "rejected_rows_summary"], skip=set())
    assert not found, "\n".join(found)
    spark = both_targets["session"]
    unbalanced = spark_rows(spark, "select * from audit.layer_reconciliation where not is_reconciled")
    assert not unbalanced
