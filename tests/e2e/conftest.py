"""Fixtures of the end-to-end tests."""
import pickle
from datetime import date

import pytest
from filelock import FileLock

from tests.e2e.pipeline_env import pipeline_env

CLEAN_RUN_TIMEZONE = "America/New_York"


def _build_clean_run(base):
    """Generate the clean center into base/landing and run the whole pipeline on it; returns the ground truth."""
    from dagster_project.lib.synth import generate

    truth = generate(base / "landing", days=56, contacts_per_day=700, seed=11, start_date=date(2026, 2, 2),
                     timezone=CLEAN_RUN_TIMEZONE)
    with pipeline_env(base, base / "landing", CLEAN_RUN_TIMEZONE) as (run, _):
        outcome = run()
        assert outcome.success and outcome.exit_code == 0, outcome.summary
    return truth


@pytest.fixture(scope="session")
def clean_run(tmp_path_factory, worker_id):
    """One clean synthetic contact center (no dirty rows), run through the whole pipeline once per test session
    and shared by every recovery test: yields (ground truth, read-only warehouse connection).
    Under pytest-xdist the first worker that needs it builds it in the session's shared temporary folder while
    the others wait on a file lock, then every worker reads the same warehouse read-only (the tests only read it;
    the ones that change something work on a copy): one pipeline run per `make test`, not one per worker."""
    if worker_id == "master":  # no xdist: this process's own folder
        base = tmp_path_factory.mktemp("clean_run")
    else:  # the session's folder (pytest-N/), the same for every worker of this run and for no other run
        base = tmp_path_factory.getbasetemp().parent / "clean_run"
    truth_file = base / "truth.pickle"
    with FileLock(str(base) + ".lock"):
        if not truth_file.exists():
            base.mkdir(parents=True, exist_ok=True)
            truth = _build_clean_run(base)
            truth_file.write_bytes(pickle.dumps(truth))
    truth = pickle.loads(truth_file.read_bytes())
    with pipeline_env(base, base / "landing", CLEAN_RUN_TIMEZONE) as (_, connect):
        con = connect()
        yield truth, con
        con.close()
