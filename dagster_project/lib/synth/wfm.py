"""Workforce management: schedules (planned), routing (who is on duty when), ACD agent states (actual) and
published forecasts.

Schedules are built first; contacts are routed to agents who are scheduled to work in that 15-minute slot;
after the contacts are placed, the ACD state log is derived from the schedule and the agents' own contacts
(on_contact, wrap, available in between, breaks as scheduled but started after the call in progress).
Planted: forecast bias by queue (FORECAST_BIAS), noise that shrinks with the horizon.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dagster_project.lib.synth import params as P
from dagster_project.lib.synth.clock import DAY
from dagster_project.lib.synth.people import DIGITAL, PART_TIME_SECONDS, SHIFT_SECONDS
from dagster_project.lib.synth.world import Frame, LazyFrame, World, text

SLOT = 900.0          # routing slot: 15 minutes
SLOTS_PER_DAY = 96
# Non-work activities of a shift: (activity, possible start minutes after the shift start, minutes), in
# time order; breaks and lunch are staggered so that a shift does not leave the queue all at once.
SHIFT_ACTIVITIES = (
    ("meeting", (60,), 30), ("break", (90, 105, 120, 135, 150), 15), ("coaching", (165,), 30),
    ("lunch", tuple(range(210, 331, 15)), 30), ("training", (360,), 90),
    ("break", tuple(range(375, 481, 15)), 15),
)
SHIFT_MINUTES = int(SHIFT_SECONDS / 60)


@dataclass
class Schedule:
    # one row per agent and scheduled day
    ad_agent: np.ndarray
    ad_day: np.ndarray
    ad_status: np.ndarray       # work / time_off / absent (scheduled, did not show up)
    ad_start: np.ndarray        # UTC
    ad_end: np.ndarray
    # one row per scheduled activity (work segments, non-work activities, time off)
    agent: np.ndarray
    day: np.ndarray
    start: np.ndarray
    end: np.ndarray
    activity: np.ndarray
    agent_day: np.ndarray       # index into ad_*


def build_schedule(world: World) -> Schedule:
    rng = world.rng("schedule")
    people, clock = world.people, world.clock
    prod = people.production
    days = np.arange(clock.days)
    agent = np.repeat(prod, len(days))
    day = np.tile(days, len(prod))
    weekday = clock.weekday(day)
    works = (
        (people.production_day[agent] <= day)
        & ~(people.terminated_day[agent] <= day)
        & (weekday != people.days_off[agent, 0])
        & (weekday != people.days_off[agent, 1])
    )
    agent, day, weekday = agent[works], day[works], weekday[works]
    n = len(agent)
    u = rng.random(n)
    status = np.where(u < P.TIME_OFF_SHARE, "time_off",
                      np.where(u < P.TIME_OFF_SHARE + P.UNPLANNED_ABSENCE, "absent", "work")).astype(object)
    sod = people.shift_start[agent].astype(np.float64)
    length_minutes = people.shift_seconds[agent] / 60
    ad_start = clock.at(day, sod)
    ad_end = clock.at(day, sod + length_minutes * 60)

    # Which optional activities each agent-day has.
    meeting_weekday = np.array([hash_text(a_id) % 5 for a_id in people.agent_id])[agent]
    days_in_production = day - people.production_day[agent]
    coaching_p = np.where(people.weak[agent], 0.25, np.where(days_in_production < P.NEW_AGENT_DAYS, 0.2, 0.06))
    training_days = _upskill_days(people)
    has = {
        "meeting": weekday == meeting_weekday,
        "coaching": rng.random(n) < coaching_p,
        "training": np.array([(a, d) in training_days for a, d in zip(agent.tolist(), day.tolist())], dtype=bool),
        "break": np.ones(n, dtype=bool),
        "lunch": np.ones(n, dtype=bool),
    }
    rows_ad, rows_off, rows_len, rows_act = [], [], [], []
    scheduled = status != "time_off"
    for k, (name, offsets, minutes) in enumerate(SHIFT_ACTIVITIES):
        idx = np.flatnonzero(has[name] & scheduled)
        offset = np.array(offsets)[rng.integers(0, len(offsets), len(idx))]
        fits = offset + minutes <= length_minutes[idx] - 30  # a part-time shift: one break, no lunch
        if name == "lunch":
            fits &= length_minutes[idx] >= SHIFT_MINUTES
        if name == "break" and k == 1:
            part_time_break = np.array([120, 135, 150, 195, 210, 225])[rng.integers(0, 6, len(idx))]
            offset = np.where(length_minutes[idx] < SHIFT_MINUTES, part_time_break, offset)
            fits[:] = True
        idx, offset = idx[fits], offset[fits]
        if name == "break" and k == len(SHIFT_ACTIVITIES) - 1:  # after training, if there is any
            offset = np.where(has["training"][idx], np.maximum(offset, 465), offset)
        rows_ad.append(idx)
        rows_off.append(offset)
        rows_len.append(np.full(len(idx), minutes))
        rows_act.append(np.full(len(idx), name, dtype=object))
    act_ad = np.concatenate(rows_ad)
    act_off = np.concatenate(rows_off)
    act_len = np.concatenate(rows_len)
    act_name = np.concatenate(rows_act)
    order = np.lexsort((act_off, act_ad))
    act_ad, act_off, act_len, act_name = act_ad[order], act_off[order], act_len[order], act_name[order]
    # Work segments: the gaps between the non-work activities of each scheduled agent-day.
    first = np.r_[True, act_ad[1:] != act_ad[:-1]] if len(act_ad) else np.zeros(0, dtype=bool)
    prev_end = np.where(first, 0, np.r_[0, (act_off + act_len)[:-1]])
    seg_ad = np.concatenate([act_ad, np.flatnonzero(scheduled)])
    seg_from = np.concatenate([prev_end, _last_end(act_ad, act_off + act_len, n)[scheduled]])
    seg_to = np.concatenate([act_off, length_minutes[scheduled]])
    keep = seg_to > seg_from
    seg_ad, seg_from, seg_to = seg_ad[keep], seg_from[keep], seg_to[keep]
    off_ad = np.flatnonzero(~scheduled)

    all_ad = np.concatenate([seg_ad, act_ad, off_ad])
    all_from = np.concatenate([seg_from, act_off, np.zeros(len(off_ad))])
    all_to = np.concatenate([seg_to, act_off + act_len, length_minutes[off_ad]])
    all_act = np.concatenate([np.full(len(seg_ad), "work", dtype=object), act_name,
                              np.full(len(off_ad), "time_off", dtype=object)])
    order = np.lexsort((all_from, all_ad))
    all_ad, all_from, all_to, all_act = all_ad[order], all_from[order], all_to[order], all_act[order]
    same_day = all_ad[1:] == all_ad[:-1]
    if (same_day & (all_from[1:] < all_to[:-1])).any():
        raise AssertionError("schedule template produced overlapping activities")
    start = clock.at(day[all_ad], sod[all_ad] + all_from * 60.0)
    end = clock.at(day[all_ad], sod[all_ad] + all_to * 60.0)
    schedule = Schedule(agent, day, status, ad_start, ad_end, agent[all_ad], day[all_ad], start, end, all_act,
                        all_ad)
    world.schedule = schedule
    world.truth["wfm_schedule"] = {
        "shift_hours": {"full_time": SHIFT_SECONDS / 3600, "part_time": PART_TIME_SECONDS / 3600},
        "time_off_share": P.TIME_OFF_SHARE,
        "unplanned_absence_share": P.UNPLANNED_ABSENCE,
        "agent_days_scheduled": int(n),
        "agent_days_absent": int((status == "absent").sum()),
    }
    return schedule


def hash_text(value: str) -> int:
    """A stable small hash (Python's hash() is salted per process)."""
    import zlib
    return zlib.crc32(value.encode("utf-8"))


def _last_end(ad: np.ndarray, ends: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n)
    if len(ad):
        out[ad] = ends  # sorted by time within agent-day: the last assignment wins
    return out


def _upskill_days(people) -> set[tuple[int, int]]:
    e = people.enrollments
    up = np.flatnonzero(np.char.startswith(e["program"].astype(str), "upskill"))
    days = set()
    for i in up:
        for k in range(3):
            days.add((int(e["agent"][i]), int(e["started_day"][i]) + k))
    return days


@dataclass
class Routing:
    pools: list[str]           # pool names (voice queues with agents of their own, and 'digital')
    keys: np.ndarray           # sorted unique (pool_code * n_slots + slot)
    offsets: np.ndarray
    counts: np.ndarray
    agents: np.ndarray         # agent indices, grouped by key
    n_slots: int

    def lookup(self, pool_code: np.ndarray, slot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(offset into agents, number of agents on duty) for each (pool, slot); count 0 = nobody."""
        key = pool_code.astype(np.int64) * self.n_slots + slot.astype(np.int64)
        pos = np.searchsorted(self.keys, key)
        pos = np.minimum(pos, len(self.keys) - 1)
        found = (len(self.keys) > 0) & (self.keys[pos] == key) & (slot >= 0) & (slot < self.n_slots)
        return np.where(found, self.offsets[pos], 0), np.where(found, self.counts[pos], 0)

    def on_duty(self, pool_code: int) -> np.ndarray:
        """Agents on duty per slot (dense, length n_slots) for one pool."""
        out = np.zeros(self.n_slots, dtype=np.int64)
        lo, hi = pool_code * self.n_slots, (pool_code + 1) * self.n_slots
        sel = (self.keys >= lo) & (self.keys < hi)
        out[self.keys[sel] - lo] = self.counts[sel]
        return out

    def next_staffed_slot(self, pool_code: int) -> np.ndarray:
        """For each slot, the first slot at or after it with someone on duty (n_slots = none)."""
        staffed = self.on_duty(pool_code) > 0
        idx = np.where(staffed, np.arange(self.n_slots), self.n_slots)
        return np.minimum.accumulate(idx[::-1])[::-1]


def build_routing(world: World) -> Routing:
    schedule, people, clock = world.schedule, world.people, world.clock
    pools = sorted({p for p in people.pool if p is not None}, key=lambda p: (p == DIGITAL, p))
    pool_code = {p: k for k, p in enumerate(pools)}
    working = (schedule.activity == "work") & (schedule.ad_status[schedule.agent_day] == "work")
    agent = schedule.agent[working]
    day = schedule.day[working]
    first_slot = np.round(clock.local_seconds_of_day(schedule.start[working]) / SLOT).astype(np.int64)
    n_slots_seg = np.round((schedule.end[working] - schedule.start[working]) / SLOT).astype(np.int64)
    seg = np.repeat(np.arange(len(agent)), n_slots_seg)
    within = np.arange(len(seg)) - np.repeat(np.cumsum(n_slots_seg) - n_slots_seg, n_slots_seg)
    slot = day[seg] * SLOTS_PER_DAY + first_slot[seg] + within
    a = agent[seg]
    codes = np.array([pool_code[p] for p in people.pool[a]], dtype=np.int64)
    n_slots = clock.days * SLOTS_PER_DAY
    keys = codes * n_slots + slot
    agents = a
    order = np.lexsort((agents, keys))
    keys, agents = keys[order], agents[order]
    unique, offsets, counts = np.unique(keys, return_index=True, return_counts=True)
    routing = Routing(pools, unique, offsets, counts, agents, n_slots)
    world.routing = routing
    return routing


def local_slot(world: World, t: np.ndarray) -> np.ndarray:
    clock = world.clock
    naive = clock.local_naive(t) - clock.start_naive
    return np.floor(naive / SLOT).astype(np.int64)


# ---------------------------------------------------------------- landing frames


def schedules_frame(world: World) -> Frame:
    s, clock = world.schedule, world.clock
    return Frame({
        "agent_id": world.people.agent_id[s.agent],
        "activity_start": clock.fmt(s.start, offset=False),
        "activity_end": clock.fmt(s.end, offset=False),
        "activity": s.activity,
    }, s.day.astype(np.float64))


def states_frame(world: World) -> LazyFrame:
    """The ACD state log: every scheduled, present agent-day from login to logout, without gaps or overlaps."""
    st = world.agent_time
    clock, agent_id = world.clock, world.people.agent_id

    def text_of(rows: np.ndarray) -> dict[str, np.ndarray]:
        return {
            "agent_id": agent_id[st["agent"][rows]],
            "state": st["state"][rows],
            "started_at": clock.fmt(st["start"][rows], offset=False),
            "ended_at": clock.fmt(st["end"][rows], offset=False),
        }

    return LazyFrame(text_of, st["day"].astype(np.float64))


def realised_aht_by_queue(world: World) -> dict[str, float]:
    """Average handle seconds per queue (calls: talk + hold + wrap; digital: ended - first response)."""
    a = world.contacts.a
    voice = a["channel"] == 0
    handle = np.where(voice, a["talk"] + a["hold"] + a["wrap"], a["ended"] - a["first_response"])
    ok = a["handled"] & ~a["outbound"] & (a["queue"] >= 0) & np.isfinite(handle) & (handle > 0)
    out = {}
    for q, name in enumerate(world.contacts.queue_names):
        sel = ok & (a["queue"] == q)
        if sel.any():
            out[name] = float(handle[sel].mean())
    return out


def planned_shrinkage(world: World) -> tuple[np.ndarray, np.ndarray]:
    """What the WFM team plans as shrinkage per (queue, day, half-hour of the open hours), from the schedule:
    1 - planned work / scheduled paid time (every activity but time off) of the agents who serve the queue
    (its own pool; a voice queue without agents: the largest voice pool; digital queues: the digital pool),
    plus PLANNED_SHRINKAGE_ALLOWANCE for absence, late logins and not-ready time that no schedule shows.
    Returns (planned, paid seconds) arrays; an interval without paid time gets the queue's mean."""
    s, clock, people = world.schedule, world.clock, world.people
    routing = world.routing
    pools = routing.pools
    pool_code = {p: k for k, p in enumerate(pools)}
    paid_rows = s.activity != "time_off"
    agent, start, end = s.agent[paid_rows], s.start[paid_rows], s.end[paid_rows]
    work = (s.activity[paid_rows] == "work").astype(np.float64)
    first = np.round((clock.local_naive(start) - clock.start_naive) / SLOT).astype(np.int64)
    n = np.maximum(np.round((end - start) / SLOT).astype(np.int64), 0)
    seg = np.repeat(np.arange(len(agent)), n)
    slot = first[seg] + (np.arange(len(seg)) - np.repeat(np.cumsum(n) - n, n))
    day, quarter = slot // SLOTS_PER_DAY, slot % SLOTS_PER_DAY
    half = (quarter - P.OPEN_HOUR * 4) // 2
    n_h = (P.CLOSE_HOUR - P.OPEN_HOUR) * 2
    ok = (day >= 0) & (day < clock.days) & (half >= 0) & (half < n_h)
    code = np.array([pool_code[p] for p in people.pool[agent[seg]]], dtype=np.int64)
    cell = (code * clock.days + day) * n_h + half
    size = len(pools) * clock.days * n_h
    paid = np.bincount(cell[ok], minlength=size).reshape(len(pools), clock.days, n_h) * SLOT
    worked = np.bincount(cell[ok], weights=work[seg][ok], minlength=size).reshape(len(pools), clock.days, n_h) * SLOT
    voice_pools = [k for k, p in enumerate(pools) if p != DIGITAL]
    largest = max(voice_pools, key=lambda k: int((people.pool == pools[k]).sum())) if voice_pools else 0
    queue_pool = []
    for q in world.ref.queues:
        if q["channel"] == "voice":
            queue_pool.append(pool_code.get(q["queue"], largest))
        else:
            queue_pool.append(pool_code.get(DIGITAL, largest))
    paid_q = paid[queue_pool].astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        planned = 1 - worked[queue_pool] / paid_q + P.PLANNED_SHRINKAGE_ALLOWANCE
        mean = 1 - worked[queue_pool].sum(axis=(1, 2)) / paid_q.sum(axis=(1, 2)) + P.PLANNED_SHRINKAGE_ALLOWANCE
    mean = np.where(np.isfinite(mean), mean, P.PLANNED_SHRINKAGE_ALLOWANCE)
    planned = np.where(paid_q > 0, planned, mean[:, None, None])
    return planned, paid_q


def forecasts_frame(world: World) -> Frame:
    """Published forecasts per queue and 30-minute interval, three publications per day (14, 7, 1 days before).

    The forecast is the expected volume (the arrival intensity the contacts were drawn from, scaled to the
    realised share of each queue) times (1 + planted bias) times lognormal noise that shrinks with the horizon.
    """
    rng = world.rng("forecast")
    clock, contacts = world.clock, world.contacts
    expected = contacts.expected_by_queue  # (queue, day, half-hour of the open hours) expected offered
    queues = contacts.queue_names
    aht = realised_aht_by_queue(world)
    n_q, n_d, n_h = expected.shape
    q_idx, d_idx, h_idx = np.meshgrid(np.arange(n_q), np.arange(n_d), np.arange(n_h), indexing="ij")
    q_idx, d_idx, h_idx = q_idx.ravel(), d_idx.ravel(), h_idx.ravel()
    base = expected.ravel()
    bias = np.array([P.FORECAST_BIAS.get(q, 0.0) for q in queues])[q_idx]
    sod = P.OPEN_HOUR * 3600.0 + h_idx * 1800.0
    interval_start = clock.start_naive + d_idx * DAY + sod  # naive local
    cols = {k: [] for k in ("queue", "interval_start", "interval_minutes", "published_at", "forecast_contacts",
                            "forecast_aht_seconds", "forecast_shrinkage")}
    days = []
    day_noise = {h: rng.standard_normal((n_q, n_d)) for h in P.FORECAST_HORIZONS_DAYS}
    planned, paid = planned_shrinkage(world)
    for horizon in P.FORECAST_HORIZONS_DAYS:
        sigma = P.FORECAST_NOISE[horizon]
        noise = np.exp(sigma * 0.6 * rng.standard_normal(len(base))
                       + sigma * 0.5 * day_noise[horizon][q_idx, d_idx])
        forecast = base * (1 + bias) * noise
        published = clock.start_naive + (d_idx - horizon) * DAY + P.FORECAST_PUBLISH_HOUR * 3600.0
        aht_f = np.array([aht.get(q, np.nan) for q in queues])[q_idx] * np.exp(0.05 * rng.standard_normal(len(base)))
        shrink = np.clip(planned[q_idx, d_idx, h_idx] + P.PLANNED_SHRINKAGE_NOISE * rng.standard_normal(len(base)),
                         0.02, 0.9)
        cols["queue"].append(np.array(queues, dtype=object)[q_idx])
        cols["interval_start"].append(clock.fmt_naive_local(interval_start))
        cols["interval_minutes"].append(np.full(len(base), "30", dtype=object))
        cols["published_at"].append(clock.fmt_naive_local(published))
        cols["forecast_contacts"].append(text(forecast, ".1f"))
        cols["forecast_aht_seconds"].append(text(aht_f, ".1f"))
        cols["forecast_shrinkage"].append(text(shrink, ".3f"))
        days.append(d_idx.astype(np.float64))
    world.truth["wfm_forecast"] = {
        "interval_minutes": 30,
        "horizons_days": list(P.FORECAST_HORIZONS_DAYS),
        "publish_hour_local": P.FORECAST_PUBLISH_HOUR,
        "bias_by_queue": {q: P.FORECAST_BIAS.get(q, 0.0) for q in queues},
        "noise_sigma_by_horizon": {str(h): P.FORECAST_NOISE[h] for h in P.FORECAST_HORIZONS_DAYS},
        "planned_shrinkage": "per queue and interval: the schedule's planned non-work share of the paid time of "
                             "the queue's agents (breaks, lunch, meetings, coaching, training) plus an allowance "
                             f"of {P.PLANNED_SHRINKAGE_ALLOWANCE:.1%} for absence, late logins and not-ready time, "
                             f"plus noise (sd {P.PLANNED_SHRINKAGE_NOISE})",
        "planned_shrinkage_mean": round(float(np.sum(planned * paid) / max(np.sum(paid), 1.0)), 4),
        "actual_definition": "offered contacts of the queue whose arrival (calls: arrived_at; digital: started_at) "
                             "falls in the local interval; calls that never reached a queue (self-served, failed "
                             "or abandoned in the IVR) have no queue",
        "aht_definition": "calls: talk + hold + wrap of answered calls; digital: ended_at - first_response_at",
    }
    return Frame({k: np.concatenate(v) for k, v in cols.items()}, np.concatenate(days))


# ---------------------------------------------------------------- availability and the ACD state log


def late_logins_and_not_ready(world: World) -> dict:
    """Unplanned time of present agents: a late login on some days, short not-ready spells."""
    rng = world.rng("agent_time")
    s = world.schedule
    present = np.flatnonzero(s.ad_status == "work")
    late = present[rng.random(len(present)) < 0.3]
    late_len = rng.integers(20, 300, len(late)).astype(np.float64)
    n_nr = rng.poisson(1.5, len(present))
    nr_ad = np.repeat(present, n_nr)
    nr_start = np.round(s.ad_start[nr_ad] + 1800 + rng.random(len(nr_ad)) * (s.ad_end[nr_ad] - s.ad_start[nr_ad] - 3600))
    nr_len = np.round(np.exp(np.log(240) + 0.5 * rng.standard_normal(len(nr_ad))))
    spells = {
        "late_agent": s.ad_agent[late], "late_start": s.ad_start[late], "late_end": s.ad_start[late] + late_len,
        "nr_agent": s.ad_agent[nr_ad], "nr_start": nr_start, "nr_end": nr_start + nr_len,
    }
    world.spells = spells
    return spells


def unavailability(world: World, agents: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per agent, the sorted, merged intervals in which the agent cannot take a call: outside the scheduled
    work segments of present days, late logins and not-ready spells. Returns (agent, start, end) sorted."""
    s, sp = world.schedule, world.spells
    work = (s.activity == "work") & (s.ad_status[s.agent_day] == "work") & np.isin(s.agent, agents)
    w_agent, w_start, w_end = s.agent[work], s.start[work], s.end[work]
    order = np.lexsort((w_start, w_agent))
    w_agent, w_start, w_end = w_agent[order], w_start[order], w_end[order]
    first = np.r_[True, w_agent[1:] != w_agent[:-1]] if len(w_agent) else np.zeros(0, dtype=bool)
    last = np.r_[w_agent[1:] != w_agent[:-1], True] if len(w_agent) else np.zeros(0, dtype=bool)
    # The complement of the work segments: before the first, between consecutive, after the last.
    gap_start = np.where(first, -np.inf, np.r_[-np.inf, w_end[:-1]])
    gap_end = w_start
    u_agent = [w_agent, w_agent[last]]
    u_start = [gap_start, w_end[last]]
    u_end = [gap_end, np.full(last.sum(), np.inf)]
    never = np.setdiff1d(agents, w_agent)  # voice agents with no shift at all in the data
    u_agent.append(never)
    u_start.append(np.full(len(never), -np.inf))
    u_end.append(np.full(len(never), np.inf))
    for prefix in ("late", "nr"):
        keep = np.isin(sp[prefix + "_agent"], agents)
        u_agent.append(sp[prefix + "_agent"][keep])
        u_start.append(sp[prefix + "_start"][keep])
        u_end.append(sp[prefix + "_end"][keep])
    agent = np.concatenate(u_agent)
    start = np.concatenate(u_start)
    end = np.concatenate(u_end)
    keep = end > start
    agent, start, end = agent[keep], start[keep], end[keep]
    order = np.lexsort((start, agent))
    agent, start, end = agent[order], start[order], end[order]
    # Merge overlapping intervals of the same agent.
    running = _group_cummax(np.where(np.isinf(end), 1e18, end), agent)
    new = np.r_[True, (agent[1:] != agent[:-1]) | (start[1:] > running[:-1])] if len(agent) else np.zeros(0, bool)
    group = np.cumsum(new) - 1
    m_agent = agent[new]
    m_start = start[new]
    m_end = np.full(int(new.sum()), -np.inf)
    np.maximum.at(m_end, group, np.where(np.isinf(end), 1e18, end))
    m_end = np.where(m_end >= 1e18, np.inf, m_end)
    return m_agent, m_start, m_end


# State labels by priority (a scheduled activity wins over a conversation that runs into it, etc.).
TIERS = ("activity", "logged_out", "on_contact", "wrap", "not_ready", "available")


def build_states(world: World) -> dict:
    """The ACD state log from the schedule and the contacts, by a sweep over every agent's intervals:
    within each present shift the state at any moment is the highest-priority thing going on
    (scheduled break/lunch/meeting/training/coaching > late login > on_contact > wrap > not_ready >
    available). Voice calls never overlap breaks (the queue simulation respects them); a digital
    conversation that runs into a break is shown as the break."""
    c, s, sp = world.contacts.a, world.schedule, world.spells
    present = np.flatnonzero(s.ad_status == "work")
    acts = np.flatnonzero(~np.isin(s.activity, ["work", "time_off"]) & (s.ad_status[s.agent_day] == "work"))
    voice = (c["channel"] == 0) & (c["agent"] >= 0) & ~np.isnan(c["answered"])
    dig = (c["channel"] != 0) & (c["agent"] >= 0) & c["handled"]
    wrap_end = c["ended"] + np.nan_to_num(c["wrap"])
    parts = [
        (s.ad_agent[present], s.ad_start[present], s.ad_end[present], 5, None),
        (s.agent[acts], s.start[acts], s.end[acts], 0, s.activity[acts]),
        (sp["late_agent"], sp["late_start"], sp["late_end"], 1, None),
        (c["agent"][voice], c["answered"][voice], c["ended"][voice], 2, None),
        (c["agent"][voice], c["ended"][voice], wrap_end[voice], 3, None),
        (c["agent"][dig], c["answered"][dig], c["ended"][dig], 2, None),
        (sp["nr_agent"], sp["nr_start"], sp["nr_end"], 4, None),
    ]
    # Outbound calls that rang out have no answer but still took the agent's time.
    out = (c["channel"] == 0) & c["outbound"] & (c["agent"] >= 0) & np.isnan(c["answered"])
    parts.append((c["agent"][out], c["t"][out], c["ended"][out], 2, None))
    parts.append((c["agent"][out], c["ended"][out], wrap_end[out], 3, None))
    agent = np.concatenate([p[0] for p in parts])
    t0 = np.concatenate([p[1] for p in parts])
    t1 = np.concatenate([p[2] for p in parts])
    tier = np.concatenate([np.full(len(p[0]), p[3], dtype=np.int64) for p in parts])
    act_label = np.concatenate([p[4] if p[4] is not None else np.full(len(p[0]), None, dtype=object)
                                for p in parts])
    keep = t1 > t0
    agent, t0, t1, tier, act_label = agent[keep], t0[keep], t1[keep], tier[keep], act_label[keep]
    n = len(agent)
    # Boundary events: +1 at start, -1 at end of each interval, per tier.
    ev_agent = np.concatenate([agent, agent])
    ev_time = np.concatenate([t0, t1])
    ev_tier = np.concatenate([tier, tier])
    ev_delta = np.concatenate([np.ones(n, np.int32), -np.ones(n, np.int32)])
    ev_label = np.concatenate([act_label, np.full(n, None, dtype=object)])
    order = np.lexsort((ev_delta, ev_time, ev_agent))  # ends before starts at the same instant
    ev_agent, ev_time, ev_tier, ev_delta, ev_label = (x[order] for x in (ev_agent, ev_time, ev_tier, ev_delta,
                                                                             ev_label))
    counts = np.zeros((len(ev_time), len(TIERS)), dtype=np.int32)
    counts[np.arange(len(ev_time)), ev_tier] = ev_delta
    np.cumsum(counts, axis=0, out=counts)
    # The activity label in force: the label of the most recent activity start (activities never overlap).
    is_act_start = (ev_tier == 0) & (ev_delta > 0)
    last_act = np.maximum.accumulate(np.where(is_act_start, np.arange(len(ev_time)), 0))
    active = counts > 0
    top = np.argmax(active, axis=1)  # first (highest-priority) active tier
    in_shift = active[:, 5]
    seg_end = np.r_[ev_time[1:], np.inf]
    same_agent = np.r_[ev_agent[1:] == ev_agent[:-1], False]
    valid = in_shift & same_agent & (seg_end > ev_time)
    labels = np.array(["", "logged_out", "on_contact", "wrap", "not_ready", "available"], dtype=object)[top]
    labels[top == 0] = ev_label[last_act[top == 0]]
    idx = np.flatnonzero(valid)
    st_agent, st_label, st_start, st_end = ev_agent[idx], labels[idx], ev_time[idx], seg_end[idx]
    # Merge consecutive segments with the same state.
    cont = np.r_[False, (st_agent[1:] == st_agent[:-1]) & (st_label[1:] == st_label[:-1])
                 & (st_start[1:] == st_end[:-1])]
    group = np.cumsum(~cont) - 1
    first = np.flatnonzero(~cont)
    m_end = np.zeros(len(first))
    np.maximum.at(m_end, group, st_end)
    st_agent, st_label, st_start, st_end = st_agent[first], st_label[first], st_start[first], m_end
    st_start, st_end = np.round(st_start), np.round(st_end)
    keep = st_end > st_start
    world.agent_time = {
        "agent": st_agent[keep], "state": st_label[keep], "start": st_start[keep], "end": st_end[keep],
        "day": world.clock.local_day(st_start[keep]),
    }
    return world.agent_time


def _group_cummax(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Cumulative maximum restarting at each change of `group` (values sorted by group)."""
    if len(values) == 0:
        return values
    first = np.r_[True, group[1:] != group[:-1]]
    gid = np.cumsum(first)
    lo = np.min(values[np.isfinite(values)]) if np.isfinite(values).any() else 0.0
    span = (np.max(values[np.isfinite(values)]) - lo + 1.0) if np.isfinite(values).any() else 1.0
    shifted = (values - lo) + gid * span
    return np.maximum.accumulate(shifted) - gid * span + lo
