"""The layers reconciled by load (audit.layer_reconciliation_loads, summed by audit.layer_reconciliation): an
incremental build recounts only the loads the new rows can change, and its counts equal a full build's.

Three loads of hand-made calls:
  load 1: A (valid), B (valid), C with an unparseable arrived_at (invalid_type);
  load 2: D (valid), E (valid);
  load 3: B corrected (load 1's B becomes duplicate_superseded), F (valid), and a row that the base model loses
          behind dbt's back in the last test (as a bug would).
Built with loads 1-2, then load 3 added: the incremental build must recount loads 1 (B's earlier version changed
fate) and 3 (new) and leave load 2 as counted (a mark put on its row survives)."""
from __future__ import annotations

from datetime import datetime, timezone

import duckdb
import pytest

from tests.dbt.dbt_helpers import (append_raw, copy_built_work, create_raw_layer, dbt_env, delivery, failures,
                                  query_rows, run_dbt)

TZ = "America/New_York"
BUILD = ["build", "--select", "+layer_reconciliation", "--exclude-resource-type", "test", "unit_test"]
LOADED_AT = datetime(2026, 3, 11, 6, 0, tzinfo=timezone.utc)
COUNTS = ("raw_rows, adapter_rows, staged_rows, rejected_rows, history_rows, rejected_invalid_type, "
          "rejected_duplicate_superseded, rows_staged_and_rejected, rows_neither_staged_nor_rejected")


def call(call_id, arrived_at="2026-03-10 09:00:00", queue="billing"):
    return {"call_id": call_id, "direction": "inbound", "arrived_at": arrived_at, "answered_at": arrived_at,
            "ended_at": "2026-03-10 09:10:00", "outcome": "answered", "queue": queue, "agent_id": "a1"}


LOADS = {1: [call("A"), call("B"), call("C", arrived_at="yesterday")],
         2: [call("D"), call("E")],
         3: [call("B", queue="general"), call("F")]}


def _loads(con) -> dict[int, dict]:
    rows = query_rows(con, f"select load_id, {COUNTS} from audit.layer_reconciliation_loads "
                           "where source = 'calls' order by load_id")
    return {r.pop("load_id"): r for r in rows}


def _calls(con) -> dict:
    return query_rows(con, "select * from audit.layer_reconciliation where source = 'calls'")[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    work = tmp_path_factory.mktemp("reconciliation_by_load")
    warehouse = work / "warehouse" / "callqa.duckdb"
    create_raw_layer(warehouse, delivery({"calls": LOADS[1]}, LOADED_AT, 1))
    append_raw(warehouse, delivery({"calls": LOADS[2]}, LOADED_AT, 2))
    out = {"work": work, "warehouse": warehouse}
    with dbt_env(warehouse, TZ):
        first = run_dbt(BUILD, work)
        assert first.success, "\n".join(failures(first))
        con = duckdb.connect(str(warehouse))
        out["first"] = _loads(con)
        # a mark on every counted load: a row the next build recounts loses it
        con.execute("update audit.layer_reconciliation_loads set history_rows = 1000 + load_id where source = 'calls'")
        con.close()
        append_raw(warehouse, delivery({"calls": LOADS[3]}, LOADED_AT, 3))
        second = run_dbt(BUILD, work)
        assert second.success, "\n".join(failures(second))
        con = duckdb.connect(str(warehouse))
        out["incremental"] = _loads(con)
        out["marked"] = sorted(load for load, r in out["incremental"].items() if r["history_rows"] >= 1000)
        con.execute("update audit.layer_reconciliation_loads set history_rows = 0 where history_rows >= 1000")
        con.close()
        summed = run_dbt(["run", "--select", "layer_reconciliation"], work)  # the sum without the mark
        assert summed.success, "\n".join(failures(summed))
        con = duckdb.connect(str(warehouse), read_only=True)
        out["incremental_total"] = _calls(con)
        con.close()
        full = run_dbt([*BUILD, "--full-refresh"], work)
        assert full.success, "\n".join(failures(full))
        con = duckdb.connect(str(warehouse), read_only=True)
        out["full"] = _loads(con)
        out["full_total"] = _calls(con)
        con.close()
    return out


def _row(raw, staged, rejected, invalid_type=0, superseded=0):
    return {"raw_rows": raw, "adapter_rows": 0, "staged_rows": staged, "rejected_rows": rejected, "history_rows": 0,
            "rejected_invalid_type": invalid_type, "rejected_duplicate_superseded": superseded,
            "rows_staged_and_rejected": 0, "rows_neither_staged_nor_rejected": 0}


def test_each_load_is_counted_by_hand(built):
    assert built["first"] == {1: _row(3, 2, 1, invalid_type=1), 2: _row(2, 2, 0)}
    assert built["full"] == {1: _row(3, 1, 2, invalid_type=1, superseded=1), 2: _row(2, 2, 0), 3: _row(2, 2, 0)}


def test_the_increment_recounts_the_new_load_and_the_loads_of_its_keys_only(built):
    # load 2 delivered no key load 3 delivered again: its row is the first build's (still marked)
    assert built["marked"] == [2]


def test_the_incremental_counts_equal_a_full_build(built):
    incremental = {load: {**r, "history_rows": 0 if r["history_rows"] >= 1000 else r["history_rows"]}
                   for load, r in built["incremental"].items()}
    assert incremental == built["full"]
    assert built["incremental_total"] == built["full_total"]
    total = built["full_total"]
    assert (total["raw_rows"], total["staged_rows"], total["rejected_rows"], total["is_reconciled"]) == (7, 5, 2, True)


def test_a_row_lost_in_a_new_load_is_found_by_the_incremental_build(built, tmp_path):
    """A raw row of a new load missing from the base model (as a bug would lose it) is counted in
    rows_neither_staged_nor_rejected of that load, and the source no longer reconciles."""
    work = tmp_path / "lost"
    warehouse = copy_built_work(built["work"], work)
    with dbt_env(warehouse, TZ):
        append_raw(warehouse, delivery({"calls": [call("G"), call("H")]}, LOADED_AT, 4))
        lose = ("delete from staging.base_landing__calls where call_id = 'H'; "
                "delete from staging.stg_landing__calls where call_id = 'H'")
        built_ok = run_dbt(["run", "--select", "+stg_landing__calls"], work)
        assert built_ok.success, "\n".join(failures(built_ok))
        con = duckdb.connect(str(warehouse))
        con.execute(lose)
        con.close()
        result = run_dbt(["run", "--select", "layer_reconciliation_loads", "layer_reconciliation"], work)
        assert result.success, "\n".join(failures(result))
        con = duckdb.connect(str(warehouse), read_only=True)
        loads = _loads(con)
        total = _calls(con)
        con.close()
    assert loads[4]["raw_rows"] == 2 and loads[4]["staged_rows"] == 1
    assert loads[4]["rows_neither_staged_nor_rejected"] == 1
    assert total["is_reconciled"] is False


def test_a_load_counted_with_adapter_rows_is_counted_again(built, tmp_path):
    """An adapter folds every copy of a record into one row carrying the latest load, so an earlier load it counted
    may have no row left: a load the table counted with adapter rows is counted again by every build (here a row
    planted to claim adapter rows and wrong counts for load 2 is recounted from the layers, as a full build counts
    it)."""
    work = tmp_path / "adapter_load"
    warehouse = copy_built_work(built["work"], work)
    con = duckdb.connect(str(warehouse))
    con.execute("update audit.layer_reconciliation_loads set adapter_rows = 1, staged_rows = 99 "
                "where source = 'calls' and load_id = 2")
    con.close()
    with dbt_env(warehouse, TZ):
        append_raw(warehouse, delivery({"calls": [call("G")]}, LOADED_AT, 4))
        result = run_dbt(BUILD, work)
        assert result.success, "\n".join(failures(result))
    con = duckdb.connect(str(warehouse), read_only=True)
    loads = _loads(con)
    con.close()
    assert loads[2] == _row(2, 2, 0) and loads[4] == _row(1, 1, 0)
