"""The headline formatter (lib/headlines.py) on hand-made rows of marts.rpt_headlines."""
from dagster_project.lib.headlines import format_headline, format_number


def _row(**kw):
    base = {"label": "x", "unit": "share", "value": None, "numerator": None, "denominator": None, "ci_low": None,
            "ci_high": None, "target": None, "target_met": None, "target_direction": None, "text_value": None,
            "null_reason": None}
    return {**base, **kw}


def test_units():
    assert format_number("share", 0.8241) == "82.4%"
    assert format_number("signed_share", 0.007) == "+0.7%"
    assert format_number("points", 0.155) == "+15.5 pts"
    assert format_number("seconds", 3.26) == "3.3 s"
    assert format_number("count", 5047.0) == "5,047"
    assert format_number("kappa", 0.7612) == "0.76"
    assert format_number("share", None) == "n/a"


def test_a_rate_with_parts_interval_and_a_missed_target():
    row = _row(label="customer", value=125 / 135, numerator=125.0, denominator=135.0, ci_low=0.869, ci_high=0.959,
               target=0.95, target_met=False, target_direction="higher_is_better")
    assert format_headline(row) == "customer 92.6% (125 of 135; 95% CI 86.9%-95.9%; target >= 95.0%, MISSED)"


def test_a_missing_value_says_why_and_nothing_else():
    row = _row(label="shrinkage planned", null_reason="no shrinkage data (agent schedules and states)")
    assert format_headline(row) == "shrinkage planned n/a: no shrinkage data (agent schedules and states)"


def test_a_bias_within_its_tolerance_and_seconds_against_a_target():
    bias = _row(label="bias", unit="signed_share", value=0.007, numerator=39.0, denominator=5617.0, target=0.03,
                target_met=True, target_direction="tolerance")
    assert format_headline(bias) == "bias +0.7% (target |x| <= 3.0%)"
    asa = _row(label="ASA", unit="seconds", value=41.2, numerator=4120.0, denominator=100.0, target=30.0,
               target_met=False, target_direction="lower_is_better")
    assert format_headline(asa) == "ASA 41.2 s (target <= 30.0 s, MISSED)"


def test_the_planted_story_of_a_synthetic_center_and_nothing_for_real_data(tmp_path):
    import json

    from dagster_project.pipeline import planted_story

    assert planted_story(tmp_path) == []  # real data: no ground_truth.json
    (tmp_path / "ground_truth.json").write_text(json.dumps({"planted_weak_spots": [
        {"name": "harsh_evaluator", "what": "QA evaluator E07 fails items that were passed",
         "where": "marts.rpt_qa_disputes", "expected": {}}]}))
    story = planted_story(tmp_path)
    assert story[0].startswith("planted on purpose in this synthetic center")
    assert story[1] == "  - harsh evaluator: QA evaluator E07 fails items that were passed (see marts.rpt_qa_disputes)"
    (tmp_path / "ground_truth.json").write_text("{not json")
    assert planted_story(tmp_path) == []


def test_an_out_of_memory_failure_says_what_ran_out_and_what_to_set(monkeypatch):
    from dagster_project.pipeline import failure_hints
    from dagster_project.settings import Settings

    monkeypatch.setenv("CALLQA_DUCKDB_MEMORY_LIMIT", "50MB")
    settings = Settings.from_env()
    (hint,) = failure_hints(["dbt failed\nOut of Memory Error: could not allocate block of size 256.0 KiB"], settings)
    assert "CALLQA_DUCKDB_MEMORY_LIMIT=50MB" in hint and "raise CALLQA_DUCKDB_MEMORY_LIMIT" in hint
    assert failure_hints(["Catalog Error: table x does not exist"], settings) == []


def test_a_full_disk_says_where_the_warehouse_and_its_spills_are_and_what_to_set(monkeypatch, tmp_path):
    """DuckDB's and the OS's wording of a full disk (as dagster-dbt passes dbt's errors on, in a step's error)."""
    from dagster_project.pipeline import failure_hints
    from dagster_project.settings import Settings

    monkeypatch.setenv("CALLQA_WAREHOUSE", str(tmp_path / "w" / "callqa.duckdb"))
    monkeypatch.setenv("CALLQA_DUCKDB_TEMP_DIR", str(tmp_path / "spill"))
    settings = Settings.from_env()
    error = ("The dbt CLI process failed with exit code `1`.\n\nErrors parsed from dbt logs:\n"
             "IO Error: Could not write file \"/x/duckdb_temp_storage-0.tmp\": No space left on device")
    (hint,) = failure_hints([error], settings)
    assert hint == (f"the disk is full (warehouse {tmp_path / 'w' / 'callqa.duckdb'}, spills in {tmp_path / 'spill'}): "
                    "free space or point CALLQA_DUCKDB_TEMP_DIR at a larger disk")
    both = failure_hints([error, "Out of Memory Error: failed to allocate data of size 16.0 MiB"], settings)
    assert [h.split(" (")[0] for h in both] == ["DuckDB ran out of memory", "the disk is full"]


def test_an_incremental_table_with_other_columns_asks_for_a_full_refresh(monkeypatch, tmp_path):
    """dbt's on_schema_change: fail (a warehouse built before a kept-in-place model gained a column)."""
    from dagster_project.pipeline import failure_hints
    from dagster_project.settings import Settings

    monkeypatch.setenv("CALLQA_WAREHOUSE", str(tmp_path / "callqa.duckdb"))
    error = ("Compilation Error in model stg_landing__calls (models/staging/landing/stg_landing__calls.sql)\n"
             "  The source and target schemas on this incremental model are out of sync!\n"
             "  They can be reconciled in several ways:")
    (hint,) = failure_hints([error], Settings.from_env())
    assert hint.endswith("run `callqa run --full-refresh` once")


def test_the_planted_spots_reach_the_warehouse_and_leave_it_for_real_data(tmp_path):
    import json

    import duckdb

    from dagster_project.lib.planted import record_planted

    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    (tmp_path / "ground_truth.json").write_text(json.dumps({"planted_weak_spots": [
        {"name": "harsh_evaluator", "what": "E07 fails passed items", "where": "marts.rpt_qa_disputes"},
        {"name": "weak_training_class", "what": "class NH-3 is rushed", "where": "marts.rpt_training_quality"}]}))
    assert record_planted(con, tmp_path) == 2
    assert con.execute("select spot_order, name, where_it_shows from reference.planted_weak_spots order by 1").fetchall() == [
        (1, "harsh_evaluator", "marts.rpt_qa_disputes"), (2, "weak_training_class", "marts.rpt_training_quality")]
    (tmp_path / "ground_truth.json").unlink()  # the same warehouse now loads real data
    assert record_planted(con, tmp_path) == 0
    assert con.execute("select count(*) from information_schema.tables where table_name = 'planted_weak_spots'"
                       ).fetchall()[0][0] == 0
    con.close()


def test_the_satisfaction_status_says_fitted_or_which_fit_scored(con):
    """analysis_status: a refit (reason NULL, which the headlines read as 0) says "fitted this run"; a score-only run
    prints its reason, naming the fit."""
    from dagster_project.lib.headlines import headlines

    con.execute("create schema analysis")
    con.execute("create table analysis.analysis_status (analysis varchar, status varchar, reason varchar, "
                "tables_run_id varchar, tables_built_at timestamp, attempted_run_id varchar, attempted_at timestamp)")
    con.execute("insert into analysis.analysis_status values ('satisfaction_drivers', 'current', null, 'r1', "
                "'2026-12-03 04:00', 'r1', '2026-12-03 04:00')")
    assert headlines(con) == [f"{'satisfaction analysis:':<28}fitted this run"]
    con.execute("update analysis.analysis_status set reason = 'scored with the model fitted in run 01234567'")
    assert headlines(con) == [f"{'satisfaction analysis:':<28}scored with the model fitted in run 01234567"]
