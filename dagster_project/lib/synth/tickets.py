"""Tickets created from contacts, and their event histories.

A handled contact opens a ticket with a probability by reason (always for e-mail); a later contact of the
same customer about the same reason (a repeat, a callback) joins the parent's ticket, and if the ticket was
already solved that contact reopens it (solved -> open). Each ticket then goes new -> open (first response)
-> (pending -> open) -> (hold -> open) -> solved -> (open -> solved) -> closed (auto-close after 3-4 days),
with assignments, priority escalations and comments; what lies after the end of the data is cut off.
Planted: resolution time by priority (urgent: median 2.7 h, so about 70 % within the 4 h target).
"""
from __future__ import annotations

import numpy as np

from dagster_project.lib.synth import params as P
from dagster_project.lib.synth.clock import DAY, HOUR, MINUTE
from dagster_project.lib.synth.contacts import CHANNEL_NAMES, VOICE
from dagster_project.lib.synth.world import LazyFrame, World, ids, lognormal

PRIORITIES = np.array(["urgent", "high", "normal", "low"], dtype=object)
# (first response median minutes, resolution median hours) by priority; lognormal sigma below.
FIRST_RESPONSE_MEDIAN_MINUTES = np.array([6.0, 25.0, 90.0, 240.0])
RESOLUTION_MEDIAN_HOURS = np.array([2.7, 6.0, 14.0, 30.0])
RESOLUTION_SIGMA = 0.7
PRIORITY_BY_REASON = {  # P(urgent, high, normal, low)
    "fraud_report": (0.80, 0.15, 0.05, 0.0), "card_lost": (0.60, 0.30, 0.10, 0.0),
    "complaint": (0.05, 0.50, 0.45, 0.0), "billing_dispute": (0.0, 0.30, 0.65, 0.05),
    "technical_issue": (0.05, 0.25, 0.60, 0.10), "cancellation": (0.0, 0.35, 0.60, 0.05),
    "general_inquiry": (0.0, 0.0, 0.60, 0.40), "address_change": (0.0, 0.0, 0.60, 0.40),
}
PRIORITY_DEFAULT = (0.0, 0.10, 0.75, 0.15)
GROUP_BY_CATEGORY = {
    "billing": "billing_ops", "security": "security_ops", "account": "account_services", "sales": "sales_ops",
    "technical": "tech_tier2", "fulfilment": "fulfilment", "retention": "retention_team",
    "complaint": "complaints_team", "general": "customer_care",
}
PENDING_SHARE, HOLD_SHARE, ESCALATION_SHARE, REASSIGN_SHARE, RANDOM_REOPEN = 0.35, 0.08, 0.08, 0.20, 0.03


def link_tickets(world: World) -> None:
    """Decide which contacts open or join a ticket (sets contacts.a['ticket'])."""
    rng = world.rng("tickets")
    a = world.contacts.a
    table = P.reason_table(world.ref.reason_codes)
    p_ticket = np.array([table[c][3] for c in world.ref.reason_codes])
    n = len(a["t"])
    ticket = np.full(n, -1, dtype=np.int64)
    inbound = ~a["outbound"]
    eligible = a["handled"] & inbound & (a["reason"] >= 0)
    p = np.where(eligible, p_ticket[np.maximum(a["reason"], 0)] * np.where(a["resolved"], 0.8, 1.3), 0.0)
    p = np.where(eligible & (a["channel"] == 2), 1.0, np.minimum(p, 0.95))  # every e-mail is a ticket
    opens = rng.random(n) < p
    parent = a["parent"]
    next_id = 0
    for g in range(int(a["gen"].max()) + 1):
        idx = np.flatnonzero(a["gen"] == g)
        par = parent[idx]
        joins = (par >= 0) & (ticket[np.maximum(par, 0)] >= 0) & (
            (a["reason"][idx] == a["reason"][np.maximum(par, 0)]) | a["outbound"][idx])
        ticket[idx[joins]] = ticket[par[joins]]
        new = idx[~joins & opens[idx]]
        ticket[new] = next_id + np.arange(len(new))
        next_id += len(new)
    # Only contacts that reached a person (or a callback) carry the ticket id.
    carries = a["handled"] | a["outbound"]
    ticket[~carries] = -1
    a["ticket"] = ticket


def build_tickets(world: World) -> tuple[LazyFrame, LazyFrame]:
    rng = world.rng("ticket_events")
    a, clock, people = world.contacts.a, world.clock, world.people
    end = clock.end_utc
    ticket = a["ticket"]
    has = np.flatnonzero(ticket >= 0)
    # The creating contact is the first contact of each ticket.
    order = has[np.lexsort((a["t"][has], ticket[has]))]
    first = order[np.r_[True, ticket[order][1:] != ticket[order][:-1]]]
    n = len(first)
    tid = ticket[first]
    created = np.where(a["channel"][first] == VOICE, a["ended"][first], a["answered"][first] + 30)
    created = np.round(created)
    keep_ticket = created < end
    # Tickets created after the data ended are not in the export; their contacts lose the link.
    dropped = set(tid[~keep_ticket].tolist())
    if dropped:
        lost = np.isin(ticket, list(dropped))
        ticket[lost] = -1
    first, tid, created = first[keep_ticket], tid[keep_ticket], created[keep_ticket]
    n = len(first)
    # Renumber tickets in order of creation: T00000001, ...
    by_time = np.argsort(created, kind="stable")
    first, tid, created = first[by_time], tid[by_time], created[by_time]
    number = np.full(int(ticket.max()) + 1 if len(ticket) and ticket.max() >= 0 else 0, -1, dtype=np.int64)
    number[tid] = np.arange(n)
    a["ticket"] = np.where(ticket >= 0, number[np.maximum(ticket, 0)], -1)
    ticket_ids = ids("T", np.arange(1, n + 1), 8)
    world.contacts.ticket_ids = ticket_ids

    reason = a["reason"][first]
    codes = world.ref.reason_codes
    categories = np.array([r["category"] for r in world.ref.reasons], dtype=object)
    prio_p = np.array([PRIORITY_BY_REASON.get(c, PRIORITY_DEFAULT) for c in codes])
    cumulative = np.cumsum(prio_p / prio_p.sum(axis=1, keepdims=True), axis=1)[reason]
    prio = np.minimum((rng.random(n)[:, None] > cumulative).sum(axis=1), 3)
    group = np.array([GROUP_BY_CATEGORY.get(c, "customer_care") for c in categories[reason]], dtype=object)
    frt = np.round(lognormal(rng, FIRST_RESPONSE_MEDIAN_MINUTES[prio] * MINUTE, 0.8, n))
    resolution = np.round(lognormal(rng, RESOLUTION_MEDIAN_HOURS[prio] * HOUR, RESOLUTION_SIGMA, n))
    t_open = created + frt
    t_solve = np.maximum(created + resolution, t_open + 300)
    span = t_solve - t_open
    pending = rng.random(n) < np.where(prio == 0, 0.10, PENDING_SHARE)
    hold = rng.random(n) < HOLD_SHARE
    p1 = t_open + np.round(span * rng.uniform(0.10, 0.30, n))
    p2 = t_open + np.round(span * rng.uniform(0.35, 0.50, n))
    h1 = t_open + np.round(span * rng.uniform(0.55, 0.70, n))
    h2 = t_open + np.round(span * rng.uniform(0.75, 0.90, n))
    # Reopen: the first linked contact after the solve (and before the close) reopens the ticket.
    close_after = np.round(rng.uniform(72, 96, n) * HOUR)
    linked = np.flatnonzero(a["ticket"] >= 0)
    l_ticket = a["ticket"][linked]
    l_time = a["t"][linked]
    later = linked[(l_time > t_solve[l_ticket]) & (l_time < t_solve[l_ticket] + close_after[l_ticket])]
    reopen = np.full(n, np.nan)
    if len(later):
        np.fmin.at(reopen, a["ticket"][later], a["t"][later])
    random_reopen = np.isnan(reopen) & (rng.random(n) < RANDOM_REOPEN)
    reopen[random_reopen] = t_solve[random_reopen] + np.round(rng.uniform(2 * HOUR, 6 * DAY, random_reopen.sum()))
    reopened = ~np.isnan(reopen)
    solve2 = reopen + np.round(lognormal(rng, RESOLUTION_MEDIAN_HOURS[prio] * HOUR / 2, RESOLUTION_SIGMA, n))
    final_solve = np.where(reopened, solve2, t_solve)
    t_close = final_solve + close_after

    agent_of = a["agent"][first]
    backoffice = people.production[people.pool[people.production] == "digital"]
    if len(backoffice) == 0:
        backoffice = people.production
    worker = backoffice[rng.integers(0, len(backoffice), n)]
    worker = np.where(a["channel"][first] == 2, agent_of, worker)  # e-mail: the agent who answered

    # Events are assembled as integer codes (vocabulary below) and turned into text once, at the end.
    vocab = ["new", "open", "pending", "hold", "solved", "closed"] + PRIORITIES.tolist() + sorted(
        set(GROUP_BY_CATEGORY.values()) | {"customer_care"})
    code = {v: k for k, v in enumerate(vocab)}
    types = np.array(["created", "assignment", "status_change", "comment", "priority_change"], dtype=object)
    t_code = {v: k for k, v in enumerate(types)}
    SYSTEM = -1
    group_code = np.array([code[g] for g in group], dtype=np.int64)
    ev = {k: [] for k in ("ticket", "t", "type", "from", "to", "actor", "public", "order")}

    def add(mask, t, etype, frm, to, actor, public, order_key):
        idx = np.flatnonzero(mask)
        ev["ticket"].append(idx)
        ev["t"].append(np.asarray(t, dtype=np.float64)[idx])
        ev["type"].append(np.full(len(idx), t_code[etype], dtype=np.int8))
        for key, value in (("from", frm), ("to", to)):
            if isinstance(value, np.ndarray):
                ev[key].append(value[idx])
            else:
                ev[key].append(np.full(len(idx), -1 if value is None else code[value], dtype=np.int64))
        ev["actor"].append(actor[idx] if isinstance(actor, np.ndarray) else np.full(len(idx), actor, dtype=np.int64))
        ev["public"].append(np.full(len(idx), public, dtype=np.int8))
        ev["order"].append(np.full(len(idx), order_key, dtype=np.int8))

    everyone = np.ones(n, dtype=bool)
    actor_first = np.where(agent_of >= 0, agent_of, SYSTEM)
    add(everyone, created, "created", None, "new", actor_first, -1, 0)
    assign_at = created + np.round(rng.uniform(1, 20, n) * MINUTE)
    assign_at = np.minimum(assign_at, t_open - 1)
    add(everyone, assign_at, "assignment", None, group_code, SYSTEM, -1, 1)
    add(everyone, t_open, "status_change", "new", "open", worker, -1, 2)
    add(everyone, t_open, "comment", None, None, worker, 1, 3)
    escalate = (rng.random(n) < ESCALATION_SHARE) & (prio > 0)
    esc_at = t_open + np.round(span * rng.uniform(0.02, 0.08, n))
    prio_code = np.array([code[p] for p in PRIORITIES])
    add(escalate, esc_at, "priority_change", prio_code[prio], prio_code[np.maximum(prio - 1, 0)], worker, -1, 4)
    add(pending, p1, "status_change", "open", "pending", worker, -1, 5)
    add(pending, p2, "status_change", "pending", "open", worker, -1, 6)
    add(hold, h1, "status_change", "open", "hold", worker, -1, 7)
    add(hold, h2, "status_change", "hold", "open", worker, -1, 8)
    reassign = rng.random(n) < REASSIGN_SHARE
    groups = np.array(sorted(set(GROUP_BY_CATEGORY.values())), dtype=object)
    other_code = np.array([code[g] for g in groups])[rng.integers(0, len(groups), n)]
    add(reassign & (other_code != group_code), t_open + np.round(span * 0.52), "assignment", group_code, other_code,
        worker, -1, 9)
    n_internal = rng.integers(0, 3, n)
    for k in range(2):
        add(n_internal > k, t_open + np.round(span * rng.uniform(0.05, 0.95, n)), "comment", None, None, worker, 0, 10)
    add(everyone, t_solve, "comment", None, None, worker, 1, 11)
    add(everyone, t_solve, "status_change", "open", "solved", worker, -1, 12)
    add(reopened, reopen, "status_change", "solved", "open", SYSTEM, -1, 13)
    add(reopened, solve2, "status_change", "open", "solved", worker, -1, 14)
    add(everyone, t_close, "status_change", "solved", "closed", SYSTEM, -1, 15)
    # Contacts that join the ticket while it is open leave an internal note by their agent.
    joined = linked[(a["t"][linked] > created[a["ticket"][linked]]) & (a["t"][linked] < final_solve[a["ticket"][linked]])]
    joined = joined[~np.isin(joined, first)]
    if len(joined):
        note_at = np.round(np.where(np.isnan(a["ended"][joined]), a["t"][joined], a["ended"][joined]))
        ev["ticket"].append(a["ticket"][joined])
        ev["t"].append(note_at)
        ev["type"].append(np.full(len(joined), t_code["comment"], dtype=np.int8))
        ev["from"].append(np.full(len(joined), -1, dtype=np.int64))
        ev["to"].append(np.full(len(joined), -1, dtype=np.int64))
        ev["actor"].append(np.where(a["agent"][joined] >= 0, a["agent"][joined], SYSTEM))
        ev["public"].append(np.zeros(len(joined), dtype=np.int8))
        ev["order"].append(np.full(len(joined), 10, dtype=np.int8))
    e = {k: np.concatenate(v) for k, v in ev.items()}
    e["t"] = np.round(e["t"])
    in_data = e["t"] < end
    order = np.flatnonzero(in_data)
    order = order[np.lexsort((e["order"][order], e["t"][order], e["ticket"][order]))]
    e = {k: v[order] for k, v in e.items()}
    vocab_arr = np.array(vocab + [None], dtype=object)  # code -1 -> None
    e_type = types[e["type"]]
    e_from = vocab_arr[e["from"]]
    e_to = vocab_arr[e["to"]]
    actor_ids = np.append(people.agent_id, "system").astype(object)  # index -1 -> "system"
    e_actor = actor_ids[e["actor"]]
    e_public = np.array(["false", "true", None], dtype=object)[e["public"]]

    # Current state at the end of the data: the last status reached.
    status = np.full(n, "new", dtype=object)
    is_status = e_type == "status_change"
    status[e["ticket"][is_status]] = e_to[is_status]  # sorted by time: the last one wins
    solved_at = np.full(n, np.nan)
    closed_at = np.full(n, np.nan)
    solve_ev = np.flatnonzero(is_status & (e_to == "solved"))
    solved_at[e["ticket"][solve_ev]] = e["t"][solve_ev]  # the latest solve (sorted by time)
    close_ev = np.flatnonzero(is_status & (e_to == "closed"))
    closed_at[e["ticket"][close_ev]] = e["t"][close_ev]
    final_prio = prio.copy()
    esc_done = e_type == "priority_change"
    final_prio[e["ticket"][esc_done]] = np.maximum(prio[e["ticket"][esc_done]] - 1, 0)

    customer_id, channel = world.contacts.customers.customer_id, CHANNEL_NAMES[a["channel"][first]]
    identified, cust = a["identified"][first], a["customer"][first]
    codes_arr = np.array(codes, dtype=object)

    def ticket_text(rows: np.ndarray) -> dict[str, np.ndarray]:
        return {
            "ticket_id": ticket_ids[rows],
            "customer_id": np.where(identified[rows], customer_id(cust[rows]), None),
            "created_at": clock.fmt(created[rows], offset=False),
            "channel": channel[rows],
            "priority": PRIORITIES[final_prio[rows]],
            "reason_code": codes_arr[reason[rows]],
            "status": status[rows],
            "assignee_group": group[rows],
            "solved_at": clock.fmt(solved_at[rows], offset=False),
            "closed_at": clock.fmt(closed_at[rows], offset=False),
        }

    def event_text(rows: np.ndarray) -> dict[str, np.ndarray]:
        return {
            "event_id": ids("E", rows + 1, 10),
            "ticket_id": ticket_ids[e["ticket"][rows]],
            "event_at": clock.fmt(e["t"][rows], offset=False),
            "event_type": e_type[rows],
            "from_value": e_from[rows],
            "to_value": e_to[rows],
            "actor_id": e_actor[rows],
            "is_public": e_public[rows],
        }

    tickets = LazyFrame(ticket_text, clock.local_day(created))
    events = LazyFrame(event_text, clock.local_day(e["t"]))
    world.ticket_state = {"created": created, "priority_at_creation": prio, "solved_first": t_solve,
                          "reopened": reopened & (reopen < end), "first_contact": first}
    urgent = prio == 0
    world.truth["tickets"] = {
        "priority_by_reason": {c: dict(zip(PRIORITIES.tolist(), PRIORITY_BY_REASON.get(c, PRIORITY_DEFAULT)))
                               for c in codes},
        "first_response_median_minutes": dict(zip(PRIORITIES.tolist(), FIRST_RESPONSE_MEDIAN_MINUTES.tolist())),
        "resolution_median_hours": dict(zip(PRIORITIES.tolist(), RESOLUTION_MEDIAN_HOURS.tolist())),
        "resolution_lognormal_sigma": RESOLUTION_SIGMA,
        "urgent_resolved_within_4h_planted_probability": round(float(
            _lognormal_cdf(4.0, RESOLUTION_MEDIAN_HOURS[0], RESOLUTION_SIGMA)), 4),
        "urgent_resolved_within_4h_realised": round(float(((t_solve - created)[urgent] <= 4 * HOUR).mean()), 4)
        if urgent.any() else None,
        "pending_share": PENDING_SHARE, "hold_share": HOLD_SHARE, "escalation_share": ESCALATION_SHARE,
        "random_reopen_share": RANDOM_REOPEN,
        "reopen_rule": "a later contact linked to the ticket after its solve (or a random 3 %) reopens it: "
                       "status_change solved -> open",
        "tickets": int(n),
        "tickets_reopened": int((reopened & (reopen < end)).sum()),
    }
    return tickets, events


def _lognormal_cdf(x: float, median: float, sigma: float) -> float:
    from math import erf, log, sqrt
    return 0.5 * (1 + erf(log(x / median) / (sigma * sqrt(2))))
