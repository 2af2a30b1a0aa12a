"""Fixtures of the end-to-end tests."""
from datetime import date

import pytest

from tests.e2e.pipeline_env import pipeline_env


@pytest.fixture(scope="session")
def clean_run(tmp_path_factory):
    """One clean synthetic contact center (no dirty rows), run through the whole pipeline once per test worker
    and shared by every recovery test: yields (ground truth, read-only warehouse connection)."""
    from dagster_project.lib.synth import generate

    base = tmp_path_factory.mktemp("recovery")
    tz = "America/New_York"
    truth = generate(base / "landing", days=56, contacts_per_day=700, seed=11, start_date=date(2026, 2, 2), timezone=tz)
    with pipeline_env(base, base / "landing", tz) as (run, connect):
        outcome = run()
        assert outcome.success and outcome.exit_code == 0, outcome.summary
        con = connect()
        yield truth, con
        con.close()
