"""The semantic layer (dbt/models/marts/semantic): MetricFlow's `mf query` on the published serving copy (dbt
target `serving`, read-only) gives the same numbers as summing the marts' numerators and denominators by hand.

The dbt project is copied to a temporary folder first: MetricFlow reads `target/semantic_manifest.json` under
the project root, and the copy keeps the test's manifest apart from any other dbt run."""
import csv
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.dbt.dbt_helpers import run_dbt

pytestmark = pytest.mark.slow
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def metricflow(clean_run, tmp_path_factory):
    _, con = clean_run
    (warehouse,) = [Path(p) for (p,) in con.execute(
        "select path from duckdb_databases() where database_name = current_database()").fetchall()]
    serving = warehouse.parent / "callqa_serving.duckdb"
    assert serving.exists(), "the pipeline publishes the serving copy"
    work = tmp_path_factory.mktemp("metricflow")
    shutil.copytree(REPO_ROOT / "dbt", work / "dbt", ignore=shutil.ignore_patterns("target*", "logs"))
    shutil.copytree(REPO_ROOT / "seeds", work / "seeds")
    env = {**os.environ, "DBT_TARGET": "serving", "CALLQA_SERVING_WAREHOUSE": str(serving),
           "DBT_PROFILES_DIR": str(work / "dbt"), "DBT_PROJECT_DIR": str(work / "dbt")}
    parse = subprocess.run([sys.executable, "-m", "dbt.cli.main", "parse", "--quiet"], cwd=work / "dbt", env=env,
                           capture_output=True, text=True)
    assert parse.returncode == 0, parse.stdout + parse.stderr
    mf = Path(sys.executable).parent / "mf"

    def query(metrics: str, group_by: str) -> list[dict]:
        out = work / f"{metrics.replace(',', '_')}.csv"
        done = subprocess.run([str(mf), "query", "--metrics", metrics, "--group-by", group_by, "--csv", str(out)],
                              cwd=work / "dbt", env=env, capture_output=True, text=True)
        assert done.returncode == 0 and out.exists(), done.stdout + done.stderr
        with out.open() as f:
            return list(csv.DictReader(f))

    reader = duckdb.connect(str(serving), read_only=True)
    yield query, reader
    reader.close()


def _close(mf_value: str, expected) -> bool:
    if expected is None:
        return mf_value in ("", None)
    return mf_value not in ("", None) and math.isclose(float(mf_value), expected, rel_tol=1e-9)


def test_fcr_rates_by_week_and_channel_equal_the_summed_parts(metricflow):
    query, reader = metricflow
    rows = query("fcr_48h_rate,fcr_7d_rate", "metric_time__week,fcr_day__channel")
    expected = {(str(w)[:10], c): (r48, r7) for w, c, r48, r7 in reader.execute(
        """select date_trunc('week', local_date), channel,
                  sum(fcr_48h_count) / nullif(sum(eligible_48h), 0), sum(fcr_7d_count) / nullif(sum(eligible_7d), 0)
           from marts.rpt_fcr_daily group by all""").fetchall()}
    assert len(rows) == len(expected) > 10
    for row in rows:
        r48, r7 = expected[(row["metric_time__week"][:10], row["fcr_day__channel"])]
        assert _close(row["fcr_48h_rate"], r48) and _close(row["fcr_7d_rate"], r7), row


def test_service_level_asa_and_abandon_rate_by_month_and_queue(metricflow):
    query, reader = metricflow
    rows = query("service_level,asa_seconds,abandon_rate", "metric_time__month,queue_interval__queue")
    expected = {(str(m)[:10], q): v for m, q, *v in reader.execute(
        """select date_trunc('month', local_date), queue,
                  sum(answered_within_threshold) / nullif(sum(offered), 0),
                  sum(answer_wait_seconds) / nullif(sum(answered), 0),
                  sum(abandoned) / nullif(sum(offered), 0)
           from marts.rpt_service_level_interval group by all""").fetchall()}
    assert len(rows) == len(expected) > 3
    for row in rows:
        sl, asa, abandon = expected[(row["metric_time__month"][:10], row["queue_interval__queue"])]
        assert _close(row["service_level"], sl) and _close(row["asa_seconds"], asa), row
        assert _close(row["abandon_rate"], abandon), row


def test_average_csat_by_week(metricflow):
    query, reader = metricflow
    rows = query("csat_avg", "metric_time__week")
    expected = {str(w)[:10]: v for w, v in reader.execute(
        "select date_trunc('week', local_date), sum(csat) / count(csat) from marts.fct_contacts group by all"
    ).fetchall()}
    assert {r["metric_time__week"][:10] for r in rows} == set(expected)
    for row in rows:
        assert _close(row["csat_avg"], expected[row["metric_time__week"][:10]]), row


def test_survey_dimension_performance_by_kind_and_dimension(metricflow):
    """metrics.md §7b severity: mean share of scale and bottom-two-box share of the answers, summed parts / answers."""
    query, reader = metricflow
    rows = query("survey_dimension_performance,survey_bottom_two_box_share",
                 "survey_answer__kind,survey_answer__dimension")
    expected = {(k, d): (p, b) for k, d, p, b in reader.execute(
        """select kind, dimension, sum(score_share) / count(score),
                  sum(case when is_bottom_two_box then 1 else 0 end) / count(score)
           from marts.fct_survey_answers group by all""").fetchall()}
    assert len(rows) == len(expected) > 5   # transactional and relationship dimensions of the generated center
    for row in rows:
        performance, bottom = expected[(row["survey_answer__kind"], row["survey_answer__dimension"])]
        assert _close(row["survey_dimension_performance"], performance), row
        assert _close(row["survey_bottom_two_box_share"], bottom), row


def test_forecast_wape_and_interval_accuracy_by_month_and_queue(metricflow):
    query, reader = metricflow
    rows = query("forecast_wape,forecast_interval_accuracy", "metric_time__month,forecast_day__queue")
    expected = {(str(m)[:10], q): v for m, q, *v in reader.execute(
        """select date_trunc('month', local_date), queue,
                  sum(abs_error_weighted) / nullif(sum(actual_weighted), 0),
                  sum(intervals_within_tolerance) / nullif(sum(accuracy_intervals), 0)
           from marts.rpt_forecast_accuracy_daily where measure = 'contacts' group by all""").fetchall()}
    assert rows and len(rows) == len(expected)
    for row in rows:
        wape, accuracy = expected[(row["metric_time__month"][:10], row["forecast_day__queue"])]
        assert _close(row["forecast_wape"], wape) and _close(row["forecast_interval_accuracy"], accuracy), row


def test_critical_error_accuracies_by_month(metricflow):
    query, reader = metricflow
    classes = ["customer_critical", "business_critical", "compliance_critical"]
    rows = query(",".join(f"{c}_accuracy" for c in classes), "metric_time__month")
    expected = {(str(m)[:10], c): v for m, c, v in reader.execute(
        """select local_month, error_class, sum(without_error) / nullif(sum(evaluations), 0)
           from marts.rpt_critical_error_accuracy group by all""").fetchall()}
    assert rows
    for row in rows:
        for c in classes:
            assert _close(row[f"{c}_accuracy"], expected[(row["metric_time__month"][:10], c)]), (c, row)


def test_hiring_and_training_quality(metricflow):
    query, reader = metricflow
    rows = query("hiring_quality_rate,retention_90d_rate", "hire_cohort__hire_source")
    expected = {s: v for s, *v in reader.execute(
        """select hire_source, sum(performing_90d) / nullif(sum(judged), 0), sum(retained_90d) / nullif(sum(eligible), 0)
           from marts.rpt_hiring_quality group by all""").fetchall()}
    assert rows
    for row in rows:
        quality, retention = expected[row["hire_cohort__hire_source"] or None]
        assert _close(row["hiring_quality_rate"], quality) and _close(row["retention_90d_rate"], retention), row
    rows = query("training_quality_rate", "training_class__program")
    expected = dict(reader.execute(
        "select program, sum(proficient) / nullif(sum(judged), 0) from marts.rpt_training_quality group by all").fetchall())
    assert rows and len(rows) == len(expected)
    for row in rows:
        assert _close(row["training_quality_rate"], expected[row["training_class__program"] or None]), row
