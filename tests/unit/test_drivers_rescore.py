"""A score-only run rescores only the new and changed contacts (store.rescore_changed; issue 14 item 3: "the
analysis step refits on a schedule and scores new contacts every run"), and the scores table it leaves is the one
scoring every contact with the same stored model writes, row for row and bit for bit: after new contacts, changed
drivers, a late survey and contacts gone, after nothing changed, after a failed run (which forgets the record, so
the next run scores everyone), and when the rescoring fails half-way (nothing changes)."""
import duckdb
import numpy as np
import pandas as pd
import pytest

from dagster_project.lib.drivers import store
from dagster_project.lib.drivers.analysis import AnalysisSettings, run_driver_analysis
from dagster_project.lib.drivers.simulate import simulate_modelling_table

SETTINGS = AnalysisSettings(n_bootstrap=49)
SCORES = "select * from analysis.contact_satisfaction_scores order by contact_id"


@pytest.fixture(scope="module")
def tables():
    """The modelling table at the fit, and the same a day later: 50 new contacts, 37 with a driver changed, 3
    surveyed late, 11 gone."""
    before = simulate_modelling_table(n_contacts=3001, days=30, seed=11)
    after = before.copy()
    changed = after.index[(after["csat"].isna()) & after["wait_seconds"].notna()][:37]
    after.loc[changed, "wait_seconds"] = after.loc[changed, "wait_seconds"] + 61.0
    late = after.index[after["csat"].isna()][-3:]
    after.loc[late, "csat"] = pd.array([1, 5, 3], dtype="Int64")
    gone = after.index[::271][:11]
    new = simulate_modelling_table(n_contacts=50, days=1, seed=12)
    new["contact_id"] = [f"N{i:07d}" for i in range(len(new))]
    after = pd.concat([after.drop(index=gone), new], ignore_index=True)
    return before, after.sample(frac=1.0, random_state=5).reset_index(drop=True), 37 + 3 + 50, 11


def _replace_modelling_table(con, frame) -> None:
    con.register("frame", frame)
    con.execute("create or replace table marts.fct_contact_drivers as select * from frame")
    con.unregister("frame")


def _fitted(path, frame) -> duckdb.DuckDBPyConnection:
    """A warehouse whose model was fitted on `frame` and scored every contact, as a refit run does."""
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone='UTC'")
    con.execute("create schema marts")
    _replace_modelling_table(con, frame)
    fitting = store.read_fitting_table(con)
    analysis = run_driver_analysis(fitting, SETTINGS, store.read_performance(con))
    assert analysis.status == "fitted"
    store.write_analysis(con, analysis, "fit", store.stored_model(analysis, fitting, SETTINGS, "fit"),
                         score_every_contact=True)
    return con


def _scored_whole(con) -> pd.DataFrame:
    """Every contact scored with the stored model (what the score-only runs did before)."""
    stored = store.read_stored_model(con)
    store.write_scores(con, store.contact_score_chunks(con, store.model_scorer(stored)), "whole", "scored")
    return con.execute(SCORES).df()


def test_only_new_and_changed_contacts_are_scored_and_the_table_is_a_full_scoring(tables, tmp_path):
    before, after, changed, gone = tables
    con = _fitted(tmp_path / "w.duckdb", before)
    _replace_modelling_table(con, after)
    stored = store.read_stored_model(con)
    counts, done = store.rescore_changed(con, stored, "run-2", "scored with the stored model")
    assert done == {"rescored": changed, "removed": gone, "kept": len(after) - changed, "whole": 0}
    assert counts["contact_satisfaction_scores"] == len(after)
    incremental = con.execute(SCORES).df()

    reference = _fitted(tmp_path / "r.duckdb", before)
    _replace_modelling_table(reference, after)
    pd.testing.assert_frame_equal(incremental, _scored_whole(reference), check_exact=True)
    assert incremental["expected_csat"].notna().sum() > len(after) / 2
    for check in (store.check_every_contact_scored, store.check_probabilities):
        assert check(con).passed
    assert store.read_status(con)["reason"] == "scored with the stored model"
    # the record follows: a second run with nothing new scores nobody and changes nothing
    counts, done = store.rescore_changed(con, stored, "run-3", "scored again")
    assert done == {"rescored": 0, "removed": 0, "kept": len(after), "whole": 0}
    pd.testing.assert_frame_equal(con.execute(SCORES).df(), incremental, check_exact=True)
    assert not con.execute("select * from information_schema.tables where table_name = ?",
                           [store.RESCORE_TABLE]).fetchall()


def test_without_a_record_of_the_stored_model_every_contact_is_scored(tables, tmp_path):
    before, after, _, _ = tables
    con = _fitted(tmp_path / "w.duckdb", before)
    stored = store.read_stored_model(con)
    # a failed run keeps the last good tables and forgets the record: the next score-only run scores everyone
    store.keep_last_good_analysis(con, "RuntimeError: boom", "failed-run")
    assert store._recorded_model_key(con) is None
    _replace_modelling_table(con, after)
    _, done = store.rescore_changed(con, stored, "run-2", "scored")
    assert done["whole"] == 1 and done["rescored"] == len(after)
    # and that full scoring records the inputs again
    _, done = store.rescore_changed(con, stored, "run-3", "scored")
    assert done == {"rescored": 0, "removed": 0, "kept": len(after), "whole": 0}


def test_a_change_of_the_scoring_code_scores_every_contact(tables, tmp_path, monkeypatch):
    before, after, _, _ = tables
    con = _fitted(tmp_path / "w.duckdb", before)
    stored = store.read_stored_model(con)
    _replace_modelling_table(con, after)
    monkeypatch.setattr(store, "scoring_code_fingerprint", lambda: "another version of store.py")
    _, done = store.rescore_changed(con, stored, "run-2", "scored")
    assert done["whole"] == 1 and done["rescored"] == len(after)
    _, done = store.rescore_changed(con, stored, "run-3", "scored")
    assert done["whole"] == 0 and done["rescored"] == 0


def test_a_refit_on_the_same_data_is_a_new_model_whose_record_is_its_own(tables, tmp_path):
    before, _, _, _ = tables
    con = _fitted(tmp_path / "w.duckdb", before)
    first = store._stored_model_key(con)
    assert first is not None and store._recorded_model_key(con) == first
    fitting = store.read_fitting_table(con)
    analysis = run_driver_analysis(fitting, SETTINGS, store.read_performance(con))
    # a refit that scores only the analysed frame (not every contact) leaves no record to trust
    store.write_analysis(con, analysis, "fit-2", store.stored_model(analysis, fitting, SETTINGS, "fit-2"))
    assert store._stored_model_key(con) not in (None, first)
    assert store._recorded_model_key(con) is None


def test_a_failure_while_rescoring_changes_nothing(tables, tmp_path, monkeypatch):
    before, after, _, _ = tables
    con = _fitted(tmp_path / "w.duckdb", before)
    scores_before = con.execute(SCORES).df()
    inputs_before = con.execute(f"select * from runs.{store.SCORED_INPUTS_TABLE} order by contact_id").df()
    _replace_modelling_table(con, after)
    stored = store.read_stored_model(con)

    def failing(*args, **kwargs):
        raise duckdb.IOException("disk full")
        yield  # pragma: no cover - a generator, as contact_score_chunks

    monkeypatch.setattr(store, "contact_score_chunks", failing)
    with pytest.raises(duckdb.IOException):
        store.rescore_changed(con, stored, "run-2", "scored")
    pd.testing.assert_frame_equal(con.execute(SCORES).df(), scores_before, check_exact=True)
    pd.testing.assert_frame_equal(
        con.execute(f"select * from runs.{store.SCORED_INPUTS_TABLE} order by contact_id").df(), inputs_before)
    assert store.read_status(con)["tables_run_id"] == "fit"
    assert not con.execute("select * from information_schema.tables where table_name = ?",
                           [store.RESCORE_TABLE]).fetchall()
    monkeypatch.undo()
    _, done = store.rescore_changed(con, stored, "run-3", "scored")
    assert done["whole"] == 0 and done["removed"] == tables[3]
    assert np.isfinite(con.execute(SCORES).df()["expected_csat"]).sum() > 0
