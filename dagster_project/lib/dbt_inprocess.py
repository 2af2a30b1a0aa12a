"""dbt inside this Python process (dbtRunner), with the environment it reads set only for the call: for the dry run of
an adapter export (`callqa adapters --dry-run`) and for the tests. Pipeline runs go through dagster-dbt instead."""
from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from dagster_project.settings import DBT_PROJECT_DIR


@contextmanager
def temporary_env(values: Mapping[str, str]) -> Iterator[None]:
    """Set these environment variables for the block; restore each one's earlier value (or absence) after."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def release_duckdb() -> None:
    """dbt-duckdb keeps its DuckDB instance open in the process after an in-process run; close it so the warehouse
    file can be opened again (read-only, or by the next run with other settings)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    if DuckDBConnectionManager._ENV is not None:
        DuckDBConnectionManager._ENV.close()
    DuckDBConnectionManager.close_all_connections()


def run_dbt(args: Sequence[str], work_dir: Path, env: Mapping[str, str] | None = None):
    """`dbt <args>` on the project, its target and logs under work_dir (never dbt/target), with `env` set for the
    call; the DuckDB file is released afterwards. Returns dbt's dbtRunnerResult."""
    from dbt.cli.main import dbtRunner

    with temporary_env(env or {}):
        try:
            return dbtRunner().invoke([
                *args,
                "--project-dir", str(DBT_PROJECT_DIR),
                "--profiles-dir", str(DBT_PROJECT_DIR),
                "--target-path", str(Path(work_dir) / "target"),
                "--log-path", str(Path(work_dir) / "logs"),
            ])
        finally:
            release_duckdb()
