"""The `callqa` command on a user's mistakes and on the paths the README gives after `make demo`: one default
warehouse for every reading command, one-line errors (exit 1, no traceback, nothing written), and the time zone
a warehouse records on its first run. The repository's data/ folder is replaced by a temporary one; no test
here launches the Dagster job (every refusal happens before it)."""
import os
import socket

import duckdb
import pytest
from typer.testing import CliRunner

from dagster_project import settings as settings_module
from dagster_project.cli import app
from dagster_project.lib.preflight import PreflightError, landing_file_counts, preflight
from dagster_project.lib.warehouse import SETTINGS_TABLE, recorded_timezone, settle_timezone
from dagster_project.settings import Settings

NY, PARIS = "America/New_York", "Europe/Paris"
ENV = ("CALLQA_WAREHOUSE", "CALLQA_LANDING_DIR", "CALLQA_TIMEZONE", "CALLQA_SERVING_WAREHOUSE", "CALLQA_EXPORT_DIR",
       "CALLQA_DUCKDB_TEMP_DIR")


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository whose data/ folder is tmp_path/data, with no CALLQA_* path or zone in the environment
    (monkeypatch restores them, including what the CLI exports for dbt)."""
    data = tmp_path / "data"
    monkeypatch.setattr(settings_module, "DEFAULT_LANDING_DIR", data / "landing")
    monkeypatch.setattr(settings_module, "DEFAULT_WAREHOUSE", data / "warehouse" / "callqa.duckdb")
    monkeypatch.setattr(settings_module, "DEMO_WAREHOUSE", data / "demo" / "callqa.duckdb")
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CALLQA_DUCKDB_MEMORY_LIMIT", "256MB")
    return data


def invoke(*args):
    return CliRunner().invoke(app, list(args))


def assert_one_line_error(result, *fragments):
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def make_warehouse(path, timezone=None, marts=False):
    """A tiny warehouse as a run leaves it: raw (with the recorded zone) and, if asked, a mart."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("create schema raw")
    con.execute("create table raw.agents as select 'a1' as agent_id")
    if timezone:
        con.execute(f"create table raw.{SETTINGS_TABLE} (key varchar primary key, value varchar not null, "
                    "recorded_at timestamptz not null)")
        con.execute(f"insert into raw.{SETTINGS_TABLE} values ('timezone', ?, now())", [timezone])
    if marts:
        con.execute("create schema marts; create schema staging")
        con.execute("create table marts.rpt_fcr_daily as select range as id from range(3)")
        con.execute("create view staging.stg_x as select 1 as x")
    con.close()
    return path


def make_serving(path, rows=4):
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(f"create table marts.rpt_fcr_daily as select range as id from range({rows})")
    con.close()
    return path


def make_landing(path):
    (path / "agents").mkdir(parents=True)
    (path / "agents" / "agents.csv").write_text("agent_id,name\na1,Ann\n")
    return path


# ---------------------------------------------------------------- one default warehouse for every reader


def test_after_make_demo_status_and_query_find_the_demo_warehouse(repo):
    make_warehouse(repo / "demo" / "callqa.duckdb", timezone=NY)
    make_serving(repo / "demo" / "callqa_serving.duckdb", rows=4)

    status = invoke("status")
    assert status.exit_code == 0, status.output
    assert f"warehouse: {repo / 'demo' / 'callqa.duckdb'} (time zone: {NY})" in status.output

    query = invoke("query", "select count(*) as n from marts.rpt_fcr_daily", "--csv")
    assert query.exit_code == 0, query.output
    assert query.output.split() == ["n", "4"]


def test_the_runs_warehouse_wins_over_the_demo_when_both_exist(repo, monkeypatch):
    make_warehouse(repo / "demo" / "callqa.duckdb")
    make_serving(repo / "demo" / "callqa_serving.duckdb", rows=4)
    make_warehouse(repo / "warehouse" / "callqa.duckdb")
    make_serving(repo / "warehouse" / "callqa_serving.duckdb", rows=7)

    assert str(repo / "warehouse" / "callqa.duckdb") in invoke("status").output
    assert invoke("query", "select count(*) as n from marts.rpt_fcr_daily", "--csv").output.split() == ["n", "7"]
    # A run never falls back to the demo's warehouse (it would mix the user's files into it).
    monkeypatch.delenv("CALLQA_WAREHOUSE")  # exported by the commands above, for dbt
    assert Settings.from_env().warehouse == repo / "warehouse" / "callqa.duckdb"
    (repo / "warehouse" / "callqa.duckdb").unlink()
    assert Settings.from_env().warehouse == repo / "warehouse" / "callqa.duckdb"
    assert Settings.from_env(for_reading=True).warehouse == repo / "demo" / "callqa.duckdb"


def test_no_warehouse_anywhere_is_one_line_naming_the_path_and_the_flag(repo):
    expected = str(repo / "warehouse" / "callqa.duckdb")
    assert_one_line_error(invoke("status"), expected, "--warehouse", "CALLQA_WAREHOUSE")
    assert_one_line_error(invoke("load-postgres"), expected, "--warehouse", "CALLQA_WAREHOUSE")
    assert_one_line_error(invoke("query", "select 1"), str(repo / "warehouse" / "callqa_serving.duckdb"),
                          "--serving", "CALLQA_WAREHOUSE")
    assert_one_line_error(invoke("status", "--warehouse", str(repo / "elsewhere.duckdb")),
                          str(repo / "elsewhere.duckdb"))
    assert not (repo / "warehouse").exists() and not (repo / "elsewhere.duckdb").exists()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_load_postgres_without_a_server_is_one_line(repo, monkeypatch):
    make_warehouse(repo / "demo" / "callqa.duckdb", timezone=NY)
    monkeypatch.setenv("PGHOST", "127.0.0.1")
    monkeypatch.setenv("PGPORT", str(_closed_port()))
    assert_one_line_error(invoke("load-postgres"), "cannot connect to postgresql://", "make pg-start")


def test_load_postgres_refuses_a_zone_other_than_the_recorded_one(repo, monkeypatch):
    make_warehouse(repo / "demo" / "callqa.duckdb", timezone=NY)
    monkeypatch.setenv("CALLQA_TIMEZONE", PARIS)
    monkeypatch.setenv("PGPORT", str(_closed_port()))  # refused before any connection is tried
    assert_one_line_error(invoke("load-postgres"), f"CALLQA_TIMEZONE={NY}", PARIS)


# ---------------------------------------------------------------- generate: every argument checked first


@pytest.mark.parametrize("args, fragment", [
    (["--days", "0"], "--days must be at least 1 (got 0)"),
    (["--days", "-3"], "--days must be at least 1 (got -3)"),
    (["--contacts-per-day", "0"], "--contacts-per-day must be at least 1"),
    (["--contacts-per-day", "-10"], "--contacts-per-day must be at least 1"),
    (["--days", "1", "--contacts-per-day", "5"], "at least 20 contacts"),
    (["--timezone", "Mars/Olympus_Mons"], "--timezone='Mars/Olympus_Mons' is not a time zone"),
    (["--start-date", "2026-02-30"], "--start-date must be a date"),
    (["--file-period", "month"], "--file period must be one of week, day, all (got 'month')"),
])
def test_generate_refuses_bad_arguments_before_writing_anything(repo, args, fragment):
    out = repo / "landing"
    assert_one_line_error(invoke("generate", "--out", str(out), *args), fragment)
    assert not out.exists()


def test_generate_refuses_an_invalid_callqa_timezone_before_writing_anything(repo, monkeypatch):
    monkeypatch.setenv("CALLQA_TIMEZONE", "America/New_Yrok")
    out = repo / "landing"
    assert_one_line_error(invoke("generate", "--out", str(out), "--days", "1"),
                          "CALLQA_TIMEZONE='America/New_Yrok' is not a time zone", "IANA")
    assert not out.exists()


# ---------------------------------------------------------------- run: refused before the Dagster job


def _nothing_written(repo):
    assert not (repo / "warehouse").exists(), "no warehouse, no serving copy, no exports"


def test_a_missing_landing_folder_is_an_error_and_nothing_is_published(repo):
    result = invoke("run", "--landing", str(repo / "landnig"), "--quiet")
    assert_one_line_error(result, f"no landing folder at {repo / 'landnig'}", "--landing", "CALLQA_LANDING_DIR")
    _nothing_written(repo)


def test_a_landing_folder_with_no_source_file_is_an_error_and_nothing_is_published(repo):
    landing = repo / "landing"
    (landing / "calls").mkdir(parents=True)
    (landing / "calls" / "README.txt").write_text("not a delivery")
    (landing / "ground_truth.json").write_text("{}")
    (landing / "unknown_source").mkdir()
    (landing / "unknown_source" / "x.csv").write_text("a\n1\n")
    assert_one_line_error(invoke("run", "--landing", str(landing)), f"no landing files in {landing}",
                          "nothing was loaded or published")
    _nothing_written(repo)


def test_landing_files_are_counted_as_ingestion_finds_them(tmp_path):
    landing = make_landing(tmp_path / "landing")
    (landing / "agents" / ".hidden.csv").write_text("x\n")
    (landing / "calls" / "2026" / "03").mkdir(parents=True)
    (landing / "calls" / "2026" / "03" / "calls.csv.gz").write_bytes(b"")
    counts = landing_file_counts(landing)
    assert counts["agents"] == 1 and counts["calls"] == 1 and sum(counts.values()) == 2


def test_an_invalid_callqa_timezone_is_refused_before_the_run(repo, monkeypatch):
    make_landing(repo / "landing")
    monkeypatch.setenv("CALLQA_TIMEZONE", "Not/AZone")
    assert_one_line_error(invoke("run"), "CALLQA_TIMEZONE='Not/AZone' is not a time zone")
    _nothing_written(repo)


# ---------------------------------------------------------------- the zone the warehouse was built with


def test_a_run_in_another_zone_is_refused_and_changes_nothing(repo, monkeypatch):
    warehouse = make_warehouse(repo / "warehouse" / "callqa.duckdb", timezone=NY, marts=True)
    make_landing(repo / "landing")
    monkeypatch.setenv("CALLQA_TIMEZONE", PARIS)
    result = invoke("run", "--quiet")
    assert_one_line_error(result, f"built with CALLQA_TIMEZONE={NY}", f"this run has {PARIS}", "--rebuild")
    assert recorded_timezone(Settings.from_env()) == NY
    assert not (repo / "warehouse" / "callqa_serving.duckdb").exists()
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("select count(*) from marts.rpt_fcr_daily").fetchall() == [(3,)]
    con.close()


def _settings(repo, monkeypatch, timezone):
    if timezone is None:
        monkeypatch.delenv("CALLQA_TIMEZONE", raising=False)
    else:
        monkeypatch.setenv("CALLQA_TIMEZONE", timezone)
    monkeypatch.setenv("CALLQA_LANDING_DIR", str(repo / "landing"))
    return Settings.from_env()


def test_the_first_run_records_its_zone(repo, monkeypatch):
    make_landing(repo / "landing")
    settled = preflight(_settings(repo, monkeypatch, PARIS))
    assert settled.timezone == PARIS
    assert recorded_timezone(settled) == PARIS


def test_without_callqa_timezone_a_run_uses_the_recorded_zone_not_utc(repo, monkeypatch):
    make_warehouse(repo / "warehouse" / "callqa.duckdb", timezone=NY)
    make_landing(repo / "landing")
    settings = _settings(repo, monkeypatch, None)
    assert settings.timezone == "UTC" and not settings.timezone_explicit
    settled = preflight(settings)
    assert settled.timezone == NY
    settled.export()
    import os
    assert os.environ["CALLQA_TIMEZONE"] == NY  # what dbt (var timezone) and the Dagster job read


def test_a_warehouse_built_before_zones_were_recorded_records_the_runs_zone(repo, monkeypatch):
    make_warehouse(repo / "warehouse" / "callqa.duckdb")
    settled = settle_timezone(_settings(repo, monkeypatch, NY))
    assert settled.timezone == NY and recorded_timezone(settled) == NY


def test_rebuild_records_the_new_zone_and_drops_everything_built_from_raw(repo, monkeypatch):
    warehouse = make_warehouse(repo / "warehouse" / "callqa.duckdb", timezone=NY, marts=True)
    make_landing(repo / "landing")
    settings = _settings(repo, monkeypatch, PARIS)
    with pytest.raises(PreflightError, match="--rebuild"):
        preflight(settings)
    settled = preflight(settings, rebuild=True)
    assert settled.timezone == PARIS and recorded_timezone(settled) == PARIS
    con = duckdb.connect(str(warehouse), read_only=True)
    schemas = {s for (s,) in con.execute("select schema_name from information_schema.schemata "
                                        "where catalog_name = current_database()").fetchall()}
    assert "marts" not in schemas and "staging" not in schemas
    assert con.execute("select agent_id from raw.agents").fetchall() == [("a1",)], "raw is kept"
    con.close()
    # The same zone again: nothing more is dropped or re-recorded.
    assert preflight(settings, rebuild=True).timezone == PARIS


def test_run_pipeline_refuses_before_launching_the_job(repo, monkeypatch):
    from dagster_project.pipeline import run_pipeline

    make_warehouse(repo / "warehouse" / "callqa.duckdb", timezone=NY)
    make_landing(repo / "landing")
    with pytest.raises(PreflightError, match=f"built with CALLQA_TIMEZONE={NY}"):
        run_pipeline(_settings(repo, monkeypatch, PARIS))


@pytest.mark.parametrize("flags, full_refresh", [([], False), (["--full-refresh"], True)])
def test_callqa_run_full_refresh_reaches_the_pipeline(repo, monkeypatch, flags, full_refresh):
    """`callqa run --full-refresh` asks run_pipeline for a full refresh (which puts it in the dbt step's run
    config: tests/unit/test_run_window.py); a plain run does not."""
    import dagster_project.pipeline as pipeline

    asked = {}

    def fake_run(settings, **kwargs):
        asked.update(kwargs)
        return pipeline.PipelineOutcome(success=True, summary="ok")

    monkeypatch.setattr(pipeline, "run_pipeline", fake_run)
    result = invoke("run", "--quiet", *flags)
    assert result.exit_code == 0, result.output
    assert asked == {"quiet": True, "rebuild": False, "full_refresh": full_refresh}


def _with_rejects(path):
    make_warehouse(path, NY)
    con = duckdb.connect(str(path))
    con.execute("create schema audit")
    con.execute("""create table audit.rejected_rows as select * from (values
        ('calls', 'calls/a.csv', 3, 1, 'C1', 'invalid_type', 'ended_at', timestamp '2026-03-02 10:00'),
        ('calls', 'calls/a.csv', 4, 1, 'C2', 'duplicate_superseded', 'superseded by calls/b.csv line 2', timestamp '2026-03-02 10:00'),
        ('agents', 'agents/x.csv', 2, 2, 'A9', 'missing_required', 'hired_at', timestamp '2026-03-03 10:00'))
        as t(source, file, line, load_id, record_key, reason, detail, loaded_at)""")
    con.close()


def test_rejects_lists_which_rows_and_why_with_superseded_apart(repo):
    _with_rejects(repo / "demo" / "callqa.duckdb")  # found without flags after `make demo`
    listed = invoke("rejects", "--csv")
    assert listed.exit_code == 0, listed.output
    lines = listed.output.strip().splitlines()
    assert lines[0] == "source,file,line,record_key,reason,detail,loaded_at"
    assert [l.split(",")[0] + ":" + l.split(",")[4] for l in lines[1:]] == ["agents:missing_required", "calls:invalid_type"]
    calls = invoke("rejects", "--source", "calls", "--superseded", "--csv")
    assert sorted(l.split(",")[4] for l in calls.output.strip().splitlines()[1:]) == ["duplicate_superseded", "invalid_type"]
    hostile = invoke("rejects", "--reason", "x' or '1'='1", "--csv")  # bound, never spliced
    assert hostile.exit_code == 0 and hostile.output.strip().splitlines()[1:] == []
    assert_one_line_error(invoke("rejects", "--source", "nope"), "no landing source 'nope'")


def test_status_counts_superseded_rows_apart_from_rejected():
    from dagster_project.lib.status import format_status

    report = [{"source": "calls", "kind": "source", "files": {"loaded": 2}, "rows_delivered": 10, "rows_staged": 7,
               "rows_history": 0, "rows_rejected": {"invalid_type": 1, "duplicate_superseded": 2}},
              {"source": "servicenow_incidents", "kind": "adapter", "files": {"loaded": 1}, "rows_delivered": 17,
               "rows_staged": 4, "rows_history": 12, "rows_rejected": {"not_mapped": 1}}]
    text = format_status(report)
    header, _, row, adapter_row = text.splitlines()[:4]
    assert header.split()[:9] == ["source", "files", "refused", "delivered", "staged", "history", "superseded",
                                  "rejected", "last"]
    assert row.split()[:8] == ["calls", "2", "0", "10", "7", "0", "2", "1"]
    assert adapter_row.split()[:8] == ["servicenow_incidents", "1", "0", "17", "4", "12", "0", "1"]
    # an adapter's rejects are already in the sources it feeds: counted once in the reasons line
    assert "rejected rows by reason: invalid_type 1" in text and "duplicate_superseded" not in text.split("reason:")[1]


def test_without_callqa_pii_key_the_first_run_generates_a_private_key_and_another_key_is_refused(repo, monkeypatch):
    """No public development key any more (issue 15.9): the first run without CALLQA_PII_KEY writes 32 random bytes
    beside the warehouse, readable only by its owner, and records the key's fingerprint; later runs reuse the file;
    a run with another key is refused before anything is loaded (its hashes would not join)."""
    import stat

    from dagster_project.lib.pii import key_file, key_fingerprint
    from dagster_project.lib.warehouse import PII_KEY_FINGERPRINT, recorded_settings, warehouse_connection

    make_landing(repo / "landing")
    monkeypatch.delenv("CALLQA_PII_KEY", raising=False)
    settled = preflight(_settings(repo, monkeypatch, NY))
    path = key_file(settled.warehouse)
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    key = path.read_text().strip()
    assert len(key) == 64 and key not in ("", "callqa-development-key-NOT-SECRET")
    with warehouse_connection(settled, read_only=True) as con:
        assert recorded_settings(con)[PII_KEY_FINGERPRINT] == key_fingerprint(key.encode())
    preflight(_settings(repo, monkeypatch, NY))  # the same key again: accepted, the file unchanged
    assert path.read_text().strip() == key
    monkeypatch.setenv("CALLQA_PII_KEY", "some-other-secret")
    with pytest.raises(PreflightError, match="another PII key"):
        preflight(_settings(repo, monkeypatch, NY))
    monkeypatch.setenv("CALLQA_PII_KEY", key)  # the same key given explicitly is the same warehouse key
    preflight(_settings(repo, monkeypatch, NY))


def test_a_second_run_on_the_same_warehouse_is_refused_at_once_naming_the_holder(repo, monkeypatch):
    """One writer per warehouse (issue 15.5): while a run holds the warehouse lock, another run - in this process
    or another - is refused in one line before it touches anything; the lock dies with its process."""
    import subprocess
    import sys
    import time

    from dagster_project.lib.runlock import lock_path, warehouse_lock
    from dagster_project.pipeline import run_pipeline

    make_landing(repo / "landing")
    settings = _settings(repo, monkeypatch, NY)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from dagster_project.lib.runlock import warehouse_lock\n"
        f"with warehouse_lock(Path({str(settings.warehouse)!r})):\n"
        "    print('held', flush=True); time.sleep(60)")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(PreflightError, match=f"another callqa run is writing .*pid {holder.pid}"):
            run_pipeline(settings)
        assert time.monotonic() - started < 10  # refused at once, not after a wait
        assert not settings.warehouse.exists()  # nothing touched
        result = invoke("run", "--landing", str(repo / "landing"), "--quiet")
        assert_one_line_error(result, "another callqa run is writing", "one writer at a time")
    finally:
        holder.kill()
        holder.wait()
    with warehouse_lock(settings.warehouse):  # released by the kernel when its holder died (kill -9 included)
        assert lock_path(settings.warehouse).exists()


def _instance_with_one_slot(tmp_path):
    """A persistent Dagster instance (as with DAGSTER_HOME) whose warehouse pool has one slot, and a way to make runs
    that `callqa run` started on `warehouse` (tagged with a pid)."""
    import dagster as dg

    from dagster_project.lib.runlock import PID_TAG, WAREHOUSE_TAG
    from dagster_project.resources import WAREHOUSE_POOL

    (tmp_path / "home").mkdir()
    instance = dg.DagsterInstance.local_temp(str(tmp_path / "home"),
                                             overrides={"concurrency": {"pools": {"default_limit": 1}}})
    warehouse = tmp_path / "callqa.duckdb"

    def started_run(pid):
        run = instance.create_run_for_job(dg.GraphDefinition("g").to_job(), tags={PID_TAG: str(pid),
                                                                              WAREHOUSE_TAG: str(warehouse)})
        instance.handle_run_event(run.run_id, dg.DagsterEvent(event_type_value="PIPELINE_STARTING", job_name="g"))
        instance.handle_run_event(run.run_id, dg.DagsterEvent(event_type_value="PIPELINE_START", job_name="g"))
        return run

    instance.event_log_storage.set_concurrency_slots(WAREHOUSE_POOL, 1)  # what default_limit 1 gives a real run
    return instance, warehouse, started_run


def test_slots_of_a_killed_run_are_reclaimed_and_live_runs_are_left_alone(tmp_path):
    """A run killed while holding the single-writer pool slot of a persistent instance kept it, and the next run
    waited forever (issue 15.1): runs tagged by callqa run whose process is gone are failed and their slots freed."""
    import dagster as dg

    from dagster_project.lib.runlock import reclaim_stale_runs
    from dagster_project.resources import WAREHOUSE_POOL

    instance, warehouse, started_run = _instance_with_one_slot(tmp_path)
    dead_pid = 2 ** 22 + 17  # above any pid this kernel hands out
    storage = instance.event_log_storage
    dead, alive = started_run(dead_pid), started_run(os.getppid())
    assert storage.claim_concurrency_slot(WAREHOUSE_POOL, dead.run_id, "ingest").is_claimed
    assert not storage.claim_concurrency_slot(WAREHOUSE_POOL, "next-run", "ingest").is_claimed  # stuck behind it
    found = reclaim_stale_runs(instance, warehouse)
    assert found.reclaimed == [dead.run_id] and found.unknown == []
    assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE
    assert instance.get_run_by_id(alive.run_id).status == dg.DagsterRunStatus.STARTED  # its process lives
    assert storage.claim_concurrency_slot(WAREHOUSE_POOL, "next-run", "ingest").is_claimed  # the slot is free


@pytest.mark.parametrize("tag", ["abc", "12x", "", "0", "\u00b2"])
def test_a_run_whose_pid_tag_is_not_a_process_id_is_left_alone_and_named(tmp_path, tag):
    """A pid tag that is not a process id says nothing about whether the run lives: it was taken for a dead
    process and the run failed under a possibly live process. It is left alone now, named with how to free it."""
    import dagster as dg

    from dagster_project.lib.runlock import PID_TAG, reclaim_stale_runs
    from dagster_project.resources import WAREHOUSE_POOL

    instance, warehouse, started_run = _instance_with_one_slot(tmp_path)
    storage = instance.event_log_storage
    odd = started_run(tag)
    assert storage.claim_concurrency_slot(WAREHOUSE_POOL, odd.run_id, "ingest").is_claimed
    found = reclaim_stale_runs(instance, warehouse)
    assert found.reclaimed == []
    (message,) = found.unknown
    assert message == (
        f"run {odd.run_id[:8]} on this warehouse is started with {PID_TAG}={tag!r}, not a process id, so whether it "
        f"still runs is unknown: left alone; if it holds the warehouse's pool slot and no process of it runs, free "
        f"it with `dagster run delete {odd.run_id}`")
    assert instance.get_run_by_id(odd.run_id).status == dg.DagsterRunStatus.STARTED
    assert not storage.claim_concurrency_slot(WAREHOUSE_POOL, "next-run", "ingest").is_claimed  # still its slot
    instance.delete_run(odd.run_id)  # what `dagster run delete` does: the advice frees the slot
    assert storage.claim_concurrency_slot(WAREHOUSE_POOL, "next-run", "ingest").is_claimed
