"""Quality assurance: evaluations of handled contacts, their form items, disputes; improvement actions.

Planted: a per-item fail probability by error class (QA_ITEM_FAIL_RATE, x2 for weak agents, x1.4 for new
agents); a process-wide failure: one compliance item fails 30 % of the time for EVERY agent of one queue
(a script or system problem, not a coaching problem); evaluator noise, and one harsh evaluator who marks
far more true passes as fails (QA_HARSH_FALSE_FAIL); agents dispute false fails far more often and win
(overturned) far more often, so the harsh evaluator's overturn rate stands out; some disputes are
decided after the 72 h target.
"""
from __future__ import annotations

import math
from datetime import date

import numpy as np

from dagster_project.lib.synth import params as P
from dagster_project.lib.synth.clock import DAY, HOUR
from dagster_project.lib.synth.contacts import VOICE
from dagster_project.lib.synth.surveys import callback_broken
from dagster_project.lib.synth.world import Frame, World, group_rank, ids, lognormal

SALES_REASONS = ("new_account", "plan_change")


def process_failure(world: World) -> tuple[str, str]:
    """The item and queue of the planted process-wide failure (resolved against the seeds)."""
    items = world.ref.qa_items
    compliance = [i["item_code"] for i in items if i["error_class"] == "compliance_critical"]
    item = "disclosure_read" if "disclosure_read" in compliance else (compliance or [items[0]["item_code"]])[0]
    voice = world.ref.queues_of("voice")
    queue = "billing" if "billing" in voice else voice[0]
    return item, queue


def required_sample_n(population: np.ndarray, z: float, p: float, margin: float) -> np.ndarray:
    """The sampling plan's required n (dbt macro qa_required_sample_n): n0 = z^2 p (1 - p) / E^2 with the
    finite-population correction n = n0 / (1 + (n0 - 1) / N), rounded up, never above N."""
    population = np.asarray(population, dtype=np.float64)
    n0 = z * z * p * (1 - p) / (margin * margin)
    n = np.ceil(n0 / (1 + (n0 - 1) / np.maximum(population, 1)) - 1e-9)
    return np.where(population > 0, np.minimum(population, n), np.ceil(n0 - 1e-9)).astype(np.int64)


def random_sample_sizes(world: World) -> dict[tuple[int, int], tuple[int, int]]:
    """Per (queue index, local month key) of handled contacts, as the warehouse counts them (answered calls of
    either direction, handled digital contacts): (handled contacts N, required random sample n)."""
    a, clock = world.contacts.a, world.clock
    handled = np.flatnonzero((((a["channel"] == VOICE) & ~np.isnan(a["answered"]))
                              | ((a["channel"] != VOICE) & a["handled"])) & (a["queue"] >= 0))
    keys = np.stack([a["queue"][handled], _month_key(world, a["t"][handled])], axis=1)
    uniq, counts = np.unique(keys, axis=0, return_counts=True)
    ref = world.ref
    n = required_sample_n(counts, ref.target("qa_sample_confidence_z", 1.96), ref.target("qa_sample_expected_p", 0.5),
                          ref.target("qa_sample_margin_of_error", 0.05))
    return {(int(q), int(m)): (int(c), int(r)) for (q, m), c, r in zip(uniq, counts, n)}


def _month_key(world: World, t: np.ndarray) -> np.ndarray:
    """Local month of instants as year * 12 + month."""
    days = world.clock.start_date.toordinal() + world.clock.local_day(t).astype(np.int64)
    months = np.array([date.fromordinal(int(d)).year * 12 + date.fromordinal(int(d)).month - 1
                       for d in np.unique(days)])
    return months[np.searchsorted(np.unique(days), days)]


def _random_sample(world: World, rng, handled: np.ndarray, evaluable: np.ndarray) -> np.ndarray:
    """Which of the `handled` inbound contacts are in the random sample: per queue x local month the required
    n times (1 + QA_RANDOM_SAMPLE_MARGIN), drawn at random among the contacts that can be evaluated before the
    data ends (fewer when there are not enough: the last days of the data)."""
    a = world.contacts.a
    sizes = random_sample_sizes(world)
    queue = a["queue"][handled]
    month = _month_key(world, a["t"][handled])
    order = np.lexsort((rng.random(len(handled)), ~evaluable, month, queue))
    q_sorted, m_sorted = queue[order], month[order]
    rank = group_rank(q_sorted * 100_000 + m_sorted)
    quota = np.array([math.ceil(sizes.get((int(q), int(m)), (0, 0))[1] * (1 + P.QA_RANDOM_SAMPLE_MARGIN))
                      for q, m in zip(q_sorted, m_sorted)]) if len(order) else np.zeros(0, dtype=np.int64)
    chosen = np.zeros(len(handled), dtype=bool)
    chosen[order] = (rank < quota) & evaluable[order]
    return chosen


def build_qa(world: World) -> tuple[Frame, Frame, Frame]:
    rng = world.rng("qa")
    a, clock, people, cs = world.contacts.a, world.clock, world.people, world.contacts
    end = clock.end_utc
    handled = np.flatnonzero(a["handled"] & ~a["outbound"] & (a["agent"] >= 0))
    agent = a["agent"][handled]
    days_in = clock.local_day(a["t"][handled]) - people.production_day[agent]
    new_agent = days_in < P.NEW_AGENT_DAYS
    low_csat = np.zeros(len(a["t"]), dtype=bool)
    ss = world.survey_state
    low_csat[ss["contact_rows"][ss["csat"] <= 2]] = True
    red = np.zeros(len(a["t"]), dtype=bool)
    red[list(world.transcript_state["red_line"])] = True
    codes = np.array(world.ref.reason_codes, dtype=object)
    reason = np.where(a["reason"][handled] >= 0, codes[np.maximum(a["reason"][handled], 0)], None)

    # Sample types, one evaluation per contact (random > targeted > coaching), plus calibration sessions. The
    # random sample follows the sampling plan (rpt_qa_sampling_plan): per queue x local month, the required n
    # (random_sample_sizes), drawn among the contacts the team can evaluate before the data ends.
    delay = lognormal(rng, 2 * DAY, 0.6, len(handled))
    contact_end = np.where(np.isnan(a["ended"][handled]), a["t"][handled], a["ended"][handled])
    random_ = _random_sample(world, rng, handled, contact_end + delay < end)
    u = rng.random((4, len(handled)))
    targeted = ~random_ & ((red[handled] & (u[0] < 0.6)) | (low_csat[handled] & (u[1] < 0.4))
                           | ((reason == "complaint") & (u[2] < 0.08)))
    coaching = ~random_ & ~targeted & (people.weak[agent] | new_agent) & (u[3] < 0.06)
    sample = np.select([random_, targeted, coaching], ["random", "targeted", "coaching"], None)
    picked = np.flatnonzero(sample != None)  # noqa: E711
    ev_contact = handled[picked]
    ev_type = sample[picked].astype(object)
    ev_delay = delay[picked]
    evaluators = np.flatnonzero(people.role == "qa")
    harsh = int(evaluators[rng.integers(0, len(evaluators))])
    ev_evaluator = evaluators[rng.integers(0, len(evaluators), len(picked))]
    ev_session = np.full(len(picked), None, dtype=object)
    # Calibration: every week or so, 3-5 evaluators score the same voice contact independently.
    n_sessions = max(2, int(round(clock.days / 7 * 2 * max(1.0, world.contacts_per_day / 4000))))
    voice_handled = handled[a["channel"][handled] == VOICE]
    cal_contacts = np.sort(rng.choice(voice_handled, size=min(n_sessions, len(voice_handled)), replace=False))
    cal_rows_contact, cal_rows_eval, cal_rows_session = [], [], []
    for s_no, k in enumerate(cal_contacts, start=1):
        size = int(rng.integers(3, min(5, len(evaluators)) + 1))
        panel = rng.choice(evaluators, size=size, replace=False)
        if harsh not in panel and rng.random() < 0.6:
            panel[0] = harsh
        cal_rows_contact += [k] * size
        cal_rows_eval += panel.tolist()
        cal_rows_session += [f"CAL-{s_no:04d}"] * size
    ev_contact = np.concatenate([ev_contact, np.array(cal_rows_contact, dtype=np.int64)])
    ev_type = np.concatenate([ev_type, np.full(len(cal_rows_contact), "calibration", dtype=object)])
    ev_evaluator = np.concatenate([ev_evaluator, np.array(cal_rows_eval, dtype=np.int64)])
    ev_session = np.concatenate([ev_session, np.array(cal_rows_session, dtype=object)])
    n_ev = len(ev_contact)
    contact_end = np.where(np.isnan(a["ended"][ev_contact]), a["t"][ev_contact], a["ended"][ev_contact])
    delay = np.concatenate([ev_delay, lognormal(rng, 2 * DAY, 0.6, n_ev - len(ev_delay))])
    cal_delay = {}
    for i in np.flatnonzero(ev_type == "calibration"):  # a session meets at one time
        cal_delay.setdefault(ev_session[i], delay[i])
        delay[i] = cal_delay[ev_session[i]] + rng.uniform(0, 1800)
    evaluated = np.round(contact_end + delay)
    keep = evaluated < end
    ev_contact, ev_type, ev_evaluator, ev_session, evaluated = (x[keep] for x in (ev_contact, ev_type, ev_evaluator,
                                                                                  ev_session, evaluated))
    n_ev = len(ev_contact)
    order = np.lexsort((ev_evaluator, evaluated))
    ev_contact, ev_type, ev_evaluator, ev_session, evaluated = (x[order] for x in (ev_contact, ev_type, ev_evaluator,
                                                                                   ev_session, evaluated))
    ev_agent = a["agent"][ev_contact]
    evaluation_ids = ids("QE", np.arange(1, n_ev + 1), 7)

    # Items: the truth of each (contact, item) is shared by every evaluator of the contact.
    items = world.ref.qa_items
    pf_item, pf_queue = process_failure(world)
    queue_names = np.array(cs.queue_names, dtype=object)
    ev_queue = np.where(a["queue"][ev_contact] >= 0, queue_names[np.maximum(a["queue"][ev_contact], 0)], None)
    ev_reason = np.where(a["reason"][ev_contact] >= 0, codes[np.maximum(a["reason"][ev_contact], 0)], None)
    ev_day = clock.local_day(a["t"][ev_contact])
    # Agent habits: each agent skips a few non-critical items far more often than the others (a coaching
    # case, special cause), QA_HABIT_SHARE of the (agent, item) pairs, QA_HABIT_MULTIPLIER times the fail rate.
    habit = np.where((rng.random((len(people), len(items))) < P.QA_HABIT_SHARE)
                     & (np.array([i["error_class"] == "non_critical" for i in items])[None, :]),
                     P.QA_HABIT_MULTIPLIER, 1.0)
    agent_mult = people.qa_multiplier[ev_agent] * np.where(
        clock.local_day(a["t"][ev_contact]) - people.production_day[ev_agent] < P.NEW_AGENT_DAYS,
        P.QA_NEW_AGENT_MULTIPLIER, 1.0)
    promised = ~np.isnan(a["promise"][ev_contact])
    broken = callback_broken(world, ev_contact)
    voice = a["channel"][ev_contact] == VOICE
    hold = np.nan_to_num(a["hold"][ev_contact]) > 0
    # One truth per contact: draw uniforms per contact, not per evaluation.
    uniq, inverse = np.unique(ev_contact, return_inverse=True)
    truth_u = rng.random((len(uniq), len(items)))[inverse]
    na_u = rng.random((len(uniq), len(items)))[inverse]
    harsh_eval = ev_evaluator == harsh
    results = np.empty((n_ev, len(items)), dtype=object)
    true_fail = np.zeros((n_ev, len(items)), dtype=bool)
    false_fail = np.zeros((n_ev, len(items)), dtype=bool)
    noise = rng.random((n_ev, len(items)))
    for j, item in enumerate(items):
        code, klass = item["item_code"], item["error_class"]
        p_fail = np.minimum(0.9, P.QA_ITEM_FAIL_RATE[klass] * agent_mult * habit[ev_agent, j])
        if code == pf_item:
            broken_process = (ev_queue == pf_queue) & (ev_day < P.QA_PROCESS_FAILURE_FIXED_DAY)
            p_fail = np.where(broken_process, np.maximum(p_fail, P.QA_PROCESS_FAILURE_RATE), p_fail)
        na = np.zeros(n_ev, dtype=bool)
        if code == "callback_commitment_kept":
            na = ~promised
            p_fail = np.where(broken, 1.0, p_fail)
        elif code == "upsell_compliance":
            na = ~np.isin(ev_reason, SALES_REASONS) & (na_u[:, j] < 0.9)
        elif code == "complaint_logged":
            na = (ev_reason != "complaint") & (na_u[:, j] < 0.85)
        elif code == "hold_etiquette":
            na = ~(voice & hold)
        elif code == "bot_context_used":
            na = ~a["bot_handled"][ev_contact] & (na_u[:, j] < 0.5)
        elif code == "correct_escalation":
            na = (a["ticket"][ev_contact] < 0) & (na_u[:, j] < 0.7)
        fails = truth_u[:, j] < p_fail
        false_fail_p = np.where(harsh_eval, P.QA_HARSH_FALSE_FAIL[klass == "non_critical"], P.QA_EVALUATOR_FALSE_FAIL)
        observed_fail = np.where(fails, noise[:, j] >= P.QA_EVALUATOR_MISSED_FAIL, noise[:, j] < false_fail_p)
        results[:, j] = np.where(na, "na", np.where(observed_fail, "fail", "pass"))
        true_fail[:, j] = fails & ~na
        false_fail[:, j] = observed_fail & ~fails & ~na
    item_codes = np.array([i["item_code"] for i in items], dtype=object)
    evaluations = Frame({
        "evaluation_id": evaluation_ids,
        "contact_id": cs.contact_id[ev_contact],
        "agent_id": people.agent_id[ev_agent],
        "evaluator_id": people.agent_id[ev_evaluator],
        "evaluated_at": clock.fmt(evaluated, offset=False),
        "sample_type": ev_type,
        "calibration_session_id": ev_session,
        "form_version": np.full(n_ev, world.ref.form_version, dtype=object),
    }, clock.local_day(evaluated))
    item_rows = Frame({
        "evaluation_id": np.repeat(evaluation_ids, len(items)),
        "item_code": np.tile(item_codes, n_ev),
        "result": results.ravel(),
    }, np.repeat(clock.local_day(evaluated), len(items)))

    # Disputes: agents contest evaluations with a fail, above all when the fail was false.
    is_fail = results == "fail"
    any_fail = is_fail.any(axis=1) & (ev_type != "calibration")
    any_false = false_fail.any(axis=1)
    p_dispute = np.where(any_false, P.DISPUTE_RATE_FALSE_FAIL, P.DISPUTE_RATE_TRUE_FAIL)
    disputed = np.flatnonzero(any_fail & (rng.random(n_ev) < p_dispute))
    k = len(disputed)
    contested = np.empty(k, dtype=object)
    contested_false = np.zeros(k, dtype=bool)
    for m, e in enumerate(disputed):
        candidates = np.flatnonzero(false_fail[e]) if any_false[e] else np.flatnonzero(is_fail[e])
        j = candidates[rng.integers(0, len(candidates))]
        contested[m] = item_codes[j]
        contested_false[m] = false_fail[e, j]
    whole = rng.random(k) < 0.2
    contested[whole] = None
    raised = np.round(evaluated[disputed] + lognormal(rng, 20 * HOUR, 0.6, k))
    late = rng.random(k) < P.DISPUTE_LATE_SHARE
    decide_after = np.where(late, rng.uniform(73, 240, k) * HOUR, np.minimum(lognormal(rng, 24 * HOUR, 0.5, k), 71 * HOUR))
    decided = np.round(raised + decide_after)
    u = rng.random(k)
    over_p = np.where(contested_false, P.OVERTURN_FALSE_FAIL, P.OVERTURN_TRUE_FAIL)
    status = np.where(u < over_p, "overturned",
                      np.where(u < over_p + 0.05, "partially_overturned", "upheld")).astype(object)
    status[rng.random(k) < 0.05] = "withdrawn"
    still_open = decided >= end
    status[still_open] = "open"
    keep = raised < end
    arbiters = np.flatnonzero(np.isin(people.role, ["qa_lead", "manager"]))
    decided_by = people.agent_id[arbiters[np.where(rng.random(k) < 0.8, 0, len(arbiters) - 1)]]
    decided_by = np.where(still_open, None, decided_by)
    decided_at = np.where(still_open | (status == "withdrawn"), np.nan, decided)
    decided_by = np.where(status == "withdrawn", None, decided_by)
    sel = np.flatnonzero(keep)
    disputes = Frame({
        "dispute_id": ids("QD", np.arange(1, len(sel) + 1), 6),
        "evaluation_id": evaluation_ids[disputed[sel]],
        "item_code": contested[sel],
        "raised_at": clock.fmt(raised[sel], offset=False),
        "raised_by": people.agent_id[ev_agent[disputed[sel]]],
        "status": status[sel],
        "decided_at": clock.fmt(decided_at[sel], offset=False),
        "decided_by": decided_by[sel],
    }, clock.local_day(raised[sel]))

    classes = ("customer_critical", "business_critical", "compliance_critical")
    item_class = np.array([i["error_class"] for i in items], dtype=object)
    rnd = ev_type == "random"
    realised = {}
    for klass in classes:
        cols = item_class == klass
        realised[klass] = round(float(1 - is_fail[rnd][:, cols].any(axis=1).mean()), 4) if rnd.any() else None
    harsh_rows = np.isin(disputed[sel], np.flatnonzero(harsh_eval))
    decided_rows = np.isin(status[sel], ["overturned", "partially_overturned", "upheld"])
    over_rows = np.isin(status[sel], ["overturned", "partially_overturned"])
    world.qa_state = {"evaluated_contacts": ev_contact, "process_failure": (pf_item, pf_queue)}
    world.truth["qa"] = {
        "item_fail_rate_by_error_class": P.QA_ITEM_FAIL_RATE,
        "items_by_error_class": {c: item_codes[item_class == c].tolist() for c in sorted(set(item_class))},
        "weak_agent_multiplier": P.QA_WEAK_AGENT_MULTIPLIER,
        "new_agent_multiplier": P.QA_NEW_AGENT_MULTIPLIER,
        "expected_accuracy_average_agent_fair_evaluator": {
            c: round(float(np.prod([1 - P.QA_ITEM_FAIL_RATE[c] * (1 - P.QA_EVALUATOR_MISSED_FAIL)
                                    - (1 - P.QA_ITEM_FAIL_RATE[c]) * P.QA_EVALUATOR_FALSE_FAIL
                                    for _ in range(int((item_class == c).sum()))])), 4) for c in classes},
        "realised_accuracy_random_samples": realised,
        "process_wide_failure": {"item_code": pf_item, "queue": pf_queue, "fail_rate": P.QA_PROCESS_FAILURE_RATE,
                                 "fixed_on": clock.fmt_date(np.array([float(P.QA_PROCESS_FAILURE_FIXED_DAY)]))[0]
                                 if P.QA_PROCESS_FAILURE_FIXED_DAY < clock.days else None,
                                 "note": "spread over every agent of the queue: a process/system root cause; "
                                         "contacts from `fixed_on` on (the planted process_change action is done) "
                                         "no longer fail it"},
        "agent_habits": {"share_of_agent_non_critical_items": P.QA_HABIT_SHARE,
                         "fail_rate_multiplier": P.QA_HABIT_MULTIPLIER,
                         "note": "special causes: coaching cases in rpt_qa_root_causes"},
        "harsh_evaluator": str(people.agent_id[harsh]),
        "evaluator_false_fail_rate": P.QA_EVALUATOR_FALSE_FAIL,
        "harsh_evaluator_false_fail_rate": P.QA_HARSH_FALSE_FAIL[False],
        "harsh_evaluator_false_fail_rate_non_critical": P.QA_HARSH_FALSE_FAIL[True],
        "harsh_evaluator_note": "false_fail_rate applies to critical items, the _non_critical rate to the "
                                "subjective non-critical items (tone, empathy, closing), where he is harshest",
        "evaluator_missed_fail_rate": P.QA_EVALUATOR_MISSED_FAIL,
        "random_sample": "per queue x local month of handled contacts: the sampling plan's required n "
                         "(rpt_qa_sampling_plan: z, margin and p from seeds metric_targets, finite-population "
                         f"correction) plus {P.QA_RANDOM_SAMPLE_MARGIN:.0%}, among contacts evaluable before the "
                         "data ends",
        "random_sample_required_n": {f"{world.contacts.queue_names[q]} {m // 12}-{m % 12 + 1:02d}": list(v)
                                     for (q, m), v in sorted(random_sample_sizes(world).items())},
        "calibration_sessions": int(len(set(ev_session[ev_session != None]))),  # noqa: E711
        "dispute_rate": {"true_fail": P.DISPUTE_RATE_TRUE_FAIL, "false_fail": P.DISPUTE_RATE_FALSE_FAIL},
        "overturn_probability": {"true_fail": P.OVERTURN_TRUE_FAIL, "false_fail": P.OVERTURN_FALSE_FAIL},
        "late_decision_share": P.DISPUTE_LATE_SHARE,
        "decision_target_hours": 72,
        "evaluations": int(n_ev),
        "disputes": int(len(sel)),
        "overturn_rate_harsh_evaluator": round(float(over_rows[harsh_rows].sum() / max(1, decided_rows[harsh_rows].sum())), 4),
        "overturn_rate_other_evaluators": round(float(over_rows[~harsh_rows].sum() / max(1, decided_rows[~harsh_rows].sum())), 4),
    }
    return evaluations, item_rows, disputes


def build_actions(world: World) -> Frame:
    """The closed loop: actions opened from QA, surveys, complaints and analyses (the planted findings among
    them), with status and closing dates."""
    rng = world.rng("actions")
    clock, truth = world.clock, world.truth
    end_day = clock.days
    pf_item, pf_queue = world.qa_state["process_failure"]
    items = {i["item_code"] for i in world.ref.qa_items}
    queues = set(world.contacts.queue_names)
    reasons = set(world.ref.reason_codes)
    known = lambda value, vocabulary: value if value in vocabulary else None  # noqa: E731  (seeds are editable)
    planted = [
        ("qa", "process", "process_change", pf_item, pf_queue, None),  # the planted process-wide failure
        ("qa", "agent", "coaching", known("courtesy_tone", items), None, None),
        ("survey", "system", "product_iteration", None, None, None),   # long IVR: menu redesign
        ("complaint", "process", "loss_control", None, None, known("complaint", reasons)),
        ("analysis", "knowledge", "quick_win", None, known("tech_support", queues), known("technical_issue", reasons)),
    ]
    n_random = max(3, int(end_day / 7))
    sources = np.array(["qa", "survey", "complaint", "analysis"], dtype=object)
    causes = np.array(["process", "system", "knowledge", "training", "product", "agent"], dtype=object)
    types = np.array(["loss_control", "quick_win", "product_iteration", "process_change", "coaching"], dtype=object)
    items = sorted(items)
    rows = list(planted)
    for _ in range(n_random):
        rows.append((sources[rng.integers(0, 4)], causes[rng.integers(0, 6)], types[rng.integers(0, 5)],
                     items[rng.integers(0, len(items))] if rng.random() < 0.4 else None,
                     world.contacts.queue_names[rng.integers(0, len(world.contacts.queue_names))]
                     if rng.random() < 0.5 else None,
                     world.ref.reason_codes[rng.integers(0, len(world.ref.reason_codes))] if rng.random() < 0.4
                     else None))
    n = len(rows)
    opened_day = np.sort(rng.integers(0, max(1, end_day), n)).astype(float)
    opened_day[:len(planted)] = np.minimum(np.arange(len(planted)) * 3 + 5, max(0, end_day - 1))
    opened = clock.at(opened_day, rng.uniform(9, 17, n) * HOUR)
    duration = lognormal(rng, 20 * DAY, 0.7, n)
    closed = opened + duration
    # the planted process change goes live on QA_PROCESS_FAILURE_FIXED_DAY (the failure stops there)
    closed[0] = clock.at(np.array([float(P.QA_PROCESS_FAILURE_FIXED_DAY)]), np.array([10 * HOUR]))[0]
    u = rng.random(n)
    done = closed < clock.end_utc
    status = np.where(done, np.where(u < 0.85, "done", "dropped"),
                      np.where(u < 0.5, "in_progress", "open")).astype(object)
    status[0] = "done" if done[0] else "in_progress"
    closed = np.where(done, closed, np.nan)
    col = list(zip(*rows))
    order = np.argsort(opened, kind="stable")
    frame = Frame({
        "action_id": ids("IA", np.arange(1, n + 1), 5),
        "opened_at": clock.fmt(opened[order], offset=False),
        "source": np.array(col[0], dtype=object)[order],
        "root_cause": np.array(col[1], dtype=object)[order],
        "action_type": np.array(col[2], dtype=object)[order],
        "item_code": np.array(col[3], dtype=object)[order],
        "queue": np.array(col[4], dtype=object)[order],
        "reason_code": np.array(col[5], dtype=object)[order],
        "status": status[order],
        "closed_at": clock.fmt(closed[order], offset=False),
    }, opened_day[order])
    truth["improvement_actions"] = {"actions": int(n), "planted": [
        {"source": r[0], "root_cause": r[1], "action_type": r[2], "item_code": r[3], "queue": r[4],
         "reason_code": r[5]} for r in planted]}
    return frame
