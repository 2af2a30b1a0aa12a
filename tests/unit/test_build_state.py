"""lib/build_state.py: the rule that lets a run with no new loads skip the build, and lib/warehouse's compaction."""
import duckdb
import pytest

from dagster_project.lib.build_state import (
    BuildState,
    current_state,
    last_published,
    project_fingerprint,
    record_built,
    record_published,
    skip_reason,
)
from dagster_project.lib.ingest import ensure_ledger
from dagster_project.lib.warehouse import checkpoint_and_compact, record_setting, recorded_settings
from dagster_project.settings import Settings

PUBLISHED = ("0123456789abcdef", BuildState(ledger_mark=40, project="p1"))


def test_nothing_new_since_the_last_published_build_skips():
    reason = skip_reason(BuildState(40, "p1"), PUBLISHED, full_refresh=False, serving_copy_exists=True)
    assert reason == ("no new loads since the last published build (Dagster run 01234567, ledger up to load 40): "
                      "dbt, the analysis and publishing skipped")


@pytest.mark.parametrize("current, last, full_refresh, serving, why", [
    (BuildState(41, "p1"), PUBLISHED, False, True, "a new ledger entry"),
    (BuildState(40, "p2"), PUBLISHED, False, True, "another dbt project"),
    (BuildState(40, "p1"), PUBLISHED, True, True, "a full refresh"),
    (BuildState(40, "p1"), PUBLISHED, False, False, "the serving copy is gone"),
    (BuildState(40, "p1"), None, False, True, "nothing published yet"),
    (BuildState(1, "p1"), ("r", BuildState(None, "p1")), False, True, "the first load after an empty build"),
])
def test_builds_when(current, last, full_refresh, serving, why):
    assert skip_reason(current, last, full_refresh, serving) is None, why


def test_an_empty_ledger_published_once_skips_while_still_empty():
    assert skip_reason(BuildState(None, "p1"), ("r", BuildState(None, "p1")), False, True) is not None


def test_fingerprint_follows_node_checksums_and_macro_text():
    manifest = {"nodes": {"model.a": {"checksum": {"checksum": "x"}}}, "macros": {"macro.m": {"macro_sql": "1"}}}
    same = {"macros": {"macro.m": {"macro_sql": "1"}}, "nodes": {"model.a": {"checksum": {"checksum": "x"}}}}
    model_changed = {**manifest, "nodes": {"model.a": {"checksum": {"checksum": "y"}}}}
    macro_changed = {**manifest, "macros": {"macro.m": {"macro_sql": "2"}}}
    assert project_fingerprint(manifest) == project_fingerprint(same)
    assert len({project_fingerprint(m) for m in (manifest, model_changed, macro_changed)}) == 3


def test_only_a_published_build_counts(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_ledger(con)
    assert current_state(con, "p") == BuildState(None, "p")
    con.execute("INSERT INTO raw._ingest_ledger (load_id, source, status) VALUES (7, 'calls', 'loaded'), "
                "(9, 'calls', 'refused')")
    assert current_state(con, "p") == BuildState(9, "p")
    assert last_published(con) is None
    record_built(con, "run-a", BuildState(7, "p"), full_refresh=False)
    assert last_published(con) is None          # built, never published (a failed check): the next run rebuilds
    assert record_published(con, "run-a") is True
    record_built(con, "run-b", BuildState(9, "p"), full_refresh=False)
    assert last_published(con) == ("run-a", BuildState(7, "p"))
    assert record_published(con, "run-c") is False  # a publish of a run that built nothing
    record_published(con, "run-b")
    assert last_published(con) == ("run-b", BuildState(9, "p"))
    con.close()


def _settings(tmp_path) -> Settings:
    from dataclasses import replace

    return replace(Settings.from_env(), warehouse=tmp_path / "callqa.duckdb", duckdb_temp_dir=tmp_path / "tmp")


def test_compaction_keeps_everything_and_gives_the_space_back(tmp_path):
    settings = _settings(tmp_path)
    con = duckdb.connect(str(settings.warehouse))
    ensure_ledger(con)
    con.execute("SELECT nextval('raw._load_id_seq'), nextval('raw._load_id_seq')").fetchall()
    record_setting(con, "timezone", "Europe/Paris")
    con.execute("CREATE SCHEMA marts")
    for version in range(4):  # what dbt does to a full table on every run
        con.execute(f"CREATE OR REPLACE TABLE marts.t AS SELECT range AS i, 'v{version}-' || range AS s "
                    "FROM range(1000000)")
    con.execute("CREATE VIEW marts.v AS SELECT i FROM marts.t WHERE i < 3")
    con.close()
    before, after = checkpoint_and_compact(settings)
    assert before.free_share > 0.5
    assert after is not None and after.free_blocks == 0 and after.file_bytes < before.file_bytes / 2
    con = duckdb.connect(str(settings.warehouse))
    assert con.execute("SELECT count(*), max(s) FROM marts.t").fetchall() == [(1000000, "v3-999999")]
    assert con.execute("SELECT sum(i) FROM marts.v").fetchall() == [(3,)]
    assert con.execute("SELECT nextval('raw._load_id_seq')").fetchall() == [(3,)]  # load ids never reused
    assert recorded_settings(con)["timezone"] == "Europe/Paris"
    con.close()
    # compact already: a checkpoint, no copy
    again, none = checkpoint_and_compact(settings)
    assert none is None and again.free_blocks == 0
    assert not (tmp_path / "callqa.duckdb.compacting").exists()
