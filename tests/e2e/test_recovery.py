"""On a clean synthetic contact center, the warehouse recovers the repeat behaviour the generator planted
(ground_truth.json), by reason and by agent, within sampling error."""
import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.slow


def _planted_by_reason(truth) -> pd.Series:
    """Planted 7-day repeat probability of a handled contact by reason, averaged over the planted resolution
    mix: base x (P(resolved) x 1 + P(unresolved) x unresolved multiplier)."""
    repeat = truth["contacts_model"]["repeat"]
    base = pd.Series(repeat["base_7d_by_reason_resolved"])
    resolved = pd.Series(repeat["resolution_probability_by_reason"])
    unresolved = repeat["resolution_multiplier"]["unresolved"] / repeat["resolution_multiplier"]["resolved"]
    return base * (resolved + unresolved * (1 - resolved))


def _contacts(con) -> pd.DataFrame:
    return con.execute(
        """select reason_code, agent_id, has_repeat_7d::int as repeat_7d
           from marts.fct_contacts where is_handled and has_repeat_7d is not null"""
    ).df()


def test_repeat_rate_by_reason_follows_the_planted_probabilities(clean_run):
    """Observed 7-day repeat rate = slope x planted + background. The background (an unrelated fresh contact of
    the same customer within 7 days, ~4-5 %) is the intercept; the agent and callback multipliers average to
    about 1 for every reason, so the slope must be near 1 (0.8-1.25) and the fit close (r >= 0.97). With
    ~2,000 handled contacts per reason the sampling error of a rate is about 0.008, far below the spread of the
    planted rates (0.04-0.39), so these bounds fail only if the warehouse misses or invents repeats."""
    truth, con = clean_run
    contacts = _contacts(con)
    observed = contacts.groupby("reason_code")["repeat_7d"].agg(["mean", "size"])
    planted = _planted_by_reason(truth).reindex(observed.index)
    assert planted.notna().all() and (observed["size"] >= 500).all()
    slope, intercept = np.polyfit(planted, observed["mean"], 1, w=np.sqrt(observed["size"]))
    correlation = np.corrcoef(planted, observed["mean"])[0, 1]
    assert 0.8 <= slope <= 1.25, (slope, intercept)
    assert 0.0 <= intercept <= 0.08, (slope, intercept)
    assert correlation >= 0.97, correlation


def test_agents_with_higher_planted_multipliers_cause_more_repeats(clean_run):
    """Per contact, planted probability = agent multiplier x reason probability. Pooling the contacts of the
    agents in the top and bottom thirds of the planted multiplier (the weak agents among the top), the observed
    excess over the background (the intercept of the reason fit) must stand in the planted ratio within 25 %
    (each pool holds several thousand contacts: a sampling error of a few percent on the ratio)."""
    truth, con = clean_run
    contacts = _contacts(con)
    contacts = contacts[contacts["agent_id"].notna()].copy()
    multiplier = pd.Series(truth["people"]["repeat_multiplier_by_agent"])
    contacts["multiplier"] = multiplier.reindex(contacts["agent_id"]).to_numpy()
    assert contacts["multiplier"].notna().all()
    contacts["planted"] = contacts["multiplier"] * _planted_by_reason(truth).reindex(contacts["reason_code"]).to_numpy()
    observed_by_reason = contacts.groupby("reason_code")["repeat_7d"].mean()
    _, background = np.polyfit(_planted_by_reason(truth).reindex(observed_by_reason.index), observed_by_reason, 1)
    low_cut, high_cut = contacts["multiplier"].quantile([1 / 3, 2 / 3])
    high = contacts["multiplier"] >= high_cut
    low = contacts["multiplier"] <= low_cut
    assert high.sum() >= 3000 and low.sum() >= 3000
    observed_ratio = (contacts.loc[high, "repeat_7d"].mean() - background) / (
        contacts.loc[low, "repeat_7d"].mean() - background)
    planted_ratio = contacts.loc[high, "planted"].mean() / contacts.loc[low, "planted"].mean()
    assert planted_ratio > 1.2
    assert observed_ratio == pytest.approx(planted_ratio, rel=0.25), (observed_ratio, planted_ratio)
