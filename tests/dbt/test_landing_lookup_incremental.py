"""A landing source with a lookup, built by load (macros/landing/landing_incremental.sql, landing_lookups.sql):
survey answers are validated against the question catalogue in force (the seed with the delivered survey_questions
over it). A build with new answers and the same catalogue reads only the new loads and stages only their keys; a
delivery that changes the catalogue makes the next build validate every answer again, and staging, the rejects and
the reconciliation by load then equal a full build row for row - also when answers staged before become rejected.

Loads (survey answers keyed by survey_id, question_code; the catalogue question `q_local`, delivered):
  load 1: q_local on 1-5; answers s1 4 (valid), s2 7 (out of range on 1-5), s3 3 (valid)
  load 2: answers s4 5 (valid)                                  -> catalogue unchanged: only s4 is read and staged
  load 3: q_local on 1-10                                        -> s2 valid now
  load 4: answers s5 9 (valid on 1-10)
  load 5: q_local on 1-5 again                                   -> s2 and s5 rejected again (s5 staged before)
"""
from __future__ import annotations

from datetime import datetime, timezone

import duckdb
import pytest

from tests.dbt.dbt_helpers import append_raw, create_raw_layer, dbt_env, delivery, failures, query_rows, run_dbt

TZ = "UTC"
BUILD = ["build", "--select", "+stg_landing__survey_answers", "+rejected_rows", "+layer_reconciliation",
         "--exclude-resource-type", "test", "unit_test"]
LOADED_AT = datetime(2026, 3, 11, 6, 0, tzinfo=timezone.utc)
MARK = "timestamptz '2000-01-01 00:00:00+00'"


def question(scale_max):
    return {"question_code": "q_local", "question_text": "How easy was it?", "dimension": "ease",
            "scale_min": "1", "scale_max": str(scale_max)}


def answer(survey_id, score):
    return {"survey_id": survey_id, "question_code": "q_local", "score": str(score)}


LOADS = [
    {"survey_questions": [question(5)], "survey_answers": [answer("s1", 4), answer("s2", 7), answer("s3", 3)]},
    {"survey_answers": [answer("s4", 5)]},
    {"survey_questions": [question(10)]},
    {"survey_answers": [answer("s5", 9)]},
    {"survey_questions": [question(5)]},
]


def snapshot(con) -> dict:
    return {
        "base": query_rows(con, "select survey_id, score, _load_id, _fate, _reject_reason, _reject_detail, "
                                "_lookup_fingerprint from staging.base_landing__survey_answers order by survey_id"),
        "staged": query_rows(con, "select * exclude (_loaded_at) from staging.stg_landing__survey_answers "
                                  "order by survey_id"),
        "rejected": query_rows(con, "select record_key, reason, detail from audit.rejected_rows "
                                    "where source = 'survey_answers' order by record_key"),
        "reconciled": query_rows(con, "select * from audit.layer_reconciliation order by all"),
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """After each load: the incremental build's snapshot, the staged survey_ids it wrote (the others carry a mark
    set before the build) and, on a copy of the warehouse, a full build's snapshot of the same data."""
    work = tmp_path_factory.mktemp("landing_lookup_incremental")
    warehouse = work / "warehouse" / "callqa.duckdb"
    create_raw_layer(warehouse, delivery(LOADS[0], LOADED_AT, 1))
    steps = []
    with dbt_env(warehouse, TZ):
        result = run_dbt(BUILD, work)
        assert result.success, "\n".join(failures(result))
        for load_id, load in enumerate(LOADS[1:], start=2):
            append_raw(warehouse, delivery(load, LOADED_AT, load_id))
            con = duckdb.connect(str(warehouse))
            con.execute(f"update staging.stg_landing__survey_answers set _loaded_at = {MARK}")
            con.close()
            result = run_dbt(BUILD, work)
            assert result.success, "\n".join(failures(result))
            con = duckdb.connect(str(warehouse), read_only=True)
            step = {"incremental": snapshot(con), "rewritten": sorted(r[0] for r in con.execute(
                f"select survey_id from staging.stg_landing__survey_answers where _loaded_at > {MARK}").fetchall())}
            con.close()
            steps.append(step)
        full = run_dbt([*BUILD, "--full-refresh"], work)
        assert full.success, "\n".join(failures(full))
        con = duckdb.connect(str(warehouse), read_only=True)
        final_full = snapshot(con)
        con.close()
    return {"steps": steps, "full": final_full, "work": work}


def staged_ids(snap):
    return [r["survey_id"] for r in snap["staged"]]


def test_the_base_model_is_built_by_load(built):
    import json

    manifest = json.loads(next(built["work"].rglob("manifest.json")).read_text(encoding="utf-8"))
    for model in ("base_landing__survey_answers", "stg_landing__survey_answers"):
        config = manifest["nodes"][f"model.callqa.{model}"]["config"]
        assert (config["materialized"], config["incremental_strategy"], config["unique_key"]) == \
            ("incremental", "delete+insert", "_rebuild_key")


def test_new_answers_with_the_same_catalogue_stage_only_their_keys(built):
    step = built["steps"][0]  # load 2: s4
    assert staged_ids(step["incremental"]) == ["s1", "s3", "s4"]
    assert step["rewritten"] == ["s4"]
    assert len({r["_lookup_fingerprint"] for r in step["incremental"]["base"]}) == 1


def test_a_wider_scale_validates_old_answers_again(built):
    step = built["steps"][1]  # load 3: q_local on 1-10
    assert staged_ids(step["incremental"]) == ["s1", "s2", "s3", "s4"]
    assert step["incremental"]["rejected"] == []
    assert step["rewritten"] == ["s1", "s2", "s3", "s4"]  # staging started again from the base model


def test_a_narrower_scale_rejects_answers_staged_before(built):
    before, after = built["steps"][2], built["steps"][3]  # load 4: s5 9 on 1-10; load 5: back to 1-5
    assert staged_ids(before["incremental"]) == ["s1", "s2", "s3", "s4", "s5"]
    assert staged_ids(after["incremental"]) == ["s1", "s3", "s4"]
    assert [(r["record_key"], r["reason"], r["detail"]) for r in after["incremental"]["rejected"]] == [
        ("s2|q_local", "out_of_range", "score outside the scale 1-5 of question q_local"),
        ("s5|q_local", "out_of_range", "score outside the scale 1-5 of question q_local"),
    ]


def test_the_last_incremental_build_equals_a_full_build_row_for_row(built):
    last = built["steps"][-1]["incremental"]
    assert last == built["full"]
    # counted by hand: five answers delivered (loads 1, 2, 4); s1, s3, s4 staged; s2 and s5 out of range on 1-5
    (answers,) = [r for r in last["reconciled"] if r["source"] == "survey_answers"]
    assert (answers["raw_rows"], answers["staged_rows"], answers["rejected_rows"], answers["history_rows"],
            answers["rejected_out_of_range"], answers["is_reconciled"]) == (5, 3, 2, 0, 2, True)
    assert all(r["is_reconciled"] for r in last["reconciled"])
