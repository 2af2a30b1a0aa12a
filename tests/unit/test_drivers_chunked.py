"""The satisfaction analysis as the pipeline runs it, with memory that follows the surveyed contacts rather than the
history (issue 14: a 10 M-contact year): the fit reads only the surveyed contacts (store.read_fitting_table), the
drivers' performance over every contact is summed by DuckDB (store.read_performance), and every contact is scored
a chunk at a time on a cursor of its own (store.contact_score_chunks) while the tables are written in one
transaction. Each way must write exactly the tables the whole-frame analysis writes (store.read_modelling_table
into run_driver_analysis), row for row and bit for bit: fitted, refused, score-only and failed."""
from dataclasses import replace

import duckdb
import numpy as np
import pandas as pd
import pytest

from dagster_project.lib.drivers import store
from dagster_project.lib.drivers.analysis import AnalysisSettings, _performance, failed_analysis, run_driver_analysis
from dagster_project.lib.drivers.simulate import simulate_modelling_table

SETTINGS = AnalysisSettings(n_bootstrap=49)
CHUNK = 1   # one DuckDB vector (2,048 rows) per chunk: 5,003 contacts come in 3 chunks, the last of 907 rows (not
#             a multiple of 8: matrix products treat the rows left after their blocks apart, see ordinal.row_dot)


@pytest.fixture(scope="module")
def modelling_table():
    frame = simulate_modelling_table(n_contacts=5003, days=30, seed=11)
    # the table's physical order is not contact_id order: the chunks must not depend on it
    return frame.sample(frac=1.0, random_state=3).reset_index(drop=True)


def _warehouse(path, frame) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone='UTC'")
    con.execute("create schema marts")
    con.register("frame", frame)
    con.execute("create table marts.fct_contact_drivers as select * from frame")
    con.unregister("frame")
    return con


def _tables(con) -> dict[str, pd.DataFrame]:
    out = {}
    for table in store.TABLES:
        key = "contact_id" if table == "contact_satisfaction_scores" else None
        frame = con.execute(f'select * from analysis."{table}"' + (f" order by {key}" if key else "")).df()
        out[table] = frame
    out["model"] = con.execute("select model, nobs, period_from, period_to from runs.satisfaction_model").df() \
        if store.read_stored_model(con) is not None else None
    out["model_rows"] = con.execute("select * from runs.satisfaction_model_rows order by contact_id").df() \
        if out["model"] is not None else None
    return out


def _assert_same(left: dict, right: dict) -> None:
    assert left.keys() == right.keys()
    for name in left:
        if left[name] is None or right[name] is None:
            assert left[name] is None and right[name] is None, name
            continue
        pd.testing.assert_frame_equal(left[name], right[name], check_exact=True, obj=name)


def _whole(con, settings):
    frame = store.read_modelling_table(con)
    analysis = run_driver_analysis(frame, settings)
    store.write_analysis(con, analysis, "run", store.stored_model(analysis, frame, settings, "run"))
    return analysis


def _pipeline(con, settings, monkeypatch):
    monkeypatch.setattr(store, "SCORE_CHUNK_VECTORS", CHUNK)
    frame = store.read_fitting_table(con)
    analysis = run_driver_analysis(frame, settings, store.read_performance(con))
    store.write_analysis(con, analysis, "run", store.stored_model(analysis, frame, settings, "run"),
                         score_every_contact=True)
    return frame, analysis


def test_the_fitting_table_is_the_surveyed_contacts_and_performance_is_every_contacts(modelling_table, tmp_path):
    con = _warehouse(tmp_path / "w.duckdb", modelling_table)
    fitting = store.read_fitting_table(con)
    surveyed = modelling_table[modelling_table["csat"].notna()]
    assert len(fitting) == len(surveyed) < len(modelling_table)
    assert list(fitting["contact_id"]) == sorted(surveyed["contact_id"])
    # the same numbers as pandas over every contact, bit for bit (sums of 0/1 are exact)
    assert store.read_performance(con) == _performance(modelling_table)


def test_a_fit_writes_the_same_tables_as_the_whole_frame(modelling_table, tmp_path, monkeypatch):
    whole = _warehouse(tmp_path / "whole.duckdb", modelling_table)
    whole_analysis = _whole(whole, SETTINGS)
    assert whole_analysis.status == "fitted"
    piped = _warehouse(tmp_path / "piped.duckdb", modelling_table)
    frame, analysis = _pipeline(piped, SETTINGS, monkeypatch)
    assert len(analysis.scores) == len(frame) < len(modelling_table)  # the analysis itself saw the surveyed only
    expected, got = _tables(whole), _tables(piped)
    assert len(got["contact_satisfaction_scores"]) == len(modelling_table)
    assert got["contact_satisfaction_scores"]["expected_csat"].notna().sum() > len(frame)
    _assert_same(expected, got)
    for check in (store.check_every_contact_scored, store.check_probabilities):
        assert check(piped).passed
    # stored in contact_id order whatever the modelling table's order (a look-up of one contact reads one row group)
    stored = piped.execute("select contact_id from analysis.contact_satisfaction_scores order by rowid").df()
    assert stored["contact_id"].is_monotonic_increasing
    assert not piped.execute("select contact_id from marts.fct_contact_drivers order by rowid").df()[
        "contact_id"].is_monotonic_increasing


def test_a_refused_fit_scores_every_contact_null_with_the_reason(modelling_table, tmp_path, monkeypatch):
    refused = replace(SETTINGS, min_responses=10 ** 6)
    whole = _warehouse(tmp_path / "whole.duckdb", modelling_table)
    assert _whole(whole, refused).status == "insufficient_data"
    piped = _warehouse(tmp_path / "piped.duckdb", modelling_table)
    _pipeline(piped, refused, monkeypatch)
    expected, got = _tables(whole), _tables(piped)
    _assert_same(expected, got)
    scores = got["contact_satisfaction_scores"]
    assert len(scores) == len(modelling_table) and scores["expected_csat"].isna().all()
    assert scores["score_null_reason"].str.startswith("no model: ").all()


def test_score_only_in_chunks_equals_scoring_the_whole_frame(modelling_table, tmp_path, monkeypatch):
    con = _warehouse(tmp_path / "w.duckdb", modelling_table)
    _whole(con, SETTINGS)
    stored = store.read_stored_model(con)
    store.write_scores(con, store.score_only(store.read_modelling_table(con), stored), "run-2", "scored")
    whole = con.execute("select * from analysis.contact_satisfaction_scores order by contact_id").df()
    monkeypatch.setattr(store, "SCORE_CHUNK_VECTORS", CHUNK)
    chunks = list(store.contact_score_chunks(con, store.model_scorer(stored)))
    assert len(chunks) == 3
    counts = store.write_scores(con, iter(chunks), "run-3", "scored")
    assert counts["contact_satisfaction_scores"] == len(modelling_table)
    chunked = con.execute("select * from analysis.contact_satisfaction_scores order by contact_id").df()
    pd.testing.assert_frame_equal(chunked, whole, check_exact=True)
    assert np.isfinite(chunked["expected_csat"]).sum() > 0


def test_a_failure_with_no_good_version_gives_every_contact_the_reason(modelling_table, tmp_path, monkeypatch):
    monkeypatch.setattr(store, "SCORE_CHUNK_VECTORS", CHUNK)
    con = _warehouse(tmp_path / "w.duckdb", modelling_table)
    frame = store.read_fitting_table(con)
    fallback = failed_analysis(frame, "analysis failed: planted", store.read_performance(con))
    status, counts = store.keep_last_good_analysis(con, "planted", "run", fallback, score_every_contact=True)
    assert status == "empty" and counts["contact_satisfaction_scores"] == len(modelling_table)
    reasons = con.execute("select distinct score_null_reason, count(expected_csat) from "
                          "analysis.contact_satisfaction_scores group by 1").fetchall()
    assert reasons == [("no model: analysis failed: planted", 0)]
    whole = failed_analysis(store.read_modelling_table(con), "analysis failed: planted")
    drivers = con.execute("select driver, performance, performance_contacts from analysis.satisfaction_drivers "
                          "order by driver").df()
    expected = whole.drivers[["driver", "performance", "performance_contacts"]].sort_values("driver")
    assert drivers["performance"].tolist() == pytest.approx(expected["performance"].astype(float).tolist(),
                                                            rel=0, abs=0, nan_ok=True)
    assert drivers["performance_contacts"].tolist() == expected["performance_contacts"].astype(int).tolist()


def test_a_rows_score_does_not_depend_on_where_it_stands():
    """ordinal.row_dot gives each row the same bits alone, in a block, or at any position of a longer matrix (a BLAS
    product does not: the rows after its last block go through other code), and equals the product within a
    relative 1e-13."""
    from dagster_project.lib.drivers.ordinal import row_dot

    rng = np.random.default_rng(5)
    matrix = rng.normal(size=(1003, 17)) * rng.lognormal(size=17)
    vector = rng.normal(size=17)
    whole = row_dot(matrix, vector)
    for start, stop in [(0, 1), (1000, 1003), (5, 12), (0, 1003), (997, 1003), (3, 1000)]:
        assert np.array_equal(row_dot(matrix[start:stop], vector), whole[start:stop])
    alone = np.array([row_dot(matrix[i:i + 1], vector)[0] for i in range(len(matrix))])
    assert np.array_equal(alone, whole)
    np.testing.assert_allclose(whole, matrix @ vector, rtol=1e-13, atol=1e-15)
    assert row_dot(np.empty((0, 3)), np.ones(3)).shape == (0,)


def _failing_on_chunk(n):
    """A contact_score_chunks that raises when asked for chunk `n` (1-based), as a DuckDB or scorer error would."""
    real = store.contact_score_chunks

    def chunks(con, scorer, vectors=None):
        for i, chunk in enumerate(real(con, scorer, vectors), start=1):
            if i == n:
                raise RuntimeError(f"planted failure on chunk {n}")
            yield chunk
    return chunks


def test_a_failure_while_scoring_in_chunks_leaves_the_last_good_tables(modelling_table, tmp_path, monkeypatch):
    """One transaction replaces every analysis table: a failure after some chunks are written rolls all of it
    back (the previous run's tables and status row as they were), and the connection goes on working."""
    con = _warehouse(tmp_path / "w.duckdb", modelling_table)
    _pipeline(con, SETTINGS, monkeypatch)
    before = _tables(con)
    status_before = con.execute("select * from analysis.analysis_status").fetchall()
    monkeypatch.setattr(store, "contact_score_chunks", _failing_on_chunk(2))
    frame = store.read_fitting_table(con)
    analysis = run_driver_analysis(frame, replace(SETTINGS, seed=99), store.read_performance(con))
    with pytest.raises(RuntimeError, match="planted failure on chunk 2"):
        store.write_analysis(con, analysis, "run-2", store.stored_model(analysis, frame, SETTINGS, "run-2"),
                             score_every_contact=True)
    _assert_same(before, _tables(con))
    assert con.execute("select * from analysis.analysis_status").fetchall() == status_before
    con.execute("create table marts.after_the_failure as select 1 as x")  # the connection is usable


def test_a_fallback_that_fails_too_still_writes_the_status(modelling_table, tmp_path, monkeypatch):
    """No good version yet and the NULL scores of every contact cannot be written either (the chunked read that
    failed the analysis fails again): empty tables, the status row says both, so the step still ends."""
    monkeypatch.setattr(store, "SCORE_CHUNK_VECTORS", CHUNK)
    con = _warehouse(tmp_path / "w.duckdb", modelling_table)
    frame = store.read_fitting_table(con)
    fallback = failed_analysis(frame, "analysis failed: planted", store.read_performance(con))
    monkeypatch.setattr(store, "contact_score_chunks", _failing_on_chunk(2))
    status, counts = store.keep_last_good_analysis(con, "planted", "run", fallback, score_every_contact=True)
    assert status == "empty" and counts == {t: 0 for t in store.TABLES}
    row = store.read_status(con)
    assert row["status"] == "empty"
    assert row["reason"] == ("planted; its NULL scores could not be written either "
                             "(RuntimeError: planted failure on chunk 2)")
    for table in store.TABLES:
        assert con.execute(f'select count(*) from analysis."{table}"').fetchall() == [(0,)]


def test_a_failure_before_performance_was_read_leaves_it_null(modelling_table, tmp_path):
    """The asset's fallback when store.read_performance itself failed (it passes {}): the drivers' performance is
    NULL with 0 contacts, not the surveyed contacts' share shown as every contact's."""
    con = _warehouse(tmp_path / "w.duckdb", modelling_table)
    frame = store.read_fitting_table(con)
    unknown = failed_analysis(frame, "analysis failed: planted", {})
    assert unknown.drivers["performance"].isna().all()
    assert (unknown.drivers["performance_contacts"] == 0).all()
    # what passing None would have shown: the surveyed contacts' share, which differs from every contact's
    surveyed_only = failed_analysis(frame, "analysis failed: planted")
    every = store.read_performance(con)
    shown = surveyed_only.drivers.set_index("driver")["performance_contacts"]
    assert any(shown[d] != n for d, (_, n) in every.items() if d in shown.index)
