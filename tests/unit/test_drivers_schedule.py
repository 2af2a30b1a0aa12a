"""The refit schedule of the satisfaction analysis (lib/drivers/schedule.py): each trigger on and off at the edges of
its threshold, the data state counted by hand, the fingerprints, the full-refresh rule of the run, and the stored
model (runs.satisfaction_model) round-tripping bit for bit."""
import shutil
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from dagster_project.defs.location import FULL_REFRESH_TAG, full_refresh_run_config, is_full_refresh_run
from dagster_project.lib.drivers import store
from dagster_project.lib.drivers.analysis import AnalysisSettings, fitting_rows, run_driver_analysis
from dagster_project.lib.drivers.schedule import (
    MODEL_MODULES,
    DataState,
    FitRecord,
    RefitPolicy,
    code_fingerprint,
    data_state,
    fit_rows_table,
    next_refit,
    refit_reasons,
    row_hashes,
    scored_reason,
    settings_fingerprint,
)
from dagster_project.lib.drivers.simulate import simulate_modelling_table

FIT = FitRecord("0123456789abcdef", "settings", "code", 1000, date(2026, 3, 1), date(2026, 3, 10))
POLICY = RefitPolicy()  # 5 % of the fitting rows, 7 days, 2 % of the fit's rows changed


def reasons(stored=FIT, status="current", full_refresh=False, settings="settings", code="code",
            data=DataState(1000, date(2026, 3, 10), 0), policy=POLICY):
    return refit_reasons(stored, status, full_refresh, settings, code, data, policy)


def test_nothing_moved_scores_only():
    assert reasons() == []


def test_no_stored_model_or_every_run_refits():
    assert reasons(stored=None) == ["no fitted model stored"]
    assert reasons(policy=replace(POLICY, every_run=True)) == ["refit every run (refit_every_run)"]


@pytest.mark.parametrize("status", ["stale", "empty", None])
def test_a_last_analysis_that_is_not_current_refits(status):
    (reason,) = reasons(status=status)
    assert reason == f"the last analysis is {status or 'missing'}, not current"


def test_a_full_refresh_and_a_change_of_settings_or_code_refit():
    assert reasons(full_refresh=True) == ["full refresh"]
    assert reasons(settings="other") == ["the analysis settings changed (run config or seeds metric_targets csat_*)"]
    assert reasons(code="other") == ["the model code changed"]


@pytest.mark.parametrize("rows, refit", [(1049, False), (1050, True), (951, False), (950, True), (1000, False)])
def test_fitting_rows_moved_by_5_percent(rows, refit):
    found = reasons(data=DataState(rows, date(2026, 3, 10), 0))
    assert bool(found) is refit, found
    if refit:
        assert found[0].startswith(f"fitting rows 1,000 -> {rows:,} ({(rows - 1000) / 1000:+.1%}")


@pytest.mark.parametrize("newest, refit", [(date(2026, 3, 16), False), (date(2026, 3, 17), True), (None, False)])
def test_data_7_days_past_the_fit(newest, refit):
    found = reasons(data=DataState(1000, newest, 0))
    assert found == (["data to 2026-03-17, 7 days after the fit's 2026-03-10 (threshold 7)"] if refit else [])


@pytest.mark.parametrize("changed, refit", [(19, False), (20, True), (0, False)])
def test_2_percent_of_the_fit_changed(changed, refit):
    found = reasons(data=DataState(1000, date(2026, 3, 10), changed))
    assert found == ([f"20 rows of the fit's period changed, gone or new (2.0% of 1,000, threshold 2%)"]
                     if refit else [])


def test_thresholds_of_zero_refit_on_any_movement_and_only_then():
    zero = RefitPolicy(max_row_change=0.0, max_days=0, max_changed_share=0.0)
    assert reasons(data=DataState(1000, date(2026, 3, 9), 0), policy=zero) == []
    assert len(reasons(data=DataState(1001, date(2026, 3, 9), 0), policy=zero)) == 1
    assert len(reasons(data=DataState(1000, date(2026, 3, 10), 0), policy=zero)) == 1  # 0 days >= 0
    assert len(reasons(data=DataState(1000, date(2026, 3, 9), 1), policy=zero)) == 1


def test_every_trigger_that_holds_is_named():
    found = reasons(status="stale", full_refresh=True, settings="x", code="y",
                    data=DataState(2000, date(2026, 4, 1), 500))
    assert len(found) == 7


def test_next_refit_names_the_first_counts_that_refit():
    stored = replace(FIT, nobs=9201)
    text = next_refit(stored, POLICY)
    assert text.startswith("fitting rows <= 8,740 or >= 9,662, data to 2026-03-17, 185 rows of the fit changed")
    for rows, refit in ((8740, True), (8741, False), (9661, False), (9662, True)):
        assert bool(reasons(stored=stored, data=DataState(rows, date(2026, 3, 10), 0))) is refit, rows
    assert not reasons(stored=stored, data=DataState(9201, date(2026, 3, 10), 184))
    assert reasons(stored=stored, data=DataState(9201, date(2026, 3, 10), 185))


def test_next_refit_and_the_status_reason_say_when():
    assert next_refit(FIT, POLICY) == ("fitting rows <= 950 or >= 1,050, data to 2026-03-17, 20 rows of the fit "
                                       "changed, a full refresh, or new settings or model code")
    assert scored_reason(FIT, POLICY).startswith(
        "scored with the model fitted in run 01234567 on data 2026-03-01 to 2026-03-10 (1,000 surveyed contacts); "
        "next refit when fitting rows <= 950")


def test_settings_fingerprint_follows_every_setting():
    base = AnalysisSettings()
    assert settings_fingerprint(base) == settings_fingerprint(AnalysisSettings())
    numpy_grid = replace(base, grid_probs=tuple(np.round(np.arange(0.05, 0.95 + 1e-9, 0.05), 4)))
    assert settings_fingerprint(numpy_grid) == settings_fingerprint(base)  # the same grid as numpy floats
    for change in ({"min_responses": 301}, {"calibration_tolerance": 0.06}, {"n_bootstrap": 199}, {"seed": 1},
                   {"grid_probs": (0.1, 0.5)}):
        assert settings_fingerprint(replace(base, **change)) != settings_fingerprint(base), change


def test_code_fingerprint_follows_the_model_modules(tmp_path):
    from dagster_project.lib.drivers import schedule

    source = schedule.__file__.rsplit("/", 1)[0]
    for name in MODEL_MODULES:
        shutil.copy(f"{source}/{name}", tmp_path / name)
    assert code_fingerprint(tmp_path) == code_fingerprint()
    (tmp_path / "ordinal.py").write_text((tmp_path / "ordinal.py").read_text() + "\n# changed\n")
    assert code_fingerprint(tmp_path) != code_fingerprint()


def test_a_full_refresh_run_by_config_or_by_tag():
    assert is_full_refresh_run(full_refresh_run_config(), {})
    assert is_full_refresh_run({}, {FULL_REFRESH_TAG: "true"})
    assert not is_full_refresh_run({"ops": {"callqa_dbt": {"config": {"window_start": "2026-03-01",
                                                                       "window_end": "2026-03-02"}}}}, {})
    assert not is_full_refresh_run(None, {})


# ---- the data state, counted by hand -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small():
    frame = simulate_modelling_table(n_contacts=400, days=10, survey_rate=0.5, seed=4)
    return frame.reset_index(drop=True)


def _fit_rows(frame):
    usable = fitting_rows(frame)
    return fit_rows_table(frame, usable, pd.Series(False, index=frame.index)), usable


def test_data_state_counts_changed_gone_and_late_rows(small):
    fit_rows, usable = _fit_rows(small)
    n = int(usable.sum())
    period_to = pd.to_datetime(small.loc[usable, "local_date"]).max().date()
    assert data_state(small, fit_rows, period_to) == DataState(n, period_to, 0)

    moved = small.copy()
    fitted = moved.index[usable]
    unsurveyed_in_period = moved.index[moved["csat"].isna() & fitting_rows(moved.assign(csat=1))]
    moved.loc[fitted[0], "csat"] = 6 - moved.loc[fitted[0], "csat"] if moved.loc[fitted[0], "csat"] != 3 else 4
    moved.loc[fitted[1], "wait_seconds"] = moved.loc[fitted[1], "wait_seconds"] + 1  # a driver value changed
    moved.loc[fitted[2], "csat"] = np.nan                                        # no longer a fitting row
    moved.loc[unsurveyed_in_period[0], "csat"] = 5                               # a late survey in the period
    later = moved.loc[[fitted[3]]].assign(contact_id="NEW", local_date=pd.Timestamp(period_to) + pd.Timedelta(days=3))
    moved = pd.concat([moved, later], ignore_index=True)                         # a new day: not a change
    state = data_state(moved, fit_rows, period_to)
    assert state == DataState(n - 1 + 1 + 1, period_to + pd.Timedelta(days=3).to_pytimedelta(), 4)


def test_row_hashes_ignore_the_row_order_and_columns_the_fit_does_not_read(small):
    hashes = row_hashes(small)
    shuffled = small.sample(frac=1.0, random_state=1)
    assert (row_hashes(shuffled).reindex(small.index) == hashes).all()
    assert (row_hashes(small.assign(ivr_meets_target=pd.NA)) == hashes).all()
    assert (row_hashes(small.assign(handle_seconds=small["handle_seconds"] + 1)) != hashes).all()


# ---- the stored model --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fitted_small():
    frame = simulate_modelling_table(n_contacts=3000, days=30, seed=9)
    settings = AnalysisSettings(n_bootstrap=49)
    return frame, settings, run_driver_analysis(frame, settings)


def test_a_stored_model_round_trips_bit_for_bit(fitted_small, con):
    frame, settings, analysis = fitted_small
    model = store.stored_model(analysis, frame, settings, "run-1")
    text = store.model_json(analysis.fitted)
    back = store.model_from_json(text)
    assert back.spec == analysis.fitted.spec
    assert store.model_json(back) == text
    store.write_analysis(con, analysis, "run-1", model)
    read = store.read_stored_model(con)
    assert read.record == model.record and read.record.nobs == int(analysis.scores["used_in_fit"].sum())
    pd.testing.assert_frame_equal(read.rows, model.rows)
    assert read.fitted.spec == analysis.fitted.spec
    design = analysis.fitted.design[analysis.fitted.spec.terms]
    original = analysis.fitted.fit.predict_proba(design).to_numpy()
    assert np.array_equal(read.fitted.fit.predict_proba(design).to_numpy(), original)  # bit for bit
    assert np.array_equal(back.fit.predict_proba(design).to_numpy(), original)


def test_writing_an_analysis_without_a_model_removes_the_stored_one(fitted_small, con):
    frame, settings, analysis = fitted_small
    store.write_analysis(con, analysis, "run-1", store.stored_model(analysis, frame, settings, "run-1"))
    assert store.read_stored_model(con) is not None
    refused = run_driver_analysis(frame, replace(settings, min_responses=10 ** 6))
    assert store.stored_model(refused, frame, settings, "run-2") is None
    store.write_analysis(con, refused, "run-2", None)
    assert store.read_stored_model(con) is None


def test_the_decision_on_a_warehouse(fitted_small, con):
    frame, settings, analysis = fitted_small
    assert store.refit_decision(con, frame, settings, POLICY, False).reasons == ["no fitted model stored"]
    store.write_analysis(con, analysis, "run-1", store.stored_model(analysis, frame, settings, "run-1"))
    decision = store.refit_decision(con, frame, settings, POLICY, False)
    assert decision.reasons == [] and not decision.refit and decision.stored.record.run_id == "run-1"
    assert store.refit_decision(con, frame, settings, POLICY, True).reasons == ["full refresh"]
    assert store.refit_decision(con, frame, replace(settings, calibration_tolerance=0.1), POLICY, False).refit
    store.keep_last_good_analysis(con, "planted failure", "run-2")
    assert store.refit_decision(con, frame, settings, POLICY, False).reasons == [
        "the last analysis is stale, not current"]
