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
from dataclasses import dataclass, field
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


@dataclass
class StaleRuns:
    reclaimed: list[str] = field(default_factory=list)  # run ids marked failed, their pool slots freed
    unknown: list[str] = field(default_factory=list)  # one line each: runs left alone, and what to do about them


def _process_id(tag: str) -> int | None:
    """The pid in a run's PID_TAG, or None when the tag is not a process id (then nobody can tell if it lives)."""
    return int(tag) if tag.isascii() and tag.isdigit() and int(tag) > 0 else None


def reclaim_stale_runs(instance, warehouse: Path) -> StaleRuns:
    """Mark failed and free the pool slots of earlier `callqa run` runs on this warehouse whose process is gone.
    A run whose pid tag is not a process id (edited, or written by something else) may be alive: it is left alone
    and named, with how to free its slot. Call only while holding warehouse_lock."""
    import dagster as dg

    found = StaleRuns()
    records = instance.get_run_records(
        filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING,
                                        dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.QUEUED],
                              tags={WAREHOUSE_TAG: str(warehouse)}))
    for record in records:
        run = record.dagster_run
        tag = run.tags.get(PID_TAG)
        if tag is None:  # not a `callqa run` run (the UI, the schedule): Dagster's own run monitoring owns it
            continue
        pid = _process_id(tag)
        if pid is None:
            found.unknown.append(
                f"run {run.run_id[:8]} on this warehouse is {run.status.value.lower()} with {PID_TAG}={tag!r}, not a "
                f"process id, so whether it still runs is unknown: left alone; if it holds the warehouse's pool "
                f"slot and no process of it runs, free it with `dagster run delete {run.run_id}`")
            continue
        if pid != os.getpid() and pid_alive(pid):
            continue
        instance.report_run_failed(run, "the process of this callqa run is gone (killed?): its pool slots are freed")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        found.reclaimed.append(run.run_id)
    return found
