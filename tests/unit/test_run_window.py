"""What a run processes (lib/run_window.py): the run config and the partition turned into dbt's arguments, and the
landing files a windowed run or a micro-batch reads. Hand-computed cases; the config is the Dagster Config class
the dbt step takes."""
import json
import os
from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from dagster_project.defs.location import DbtRunConfig, delivery_partition_key, delivery_partitions
from dagster_project.lib.run_window import (
    DateWindow,
    InvalidWindow,
    dbt_args,
    delivery_date,
    delivery_filter,
)
from dagster_project.pipeline import job_run_config

BUILD = ["build", "--exclude-resource-type", "unit_test"]
NY = "America/New_York"
MARCH_2 = DateWindow(date(2026, 3, 2), date(2026, 3, 3))


def vars_of(args):
    return json.loads(args[args.index("--vars") + 1])


def test_a_run_without_partition_or_window_builds_everything_new():
    assert dbt_args(DbtRunConfig(), None) == [*BUILD, "--vars", "{}"]


def test_a_partition_becomes_the_window_vars_end_exclusive():
    args = dbt_args(DbtRunConfig(), MARCH_2)
    assert args[:3] == BUILD and "--full-refresh" not in args
    assert vars_of(args) == {"callqa_window_start": "2026-03-02", "callqa_window_end": "2026-03-03"}


def test_a_backfill_range_is_one_window_over_all_its_days():
    """Single-run backfill: 1 to 5 March is one dbt build with the window 2026-03-01 to 2026-03-06."""
    class TimeWindow:  # what context.partition_time_window gives: local midnights
        start = datetime(2026, 3, 1, tzinfo=ZoneInfo(NY))
        end = datetime(2026, 3, 6, tzinfo=ZoneInfo(NY))

    window = DateWindow.of_partition(TimeWindow)
    assert window == DateWindow(date(2026, 3, 1), date(2026, 3, 6))
    assert vars_of(dbt_args(DbtRunConfig(), window)) == {"callqa_window_start": "2026-03-01",
                                                        "callqa_window_end": "2026-03-06"}


def test_full_refresh_is_dbt_full_refresh_and_takes_no_window():
    args = dbt_args(DbtRunConfig(full_refresh=True), MARCH_2, {"timezone": NY})
    assert args == [*BUILD, "--vars", json.dumps({"timezone": NY}), "--full-refresh"]


def test_other_vars_are_passed_with_the_window():
    assert vars_of(dbt_args(DbtRunConfig(), MARCH_2, {"timezone": NY})) == {
        "timezone": NY, "callqa_window_start": "2026-03-02", "callqa_window_end": "2026-03-03"}


def test_a_window_in_the_run_config_wins_over_the_partitions():
    config = DbtRunConfig(window_start="2026-02-01", window_end="2026-03-01")
    expected = {"callqa_window_start": "2026-02-01", "callqa_window_end": "2026-03-01"}
    assert vars_of(dbt_args(config, None)) == expected
    assert vars_of(dbt_args(config, MARCH_2)) == expected


@pytest.mark.parametrize("start, end, partition, fragment", [
    ("2026-03-01", None, None, "give both window_start and window_end"),
    (None, "2026-03-01", None, "give both window_start and window_end"),
    ("2026-03-05", "2026-03-05", None, "must end after it starts (got 2026-03-05 to 2026-03-05)"),
    ("2026-03-05", "2026-03-01", None, "must end after it starts"),
    ("2026-02-30", "2026-03-01", None, "must be dates as YYYY-MM-DD (got '2026-02-30', '2026-03-01')"),
])
def test_a_window_that_cannot_be_used_is_refused_with_the_reason(start, end, partition, fragment):
    with pytest.raises(InvalidWindow) as error:
        dbt_args(DbtRunConfig(window_start=start, window_end=end), partition)
    assert fragment in str(error.value)


def test_dbt_args_take_any_config_with_the_three_fields():
    """A pure function of plain values: no Dagster context needed."""
    config = SimpleNamespace(full_refresh=False, window_start=None, window_end=None)
    assert dbt_args(config, MARCH_2) == dbt_args(DbtRunConfig(), MARCH_2)


def _landed(path, when: datetime):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x\n")
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def test_a_files_date_of_delivery_is_the_local_date_of_its_modification_time(tmp_path):
    late_evening = _landed(tmp_path / "calls" / "a.csv", datetime(2026, 3, 2, 23, 30, tzinfo=ZoneInfo(NY)))
    assert delivery_date(late_evening, NY) == date(2026, 3, 2)
    assert delivery_date(late_evening, "UTC") == date(2026, 3, 3)  # 04:30 UTC


def test_a_micro_batch_reads_only_its_files_and_another_run_every_file(tmp_path):
    when = datetime(2026, 3, 2, 10, tzinfo=ZoneInfo(NY))
    one = _landed(tmp_path / "calls" / "a.csv", when)
    other = _landed(tmp_path / "calls" / "b.csv", when)
    adapter = _landed(tmp_path / "genesys_conversations" / "x.json", when)
    take = delivery_filter(tmp_path, ["calls/b.csv", "genesys_conversations/x.json"])
    assert [take(p) for p in (one, other, adapter)] == [False, True, True]
    assert delivery_filter(tmp_path, []) is None and delivery_filter(tmp_path) is None


def test_every_launch_has_a_partition_the_days_or_todays():
    today = delivery_partitions.get_last_partition_key()
    assert delivery_partition_key(date(2026, 3, 2)) == "2026-03-02"
    assert delivery_partition_key() == today
    assert delivery_partition_key(date(2023, 12, 31)) == today  # before the partitions start
    assert delivery_partition_key(date(2999, 1, 1)) == today  # a file dated in the future


def test_callqa_run_full_refresh_run_config():
    assert job_run_config("INFO") == {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
    assert job_run_config("WARNING", full_refresh=True) == {
        "loggers": {"console": {"config": {"log_level": "WARNING"}}},
        "ops": {"callqa_dbt": {"config": {"full_refresh": True}}}}
