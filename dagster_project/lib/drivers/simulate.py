"""A simulated marts.fct_contact_drivers with known effects, for tests and examples of the driver analysis.

csat follows logit P(csat <= k) = theta_k - x.beta with the effects in PLANTED_BETA (per model unit: minutes,
counts, yes/no) and an IVR hinge: no effect up to `ivr_tipping_seconds`, PLANTED_BETA["ivr_seconds"] per minute
beyond. Everything else has no effect. Abandoned contacts are never surveyed (so the analysis must leave
is_abandoned out as constant)."""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

THETA = (-4.0, -3.0, -1.9, -0.4)
PLANTED_BETA = {
    "ivr_seconds": -0.8,          # per minute beyond the tipping point
    "wait_seconds": -0.3,         # per minute
    "transfer_count": -0.4,
    "had_prior_contact_7d": -0.55,
    "callback_broken": -1.0,
    "handle_seconds": -0.02,      # per minute
}


def simulate_modelling_table(n_contacts: int = 8000, days: int = 40, survey_rate: float = 0.3, seed: int = 7,
                             ivr_tipping_seconds: float = 120.0, start: date = date(2026, 3, 2)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_contacts
    channel = rng.choice(np.array(["voice", "chat", "messaging"], dtype=object), n, p=[0.65, 0.2, 0.15])
    voice = channel == "voice"
    ivr = np.where(voice, rng.lognormal(np.log(60), 0.6, n), 0.0).round()
    keypresses = np.where(voice, rng.poisson(ivr / 25.0), 0)
    wait = np.where(voice, rng.exponential(60, n), rng.exponential(40, n)).round()
    handle = np.where(voice, rng.lognormal(np.log(300), 0.5, n), 0.0).round()
    transfers = np.where(voice, rng.poisson(0.12, n), 0)
    abandoned = rng.random(n) < 0.05
    bot_involved = ~voice & (rng.random(n) < 0.1)
    bot_failed = rng.random(n) < 0.03
    prior = rng.random(n) < 0.25
    promised = voice & (rng.random(n) < 0.06)
    broken = promised & (rng.random(n) < 0.25)
    ticket = rng.random(n) < 0.3
    sla_missed = ticket & (rng.random(n) < 0.2)
    tenure = rng.integers(0, 1500, n).astype(float)
    evaluated = rng.random(n) < 0.05
    critical = evaluated & (rng.random(n) < 0.1)
    transcribed = rng.random(n) < 0.1
    red_line = transcribed & (rng.random(n) < 0.05)

    eta = (PLANTED_BETA["ivr_seconds"] * np.maximum(ivr - ivr_tipping_seconds, 0) / 60
           + PLANTED_BETA["wait_seconds"] * wait / 60
           + PLANTED_BETA["transfer_count"] * transfers
           + PLANTED_BETA["had_prior_contact_7d"] * prior
           + PLANTED_BETA["callback_broken"] * broken
           + PLANTED_BETA["handle_seconds"] * handle / 60)
    cumulative = 1 / (1 + np.exp(-(np.array(THETA)[None, :] - eta[:, None])))
    csat = 1 + (rng.random(n)[:, None] > cumulative).sum(axis=1)
    surveyed = ~abandoned & (rng.random(n) < survey_rate)
    day = np.sort(rng.integers(0, days, n))

    def nullable(values, known, dtype="boolean"):
        return pd.Series(values, dtype=dtype).where(known)  # NULL (<NA>) where not known / not applicable

    frame = pd.DataFrame({
        "contact_id": [f"C{i:07d}" for i in range(n)],
        "channel": channel,
        "local_date": [start + timedelta(days=int(d)) for d in day],
        "is_handled": ~abandoned,
        "csat": nullable(csat, surveyed, "Int64"),
        "ivr_seconds": ivr,
        "ivr_keypresses": keypresses,
        "wait_seconds": wait,
        "handle_seconds": handle,
        "transfer_count": transfers,
        "is_abandoned": abandoned,
        "bot_involved": bot_involved,
        "bot_failed_before_24h": nullable(bot_failed, day >= 1),
        "had_prior_contact_7d": nullable(prior, (day >= 7) | prior),
        "callback_promised": promised,
        "callback_broken": broken,
        "has_ticket": ticket,
        "ticket_sla_missed": sla_missed,
        "agent_tenure_days": nullable(tenure, ~abandoned, "Float64"),
        "qa_evaluated": evaluated,
        "qa_critical_error": critical,
        "is_transcribed": transcribed,
        "has_red_line_phrase": red_line,
    })
    frame["ivr_meets_target"] = nullable(ivr <= 120, ivr > 0)
    frame["ivr_keypresses_meet_target"] = nullable(keypresses <= 4, ivr > 0)
    frame["wait_meets_target"] = nullable(wait <= 20, ~abandoned)
    frame["handle_meets_target"] = nullable(handle <= 360, voice & ~abandoned)
    frame["transfers_meet_target"] = nullable(transfers <= 1, voice & ~abandoned)
    frame["abandon_meets_target"] = ~abandoned
    frame["bot_history_meets_target"] = ~frame["bot_failed_before_24h"]
    frame["prior_contacts_meet_target"] = ~frame["had_prior_contact_7d"]
    frame["callback_meets_target"] = nullable(~broken, promised)
    frame["ticket_sla_meets_target"] = nullable(~sla_missed, ticket)
    frame["qa_meets_target"] = nullable(~critical, evaluated)
    frame["red_line_meets_target"] = nullable(~red_line, transcribed)
    return frame
