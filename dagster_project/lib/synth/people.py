"""HR: the roster (agents, team leads, QA), hires by source, terminations, training classes.

Planted: hires from an agency leave more often within 90 days (ATTRITION_90D_BY_SOURCE); one new-hire class
(the "weak class") scores lower in its assessment and its graduates perform worse in their first 30 days in
production; a few tenured voice agents are weak (more repeat contacts, more QA fails, faster calls).
"""
from __future__ import annotations

import math
from datetime import date
from dataclasses import dataclass

import numpy as np

from dagster_project.lib.synth import params as P
from dagster_project.lib.synth.world import Frame, World, choice_index, ids, text

SITES = ("new_york", "tampa", "remote")
SITE_WEIGHTS = (0.5, 0.35, 0.15)
DIGITAL = "digital"  # the pool of agents that handle chat, messaging, e-mail and bot escalations
# Days off (pairs of weekdays, 0 = Monday) and their weights: most agents are off at the weekend.
DAYS_OFF = ((5, 6), (6, 0), (1, 2), (2, 3), (3, 4))
DAYS_OFF_WEIGHTS = (0.42, 0.12, 0.18, 0.06, 0.22)  # staff per weekday follows the weekday need
# Full-time shifts are 8.5 h (the last one ends at closing time); part-time shifts are 5 h and cover the
# morning peak. Start times and the part-time share were fitted (least squares) so that scheduled
# coverage follows the intraday volume.
SHIFT_SECONDS = 8.5 * 3600
PART_TIME_SECONDS = 5 * 3600
PART_TIME_SHARE = 0.35
SHIFT_STARTS = tuple(int(h * 3600) for h in (7, 7.5, 8, 8.5, 9, 9.5, 10, 11, 12, 13, 13.5))
SHIFT_WEIGHTS = (0.08, 0.05, 0.09, 0.07, 0.07, 0.06, 0.05, 0.03, 0.15, 0.10, 0.25)
PART_TIME_STARTS = (7 * 3600, 8 * 3600)
PART_TIME_WEIGHTS = (0.65, 0.35)
COVERAGE_STARTS = (7 * 3600, int(13.5 * 3600))  # the first agents of each pool open and close the queue


@dataclass
class People:
    agent_id: np.ndarray          # object
    role: np.ndarray              # object: agent / team_lead / qa / qa_lead / manager
    pool: np.ndarray              # object: a voice queue, 'digital', or None (does not take contacts)
    hired_day: np.ndarray         # float, local day index (0 = start date)
    production_day: np.ndarray    # float, NaN = never in production
    terminated_day: np.ndarray    # float, NaN = still employed at the end of the data
    termination_type: np.ndarray  # object
    hire_source: np.ndarray       # object
    recruiter_id: np.ndarray      # object
    site: np.ndarray
    team_id: np.ndarray
    supervisor_id: np.ndarray
    class_index: np.ndarray       # int, -1 = no new-hire class in the data
    skill: np.ndarray             # latent, N(0, 1)
    weak: np.ndarray              # bool: planted weak agent
    repeat_multiplier: np.ndarray # planted multiplier of the repeat probability (before new-agent effects)
    resolve_multiplier: np.ndarray
    aht_multiplier: np.ndarray
    qa_multiplier: np.ndarray
    days_off: np.ndarray          # int (n, 2)
    shift_start: np.ndarray       # local seconds of day
    shift_seconds: np.ndarray     # 8.5 h full time, 5 h part time
    classes: list                 # dicts: class_id, start_day, program, weak, assessment_mean
    enrollments: dict             # arrays of the training_enrollments source

    def __len__(self) -> int:
        return len(self.agent_id)

    @property
    def production(self) -> np.ndarray:
        return np.flatnonzero(self.pool != None)  # noqa: E711  (object array comparison)


def _stratified(weights, m: int, rng) -> np.ndarray:
    """m category indices whose counts follow `weights` as closely as possible (random order)."""
    cumulative = np.cumsum(np.asarray(weights, dtype=float) / np.sum(weights))
    positions = (np.arange(m) + rng.random()) / max(m, 1)
    return rng.permutation(np.minimum(np.searchsorted(cumulative, positions, side="right"), len(weights) - 1))


def _systematic(weights, m: int, rng) -> np.ndarray:
    """m category indices whose counts follow `weights` as closely as possible, in category order (assign them
    to members in an order that spreads each pool over the range: see _interleaved)."""
    cumulative = np.cumsum(np.asarray(weights, dtype=float) / np.sum(weights))
    positions = (np.arange(m) + rng.random()) / max(m, 1)
    return np.minimum(np.searchsorted(cumulative, positions, side="right"), len(weights) - 1)


def _interleaved(members: np.ndarray, pool: np.ndarray, rng) -> np.ndarray:
    """members ordered so that every pool's agents are spread evenly over the sequence: by the fractional
    rank of the agent within its pool (random order within the pool, a random offset per pool)."""
    members = members[rng.permutation(len(members))]
    key = np.zeros(len(members))
    for p_name in sorted(set(pool[members].tolist()), key=str):  # sorted: set order varies by process
        mine = np.flatnonzero(pool[members] == p_name)
        key[mine] = (np.arange(len(mine)) + rng.random()) / len(mine)
    return members[np.argsort(key, kind="stable")]


def expected_queue_shares(world: World) -> dict[str, float]:
    """Share of voice contacts routed to each voice queue (reason mix, VIP customers)."""
    shares: dict[str, float] = {}
    reasons = P.reason_table(world.ref.reason_codes)
    total = sum(v[0] for v in reasons.values())
    vip = P.VIP_CUSTOMER_SHARE if P.VIP_QUEUE in world.ref.queues_of("voice") else 0.0
    for reason in world.ref.reasons:
        queue = voice_queue_for_category(world, reason["category"])
        shares[queue] = shares.get(queue, 0.0) + (1 - vip) * reasons[reason["reason_code"]][0] / total
    if vip:
        shares[P.VIP_QUEUE] = shares.get(P.VIP_QUEUE, 0.0) + vip
    return shares


def voice_queue_for_category(world: World, category: str) -> str:
    voice = world.ref.queues_of("voice")
    for candidate in P.CATEGORY_QUEUE.get(category, ()):
        if candidate in voice:
            return candidate
    return voice[0]


def erlang_c_service_level(agents: int, erlangs: float, threshold: float, aht: float) -> float:
    """Share of calls answered within `threshold` seconds by `agents` agents offered `erlangs` of traffic
    (Erlang C; Erlang B by its recursion). 0 when the queue is unstable (agents <= erlangs)."""
    if agents <= erlangs:
        return 0.0
    b = 1.0
    for k in range(1, agents + 1):
        b = erlangs * b / (k + erlangs * b)
    waits = agents * b / (agents - erlangs * (1 - b))
    return 1.0 - waits * math.exp(-(agents - erlangs) * threshold / aht)


def erlang_c_agents(calls_per_hour: float, aht: float, threshold: float, target: float) -> int:
    """The fewest agents that answer `target` of the calls within `threshold` seconds (Erlang C)."""
    erlangs = calls_per_hour * aht / 3600.0
    n = max(1, math.ceil(erlangs))
    while erlang_c_service_level(n, erlangs, threshold, aht) < target:
        n += 1
    return n


def _expected_voice_aht(world: World, reasons_of_pool=None) -> float:
    """Mean handle seconds of a call (talk + hold + wrap + transfer talk), from the planted medians."""
    table = P.reason_table(world.ref.reason_codes)
    weights = np.array([table[c][0] for c in world.ref.reason_codes])
    talk = np.array([table[c][5] for c in world.ref.reason_codes]) * math.exp(0.45 ** 2 / 2)
    if reasons_of_pool is not None:
        weights = weights * reasons_of_pool
    talk = float(np.sum(weights * talk) / max(np.sum(weights), 1e-9))
    return talk + P.HOLD_SHARE * 45 * math.exp(0.7 ** 2 / 2) + P.WRAP_MEDIAN_SECONDS * math.exp(0.5 ** 2 / 2) + 0.1 * 1.2 * 120


def staffing_need(world: World) -> dict[str, int]:
    """Headcount per pool (voice queues and 'digital') that the WFM team plans for the expected volume.

    Voice: the calls of the average weekday, hour by hour, through Erlang C at the planning goal
    (STAFFING_SERVICE_LEVEL within STAFFING_THRESHOLD_SECONDS), for all voice queues together (calls overflow
    between queues, so the queues behave as one pool), times STAFFING_FACTOR; the agent-hours are turned into
    headcount with the productive hours of a present agent-day and the share of days an agent is present,
    and split over the voice queues by their share of the calls (at least one agent each). Digital: the
    conversations' agent time at 1.6 concurrent conversations and TARGET_OCCUPANCY.
    """
    c = world.contacts_per_day
    shift_hours = (1 - PART_TIME_SHARE) * SHIFT_SECONDS / 3600 + PART_TIME_SHARE * PART_TIME_SECONDS / 3600
    net_hours = shift_hours - 0.9  # minus breaks, lunch, meetings, coaching
    presence = 5 / 7 * (1 - P.UNPLANNED_ABSENCE - P.TIME_OFF_SHARE)
    hourly = np.array(P.HOURLY_WEEKDAY) * 5 / 7 + np.array(P.HOURLY_WEEKEND) * 2 / 7
    hourly = hourly / hourly.sum()
    voice_calls = c * P.CHANNEL_SHARE["voice"] * P.VOICE_CALLS_REACHING_QUEUE
    aht = _expected_voice_aht(world)
    agent_hours = sum(erlang_c_agents(voice_calls * h, aht, P.STAFFING_THRESHOLD_SECONDS, P.STAFFING_SERVICE_LEVEL)
                      for h in hourly)
    voice_total = agent_hours * P.STAFFING_FACTOR / net_hours / presence
    need: dict[str, int] = {}
    for queue, share in expected_queue_shares(world).items():
        need[queue] = max(1, round(voice_total * share))
    digital_per_agent_day = net_hours * 3600 * P.TARGET_OCCUPANCY * 1.6 / 700.0
    digital_load = c * (P.CHANNEL_SHARE["chat"] + P.CHANNEL_SHARE["email"] + P.CHANNEL_SHARE["messaging"]
                        + 0.3 * P.CHANNEL_SHARE["bot"]) * 1.15
    need[DIGITAL] = max(2, math.ceil(digital_load / digital_per_agent_day / presence))
    return need


def build_people(world: World) -> People:
    rng = world.rng("people")
    clock, c = world.clock, world.contacts_per_day
    end_day = clock.days  # first day after the data

    # ---- how many agents the contact volume needs, per pool (Erlang C; see staffing_need)
    need = staffing_need(world)
    pools = list(need)
    pool_weights = np.array([need[p] for p in pools], dtype=float)
    total_need = int(pool_weights.sum())

    # ---- new-hire classes: sized to the center (hiring replaces attrition), every CLASS_EVERY_DAYS
    first_class = -P.CLASS_HISTORY_DAYS - ((-P.CLASS_HISTORY_DAYS + clock.start_date.weekday()) % 7)
    class_starts = np.arange(first_class, end_day - 7, P.CLASS_EVERY_DAYS)
    class_size = max(P.CLASS_SIZE_MIN, round(total_need * P.CLASS_SIZE_SHARE))
    # The weak class: its graduates start production as close as possible to the start of the data. It is
    # the large, rushed class of a hiring push (WEAK_CLASS_SIZE_FACTOR times the usual size).
    production_starts = class_starts + P.TRAINING_DAYS + 1
    weak_class = int(np.argmin(np.abs(production_starts - 1)))
    sizes = [max(P.WEAK_CLASS_SIZE_MIN, round(P.WEAK_CLASS_SIZE_FACTOR * class_size)) if k == weak_class
             else class_size for k in range(len(class_starts))]
    classes = []
    for k, start in enumerate(class_starts):
        start_date = clock.start_date.toordinal() + int(start)
        classes.append({
            "class_id": "NH-" + date.fromordinal(start_date).isoformat(),
            "start_day": int(start),
            "program": "new_hire",
            "weak": k == weak_class,
            "assessment_mean": P.WEAK_CLASS_ASSESSMENT_MEAN if k == weak_class else P.ASSESSMENT_MEAN,
            "size": sizes[k],
        })
    n_hires = int(sum(sizes))
    hire_class_of = np.repeat(np.arange(len(classes)), sizes)
    # Hires join the pools in proportion to the need (stratified: exact shares, random order).
    hire_pool = np.array(pools, dtype=object)[_stratified(pool_weights, n_hires, rng)]

    # ---- tenured production agents: the need not met by the hires expected in production at mid-data
    mid = end_day / 2
    in_production_mid = np.array([classes[k]["start_day"] + P.TRAINING_DAYS + 1 <= mid for k in hire_class_of])
    tenured_pool: list[str] = []
    for pool in pools:
        present = P.HIRE_SURVIVAL_AT_MID * np.sum(in_production_mid & (hire_pool == pool))
        tenured_pool += [pool] * max(P.TENURED_MIN_PER_POOL, round(need[pool] - present))
    n_tenured = len(tenured_pool)

    # ---- non-production staff
    n_production = n_tenured + n_hires
    n_leads = max(2, math.ceil(n_production / 12))
    n_qa = max(5, math.ceil(n_production / 25))
    roles = (["manager"] + ["team_lead"] * n_leads + ["qa_lead"] + ["qa"] * n_qa
             + ["agent"] * n_tenured + ["agent"] * n_hires)
    n = len(roles)
    role = np.array(roles, dtype=object)
    staff = np.arange(n) < 2 + n_leads + n_qa
    hire_class = np.full(n, -1, dtype=np.int64)
    hire_class[n - n_hires:] = hire_class_of
    is_hire = hire_class >= 0

    pool = np.full(n, None, dtype=object)
    tenured_idx = np.arange(2 + n_leads + n_qa, 2 + n_leads + n_qa + n_tenured)
    pool[tenured_idx] = tenured_pool
    pool[np.flatnonzero(is_hire)] = hire_pool

    # ---- hire dates and sources
    hired_day = np.full(n, np.nan)
    hired_day[~is_hire] = -np.floor(rng.uniform(365, 6 * 365, (~is_hire).sum()))
    hired_day[is_hire] = [classes[k]["start_day"] for k in hire_class[is_hire]]
    sources = list(world.ref.hire_sources)
    source_weights = np.array([P.HIRE_SOURCE_MIX.get(s, 0.05) for s in sources])
    hire_source = np.array(sources, dtype=object)[choice_index(rng, source_weights, n)]
    hire_source[(~is_hire) & (rng.random(n) < 0.25)] = None  # older HR records lack the source
    recruiters = {s: [f"R{10 * k + j:02d}" for j in range(1, 3)] for k, s in enumerate(sources, start=1)}
    recruiter_id = np.array(
        [recruiters[s][j] if s is not None else None for s, j in zip(hire_source, rng.integers(0, 2, n))],
        dtype=object,
    )

    # ---- training outcome, production start, terminations
    production_day = hired_day + P.TRAINING_DAYS + 1
    production_day[staff] = hired_day[staff] + P.TRAINING_DAYS + 1
    terminated_day = np.full(n, np.nan)
    termination_type = np.full(n, None, dtype=object)
    p90 = np.array([P.ATTRITION_90D_BY_SOURCE.get(s, P.ATTRITION_90D_DEFAULT) if s else 0.0
                    for s in hire_source])
    leaves_90 = is_hire & (rng.random(n) < p90)
    leave_after = np.floor(rng.uniform(7, 90, n))
    # The weak class also fails more trainees (involuntary exit at the end of training).
    in_weak_class = is_hire & (hire_class == weak_class)
    weak_fail = in_weak_class & ~leaves_90 & (rng.random(n) < P.WEAK_CLASS_EXTRA_FAIL)
    leaves_90 |= weak_fail
    leave_after[weak_fail] = P.TRAINING_DAYS
    terminated_day[leaves_90] = hired_day[leaves_90] + leave_after[leaves_90]
    in_training_exit = leaves_90 & (leave_after <= P.TRAINING_DAYS + 1)
    voluntary = (rng.random(n) < 0.65) & ~weak_fail
    termination_type[leaves_90] = np.where(voluntary[leaves_90], "voluntary", "involuntary")
    # Hires who stay past 90 days and tenured staff leave at a low monthly hazard.
    daily_hazard = P.MONTHLY_ATTRITION_TENURED / 30
    later = np.floor(rng.exponential(1 / daily_hazard, n))
    stay = ~leaves_90
    start_hazard = np.where(is_hire, hired_day + 90, np.maximum(hired_day, 0))
    late_leave = stay & ~staff & (start_hazard + later < end_day)
    terminated_day[late_leave] = (start_hazard + later)[late_leave]
    termination_type[late_leave] = np.where(voluntary[late_leave], "voluntary", "involuntary")
    # Tenured agents who would have left before the data are simply not on this roster.
    production_day[in_training_exit] = np.nan
    outcome = np.full(n, None, dtype=object)
    outcome[is_hire] = "graduated"
    outcome[in_training_exit] = np.where(termination_type[in_training_exit] == "voluntary", "withdrawn", "failed")
    class_end = hired_day + P.TRAINING_DAYS
    outcome[is_hire & (class_end >= end_day) & ~in_training_exit] = "in_progress"
    in_progress = outcome == "in_progress"
    production_day[in_progress] = np.nan  # not yet in production when the data ends
    future = ~np.isnan(terminated_day) & (terminated_day >= end_day)
    terminated_day[future] = np.nan
    termination_type[future] = None
    # A trainee still in class at the end of the data cannot have left after it.
    production_day[~np.isnan(production_day) & (production_day >= end_day)] = np.nan

    # ---- latent performance
    skill = rng.standard_normal(n)
    weak = np.zeros(n, dtype=bool)
    voice_tenured = tenured_idx[pool[tenured_idx] != DIGITAL]
    n_weak = max(2, round(P.WEAK_AGENT_SHARE * len(voice_tenured)))
    weak[rng.choice(voice_tenured, size=min(n_weak, len(voice_tenured)), replace=False)] = True
    repeat_multiplier = np.exp(-P.AGENT_SKILL_REPEAT_SLOPE * skill)
    repeat_multiplier[hire_source == "agency"] *= P.AGENCY_REPEAT_MULTIPLIER
    repeat_multiplier[weak] *= P.WEAK_REPEAT_MULTIPLIER
    resolve_multiplier = np.clip(np.exp(0.04 * skill), 0.9, 1.08)
    resolve_multiplier[weak] = 0.85
    aht_multiplier = np.exp(-0.08 * skill)
    aht_multiplier[weak] *= 0.85
    qa_multiplier = np.exp(-0.2 * skill)
    qa_multiplier[weak] *= P.QA_WEAK_AGENT_MULTIPLIER

    # ---- teams, sites, supervisors
    lead_idx = np.flatnonzero(role == "team_lead")
    qa_lead = int(np.flatnonzero(role == "qa_lead")[0])
    manager = 0
    site = np.array(SITES, dtype=object)[choice_index(rng, SITE_WEIGHTS, n)]
    team_of_lead = {int(i): f"T{k + 1:02d}" for k, i in enumerate(lead_idx)}
    team_id = np.full(n, None, dtype=object)
    supervisor = np.full(n, -1, dtype=np.int64)
    production = np.flatnonzero(pool != None)  # noqa: E711
    # Agents of a pool share team leads: sort by pool, deal them out to the leads in blocks.
    order = production[np.argsort(pool[production].astype(str), kind="stable")]
    lead_of = lead_idx[(np.arange(len(order)) * len(lead_idx)) // max(1, len(order))]
    supervisor[order] = lead_of
    team_id[order] = [team_of_lead[int(i)] for i in lead_of]
    site[order] = site[lead_of]
    supervisor[lead_idx] = manager
    team_id[lead_idx] = [team_of_lead[int(i)] for i in lead_idx]
    qa_idx = np.flatnonzero(np.isin(role, ["qa", "qa_lead"]))
    supervisor[qa_idx] = manager
    supervisor[qa_lead] = manager
    team_id[qa_idx] = "QA"
    agent_id = ids("A", np.arange(1, n + 1), 4)
    supervisor_id = np.where(supervisor >= 0, agent_id[np.maximum(supervisor, 0)], None)
    supervisor_id[manager] = None

    # ---- working patterns: days off, part time, shift start. Exact shares (systematic, not random draws,
    # which leave small pools without weekend or evening cover) over all voice agents together (the voice
    # queues overflow into each other), the digital pool and the other staff; each pool's members are spread
    # evenly over the patterns. The first agents of a pool work the opening and the closing shift.
    days_off = np.zeros((n, 2), dtype=np.int64)
    shift_start = np.zeros(n, dtype=np.int64)
    part_time = np.zeros(n, dtype=bool)
    group = np.where(pool == None, "", np.where(pool == DIGITAL, DIGITAL, "voice"))  # noqa: E711
    # (a fresh interleaved order per attribute: the same order would tie days off to shift starts)
    for g in ("voice", DIGITAL, ""):
        group_members = np.flatnonzero(group == g)
        members = _interleaved(group_members, pool, rng)
        days_off[members] = np.array(DAYS_OFF)[_systematic(DAYS_OFF_WEIGHTS, len(members), rng)]
        members = _interleaved(group_members, pool, rng)
        part_time[members] = _systematic((1 - PART_TIME_SHARE, PART_TIME_SHARE), len(members), rng) == 1
        full = _interleaved(group_members[~part_time[group_members]], pool, rng)
        shift_start[full] = np.array(SHIFT_STARTS)[_systematic(SHIFT_WEIGHTS, len(full), rng)]
        part = _interleaved(group_members[part_time[group_members]], pool, rng)
        shift_start[part] = np.array(PART_TIME_STARTS)[_systematic(PART_TIME_WEIGHTS, len(part), rng)]
    for p_name in pools:
        members = np.flatnonzero(pool == p_name)
        # tenured agents first, then the hires of the oldest classes
        anchors = members[np.lexsort((members, is_hire[members]))][:2]
        for k, i in enumerate(anchors):
            shift_start[i] = COVERAGE_STARTS[k % 2]
            part_time[i] = False

    enrollments = _enrollments(world, rng, classes, hire_class, hired_day, outcome, terminated_day,
                               production_day, agent_id, pool, end_day)
    people = People(
        agent_id=agent_id, role=role, pool=pool, hired_day=hired_day, production_day=production_day,
        terminated_day=terminated_day, termination_type=termination_type, hire_source=hire_source,
        recruiter_id=recruiter_id, site=site, team_id=team_id, supervisor_id=supervisor_id,
        class_index=hire_class, skill=skill, weak=weak, repeat_multiplier=repeat_multiplier,
        resolve_multiplier=resolve_multiplier, aht_multiplier=aht_multiplier, qa_multiplier=qa_multiplier,
        days_off=days_off, shift_start=shift_start,
        shift_seconds=np.where(part_time, PART_TIME_SECONDS, SHIFT_SECONDS).astype(np.float64),
        classes=classes, enrollments=enrollments,
    )
    world.people = people
    world.truth["people"] = {
        "agents": int(n),
        "production_agents": int(len(production)),
        "pools": {p_name: int((pool == p_name).sum()) for p_name in pools},
        "weak_agents": sorted(agent_id[weak].tolist()),
        "weak_agent_repeat_multiplier": P.WEAK_REPEAT_MULTIPLIER,
        "hire_sources": sources,
        "attrition_90d_by_source": {s: P.ATTRITION_90D_BY_SOURCE.get(s, P.ATTRITION_90D_DEFAULT) for s in sources},
        "agency_repeat_multiplier": P.AGENCY_REPEAT_MULTIPLIER,
        "monthly_attrition_after_90d": P.MONTHLY_ATTRITION_TENURED,
        "training_days": P.TRAINING_DAYS,
        "staffing_need": {p_name: int(v) for p_name, v in need.items()},
        "classes": [{k: v for k, v in cl.items() if k != "start_day"} for cl in classes],
        "weak_class": classes[weak_class]["class_id"],
        "weak_class_effects": {
            "assessment_mean": P.WEAK_CLASS_ASSESSMENT_MEAN, "other_classes_assessment_mean": P.ASSESSMENT_MEAN,
            "extra_training_failure_probability": P.WEAK_CLASS_EXTRA_FAIL,
            "repeat_multiplier_first_30d": P.WEAK_CLASS_REPEAT_MULTIPLIER,
            "aht_multiplier_first_30d": P.WEAK_CLASS_AHT_MULTIPLIER,
        },
        "new_agent_effects": {"days": P.NEW_AGENT_DAYS, "aht_multiplier": P.NEW_AGENT_AHT_MULTIPLIER,
                              "repeat_multiplier": P.NEW_AGENT_REPEAT_MULTIPLIER},
        "repeat_multiplier_by_agent": {a: round(float(m), 4) for a, m, pl in
                                       zip(agent_id, repeat_multiplier, pool) if pl is not None},
    }
    return people


def _enrollments(world, rng, classes, hire_class, hired_day, outcome, terminated_day, production_day,
                 agent_id, pool, end_day) -> dict:
    """New-hire class enrollments, plus upskill classes for tenured agents during the data."""
    hires = np.flatnonzero(hire_class >= 0)
    mean = np.array([classes[k]["assessment_mean"] for k in hire_class[hires]])
    score = np.clip(mean + 7 * rng.standard_normal(len(hires)), 0, 100)
    out = outcome[hires]
    score = np.where(out == "graduated", np.maximum(score, 70 + 5 * rng.random(len(hires))), score)
    score = np.where(out == "failed", np.minimum(score, 50 + 15 * rng.random(len(hires))), score)
    score = np.where((out == "withdrawn") | (out == "in_progress"), np.nan, score)
    completed = np.where(out == "graduated", hired_day[hires] + P.TRAINING_DAYS, np.nan)
    completed = np.where(out == "failed", terminated_day[hires], completed)
    enr = {
        "agent": hires,
        "class_id": np.array([classes[k]["class_id"] for k in hire_class[hires]], dtype=object),
        "program": np.full(len(hires), "new_hire", dtype=object),
        "started_day": hired_day[hires],
        "completed_day": completed,
        "outcome": out,
        "score": score,
    }
    # Upskill classes: every 14 days, 4-8 tenured production agents, 3 sessions (training activities).
    tenured = np.flatnonzero((hire_class < 0) & (pool != None) & np.isnan(terminated_day))  # noqa: E711
    up_agents, up_class, up_start, up_program = [], [], [], []
    for start in range(3, end_day - 3, 14):
        if len(tenured) == 0:
            break
        members = rng.choice(tenured, size=min(len(tenured), int(rng.integers(4, 9))), replace=False)
        class_id = "UP-" + date.fromordinal(world.clock.start_date.toordinal() + start).isoformat()
        program = "upskill_" + ("digital" if rng.random() < 0.3 else "voice")
        up_agents += members.tolist()
        up_class += [class_id] * len(members)
        up_start += [start] * len(members)
        up_program += [program] * len(members)
    up_agents = np.array(up_agents, dtype=np.int64)
    up_start = np.array(up_start, dtype=np.float64)
    up_done = up_start + 4 < end_day
    up_outcome = np.where(up_done, np.where(rng.random(len(up_agents)) < 0.93, "graduated", "failed"),
                          "in_progress").astype(object)
    up_score = np.where(up_done, np.clip(85 + 6 * rng.standard_normal(len(up_agents)), 0, 100), np.nan)
    up_score = np.where(up_outcome == "failed", np.minimum(up_score, 65), up_score)
    for key, values in (
        ("agent", up_agents), ("class_id", np.array(up_class, dtype=object)),
        ("program", np.array(up_program, dtype=object)), ("started_day", up_start),
        ("completed_day", np.where(up_done, up_start + 4, np.nan)), ("outcome", up_outcome), ("score", up_score),
    ):
        enr[key] = np.concatenate([enr[key], values])
    return enr


def agents_frame(world: World) -> Frame:
    p, clock = world.people, world.clock
    snapshot_day = np.full(len(p), clock.days - 1, dtype=np.float64)  # the roster as of the last day
    return Frame({
        "agent_id": p.agent_id,
        "hired_at": clock.fmt_date(p.hired_day),
        "production_start_at": clock.fmt_date(p.production_day),
        "terminated_at": clock.fmt_date(p.terminated_day),
        "termination_type": p.termination_type,
        "site": p.site,
        "team_id": p.team_id,
        "supervisor_id": p.supervisor_id,
        "role": p.role,
        "hire_source": p.hire_source,
        "recruiter_id": p.recruiter_id,
    }, snapshot_day)


def training_frame(world: World) -> Frame:
    e, clock = world.people.enrollments, world.clock
    order = np.lexsort((e["agent"], e["started_day"]))
    e = {k: v[order] for k, v in e.items()}
    n = len(order)
    return Frame({
        "enrollment_id": ids("EN", np.arange(1, n + 1), 6),
        "agent_id": world.people.agent_id[e["agent"]],
        "class_id": e["class_id"],
        "program": e["program"],
        "started_at": clock.fmt_date(e["started_day"]),
        "completed_at": clock.fmt_date(e["completed_day"]),
        "outcome": e["outcome"],
        "assessment_score": text(e["score"], ".1f"),
    }, e["started_day"])
