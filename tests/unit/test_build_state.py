"""lib/build_state.py: the rule that lets a run with no new loads skip the build, and lib/warehouse's compaction."""
import hashlib

import duckdb
import pytest

from dagster_project.lib.adapters import RETRY_NOTE
from dagster_project.lib.build_state import (
    BuildState,
    built_as_full_refresh,
    code_fingerprint,
    forced_refresh_reason,
    models_fingerprint,
    current_state,
    fast_skip_reason,
    last_published,
    new_landing_files,
    project_fingerprint,
    published_code,
    record_built,
    record_dbt_finished,
    record_equivalent_code,
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


# ---- the early skip of `callqa run` (fast_skip_reason): no Dagster, no dbt parse, when nothing is new -------------

def _code_tree(root):
    """A repository as code_fingerprint reads it: dbt files, seeds, the package; and files it must ignore."""
    files = {
        "dbt/dbt_project.yml": "name: x", "dbt/models/a.sql": "select 1", "dbt/macros/m.sql": "{% macro m() %}",
        "seeds/s.csv": "a\n1\n", "dagster_project/lib/x.py": "X = 1", "dagster_project/lib/sources.yml": "a: 1",
        "dbt/target/manifest.json": "{}", "dbt/logs/dbt.log": "", "dagster_project/lib/__pycache__/x.pyc": "",
        "data/demo/landing/calls/c.csv": "a\n", "README.md": "hello",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


@pytest.mark.parametrize("changed, counts", [
    ("dbt/models/a.sql", True), ("dbt/macros/m.sql", True), ("dbt/dbt_project.yml", True), ("seeds/s.csv", True),
    ("dagster_project/lib/x.py", True), ("dagster_project/lib/sources.yml", True),
    ("dbt/target/manifest.json", False), ("dbt/logs/dbt.log", False), ("dagster_project/lib/__pycache__/x.pyc", False),
    ("data/demo/landing/calls/c.csv", False), ("README.md", False),
])
def test_code_fingerprint_follows_what_a_build_is_made_of(tmp_path, changed, counts):
    _code_tree(tmp_path)
    before = code_fingerprint(tmp_path)
    assert code_fingerprint(tmp_path) == before
    (tmp_path / changed).write_text((tmp_path / changed).read_text() + " ")
    assert (code_fingerprint(tmp_path) != before) is counts, changed


def test_code_fingerprint_sees_a_new_and_a_renamed_file(tmp_path):
    _code_tree(tmp_path)
    before = code_fingerprint(tmp_path)
    (tmp_path / "dbt/models/b.sql").write_text("select 2")
    with_b = code_fingerprint(tmp_path)
    (tmp_path / "dbt/models/b.sql").rename(tmp_path / "dbt/models/c.sql")
    assert len({before, with_b, code_fingerprint(tmp_path)}) == 3


def _ledger(con, *rows):
    ensure_ledger(con)
    for load_id, source, file, sha, status, error in rows:
        con.execute("INSERT INTO raw._ingest_ledger (load_id, source, file, file_sha256, status, error) "
                    "VALUES (?, ?, ?, ?, ?, ?)", [load_id, source, file, sha, status, error])


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_landing_files_follow_the_ledgers_once_only_rule(tmp_path):
    landing = tmp_path / "landing"
    calls = landing / "calls" / "calls_2026-02-02.csv"
    refused = landing / "calls" / "calls_2026-02-03.csv"
    ctr = landing / "amazon_connect_ctr" / "ctr_1.json"
    for path, text in ((calls, "contact_id\n1\n"), (refused, "x\n1\n"), (ctr, '{"a": 1}')):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (landing / "calls" / "notes.txt").write_text("not a delivery")   # not a file ingestion takes
    con = duckdb.connect()
    _ledger(con)
    assert new_landing_files(con, landing) == [
        "amazon_connect_ctr/ctr_1.json", "calls/calls_2026-02-02.csv", "calls/calls_2026-02-03.csv"]
    _ledger(con, (1, "calls", "calls/calls_2026-02-02.csv", _sha(calls), "loaded", None),
            # a refusal of the bytes (a missing column) is final: the same file is skipped
            (2, "calls", "calls/calls_2026-02-03.csv", _sha(refused), "refused", "missing required column"),
            # an adapter's refusal that a setting can lift is read again on every run
            (3, "amazon_connect_ctr", "amazon_connect_ctr/ctr_1.json", _sha(ctr), "refused",
             f"ambiguous date order ({RETRY_NOTE})"))
    assert new_landing_files(con, landing) == ["amazon_connect_ctr/ctr_1.json"]
    _ledger(con, (4, "amazon_connect_ctr", "amazon_connect_ctr/ctr_1.json", _sha(ctr), "loaded", None))
    assert new_landing_files(con, landing) == []
    calls.write_text("contact_id\n2\n")                                  # the same name with other bytes
    (landing / "calls" / "calls_2026-02-04.csv").write_bytes(refused.read_bytes())  # a copy under another name
    assert new_landing_files(con, landing) == ["calls/calls_2026-02-02.csv", "calls/calls_2026-02-04.csv"]
    # another source's entry of the same name and bytes is not this source's
    con.execute("UPDATE raw._ingest_ledger SET source = 'agents' WHERE load_id = 2")
    assert "calls/calls_2026-02-03.csv" in new_landing_files(con, landing)


def test_fast_skip_needs_the_published_code_an_unmoved_ledger_and_no_new_file(tmp_path):
    landing = tmp_path / "landing"
    calls = landing / "calls" / "calls_1.csv"
    calls.parent.mkdir(parents=True)
    calls.write_text("contact_id\n1\n")
    con = duckdb.connect()
    _ledger(con, (7, "calls", "calls/calls_1.csv", _sha(calls), "loaded", None))
    assert fast_skip_reason(con, landing, "c1", True) is None               # nothing published
    record_built(con, "run-a", BuildState(7, "p"), full_refresh=False, code="c1")
    assert fast_skip_reason(con, landing, "c1", True) is None               # built, not published
    record_published(con, "run-a")
    reason = fast_skip_reason(con, landing, "c1", True)
    assert reason == ("no new loads since the last published build (Dagster run run-a, ledger up to load 7) and no "
                      "new landing file, with the same code: nothing was started")
    assert fast_skip_reason(con, landing, "c2", True) is None               # other code
    assert fast_skip_reason(con, landing, "c1", False) is None              # the serving copy is gone
    # a run that started and skipped with code c2 vouches for it: the next one skips early
    record_equivalent_code(con, "run-a", "c2")
    assert fast_skip_reason(con, landing, "c2", True) == reason
    (landing / "calls" / "calls_2.csv").write_text("contact_id\n2\n")        # a new file
    assert fast_skip_reason(con, landing, "c2", True) is None
    (landing / "calls" / "calls_2.csv").unlink()
    _ledger(con, (8, "calls", "calls/calls_0.csv", "ab", "refused", "x"))  # a load after the published build
    assert fast_skip_reason(con, landing, "c2", True) is None


def test_a_warehouse_published_before_the_code_column_starts_the_run(tmp_path):
    con = duckdb.connect()
    con.execute("CREATE SCHEMA runs")
    con.execute("CREATE TABLE runs.builds (run_id VARCHAR NOT NULL, ledger_mark BIGINT, project VARCHAR NOT NULL, "
                "full_refresh BOOLEAN NOT NULL, status VARCHAR NOT NULL, built_at TIMESTAMPTZ NOT NULL, "
                "published_at TIMESTAMPTZ)")
    con.execute("INSERT INTO runs.builds VALUES ('run-a', NULL, 'p', false, 'published', now(), now())")
    assert published_code(con, "run-a") is None
    assert fast_skip_reason(con, tmp_path, "c1", True) is None
    record_equivalent_code(con, "run-a", "c1")   # the column is added on the way
    assert published_code(con, "run-a") == "c1"


def test_models_fingerprint_follows_what_writes_rows_not_the_data_tests(tmp_path):
    project = tmp_path / "dbt_project.yml"
    project.write_text("name: callqa\nvars:\n  repeat_windows_hours: [48, 168]\n")
    model = {"resource_type": "model", "checksum": {"checksum": "x"}, "unrendered_config": {"materialized": "table"},
             "contract": {"checksum": None}}
    test = {"resource_type": "test", "checksum": {"checksum": "t"}}
    manifest = {"nodes": {"model.a": model, "test.a": test}, "macros": {"macro.m": {"macro_sql": "1"}}}

    def fingerprint(nodes=None, macros=None, project_text=None):
        if project_text is not None:
            project.write_text(project_text)
        return models_fingerprint({"nodes": {**manifest["nodes"], **(nodes or {})},
                                   "macros": {**manifest["macros"], **(macros or {})}}, project)

    base = fingerprint()
    assert fingerprint(nodes={"test.a": {**test, "checksum": {"checksum": "t2"}}}) == base  # a data test: no rows
    changed = [
        fingerprint(nodes={"model.a": {**model, "checksum": {"checksum": "y"}}}),        # the model's SQL
        fingerprint(nodes={"model.a": {**model, "unrendered_config": {"materialized": "incremental"}}}),
        fingerprint(nodes={"model.a": {**model, "contract": {"checksum": "c"}}}),       # its enforced columns
        fingerprint(nodes={"seed.s": {"resource_type": "seed", "checksum": {"checksum": "s"}}}),
        fingerprint(macros={"macro.m": {"macro_sql": "2"}}),
    ]
    assert len({base, *changed}) == 6
    # a source's columns and their rules (the landing contract) count, their descriptions do not
    source = {"identifier": "calls", "columns": {"call_id": {"meta": {"required": True}, "description": "a"}}}

    def with_source(src):
        return models_fingerprint({**manifest, "sources": {"source.landing.calls": src}}, project)
    described = {**source, "columns": {"call_id": {"meta": {"required": True}, "description": "b"}}}
    added = {**source, "columns": {**source["columns"], "queue": {"meta": {}}}}
    assert with_source(source) == with_source(described) != base
    assert with_source(added) != with_source(source)
    # dbt_project.yml: its vars count, its comments do not
    assert fingerprint(project_text="# a comment\nname: callqa\nvars:\n  repeat_windows_hours: [48, 168]\n") == base
    assert fingerprint(project_text="name: callqa\nvars:\n  repeat_windows_hours: [24, 168]\n") != base


def _builds(con, *rows):
    """rows: (run_id, models, full_refresh, dbt finished, published), oldest first."""
    for i, (run_id, models, full_refresh, finished, published) in enumerate(rows):
        record_built(con, run_id, BuildState(i, "p"), full_refresh=full_refresh, models=models)
        con.execute("UPDATE runs.builds SET built_at = TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_hours(?) "
                    "WHERE run_id = ?", [i, run_id])
        if finished:
            record_dbt_finished(con, run_id)
        if published:
            record_published(con, run_id)


@pytest.mark.parametrize("rows, forced", [
    ([], None),                                                                   # no build yet: a full one comes
    ([("run-a", "m1", False, True, True), ("run-b", "m1", False, True, True)], None),
    ([("run-a", "m1", False, True, True), ("run-b", "m1", False, True, False)], None),  # publish failed: same rows
    ([("run-a", "m0", False, True, True), ("run-b", "m1", False, True, True)], "changed"),   # an upgrade
    ([("run-a", "m0", False, True, True), ("run-b", "m1", True, True, True)], None),       # ... then refreshed
    ([("run-a", "m0", False, True, True), ("run-b", "m1", True, False, False)], "changed"),  # refresh failed
    ([("run-a", "m0", False, True, True), ("run-b", "m1", True, True, True),
      ("run-c", "m1", False, True, True)], None),
    ([("run-a", "m1", False, True, True), ("run-b", "m0", False, False, False)], "changed"),  # a half-done build
    ([("run-a", "m1", False, False, False), ("run-b", "m1", False, True, True)], None),  # first build failed
    ([("run-a", None, False, True, True)], "did not record"),                     # built by an earlier callqa
])
def test_a_build_is_a_full_refresh_when_kept_rows_came_from_other_models(rows, forced):
    con = duckdb.connect()
    _builds(con, *rows)
    reason = forced_refresh_reason(con, "m1")
    if forced is None:
        assert reason is None, rows
    else:
        assert reason is not None and forced in reason and "a full refresh rebuilds them" in reason, (rows, reason)


def test_a_warehouse_built_before_the_models_column_is_refreshed_once(tmp_path):
    con = duckdb.connect()
    con.execute("CREATE SCHEMA runs")
    con.execute("CREATE TABLE runs.builds (run_id VARCHAR NOT NULL, ledger_mark BIGINT, project VARCHAR NOT NULL, "
                "full_refresh BOOLEAN NOT NULL, status VARCHAR NOT NULL, built_at TIMESTAMPTZ NOT NULL, "
                "published_at TIMESTAMPTZ, code VARCHAR)")
    con.execute("INSERT INTO runs.builds VALUES ('run-old', 3, 'p', false, 'published', now(), now(), 'c')")
    assert "run-old" in forced_refresh_reason(con, "m1")     # the columns are added on the way
    record_built(con, "run-new", BuildState(4, "p"), full_refresh=True, models="m1")
    assert built_as_full_refresh(con, "run-new") and not built_as_full_refresh(con, "run-old")
    assert forced_refresh_reason(con, "m1") is not None       # not finished yet
    record_dbt_finished(con, "run-new")
    assert forced_refresh_reason(con, "m1") is None
