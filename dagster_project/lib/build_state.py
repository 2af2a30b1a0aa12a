"""Whether a run has anything to build: the one rule that lets a run with no new files skip dbt, the analysis and
publishing (issue 14: "a run with no new files notices there is nothing to do").

What a build depends on is summed up as a `BuildState`: the ingestion ledger's high-water mark (the largest load id
in raw._ingest_ledger: every file loaded, refused, empty or duplicate gets a new one, and a file already in the
ledger gets none) and a fingerprint of the dbt project (models, seeds, macros, tests: a change of logic or of
reference data must be built). After a successful publish, the state the build started from is recorded in
`runs.builds`; the next run compares its own state with the last published one (`skip_reason`):

- a full refresh is asked: build;
- nothing was ever published, or the serving copy is gone: build;
- new ledger entries since the last published build, or another dbt project: build;
- else: skip, with the reason (said in the run's output, its log and the Dagster UI).

`runs` is a schema built by a run, not raw: `callqa run --rebuild` (lib/warehouse.drop_derived_schemas) drops it
with everything else built from raw, so the next run builds. The dbt step records what it built from (`record_built`,
status `built`); the publish step marks that row `published` (`record_published`): a build whose publish failed or
did not happen (a failed blocking check) is rebuilt by the next run, new files or not.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.lib.warehouse import table_exists

BUILDS_SCHEMA = "runs"
BUILDS = f"{BUILDS_SCHEMA}.builds"
LEDGER = "raw._ingest_ledger"


@dataclass(frozen=True)
class BuildState:
    """What a build reads: the ledger up to `ledger_mark` (None: an empty ledger) and the dbt project `project`."""

    ledger_mark: int | None
    project: str


def project_fingerprint(manifest: dict | Path) -> str:
    """SHA-256 over the checksums of every dbt node (models, seeds, tests, snapshots) and the text of every macro of
    the project's manifest: it changes when any of them does, and only then."""
    if not isinstance(manifest, dict):
        manifest = json.loads(Path(manifest).read_text(encoding="utf-8"))
    parts = sorted(
        (uid, (node.get("checksum") or {}).get("checksum", ""))
        for uid, node in manifest.get("nodes", {}).items())
    parts += sorted((uid, macro.get("macro_sql", "")) for uid, macro in manifest.get("macros", {}).items())
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def ledger_mark(con: duckdb.DuckDBPyConnection) -> int | None:
    """The largest load id in the ingestion ledger (None when there is none yet)."""
    if not table_exists(con, "raw", "_ingest_ledger"):
        return None
    return con.execute(f"SELECT max(load_id) FROM {LEDGER}").fetchall()[0][0]


def current_state(con: duckdb.DuckDBPyConnection, project: str) -> BuildState:
    return BuildState(ledger_mark(con), project)


def _ensure_builds(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {BUILDS_SCHEMA}")
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {BUILDS} (
            run_id VARCHAR NOT NULL, ledger_mark BIGINT, project VARCHAR NOT NULL, full_refresh BOOLEAN NOT NULL,
            status VARCHAR NOT NULL, built_at TIMESTAMPTZ NOT NULL, published_at TIMESTAMPTZ)""")


def last_published(con: duckdb.DuckDBPyConnection) -> tuple[str, BuildState] | None:
    """(run id, state) of the last build that was published, or None."""
    if not table_exists(con, BUILDS_SCHEMA, "builds"):
        return None
    rows = con.execute(
        f"SELECT run_id, ledger_mark, project FROM {BUILDS} WHERE status = 'published' "
        "ORDER BY published_at DESC LIMIT 1").fetchall()
    return (rows[0][0], BuildState(rows[0][1], rows[0][2])) if rows else None


def skip_reason(current: BuildState, last: tuple[str, BuildState] | None, full_refresh: bool,
                serving_copy_exists: bool) -> str | None:
    """Why this run builds nothing (one line, for the user), or None when it must build (module docstring)."""
    if full_refresh or last is None or not serving_copy_exists:
        return None
    run_id, published = last
    if current.project != published.project:
        return None
    if current.ledger_mark is not None and (published.ledger_mark is None or current.ledger_mark > published.ledger_mark):
        return None
    return (f"no new loads since the last published build (Dagster run {run_id[:8]}, ledger up to load "
            f"{published.ledger_mark}): dbt, the analysis and publishing skipped")


def record_built(con: duckdb.DuckDBPyConnection, run_id: str, state: BuildState, full_refresh: bool) -> None:
    """The state a run's dbt build started from (before it runs: the ledger cannot move under it, ingestion of
    the same run is done and every writer holds the warehouse pool)."""
    _ensure_builds(con)
    con.execute(f"DELETE FROM {BUILDS} WHERE run_id = ?", [run_id])
    con.execute(f"INSERT INTO {BUILDS} VALUES (?, ?, ?, ?, 'built', current_timestamp, NULL)",
                [run_id, state.ledger_mark, state.project, full_refresh])


def record_published(con: duckdb.DuckDBPyConnection, run_id: str) -> bool:
    """Marks the run's build published (False when the run built nothing, e.g. a publish launched on its own)."""
    if not table_exists(con, BUILDS_SCHEMA, "builds"):
        return False
    rows = con.execute(
        f"UPDATE {BUILDS} SET status = 'published', published_at = current_timestamp WHERE run_id = ? RETURNING 1",
        [run_id]).fetchall()
    return bool(rows)
