"""The landing boundary built by load (issue 14 item 2; macros/landing/landing_incremental.sql): an incremental
build of base_landing__calls types and validates only the rows of loads it has not seen plus every earlier row of a
primary key they deliver, and its result equals a full build row for row (fates, reject reasons and details,
staging and audit.rejected_rows).

Two loads of hand-made calls:
  load 1: K1 (valid), K2 (valid), K3 (valid), K4 with an unparseable arrived_at (invalid_type), K5 (valid);
  load 2: K1 corrected (a later valid version: load 1's K1 becomes duplicate_superseded), K2 again with an invalid
          outcome (an invalid correction never replaces a valid version: rejected for its own reason, K2 of load 1
          stays staged), K4 again valid (staged), K6 new.
To see what the incremental build re-read, the raw text of two load-1 rows is changed after the first build (as if
it had been delivered so): K1's (its key is delivered again: re-read, the new text shows) and K5's (untouched: not
re-read, the first build's value stays until a full refresh).
"""
from __future__ import annotations

from datetime import datetime, timezone

import duckdb
import pytest

from tests.dbt.dbt_helpers import (append_raw, copy_built_work, create_raw_layer, dbt_env, delivery, failures,
                                  query_rows, run_dbt)

TZ = "America/New_York"
SELECT = ["+stg_landing__calls"]
BUILD = ["run", "--select", *SELECT]


def call(call_id, arrived_at="2026-03-10 09:00:00", outcome="answered", queue="billing"):
    return {"call_id": call_id, "direction": "inbound", "arrived_at": arrived_at, "answered_at": arrived_at,
            "ended_at": "2026-03-10 09:10:00", "outcome": outcome, "queue": queue, "agent_id": "a1"}


LOAD_1 = [call("K1"), call("K2"), call("K3"), call("K4", arrived_at="yesterday"), call("K5")]
LOAD_2 = [call("K1", queue="general"), call("K2", outcome="vanished"), call("K4"), call("K6")]
LOADED_AT = datetime(2026, 3, 11, 6, 0, tzinfo=timezone.utc)
BASE_COLUMNS = "call_id, queue, outcome, _load_id, _line, _fate, _reject_reason, _reject_detail, _record_key, _rebuild_key"


def _base(con):
    return query_rows(con, f"select {BASE_COLUMNS} from staging.base_landing__calls order by _load_id, _line")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("landing_incremental")
    warehouse = work / "warehouse" / "callqa.duckdb"
    create_raw_layer(warehouse, delivery({"calls": LOAD_1}, LOADED_AT, 1))
    out = {"work": work}
    with dbt_env(warehouse, TZ):
        first = run_dbt(BUILD, work)
        assert first.success, "\n".join(failures(first))
        append_raw(warehouse, delivery({"calls": LOAD_2}, LOADED_AT, 2))
        con = duckdb.connect(str(warehouse))
        con.execute("update raw.calls set agent_id = 'a1-redelivered' where _load_id = 1 and call_id in ('K1', 'K5')")
        # a mark on every staged row (a column the comparisons leave out): a row the next build rewrites loses it
        con.execute("update staging.stg_landing__calls set _loaded_at = timestamptz '2000-01-01 00:00:00+00'")
        con.close()
        second = run_dbt(BUILD, work)
        assert second.success, "\n".join(failures(second))
        con = duckdb.connect(str(warehouse), read_only=True)
        out["incremental"] = _base(con)
        out["agents"] = dict(con.execute("select call_id || '/' || _load_id, agent_id from staging.base_landing__calls"
                                         ).fetchall())
        out["staged"] = query_rows(con, "select * exclude (_loaded_at) from staging.stg_landing__calls order by call_id")
        out["rewritten"] = sorted(r[0] for r in con.execute(
            "select call_id from staging.stg_landing__calls where _loaded_at > timestamptz '2000-01-01 00:00:00+00'"
        ).fetchall())
        con.close()
        full = run_dbt([*BUILD, "--full-refresh"], work)
        assert full.success, "\n".join(failures(full))
        con = duckdb.connect(str(warehouse), read_only=True)
        out["full"] = _base(con)
        out["full_agents"] = dict(con.execute(
            "select call_id || '/' || _load_id, agent_id from staging.base_landing__calls").fetchall())
        out["full_staged"] = query_rows(con, "select * exclude (_loaded_at) from staging.stg_landing__calls "
                                             "order by call_id")
        con.close()
    return out


def test_the_base_model_is_incremental_by_delete_insert(built):
    import json

    manifest = json.loads(next(built["work"].rglob("manifest.json")).read_text(encoding="utf-8"))
    config = manifest["nodes"]["model.callqa.base_landing__calls"]["config"]
    assert (config["materialized"], config["incremental_strategy"], config["unique_key"]) == \
        ("incremental", "delete+insert", "_rebuild_key")
    # a rule reading another relation (survey answers against the question catalogue): by load too, validated again
    # whole when the catalogue changes (test_landing_lookup_incremental.py)
    assert manifest["nodes"]["model.callqa.base_landing__survey_answers"]["config"]["materialized"] == "incremental"
    # staging follows its base model, by the same unit
    config = manifest["nodes"]["model.callqa.stg_landing__calls"]["config"]
    assert (config["materialized"], config["incremental_strategy"], config["unique_key"]) == \
        ("incremental", "delete+insert", "_rebuild_key")
    assert manifest["nodes"]["model.callqa.stg_landing__survey_answers"]["config"]["materialized"] == "incremental"


def test_staging_rewrites_only_the_keys_the_new_load_delivered(built):
    # load 2 delivered K1, K2, K4 and K6: their staged rows were written again (K2's is load 1's, unchanged, but its
    # key came again); K3 and K5 kept the rows the first build wrote
    assert built["rewritten"] == ["K1", "K2", "K4", "K6"]


def test_fates_after_the_second_load(built):
    fates = {(r["call_id"], r["_load_id"]): (r["_fate"], r["_reject_reason"]) for r in built["incremental"]}
    assert fates == {
        ("K1", 1): ("rejected", "duplicate_superseded"), ("K1", 2): ("staged", None),
        ("K2", 1): ("staged", None), ("K2", 2): ("rejected", "invalid_enum"),
        ("K3", 1): ("staged", None),
        ("K4", 1): ("rejected", "invalid_type"), ("K4", 2): ("staged", None),
        ("K5", 1): ("staged", None),
        ("K6", 2): ("staged", None),
    }
    detail = {(r["call_id"], r["_load_id"]): r["_reject_detail"] for r in built["incremental"]}
    assert detail[("K1", 1)] == "call_id superseded by load_id 2 line 2"


def test_only_new_loads_and_the_keys_they_deliver_are_read_again(built):
    # K1's key came again in load 2: its load-1 row was re-read (the changed text shows); K5 was not.
    assert built["agents"]["K1/1"] == "a1-redelivered" and built["agents"]["K5/1"] == "a1"
    assert built["full_agents"]["K5/1"] == "a1-redelivered"


def test_incremental_equals_a_full_build_row_for_row(built):
    assert built["incremental"] == built["full"]
    differs = [r["call_id"] for r, f in zip(built["staged"], built["full_staged"]) if r != f]
    assert len(built["staged"]) == len(built["full_staged"]) == 6 and differs == ["K5"]  # K5: the changed text


def test_staging_drops_or_replaces_an_adapter_row_the_base_model_no_longer_stages(built, tmp_path):
    """An adapter folds every copy of a record into one row, which a later export may make rejected or map elsewhere:
    an adapter row in staging whose key has no staged row in the base model is deleted (post-hook), and one whose
    key the base model now stages from a contract file is replaced by that row (the table's adapter keys are always
    in the batch). Planted behind dbt's back on the built warehouse; the next incremental build restores staging to
    the full build's."""
    work = tmp_path / "planted"
    warehouse = copy_built_work(built["work"], work)
    con = duckdb.connect(str(warehouse))
    con.execute("insert into staging.stg_landing__calls select * replace ('Z' as call_id, 'Z' as _rebuild_key, "
                "'anonymous_bank' as _adapter) from staging.stg_landing__calls where call_id = 'K3'")
    con.execute("update staging.stg_landing__calls set _adapter = 'anonymous_bank', queue = 'planted' "
                "where call_id = 'K3'")
    con.close()
    with dbt_env(warehouse, TZ):
        result = run_dbt(["run", "--select", "stg_landing__calls"], work)
    assert result.success, "\n".join(failures(result))
    con = duckdb.connect(str(warehouse), read_only=True)
    staged = query_rows(con, "select * exclude (_loaded_at) from staging.stg_landing__calls order by call_id")
    con.close()
    assert staged == built["full_staged"]


def test_an_adapter_key_no_adapter_maps_any_more_leaves_the_base_model(built, tmp_path):
    """An adapter row whose key no adapter produces any more (a Genesys conversation that gained a voice segment moves
    from digital_contacts to calls) and no contract row has: the next incremental build removes the key from the base
    model (a placeholder row in the batch, deleted by the post-hook) and so from staging, as a full build would have
    it. Planted behind dbt's back: a staged and a rejected adapter row of keys that exist nowhere else."""
    work = tmp_path / "vanished"
    warehouse = copy_built_work(built["work"], work)
    con = duckdb.connect(str(warehouse))
    for key, fate in (("Z", "staged"), ("Y", "rejected")):
        con.execute(f"insert into staging.base_landing__calls select * replace ('{key}' as call_id, '{key}' as "
                    f"_rebuild_key, '{key}' as _record_key, 'genesys_cloud_conversations' as _adapter, "
                    f"'{fate}' as _fate) from staging.base_landing__calls where call_id = 'K3'")
    con.execute("insert into staging.stg_landing__calls select * replace ('Z' as call_id, 'Z' as _rebuild_key, "
                "'genesys_cloud_conversations' as _adapter) from staging.stg_landing__calls where call_id = 'K3'")
    con.close()
    with dbt_env(warehouse, TZ):
        result = run_dbt(["run", "--select", "base_landing__calls", "stg_landing__calls"], work)
    assert result.success, "\n".join(failures(result))
    con = duckdb.connect(str(warehouse), read_only=True)
    base = _base(con)
    staged = query_rows(con, "select * exclude (_loaded_at) from staging.stg_landing__calls order by call_id")
    fates = con.execute("select distinct _fate from staging.base_landing__calls order by 1").fetchall()
    con.close()
    assert base == built["full"]
    assert fates == [("rejected",), ("staged",)]  # no placeholder left
    # staging as the full build's, but for K5, whose raw text was changed behind dbt's back (see the module doc)
    assert [r for r in staged if r["call_id"] != "K5"] == [r for r in built["full_staged"] if r["call_id"] != "K5"]
    assert [r["call_id"] for r in staged] == [r["call_id"] for r in built["full_staged"]]
