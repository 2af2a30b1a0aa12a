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

`callqa run` asks the same question before it starts Dagster or dbt (`fast_skip_reason`): Dagster's start-up, the
definitions and `dbt parse` cost more than a run with nothing to do should. Without a manifest it cannot compute the
project fingerprint, so it compares the `code` fingerprint instead (`code_fingerprint`: the text of every file dbt
parses, the seeds, and the Python package: a change of any of them is a change of the project or of the analysis)
with the one recorded for the last published build, and, as the ledger cannot know of files not yet ingested, it
reads and hashes every landing file the ingestion would consider (`new_landing_files`: the once-only rule of
lib/ingest.already_loaded, file by file). Anything it cannot vouch for starts the run as usual, which then decides by
the rule above; when that run skips, it records the code it found equivalent on the last published build, so the
next run with nothing new skips early.

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
from typing import Iterable

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


# What `dbt parse` reads (dbt_project.yml's paths: seeds are ../seeds) and the Python package (its modules and data
# files): the inputs of a build besides the landing files and the settings the preflight checks.
_DBT_PARSED = ("dbt_project.yml", "profiles.yml", "models", "macros", "tests", "analyses", "snapshots")


def _code_files(repo_root: Path) -> Iterable[Path]:
    dbt_dir, package = repo_root / "dbt", repo_root / "dagster_project"
    for root in [*(dbt_dir / name for name in _DBT_PARSED), repo_root / "seeds", package]:
        if root.is_file():
            yield root
        elif root.is_dir():
            yield from (p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                        and not p.name.endswith(".pyc"))


def code_fingerprint(repo_root: Path | None = None) -> str:
    """SHA-256 over the relative path and the bytes of every file a build's logic comes from (`_code_files`):
    equal fingerprints mean the same dbt project (hence the same `project_fingerprint`) and the same Python code."""
    if repo_root is None:
        from dagster_project.settings import REPO_ROOT

        repo_root = REPO_ROOT
    return files_fingerprint(repo_root, _code_files(repo_root))


def files_fingerprint(root: Path, paths: Iterable[Path]) -> str:
    """SHA-256 over the path relative to `root` and the bytes of each file, in path order: changes when a file's
    text does, or a file is added, removed or renamed (also lib/drivers/schedule.code_fingerprint's)."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.relative_to(root).as_posix()):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def new_landing_files(con: duckdb.DuckDBPyConnection, landing_dir: Path) -> list[str]:
    """Landing files (contract sources and adapters, found as ingestion finds them) that a run would load, record or
    read again: read and hashed as ingestion does, judged by its once-only rule (lib/ingest.already_loaded with the
    adapters' retry rule), against the whole ledger read once. Paths relative to the landing folder, sorted."""
    from dagster_project.lib.adapters import ADAPTERS, _retryable, adapter_files
    from dagster_project.lib.contract import load_contract
    from dagster_project.lib.ingest import already_loaded, landing_files, ledger_entries

    landing_dir = Path(landing_dir)
    entries = ledger_entries(con)
    candidates = [(source, path, None) for source in load_contract() for path in landing_files(landing_dir, source)]
    candidates += [(name, path, _retryable) for name in ADAPTERS for path in adapter_files(landing_dir, name)]
    pending = []
    for source, path, retryable in candidates:
        name = path.relative_to(landing_dir).as_posix()
        with path.open("rb") as handle:
            sha = hashlib.file_digest(handle, "sha256").hexdigest()
        if not already_loaded(entries.get((source, name, sha), []), retryable):
            pending.append(name)
    return sorted(pending)


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
    # the code the build was made from (code_fingerprint), or found equivalent to it by a run that skipped
    con.execute(f"ALTER TABLE {BUILDS} ADD COLUMN IF NOT EXISTS code VARCHAR")


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


def record_built(con: duckdb.DuckDBPyConnection, run_id: str, state: BuildState, full_refresh: bool,
                 code: str | None = None) -> None:
    """The state a run's dbt build started from (before it runs: the ledger cannot move under it, ingestion of
    the same run is done and every writer holds the warehouse pool), and the code it is built from."""
    _ensure_builds(con)
    con.execute(f"DELETE FROM {BUILDS} WHERE run_id = ?", [run_id])
    con.execute(f"INSERT INTO {BUILDS} (run_id, ledger_mark, project, full_refresh, status, built_at, published_at, "
                "code) VALUES (?, ?, ?, ?, 'built', current_timestamp, NULL, ?)",
                [run_id, state.ledger_mark, state.project, full_refresh, code])


def record_equivalent_code(con: duckdb.DuckDBPyConnection, run_id: str, code: str) -> None:
    """A run that skipped found nothing to build since the published build `run_id` with this code: recorded on
    that build, so the next such run skips before starting Dagster (`fast_skip_reason`)."""
    _ensure_builds(con)
    con.execute(f"UPDATE {BUILDS} SET code = ? WHERE run_id = ?", [code, run_id])


def published_code(con: duckdb.DuckDBPyConnection, run_id: str) -> str | None:
    if not table_exists(con, BUILDS_SCHEMA, "builds"):
        return None
    columns = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = 'builds'",
        [BUILDS_SCHEMA]).fetchall()}
    if "code" not in columns:  # a warehouse built before the column: the run decides as usual
        return None
    rows = con.execute(f"SELECT code FROM {BUILDS} WHERE run_id = ?", [run_id]).fetchall()
    return rows[0][0] if rows else None


def fast_skip_reason(con: duckdb.DuckDBPyConnection, landing_dir: Path, code: str, serving_copy_exists: bool
                     ) -> str | None:
    """Why `callqa run` need not start at all (module docstring), or None: skip_reason's rule with the code
    fingerprint in place of the project's, and no landing file new to the ledger."""
    last = last_published(con)
    if last is None or published_code(con, last[0]) != code:
        return None
    # the same code is the same dbt project: skip_reason's remaining conditions decide
    if skip_reason(current_state(con, last[1].project), last, False, serving_copy_exists) is None:
        return None
    if new_landing_files(con, landing_dir):
        return None
    run_id, published = last
    return (f"no new loads since the last published build (Dagster run {run_id[:8]}, ledger up to load "
            f"{published.ledger_mark}) and no new landing file, with the same code: nothing was started")


def record_published(con: duckdb.DuckDBPyConnection, run_id: str) -> bool:
    """Marks the run's build published (False when the run built nothing, e.g. a publish launched on its own)."""
    if not table_exists(con, BUILDS_SCHEMA, "builds"):
        return False
    rows = con.execute(
        f"UPDATE {BUILDS} SET status = 'published', published_at = current_timestamp WHERE run_id = ? RETURNING 1",
        [run_id]).fetchall()
    return bool(rows)
