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

Rows an incremental model keeps were computed by the dbt project of the build that wrote them; a later build only
rewrites the rows its scope reaches. So a build whose models differ from those of any build since the last full one
that finished (`models_fingerprint`: the models, seeds and snapshots with their configs and contracts, every macro
the landing contract's sources and dbt_project.yml; not the data tests, which write no rows) would leave rows of the old logic beside rows of the
new: it is made a full refresh instead (`forced_refresh_reason`), said in the run's log. A warehouse built by a callqa
that did not record its models is refreshed once the same way. The dbt step records when its build finished
(`record_dbt_finished`), so that a full refresh that failed half-way is done again by the next run.

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
import yaml

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


# The node types whose rows a build writes (data tests write none): their checksums, configs and contracts make up
# models_fingerprint.
_ROW_NODES = ("model", "seed", "snapshot")


def models_fingerprint(manifest: dict | Path, project_file: Path | None = None) -> str:
    """SHA-256 over what the rows of the warehouse are computed by: every model, seed and snapshot of the manifest
    (its file's checksum, its configuration as written - materialization, keys, hooks - and its contract's
    checksum), every source's columns with their meta and its configuration (the landing contract the base models
    read), the text of every macro, and `project_file` (dbt_project.yml, parsed: its vars and configs, not its
    comments). A data test's change leaves it alone."""
    if not isinstance(manifest, dict):
        manifest = json.loads(Path(manifest).read_text(encoding="utf-8"))
    parts = sorted(
        (uid, (node.get("checksum") or {}).get("checksum", ""), node.get("unrendered_config") or {},
         (node.get("contract") or {}).get("checksum"))
        for uid, node in manifest.get("nodes", {}).items() if node.get("resource_type") in _ROW_NODES)
    # the landing contract (the raw columns and their rules, read by the base models through the graph)
    parts += sorted(
        (uid, source.get("identifier"), source.get("unrendered_config") or {},
         [(name, column.get("meta") or {}, column.get("data_type")) for name, column in
          (source.get("columns") or {}).items()])
        for uid, source in manifest.get("sources", {}).items())
    parts += sorted((uid, macro.get("macro_sql", "")) for uid, macro in manifest.get("macros", {}).items())
    if project_file is not None:
        parts.append(("dbt_project.yml", yaml.safe_load(Path(project_file).read_text(encoding="utf-8"))))
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode("utf-8")).hexdigest()


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
    # the dbt models it built with (models_fingerprint), and when its dbt build finished (NULL: failed or running)
    con.execute(f"ALTER TABLE {BUILDS} ADD COLUMN IF NOT EXISTS models VARCHAR")
    con.execute(f"ALTER TABLE {BUILDS} ADD COLUMN IF NOT EXISTS dbt_finished_at TIMESTAMPTZ")


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
                 code: str | None = None, models: str | None = None) -> None:
    """The state a run's dbt build started from (before it runs: the ledger cannot move under it, ingestion of
    the same run is done and every writer holds the warehouse pool), the code and the dbt models it is built from."""
    _ensure_builds(con)
    con.execute(f"DELETE FROM {BUILDS} WHERE run_id = ?", [run_id])
    con.execute(f"INSERT INTO {BUILDS} (run_id, ledger_mark, project, full_refresh, status, built_at, published_at, "
                "code, models) VALUES (?, ?, ?, ?, 'built', current_timestamp, NULL, ?, ?)",
                [run_id, state.ledger_mark, state.project, full_refresh, code, models])


def record_dbt_finished(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """The run's dbt build finished without an error: every model it selected holds rows of its `models`."""
    _ensure_builds(con)
    con.execute(f"UPDATE {BUILDS} SET dbt_finished_at = current_timestamp WHERE run_id = ?", [run_id])


def built_as_full_refresh(con: duckdb.DuckDBPyConnection, run_id: str) -> bool:
    """Whether the run's dbt build was a full refresh, asked or forced (`forced_refresh_reason`)."""
    if not table_exists(con, BUILDS_SCHEMA, "builds"):
        return False
    rows = con.execute(f"SELECT full_refresh FROM {BUILDS} WHERE run_id = ?", [run_id]).fetchall()
    return bool(rows and rows[0][0])


def forced_refresh_reason(con: duckdb.DuckDBPyConnection, models: str) -> str | None:
    """Why a build with dbt models `models` must be a full refresh (one line, for the log), or None: the rows kept
    by incremental models come from every build since the last full one that finished (a full refresh, or the
    warehouse's first build), and one of those builds ran other models, or did not record them (an earlier callqa).
    None for a warehouse without builds (its first build is a full one)."""
    if not table_exists(con, BUILDS_SCHEMA, "builds"):
        return None
    _ensure_builds(con)
    builds = con.execute(
        f"""SELECT run_id, models, full_refresh, dbt_finished_at IS NOT NULL OR status = 'published' AS finished,
                   row_number() OVER (ORDER BY built_at, run_id) = 1 AS is_first
            FROM {BUILDS} ORDER BY built_at, run_id""").fetchall()
    full = [i for i, (_, _, full_refresh, finished, is_first) in enumerate(builds)
            if finished and (full_refresh or is_first)]
    since = builds[full[-1]:] if full else builds
    for run_id, built_with, _, _, _ in since:
        if built_with is None:
            return (f"the incremental tables were built by a callqa that did not record its dbt models (Dagster run "
                    f"{run_id[:8]}): a full refresh rebuilds them with these")
        if built_with != models:
            return (f"the dbt models changed since the incremental tables were built (Dagster run {run_id[:8]} ran "
                    "other models, seeds, macros or dbt_project.yml): a full refresh rebuilds them with these")
    return None


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
