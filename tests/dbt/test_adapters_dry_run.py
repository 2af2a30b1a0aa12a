"""`callqa adapters --dry-run FOLDER` runs the sampled files through the adapters' dbt models in a throwaway
warehouse and says, before any load, how many rows would be staged, kept as history or rejected and why (issue 13
item 6). The ServiceNow sample (tests/fixtures/adapters): 17 updates of 4 incidents, one update with an unknown state."""
from __future__ import annotations

import shutil

from typer.testing import CliRunner

from dbt_helpers import REPO_ROOT

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "adapters" / "servicenow_incidents" / "incident_event_log.csv"


def test_dry_run_counts_what_the_mapping_stages_and_rejects_and_loads_nothing(tmp_path, monkeypatch):
    from dagster_project.cli import app

    folder = tmp_path / "servicenow_incidents"
    folder.mkdir()
    shutil.copyfile(FIXTURE, folder / FIXTURE.name)
    monkeypatch.setenv("CALLQA_TIMEZONE", "UTC")
    monkeypatch.setenv("CALLQA_WAREHOUSE", str(tmp_path / "untouched" / "callqa.duckdb"))
    result = CliRunner().invoke(app, ["adapters", "--dry-run", str(folder)])
    assert result.exit_code == 0, result.output
    mapped = result.output.split("through the mapping", 1)[1]
    # every update of an incident is a version: the latest valid one of each of the 4 incidents staged, the other 12
    # history (not rejects); the update with state -100 rejected with the reason; 17 status events
    assert "servicenow_incidents -> tickets: 4 staged" in mapped
    assert "servicenow_incidents -> tickets: 12 history" in mapped
    assert "servicenow_incidents -> tickets: 1 rejected, not_mapped  e.g. incident_state -100" in mapped
    assert "servicenow_incidents -> ticket_events: 17 staged" in mapped
    assert not (tmp_path / "untouched").exists()  # nothing was loaded anywhere real
    assert list(folder.iterdir()) == [folder / FIXTURE.name]


def test_dry_run_of_a_zendesk_schedules_folder_maps_hours_and_holidays(tmp_path, monkeypatch):
    """The Zendesk schedules sample (tests/fixtures/adapters/zendesk_schedules, 4 files): the holidays file under
    the API path keeps its schedule in the throwaway warehouse too; each reject counted with an example reason."""
    from dagster_project.cli import app

    folder = tmp_path / "zendesk_schedules"
    shutil.copytree(REPO_ROOT / "tests" / "fixtures" / "adapters" / "zendesk_schedules", folder)
    monkeypatch.setenv("CALLQA_TIMEZONE", "UTC")
    monkeypatch.setenv("CALLQA_WAREHOUSE", str(tmp_path / "untouched" / "callqa.duckdb"))
    result = CliRunner().invoke(app, ["adapters", "--dry-run", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.output.count(": zendesk_schedules\n") == 4  # every file recognised
    mapped = result.output.split("through the mapping", 1)[1]
    # 10 weekly hours rows (an interval across midnight is two), 4 rejected schedule rows; 3 holiday dates, 2 rejected
    assert "zendesk_schedules -> business_schedules: 10 staged" in mapped
    assert ("zendesk_schedules -> business_schedules: 4 rejected, not_mapped  e.g. interval 9600-10200 is outside "
            "the week") in mapped
    assert "zendesk_schedules -> holidays: 3 staged" in mapped
    assert "zendesk_schedules -> holidays: 2 rejected, not_mapped  e.g. holiday 4501 in " in mapped
    assert not (tmp_path / "untouched").exists()
