"""One writer per warehouse, across processes (issue 15): `callqa run` holds an exclusive lock on
`<warehouse>.lock` for its whole run, so a second run on the same warehouse is refused at once, saying who holds it,
instead of interleaving with the first and failing both on DuckDB's file lock (or killing the first one's dbt).

The lock is an OS file lock (fcntl.flock): the kernel releases it when its process ends, however it ends (kill -9
included), so a dead run never keeps it. The file also says who holds it (pid, start time, command) for the message;
its content is never trusted for the lock itself.

Stale Dagster pool slots: a run killed while it held the `duckdb_warehouse` pool slot of a persistent instance
(DAGSTER_HOME, as `make demo` and `make dev` use) kept the slot, and the next run waited on it forever. While a run
holds the warehouse lock, no other `callqa run` on this warehouse is alive, so the slots of earlier `callqa run` runs
(tagged with their pid) whose process is gone are freed and those runs marked failed before the job starts.
"""
from __future__ import annotations

import fcntl
import json
import os
import sys
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

PID_TAG = "callqa/pid"
WAREHOUSE_TAG = "callqa/warehouse"


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse (the message is one line, for the user)."""


def lock_path(warehouse: Path) -> Path:
    return Path(str(warehouse) + ".lock")


@contextmanager
def warehouse_lock(warehouse: Path):
    """Hold the warehouse's writer lock for the block, or raise WarehouseBusy naming the holder."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            try:
                who = json.loads(holder)
                described = f"pid {who['pid']}, started {who['started_at']}"
            except (ValueError, KeyError, TypeError):
                described = "another process"
            raise WarehouseBusy(
                f"another callqa run is writing {warehouse} ({described}): one writer at a time - wait for it to "
                f"finish (or stop it), then run again"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                 "command": " ".join(sys.argv[:3])}))
        handle.flush()
        yield
    finally:
        handle.close()  # releases the lock


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def reclaim_stale_runs(instance, warehouse: Path) -> list[str]:
    """Mark failed and free the pool slots of earlier `callqa run` runs on this warehouse whose process is gone.
    Call only while holding warehouse_lock. Returns the reclaimed run ids."""
    import dagster as dg

    reclaimed = []
    records = instance.get_run_records(
        filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING,
                                        dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.QUEUED],
                              tags={WAREHOUSE_TAG: str(warehouse)}))
    for record in records:
        run = record.dagster_run
        pid = run.tags.get(PID_TAG)
        if pid is None or (pid.isdigit() and int(pid) != os.getpid() and pid_alive(int(pid))):
            continue
        instance.report_run_failed(run, "the process of this callqa run is gone (killed?): its pool slots are freed")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        reclaimed.append(run.run_id)
    return reclaimed
