"""Customers and their contacts: calls (inbound, outbound callbacks), chat, e-mail, messaging and bot.

Fresh arrivals follow weekday and intraday seasonality; each contact may lead to another one: a repeat
contact after a handled contact (planted probability by reason, agent and resolution, often in another
channel), a retry after an abandoned or failed call, a call after a failed bot session, an outbound callback
after a promise. Contacts are simulated in hourly windows in time order, every generation together (the
work inside a window is vectorised); what a window's contacts lead to is simulated in the window it falls
in.

Voice calls go through a first-in-first-out multi-server queue per voice queue (the longest-idle agent of
the queue takes the next call; after 20 s it may overflow to the largest other queues; a caller hangs up
when the wait exceeds their patience), so waits and abandonment follow the load, and an agent handles one
call at a time, never during a scheduled break or outside the shift (see Desk). Digital work is assigned
round-robin to the digital agents on duty (they handle several conversations at once).
"""
from __future__ import annotations

import bisect
import heapq
from dataclasses import dataclass

import numpy as np

from dagster_project.lib.synth import params as P
from dagster_project.lib.synth.clock import DAY, HOUR, MINUTE
from dagster_project.lib.synth.people import DIGITAL, voice_queue_for_category
from dagster_project.lib.synth.wfm import SLOT, local_slot, unavailability
from dagster_project.lib.synth.world import (Frame, LazyFrame, World, bools, choice_index, group_rank, ids, log_uniform,
                                             lognormal, text)

VOICE, CHAT, EMAIL, MESSAGING, BOT = range(5)
CHANNEL_NAMES = np.array(["voice", "chat", "email", "messaging", "bot"], dtype=object)
OUTCOMES = np.array(["answered", "abandoned", "self_served", "failed", "resolved_by_bot", "handled"], dtype=object)
ANSWERED, ABANDONED, SELF_SERVED, FAILED, RESOLVED_BY_BOT, HANDLED = range(6)
FRESH, REPEAT, RETRY, BOT_FALLBACK, CALLBACK, CAMPAIGN = range(6)  # why a contact happened (cause)
KEPT, LATE, NEVER = range(3)
DIGITAL_HANDLE_SECONDS = np.array([0, 540, 420, 600, 480], dtype=float)  # median agent time by channel
HALF_HOURS = (P.CLOSE_HOUR - P.OPEN_HOUR) * 2

FIELDS = {  # name: (dtype, default)
    "channel": (np.int8, 0), "outbound": (bool, False), "gen": (np.int16, 0), "parent": (np.int64, -1),
    "cause": (np.int8, 0), "customer": (np.int64, -1), "identified": (bool, False), "phone": (np.int64, -1),
    "t": (np.float64, np.nan), "reason": (np.int64, -1), "queue": (np.int64, -1),
    "ivr_end": (np.float64, np.nan), "keypresses": (np.float64, np.nan), "queued": (np.float64, np.nan),
    "answered": (np.float64, np.nan), "ended": (np.float64, np.nan), "talk": (np.float64, np.nan),
    "hold": (np.float64, np.nan), "wrap": (np.float64, np.nan), "transfers": (np.float64, np.nan),
    "outcome": (np.int8, -1), "agent": (np.int64, -1), "first_response": (np.float64, np.nan),
    "bot_handled": (bool, False), "escalated": (bool, False), "handled": (bool, False),
    "resolved": (bool, False), "promise": (np.float64, np.nan), "cb_fate": (np.int8, -1),
    "callback_for": (np.int64, -1), "patience": (np.float64, np.nan),
    "ticket": (np.int64, -1),
}


RECORD = np.dtype([(k, dtype) for k, (dtype, _) in FIELDS.items()])


def empty(n: int) -> np.ndarray:
    """n contacts with default values: a structured array (one row per contact, a field per attribute), so
    that a batch is moved, sorted and split in single operations during the simulation."""
    out = np.empty(n, dtype=RECORD)
    for k, (_, default) in FIELDS.items():
        out[k] = default
    return out


@dataclass
class Customers:
    n: int
    weight: np.ndarray       # contact propensity
    language: np.ndarray     # object: en / zh / ms / es
    vip: np.ndarray
    two_phones: np.ndarray
    n_prospect_numbers: int = 0

    def customer_id(self, idx: np.ndarray) -> np.ndarray:
        """8-digit zero-padded identifiers (leading zeros are part of the id), distinct per customer."""
        idx = np.asarray(idx, dtype=np.int64)
        out = np.full(len(idx), None, dtype=object)
        ok = idx >= 0
        out[ok] = ids("", (idx[ok] * 7919 + 104729) % 100_000_000, 8)
        return out


LANGUAGES = np.array(["en", "zh", "ms", "es"], dtype=object)
LANGUAGE_TAGS = {"en": "en-US", "zh": "zh-CN", "ms": "ms-MY", "es": "es-US"}
US_AREA_CODES = np.array([212, 646, 718, 917, 347, 201, 973, 914, 516, 631, 305, 786, 407, 813, 727, 617, 215,
                          202, 312, 415, 213, 310, 404, 713, 512, 206, 303, 702, 480, 919])


def phone_numbers(world: World, phone_idx: np.ndarray, customers: Customers) -> np.ndarray:
    """Format phone numbers deterministically from their index: US numbers like '+1 212-555-0147', Chinese
    mobiles '+86 138 1234 5678' and Malaysian mobiles '+60 12-345 6789' for zh / ms speaking customers."""
    phone_idx = np.asarray(phone_idx, dtype=np.int64)
    out = np.full(len(phone_idx), None, dtype=object)
    ok = phone_idx >= 0
    if not ok.any():
        return out
    uniq, inverse = np.unique(phone_idx[ok], return_inverse=True)
    out[ok] = _format_phones(world, uniq, customers)[inverse]
    return out


def _format_phones(world: World, uniq: np.ndarray, customers: Customers) -> np.ndarray:
    h = _mix(uniq.astype(np.uint64) ^ np.uint64(world.seed * 0x9E3779B9 & 0xFFFFFFFF))
    customer = np.where(uniq < 2 * customers.n, uniq // 2, -1)
    lang = np.where(customer >= 0, customers.language[np.maximum(customer, 0)], "en")
    abroad = (h % np.uint64(100)) < np.uint64(45)  # some zh / ms speakers call from a number abroad
    area = US_AREA_CODES[((h >> np.uint64(8)) % np.uint64(len(US_AREA_CODES))).astype(np.int64)]
    exchange = 200 + ((h >> np.uint64(16)) % np.uint64(800)).astype(np.int64)
    line = ((h >> np.uint64(28)) % np.uint64(10000)).astype(np.int64)
    mobile = ((h >> np.uint64(40)) % np.uint64(100_000_000)).astype(np.int64)
    formatted = ("+1 " + ids("", area, 3) + "-" + ids("", exchange, 3) + "-" + ids("", line, 4)).astype(object)
    cn = abroad & (lang == "zh")
    formatted[cn] = ("+86 13" + ids("", mobile[cn] % 10, 1) + " " + ids("", mobile[cn] // 10000, 4) + " "
                     + ids("", mobile[cn] % 10000, 4))
    my = abroad & (lang == "ms")
    formatted[my] = ("+60 1" + ids("", mobile[my] % 10, 1) + "-" + ids("", (mobile[my] // 10) % 1000, 3) + " "
                     + ids("", mobile[my] // 10000 % 10000, 4))
    return formatted


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a fixed, well-spread integer hash."""
    with np.errstate(over="ignore"):
        x = (x + np.uint64(0x9E3779B97F4A7C15))
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


@dataclass
class ContactSet:
    a: dict[str, np.ndarray]
    customers: Customers
    queue_names: list[str]
    expected_by_queue: np.ndarray = None          # (queue, day, half-hour) expected offered contacts
    contact_id: np.ndarray = None                 # object, filled by assign_ids
    ticket_ids: np.ndarray = None                 # object, filled by tickets.build_tickets

    def __len__(self) -> int:
        return len(self.a["t"])


class Generator:
    """Builds all contacts of the run (see module docstring)."""

    def __init__(self, world: World):
        self.world = world
        self.rng = world.rng("contacts")
        self.clock = world.clock
        self.ref = world.ref
        self.people = world.people
        self.routing = world.routing
        self.reason_codes = world.ref.reason_codes
        table = P.reason_table(self.reason_codes)
        self.r_freq = np.array([table[c][0] for c in self.reason_codes])
        self.r_self = np.array([table[c][1] for c in self.reason_codes])
        self.r_resolve = np.array([table[c][2] for c in self.reason_codes])
        self.r_repeat = np.array([table[c][4] for c in self.reason_codes])
        self.r_talk = np.array([table[c][5] for c in self.reason_codes], dtype=float)
        categories = [r["category"] for r in world.ref.reasons]
        self.r_category = np.array(categories, dtype=object)
        self.queue_names = [q["queue"] for q in world.ref.queues]
        qidx = {q: k for k, q in enumerate(self.queue_names)}
        self.r_voice_queue = np.array([qidx[voice_queue_for_category(world, c)] for c in categories])
        self.vip_queue = qidx.get(P.VIP_QUEUE, -1)
        self.channel_queue = {
            ch: qidx[world.ref.queues_of(name)[0]] if world.ref.queues_of(name) else -1
            for ch, name in ((CHAT, "chat"), (EMAIL, "email"), (MESSAGING, "messaging"), (BOT, "bot"))
        }
        self.channel_queue_of = np.array([self.channel_queue.get(ch, -1) for ch in range(5)])
        pool_code = {p: k for k, p in enumerate(self.routing.pools)}
        self.queue_pool = np.array([pool_code.get(q, -1) for q in self.queue_names])  # -1: no agents of its own
        self.digital_pool = pool_code[DIGITAL]
        # seconds in its own queue before a call may overflow to another queue's agents (VIP: almost at once)
        self.queue_overflow_after = np.array([P.OVERFLOW_AFTER_SECONDS.get(q, P.OVERFLOW_AFTER_SECONDS["default"])
                                              for q in self.queue_names])
        self.transfer_p = np.array([P.TRANSFER_RATE.get(c, P.TRANSFER_RATE["default"]) for c in categories])
        self.end = self.clock.end_utc
        self.fresh_per_day = world.contacts_per_day / (1 + P.EXPECTED_EXTRA_CONTACTS)

    # ------------------------------------------------------------------ population and arrivals
    def customers(self) -> Customers:
        rng = self.rng
        n = max(400, int(2.5 * self.fresh_per_day * self.clock.days))
        return Customers(
            n=n,
            weight=rng.gamma(1.5, 1.0, n),
            language=LANGUAGES[choice_index(rng, (0.72, 0.20, 0.04, 0.04), n)],
            vip=rng.random(n) < P.VIP_CUSTOMER_SHARE,
            two_phones=rng.random(n) < 0.15,
        )

    def intensity(self) -> np.ndarray:
        """Expected fresh contacts per (channel, day, half-hour of the open hours)."""
        clock, rng = self.clock, self.rng
        days = np.arange(clock.days)
        weekday = clock.weekday(days)
        factor = np.array(P.WEEKDAY_FACTOR) / np.mean(P.WEEKDAY_FACTOR)
        daily = self.fresh_per_day * factor[weekday] * (1 + 0.0008 * days) * np.exp(0.04 * rng.standard_normal(len(days)))
        hourly_wd = np.repeat(np.array(P.HOURLY_WEEKDAY), 2)
        hourly_we = np.repeat(np.array(P.HOURLY_WEEKEND), 2)
        out = np.zeros((5, clock.days, HALF_HOURS))
        tilt = {VOICE: 0.0, CHAT: 0.2, EMAIL: -0.4, MESSAGING: 0.6, BOT: 0.3}  # later in the day: digital
        position = np.linspace(-1, 1, HALF_HOURS)
        for ch, name in enumerate(CHANNEL_NAMES):
            for weekend, profile in ((False, hourly_wd), (True, hourly_we)):
                shape = profile * np.exp(tilt[ch] * position)
                shape = shape / shape.sum()
                rows = (weekday >= 5) == weekend
                out[ch, rows] = daily[rows, None] * P.CHANNEL_SHARE[name] * shape[None, :]
        return out

    def fresh(self, lam: np.ndarray, customers: Customers) -> dict[str, np.ndarray]:
        rng, clock = self.rng, self.clock
        counts = rng.poisson(lam)
        cell = np.repeat(np.arange(counts.size), counts.ravel())
        ch, day, hh = np.unravel_index(cell, counts.shape)
        n = len(cell)
        b = empty(n)
        b["channel"] = ch.astype(np.int8)
        b["t"] = np.round(clock.at(day, P.OPEN_HOUR * HOUR + (hh + rng.random(n)) * 1800.0))
        b["cause"][:] = FRESH
        prospect = rng.random(n) < 0.02
        p = customers.weight / customers.weight.sum()
        b["customer"] = np.where(prospect, -1, rng.choice(customers.n, size=n, p=p))
        b["reason"] = self.draw_reason(n, ch)
        # Prospects (2 %) ask for a new account: no customer id; a phone number of their own.
        if "new_account" in self.reason_codes:
            b["reason"][prospect] = self.reason_codes.index("new_account")
        b["phone"] = self.customer_phone(b["customer"], customers, n)
        new_numbers = np.flatnonzero(b["customer"] < 0)
        b["phone"][new_numbers] = 2 * customers.n + customers.n_prospect_numbers + np.arange(len(new_numbers))
        customers.n_prospect_numbers += len(new_numbers)
        return b

    def draw_reason(self, n: int, channel: np.ndarray) -> np.ndarray:
        rng = self.rng
        reason = choice_index(rng, self.r_freq, n)
        # The bot gets the simple reasons more often (self-service intents).
        simple = self.r_self > 0.15
        bot = np.flatnonzero(channel == BOT)
        if len(bot) and simple.any():
            flip = bot[rng.random(len(bot)) < 0.4]
            reason[flip] = np.flatnonzero(simple)[choice_index(rng, self.r_freq[simple], len(flip))]
        return reason

    def customer_phone(self, customer: np.ndarray, customers: Customers, n: int) -> np.ndarray:
        second = (customer >= 0) & customers.two_phones[np.maximum(customer, 0)] & (self.rng.random(n) < 0.3)
        return np.where(customer >= 0, 2 * customer + second, -1)

    # ------------------------------------------------------------------ simulation of one batch (window)
    def simulate(self, b: dict[str, np.ndarray], customers: Customers) -> None:
        vip = (b["customer"] >= 0) & customers.vip[np.maximum(b["customer"], 0)]
        voice = np.flatnonzero((b["channel"] == VOICE) & ~b["outbound"])
        self.simulate_voice(b, voice, vip[voice])
        self.simulate_digital(b, np.flatnonzero((b["channel"] != VOICE) & ~b["outbound"]))
        # Who is identified: most callers give their account; bots and guest chats are often anonymous;
        # an outbound call is made to a known customer.
        rng = self.rng
        n = len(b["t"])
        u = rng.random(n)
        has_customer = b["customer"] >= 0
        b["identified"] = has_customer & (b["outbound"] | np.select(
            [b["channel"] == VOICE, b["channel"] == BOT, b["channel"] == CHAT], [u >= 0.10, u >= 0.20, u >= 0.08],
            default=True))
        withheld = (b["channel"] == VOICE) & ~b["outbound"] & ~b["identified"] & (rng.random(n) < 0.1)
        b["phone"][withheld] = -1

    def simulate_voice(self, b, idx, vip) -> None:
        """Inbound calls: IVR (self-service, hang-up, technical failure), then the queue (Desk), then the
        conversation; outbound calls of the batch (callbacks, campaigns) share the agents."""
        rng, n = self.rng, len(idx)
        t = b["t"][idx]
        reason = b["reason"][idx]
        queue = np.where(vip & (self.vip_queue >= 0), self.vip_queue, self.r_voice_queue[reason])
        no_ivr = rng.random(n) < np.where(vip, 0.4, P.NO_IVR_SHARE)
        ivr = np.round(lognormal(rng, P.IVR_MEDIAN_SECONDS * np.where(self.r_category[reason] == "technical", 1.2, 1.0),
                                 P.IVR_SIGMA, n))
        ivr = np.maximum(ivr, 4)
        keys = 1 + rng.poisson(ivr / 25.0)
        u = rng.random(n)
        failed = u < P.IVR_FAILED
        ivr_abandon = ~failed & ~no_ivr & (u < P.IVR_FAILED + P.IVR_ABANDON)
        self_served = ~failed & ~ivr_abandon & ~no_ivr & (rng.random(n) < self.r_self[reason])
        queued_mask = ~failed & ~ivr_abandon & ~self_served

        ivr_end = np.where(no_ivr | failed, np.nan, t + ivr)
        part = np.round(ivr * rng.uniform(0.2, 0.9, n))
        ivr_end = np.where(ivr_abandon, t + part, ivr_end)
        keypresses = np.where(no_ivr | failed, np.nan, np.where(ivr_abandon, np.maximum(1, keys // 2), keys))
        ended = np.full(n, np.nan)
        ended[failed] = t[failed] + rng.integers(1, 16, failed.sum())
        ended[ivr_abandon] = ivr_end[ivr_abandon]
        ended[self_served] = ivr_end[self_served]
        outcome = np.full(n, ANSWERED, dtype=np.int8)
        outcome[failed] = FAILED
        outcome[ivr_abandon] = ABANDONED
        outcome[self_served] = SELF_SERVED
        queued = np.where(queued_mask, np.where(no_ivr, t, ivr_end) + rng.integers(1, 4, n), np.nan)
        patience = rng.exponential(P.PATIENCE_MEAN_SECONDS, n) + 3
        short = rng.random(n) < P.SHORT_ABANDON_SHARE
        patience[short] = rng.uniform(0, 5, short.sum())

        # Conversation length before the agent's pace is applied (transfers add talk time).
        talk = lognormal(rng, self.r_talk[reason], 0.45, n)
        hold = np.where(rng.random(n) < P.HOLD_SHARE, np.round(lognormal(rng, 45, 0.7, n)), 0)
        wrap = lognormal(rng, P.WRAP_MEDIAN_SECONDS, 0.5, n)
        transfers = np.where(rng.random(n) < self.transfer_p[reason], np.where(rng.random(n) < 0.2, 2, 1), 0)
        transfer_talk = transfers * np.round(lognormal(rng, 120, 0.5, n))

        b["queue"][idx] = np.where(queued_mask, queue, -1)
        b["reason"][idx] = np.where(failed | ivr_abandon, -1, reason)
        b["ivr_end"][idx] = ivr_end
        b["keypresses"][idx] = keypresses
        b["queued"][idx] = queued
        b["ended"][idx] = ended
        b["outcome"][idx] = outcome
        b["patience"][idx] = np.where(queued_mask, patience, np.nan)
        b["talk"][idx] = np.where(queued_mask, talk, np.nan)
        b["hold"][idx] = np.where(queued_mask, hold, np.nan)
        b["wrap"][idx] = np.where(queued_mask, wrap, np.nan)
        b["transfers"][idx] = np.where(queued_mask, transfers, np.nan)
        self._transfer_talk = np.zeros(len(b["t"]))
        self._transfer_talk[idx] = transfer_talk

        # Outbound calls of the batch: does the customer pick up, how long.
        outbound = np.flatnonzero(b["outbound"])
        k = len(outbound)
        picked_up = rng.random(k) < 0.8
        ring = rng.integers(5, 26, k).astype(float)
        b["talk"][outbound] = np.where(picked_up, np.round(lognormal(rng, 150, 0.5, k)), 0)
        b["answered"][outbound] = np.where(picked_up, ring, np.nan)  # offset from the dial, until placed
        b["ended"][outbound] = np.where(picked_up, ring + b["talk"][outbound], 30.0)
        b["wrap"][outbound] = np.round(lognormal(rng, 25, 0.5, k))
        b["hold"][outbound] = 0
        b["transfers"][outbound] = 0

        # The queue: inbound calls that reached it and the batch's outbound calls, together.
        inbound = idx[queued_mask]
        self.desk.serve(b, inbound, outbound, self._transfer_talk, self)
        self.finish_voice(b, inbound)

    def finish_voice(self, b, inbound) -> None:
        """After the queue: resolution (agent and reason), callback promises."""
        rng = self.rng
        ok = inbound[b["agent"][inbound] >= 0]
        a = b["agent"][ok]
        reason = b["reason"][ok]
        transfers = b["transfers"][ok]
        resolve_p = self.r_resolve[reason] * self.people.resolve_multiplier[a] * np.where(transfers > 0, 0.9, 1)
        resolved = rng.random(len(ok)) < np.clip(resolve_p, 0, 0.99)
        promise_p = np.where(resolved, P.CALLBACK_PROMISE["resolved"], P.CALLBACK_PROMISE["unresolved"])
        promised = rng.random(len(ok)) < promise_p
        hours = np.array([2, 4, 24])[choice_index(rng, (0.35, 0.35, 0.30), len(ok))]
        promise = np.ceil((b["ended"][ok] + hours * HOUR) / 900.0) * 900.0
        # Agents promise a time within opening hours: otherwise mid-morning the next day.
        sod = self.clock.local_seconds_of_day(promise)
        outside = (sod < (P.OPEN_HOUR + 1) * HOUR) | (sod > (P.CLOSE_HOUR - 1) * HOUR)
        next_day = self.clock.local_day(promise) + (sod > (P.CLOSE_HOUR - 1) * HOUR)
        promise = np.where(outside, self.clock.at(next_day, 10 * HOUR + 900.0 * rng.integers(0, 8, len(ok))), promise)
        b["handled"][ok] = True
        b["resolved"][ok] = resolved
        b["promise"][ok] = np.where(promised, promise, np.nan)
        b["cb_fate"][ok] = np.where(promised, choice_index(rng, list(P.CALLBACK_FATE.values()), len(ok)), -1)

    def simulate_digital(self, b, idx) -> None:
        """Chat (40 % start with the bot), messaging, e-mail (answered hours later) and bot conversations
        (resolved, escalated to an agent, abandoned, failed), all channels at once."""
        rng, n = self.rng, len(idx)
        if n == 0:
            return
        t = b["t"][idx]
        reason = b["reason"][idx]
        ch = b["channel"][idx]
        is_bot, is_chat, is_msg = ch == BOT, ch == CHAT, ch == MESSAGING
        u = rng.random(n)
        bot_front = is_bot | (is_chat & (rng.random(n) < 0.4))
        first_response = np.where(bot_front, t + rng.integers(1, 5, n), np.nan)
        resolved_by_bot = bot_front & (rng.random(n) < 0.30)
        outcome = np.select(
            [is_bot, is_chat, is_msg],
            [np.select([u < 0.45, u < 0.75, u < 0.95], [RESOLVED_BY_BOT, HANDLED, ABANDONED], FAILED),
             np.select([u < 0.015, resolved_by_bot, u < 0.095], [FAILED, RESOLVED_BY_BOT, ABANDONED], HANDLED),
             np.select([u < 0.01, u < 0.07], [FAILED, ABANDONED], HANDLED)],
            np.where(u < 0.01, FAILED, HANDLED),  # e-mail: a bounce is "failed"
        ).astype(np.int8)
        agent_join = np.select(  # when an agent takes the conversation over (e-mail: hours later)
            [is_bot, is_chat, is_msg],
            [t + np.round(lognormal(rng, 120, 0.5, n)),
             np.where(bot_front, t + np.round(lognormal(rng, 60, 0.5, n)), t) + np.round(rng.exponential(45, n)),
             t + np.round(lognormal(rng, 180, 0.8, n))],
            t + np.round(lognormal(rng, 3 * HOUR, 0.8, n)))
        ended = np.select(
            [outcome == FAILED, outcome == ABANDONED, outcome == RESOLVED_BY_BOT],
            [t + rng.integers(5, 60, n),
             t + np.round(lognormal(rng, np.select([is_msg, is_bot], [600, 100], 90), 0.6, n)),
             t + np.round(lognormal(rng, 150, 0.5, n))], np.nan)
        escalated = bot_front & (outcome == HANDLED)

        handled = np.flatnonzero(outcome == HANDLED)
        join = agent_join[handled]
        agent, join = self.assign_digital(join)
        lost = agent < 0  # nobody on duty before the data ends: the customer gives up
        # A chat or messaging customer waiting for a first answer gives up after DIGITAL_PATIENCE_SECONDS
        # (above all when nobody is on duty until the next morning).
        waiting = (np.isin(ch[handled], (CHAT, MESSAGING)) & ~bot_front[handled]
                   & (join - t[handled] > P.DIGITAL_PATIENCE_SECONDS))
        lost |= waiting
        a = np.maximum(agent, 0)
        aht = self.aht_multiplier(a, join)
        duration = DIGITAL_HANDLE_SECONDS[ch[handled]]  # agent time, not elapsed time
        end_h = join + np.round(lognormal(rng, duration * aht, 0.5, len(handled)))
        resolve_p = (self.r_resolve[reason[handled]] * self.people.resolve_multiplier[a]
                     * np.where(ch[handled] == EMAIL, 0.95, 1.0))
        resolved = rng.random(len(handled)) < np.clip(resolve_p, 0, 0.99)
        g = idx[handled]
        b["agent"][g] = np.where(lost, -1, agent)
        b["answered"][g] = np.where(lost, np.nan, join)
        ended[handled] = np.where(waiting, t[handled] + P.DIGITAL_PATIENCE_SECONDS,
                                  np.where(lost, t[handled] + 3600, end_h))
        outcome[handled[lost]] = ABANDONED
        first_response[handled] = np.where(bot_front[handled], first_response[handled], np.where(lost, np.nan, join))
        b["handled"][g] = ~lost
        b["resolved"][g] = resolved & ~lost
        b["outcome"][idx] = outcome
        b["ended"][idx] = ended
        b["first_response"][idx] = first_response
        b["bot_handled"][idx] = bot_front
        b["escalated"][idx] = escalated & (outcome == HANDLED)
        b["queue"][idx] = self.channel_queue_of[ch]
        intent_known = (outcome != FAILED) & ~((outcome == ABANDONED) & ~bot_front)
        b["reason"][idx] = np.where(intent_known, reason, -1)

    # ------------------------------------------------------------------ agents
    def aht_multiplier(self, agent: np.ndarray, t: np.ndarray) -> np.ndarray:
        p = self.people
        days_in = self.clock.local_day(t) - p.production_day[agent]
        new = days_in < P.NEW_AGENT_DAYS
        weak_class = np.array([p.classes[k]["weak"] if k >= 0 else False for k in p.class_index[agent]], dtype=bool)
        return (p.aht_multiplier[agent] * np.where(new, P.NEW_AGENT_AHT_MULTIPLIER, 1.0)
                * np.where(new & weak_class, P.WEAK_CLASS_AHT_MULTIPLIER, 1.0))

    def repeat_multiplier(self, agent: np.ndarray, t: np.ndarray) -> np.ndarray:
        p = self.people
        days_in = self.clock.local_day(t) - p.production_day[agent]
        new = days_in < P.NEW_AGENT_DAYS
        weak_class = np.array([p.classes[k]["weak"] if k >= 0 else False for k in p.class_index[agent]], dtype=bool)
        return (p.repeat_multiplier[agent] * np.where(new, P.NEW_AGENT_REPEAT_MULTIPLIER, 1.0)
                * np.where(new & weak_class, P.WEAK_CLASS_REPEAT_MULTIPLIER, 1.0))

    def assign_round_robin(self, pool: np.ndarray, at: np.ndarray) -> np.ndarray:
        """Round-robin over the agents of the pool on duty in the slot of `at`; -1 = nobody on duty."""
        r = self.routing
        slot = local_slot(self.world, at)
        offset, count = r.lookup(pool, slot)
        out = np.full(len(at), -1, dtype=np.int64)
        ok = np.flatnonzero(count > 0)
        if len(ok) == 0:
            return out
        key = pool[ok].astype(np.int64) * r.n_slots + slot[ok]
        order = ok[np.lexsort((at[ok], key))]
        key_sorted = pool[order].astype(np.int64) * r.n_slots + slot[order]
        rank = group_rank(key_sorted)
        rotation = (key_sorted * 2654435761) % 97
        out[order] = r.agents[offset[order] + (rank + rotation) % count[order]]
        return out

    def assign_digital(self, join: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Digital work waits for the next slot with a digital agent on duty."""
        r = self.routing
        slot = np.clip(local_slot(self.world, join), 0, r.n_slots - 1)
        nxt = self.next_digital[slot]
        moved = nxt != slot
        start_of = self.clock.to_utc_naive(self.clock.start_naive + np.minimum(nxt, r.n_slots - 1) * SLOT)
        join = np.where(moved, start_of + self.rng.integers(10, 600, len(join)), join)
        agent = self.assign_round_robin(np.full(len(join), self.digital_pool), join)
        agent[(nxt >= r.n_slots) | (join >= self.end)] = -1
        return agent, join

    # ------------------------------------------------------------------ what a contact leads to
    def followups(self, b: dict[str, np.ndarray], offset: int, customers: Customers) -> dict[str, np.ndarray]:
        rng, n = self.rng, len(b["t"])
        ch = b["channel"].astype(np.int64)
        outcome = b["outcome"]
        inbound = ~b["outbound"]
        ended = np.where(np.isnan(b["ended"]), b["t"], b["ended"])
        spawn_p = np.zeros(n)
        cause = np.full(n, REPEAT)
        # Repeat after a handled contact: reason x agent x resolution x callback fate.
        h = np.flatnonzero(b["handled"] & inbound)
        reason = np.maximum(b["reason"][h], 0)
        mult = self.repeat_multiplier(b["agent"][h], b["t"][h])
        res = np.where(b["resolved"][h], P.REPEAT_RESOLUTION_MULTIPLIER["resolved"],
                       P.REPEAT_RESOLUTION_MULTIPLIER["unresolved"])
        fate = b["cb_fate"][h]
        cb = np.select([fate == KEPT, fate == LATE, fate == NEVER],
                       [P.REPEAT_CALLBACK_MULTIPLIER["kept"], P.REPEAT_CALLBACK_MULTIPLIER["late"],
                        P.REPEAT_CALLBACK_MULTIPLIER["never"]], 1.0)
        spawn_p[h] = np.minimum(P.REPEAT_CAP, self.r_repeat[reason] * mult * res * cb)
        voice_in = (ch == VOICE) & inbound
        retry_ab = voice_in & (outcome == ABANDONED)
        retry_f = voice_in & (outcome == FAILED)
        ss = voice_in & (outcome == SELF_SERVED)
        bot_fail = (ch == BOT) & ((outcome == ABANDONED) | (outcome == FAILED))
        dig_ab = np.isin(ch, (CHAT, MESSAGING)) & (outcome == ABANDONED)
        spawn_p[retry_ab] = P.RETRY_AFTER_ABANDON
        spawn_p[retry_f] = P.RETRY_AFTER_FAILED
        spawn_p[ss] = P.REPEAT_AFTER_SELF_SERVICE
        spawn_p[dig_ab] = 0.4
        spawn_p[(ch == BOT) & (outcome == ABANDONED)] = P.BOT_FAILURE_TO_CALL["abandoned"]
        spawn_p[(ch == BOT) & (outcome == FAILED)] = P.BOT_FAILURE_TO_CALL["failed"]
        cause[retry_ab | retry_f | dig_ab] = RETRY
        cause[bot_fail] = BOT_FALLBACK
        go = rng.random(n) < spawn_p
        delay = np.where(rng.random(n) < P.REPEAT_SHARE_WITHIN_48H, log_uniform(rng, 0.5 * HOUR, 48 * HOUR, n),
                         rng.uniform(48 * HOUR, 168 * HOUR, n))
        delay = np.where(retry_ab | dig_ab, log_uniform(rng, 60, 3 * HOUR, n), delay)
        delay = np.where(retry_f, rng.uniform(30, 600, n), delay)
        delay = np.where(bot_fail, log_uniform(rng, 300, 3 * HOUR, n), delay)
        new_t = self.into_open_hours(np.round(ended + delay))
        go &= new_t < self.end
        sel = np.flatnonzero(go)
        k = len(sel)
        c = empty(k)
        c["parent"] = offset + sel
        c["gen"] = b["gen"][sel] + 1
        c["cause"] = cause[sel].astype(np.int8)
        c["customer"] = b["customer"][sel]
        c["t"] = new_t[sel]
        same_channel = rng.random(k) < P.REPEAT_SAME_CHANNEL
        other = np.array([VOICE, CHAT, EMAIL, MESSAGING])[choice_index(rng, (0.55, 0.2, 0.15, 0.1), k)]
        new_ch = np.where(same_channel, ch[sel], other)
        new_ch = np.where((cause[sel] == BOT_FALLBACK) | retry_f[sel], VOICE, new_ch)
        new_ch = np.where(retry_ab[sel], np.where(rng.random(k) < 0.85, VOICE, CHAT), new_ch)
        c["channel"] = new_ch.astype(np.int8)
        same_reason = (rng.random(k) < P.REPEAT_SAME_REASON) & (b["reason"][sel] >= 0)
        c["reason"] = np.where(same_reason, b["reason"][sel], self.draw_reason(k, new_ch))
        c["phone"] = np.where(c["customer"] >= 0, self.customer_phone(c["customer"], customers, k), b["phone"][sel])
        return c

    def callbacks(self, b: dict[str, np.ndarray], offset: int) -> dict[str, np.ndarray]:
        """Outbound callbacks for promises: planned before the promise (kept) or after it (late), or never
        made. They queue for an agent of the same queue when their time comes, so a busy queue makes a
        planned-on-time callback late too."""
        rng = self.rng
        sel = np.flatnonzero(~np.isnan(b["promise"]) & (b["cb_fate"] != NEVER))
        k = len(sel)
        promise, ended = b["promise"][sel], b["ended"][sel]
        kept = b["cb_fate"][sel] == KEPT
        dial = np.where(kept, ended + (promise - ended) * rng.uniform(0.3, 0.9, k),
                        promise + log_uniform(rng, 10 * MINUTE, 30 * HOUR, k))
        dial = self.into_open_hours(dial)  # dialled when agents are there
        c = empty(k)
        c["outbound"][:] = True
        c["channel"][:] = VOICE
        c["parent"] = offset + sel
        c["gen"] = b["gen"][sel] + 1
        c["callback_for"] = offset + sel
        c["cause"][:] = CALLBACK
        c["customer"] = b["customer"][sel]
        c["phone"] = b["phone"][sel]
        c["reason"] = b["reason"][sel]
        c["queue"] = b["queue"][sel]
        c["t"] = np.round(dial)
        keep = c["t"] < self.end
        return c[keep]

    def campaign(self, customers: Customers) -> dict[str, np.ndarray]:
        """Proactive outbound calls (payment reminders, retention offers): about 2 % of voice volume."""
        rng, clock = self.rng, self.clock
        n = rng.poisson(0.02 * self.fresh_per_day * P.CHANNEL_SHARE["voice"] * clock.days)
        c = empty(n)
        day = rng.integers(0, clock.days, n)
        c["t"] = np.round(clock.at(day, rng.uniform(10 * HOUR, 19 * HOUR, n)))
        c["outbound"][:] = True
        c["cause"][:] = CAMPAIGN
        c["customer"] = rng.integers(0, customers.n, n)
        c["phone"] = 2 * c["customer"]
        codes = {c_: k for k, c_ in enumerate(self.reason_codes)}
        options = [codes[r] for r in ("payment_arrangement", "cancellation", "plan_change") if r in codes] or [0]
        c["reason"] = np.array(options)[rng.integers(0, len(options), n)]
        c["queue"] = self.r_voice_queue[c["reason"]]
        return c

    def outbound_calls(self, b, idx, agent, start) -> None:
        """Place outbound calls once the desk has found them an agent (start = dial time): offsets drawn
        before the queue become instants. A call nobody could make before the data ended is dropped later."""
        dialled = agent >= 0
        b["agent"][idx] = agent
        b["t"][idx] = np.where(dialled, start, b["t"][idx])
        b["answered"][idx] = np.where(dialled, start + b["answered"][idx], np.nan)
        b["ended"][idx] = np.where(dialled, start + b["ended"][idx], np.nan)
        b["outcome"][idx] = np.where(dialled & ~np.isnan(b["answered"][idx]), ANSWERED, ABANDONED)

    def into_open_hours(self, t: np.ndarray) -> np.ndarray:
        """Move instants outside opening hours to the next opening (plus a little)."""
        clock, rng = self.clock, self.rng
        day = clock.local_day(t)
        sod = clock.local_seconds_of_day(t)
        early = sod < P.OPEN_HOUR * HOUR
        late = sod >= (P.CLOSE_HOUR - 0.25) * HOUR
        target_day = np.where(late, day + 1, day)
        moved = clock.at(target_day, P.OPEN_HOUR * HOUR + rng.uniform(0, 3 * HOUR, len(t)))
        return np.where(early | late, np.round(moved), t)

    # ------------------------------------------------------------------ the whole run
    def run(self) -> ContactSet:
        customers = self.customers()
        lam = self.intensity()
        self.desk = Desk(self.world, self)
        self.next_digital = self.routing.next_staffed_slot(self.digital_pool)
        # Arrivals are simulated in chronological windows, every generation together, so that a repeat
        # caller queues with everybody else (first in, first out). What a window's contacts lead to joins the
        # window it falls in, or the next one if that is the window being simulated (a quick retry queues
        # behind the calls of its window: it cannot be known before its own first attempt is over).
        batches = [empty(0)]
        offset = 0  # global index of the first contact of the next batch
        fresh = self.fresh(lam, customers)
        campaign = self.campaign(customers)
        arrivals = _sorted(_join([fresh, campaign]))
        origin = float(np.nanmin(arrivals["t"])) if len(arrivals["t"]) else 0.0
        window_of = lambda t: np.floor((t - origin) / WINDOW_SECONDS).astype(np.int64)  # noqa: E731
        n_windows = int(window_of(np.array([self.end]))[0]) + 2
        bounds = np.searchsorted(window_of(arrivals["t"]), np.arange(n_windows + 1))
        # Pending contacts: per window for the next day, per day beyond (split into windows when the day
        # comes), so that each batch is filed in a few slices however far ahead its contacts fall.
        per_day = int(DAY // WINDOW_SECONDS)
        near: dict[int, list] = {}
        far: dict[int, list] = {}
        for w in range(n_windows):
            if w % per_day == 0 and w // per_day in far:
                self._file(_join(far.pop(w // per_day)), window_of, near, None, per_day)
            batch = _join([arrivals[bounds[w]:bounds[w + 1]]] + near.pop(w, []))  # (the desk orders its calls)
            if not len(batch["t"]):
                continue
            self.simulate(batch, customers)
            batches.append(batch)
            new = _join([self.followups(batch, offset, customers), self.callbacks(batch, offset)])
            offset += len(batch["t"])
            self._file(new, window_of, near, far, per_day, current=w)
        records = _join(batches)
        a = {k: np.ascontiguousarray(records[k]) for k in FIELDS}
        del records
        # Outbound calls the desk could not place before the data ended were never made.
        never = a["outbound"] & (a["agent"] < 0)
        a = {k: v for k, v in a.items()}
        keep = ~never
        remap = np.cumsum(keep) - 1
        a = {k: v[keep] for k, v in a.items()}
        for ref in ("parent", "callback_for"):
            a[ref] = np.where(a[ref] >= 0, remap[np.maximum(a[ref], 0)], -1)
        queue_channel = [q["channel"] for q in self.ref.queues]
        cs = ContactSet(a, customers, self.queue_names)
        cs.expected_by_queue = self.expected_by_queue(lam, a, queue_channel)
        self.world.truth["contacts_model"] = self.truth(customers)
        return cs

    @staticmethod
    def _file(new, window_of, near: dict, far: dict | None, per_day: int, current: int = -1) -> None:
        """File pending contacts by the window they fall in (never the current one: a contact known only
        after its window was simulated joins the next), or by day when more than a day ahead."""
        if not len(new):
            return
        target = np.maximum(window_of(new["t"]), current + 1)
        key = target if far is None else np.where(target < current + 1 + per_day, target, -1 - target // per_day)
        order = np.argsort(key, kind="stable")
        key, new = key[order], new[order]
        cuts = np.r_[np.flatnonzero(np.r_[True, key[1:] != key[:-1]]), len(key)]
        for lo, hi in zip(cuts[:-1], cuts[1:]):
            k = int(key[lo])
            (near.setdefault(k, []) if k >= 0 else far.setdefault(-1 - k, [])).append(new[lo:hi])

    def expected_by_queue(self, lam, a, queue_channel) -> np.ndarray:
        """Expected offered contacts per (queue, day, half-hour): the fresh intensity of the queue's channel,
        scaled to the number of contacts that actually arrived in the queue (repeats and retries included)."""
        inbound = ~a["outbound"] & (a["queue"] >= 0)
        n_q = len(self.queue_names)
        realised = np.bincount(a["queue"][inbound], minlength=n_q).astype(float)
        channel_of = {"voice": VOICE, "chat": CHAT, "email": EMAIL, "messaging": MESSAGING, "bot": BOT}
        out = np.zeros((n_q,) + lam.shape[1:])
        for q in range(n_q):
            ch = channel_of.get(queue_channel[q])
            if ch is not None and lam[ch].sum() > 0:
                out[q] = lam[ch] * realised[q] / lam[ch].sum()
        return out

    def truth(self, customers: Customers) -> dict:
        table = P.reason_table(self.reason_codes)
        return {
            "customers": int(customers.n),
            "channel_share_of_fresh_contacts": P.CHANNEL_SHARE,
            "weekday_factor_mon_to_sun": list(P.WEEKDAY_FACTOR),
            "open_hours_local": [P.OPEN_HOUR, P.CLOSE_HOUR],
            "unidentified_call_share": 0.10,
            "ivr": {"median_seconds": P.IVR_MEDIAN_SECONDS, "lognormal_sigma": P.IVR_SIGMA,
                    "no_ivr_share": P.NO_IVR_SHARE, "failed_share": P.IVR_FAILED, "ivr_abandon_share": P.IVR_ABANDON,
                    "self_service_by_reason": {c: table[c][1] for c in self.reason_codes}},
            "patience_mean_seconds": P.PATIENCE_MEAN_SECONDS,
            "repeat": {
                "definition": "P(the customer makes another inbound contact within 7 days | handled contact) = "
                              "min(cap, base_by_reason x agent multiplier x resolution multiplier x callback "
                              "multiplier); of those repeats a share falls within 48 h",
                "base_7d_by_reason_resolved": {c: table[c][4] for c in self.reason_codes},
                "resolution_multiplier": P.REPEAT_RESOLUTION_MULTIPLIER,
                "callback_multiplier": P.REPEAT_CALLBACK_MULTIPLIER,
                "share_within_48h": P.REPEAT_SHARE_WITHIN_48H,
                "cap": P.REPEAT_CAP,
                "expected_7d_by_reason": {
                    c: {"resolved": round(min(P.REPEAT_CAP, table[c][4]), 4),
                        "unresolved": round(min(P.REPEAT_CAP, table[c][4] * P.REPEAT_RESOLUTION_MULTIPLIER["unresolved"]), 4)}
                    for c in self.reason_codes},
                "expected_7d_by_reason_at_planted_resolution_rate": {
                    c: round(min(P.REPEAT_CAP, table[c][4] * (table[c][2] * P.REPEAT_RESOLUTION_MULTIPLIER["resolved"]
                             + (1 - table[c][2]) * P.REPEAT_RESOLUTION_MULTIPLIER["unresolved"])), 4)
                    for c in self.reason_codes},
                "same_channel_share": P.REPEAT_SAME_CHANNEL,
                "same_reason_share": P.REPEAT_SAME_REASON,
                "resolution_probability_by_reason": {c: table[c][2] for c in self.reason_codes},
                "retry_after_abandon": P.RETRY_AFTER_ABANDON,
                "retry_after_failed": P.RETRY_AFTER_FAILED,
                "bot_failure_to_call": {k: v for k, v in P.BOT_FAILURE_TO_CALL.items() if k != "escalated"},
                "note": "background: customers also make unrelated fresh contacts, so observed repeat rates sit "
                        "slightly above the planted probabilities; a repeat due outside opening hours is moved to "
                        "the next opening, which pushes a few just past 7 days",
            },
            "callback": {"promise_share": P.CALLBACK_PROMISE, "fate": P.CALLBACK_FATE},
        }


WINDOW_SECONDS = HOUR  # arrivals are simulated in windows of this length, in time order


def _join(parts: list[np.ndarray]) -> np.ndarray:
    """Concatenate contact records (np.concatenate re-derives the record type for every call: slow)."""
    out = np.empty(sum(len(p) for p in parts), dtype=RECORD)
    position = 0
    for part in parts:
        out[position:position + len(part)] = part
        position += len(part)
    return out


def _sorted(batch: np.ndarray) -> np.ndarray:
    return batch[np.argsort(batch["t"], kind="stable")]


class Desk:
    """The voice queues: a first-in-first-out multi-server queue per voice queue, with skills overflow.

    Each voice agent has a sorted list of intervals in which they cannot take a call (outside their work
    segments: off shift, breaks, lunch, meetings, training, coaching; late logins; not-ready spells) and,
    as calls are placed, the calls themselves. For each call in order of queue entry, the longest-idle
    agent of the call's queue takes it if the whole conversation fits before the agent's next unavailable
    interval (else that agent is retried after the interval); after OVERFLOW_AFTER_SECONDS an agent of the
    largest other voice queues may take it. A caller whose wait would exceed their patience hangs up (abandoned); an outbound call
    waits until someone is free. This loop is the only sequential part of the generator: a queue is
    inherently sequential (each wait depends on the calls before it). It runs once per window with plain
    Python lists and heaps, about 15 microseconds per call.
    """

    def __init__(self, world: World, gen: Generator):
        people, clock = world.people, world.clock
        self.gen = gen
        self.voice_pools = [p for p in gen.routing.pools if p != DIGITAL]
        voice_agents = np.flatnonzero(np.isin(people.pool, self.voice_pools))
        self.members = {code: np.flatnonzero(people.pool == p).tolist()
                        for code, p in enumerate(gen.routing.pools) if p != DIGITAL}
        u_agent, u_start, u_end = unavailability(world, voice_agents)
        n = len(people)
        self.starts: list[list[float]] = [[] for _ in range(n)]
        self.ends: list[list[float]] = [[] for _ in range(n)]
        bounds = np.searchsorted(u_agent, np.arange(n + 1))
        for a in voice_agents.tolist():
            lo, hi = bounds[a], bounds[a + 1]
            self.starts[a] = u_start[lo:hi].tolist()
            self.ends[a] = u_end[lo:hi].tolist()
        # Pace of each agent: new agents are slower in their first days in production.
        weak_class = np.array([people.classes[k]["weak"] if k >= 0 else False for k in people.class_index])
        self.pace = people.aht_multiplier.tolist()
        new_until_day = people.production_day + P.NEW_AGENT_DAYS
        self.new_until = clock.at(np.nan_to_num(new_until_day, nan=-10_000), np.zeros(n)).tolist()
        self.new_pace = np.where(weak_class, P.NEW_AGENT_AHT_MULTIPLIER * P.WEAK_CLASS_AHT_MULTIPLIER,
                                 P.NEW_AGENT_AHT_MULTIPLIER).tolist()
        # A voice queue without agents of its own is served by the largest voice pool (general service).
        self.overflow_pool = max(self.members, key=lambda code: len(self.members[code]))

    def free_from(self, a: int, t: float) -> float:
        """The first instant >= t at which agent a is not inside an unavailable interval."""
        starts, ends = self.starts[a], self.ends[a]
        i = bisect.bisect_right(starts, t) - 1
        while i >= 0 and ends[i] > t:
            t = ends[i]
            i = bisect.bisect_right(starts, t) - 1
        return t

    def serve(self, b, inbound: np.ndarray, outbound: np.ndarray, transfer_talk: np.ndarray, gen) -> None:
        queue = np.concatenate([b["queue"][inbound], b["queue"][outbound]])
        ready = np.concatenate([b["queued"][inbound], b["t"][outbound]])
        patience = np.concatenate([b["patience"][inbound], np.full(len(outbound), np.inf)])
        rows = np.concatenate([inbound, outbound])
        is_out = np.r_[np.zeros(len(inbound), bool), np.ones(len(outbound), bool)]
        talk = np.concatenate([b["talk"][inbound], b["ended"][outbound]])  # outbound: dial to hang-up
        hold = np.concatenate([b["hold"][inbound], np.zeros(len(outbound))])
        wrap = np.concatenate([b["wrap"][inbound], b["wrap"][outbound]])
        extra = np.concatenate([transfer_talk[inbound], np.zeros(len(outbound))])
        pool = gen.queue_pool[np.maximum(queue, 0)]
        pool = np.where(np.isin(pool, list(self.members)), pool, self.overflow_pool)
        overflow_after = gen.queue_overflow_after[np.maximum(queue, 0)]
        order = np.argsort(ready, kind="stable")
        agent = np.full(len(rows), -1, dtype=np.int64)
        start = np.full(len(rows), np.nan)
        if len(order):
            got_agent, got_start = self._queue(
                pool[order].tolist(), ready[order].tolist(), patience[order].tolist(), talk[order].tolist(),
                hold[order].tolist(), wrap[order].tolist(), extra[order].tolist(), is_out[order].tolist(),
                overflow_after[order].tolist())
            agent[order] = got_agent
            start[order] = got_start
        # Inbound: answered or abandoned, with the agent's pace applied to talk and wrap.
        n_in = len(inbound)
        a_in, s_in = agent[:n_in], start[:n_in]
        answered = a_in >= 0
        pace = self.pace_of(a_in, s_in)
        talk_in = np.round(b["talk"][inbound] * pace) + transfer_talk[inbound]
        wrap_in = np.round(b["wrap"][inbound] * pace)
        b["agent"][inbound] = a_in
        b["answered"][inbound] = np.where(answered, s_in, np.nan)
        b["talk"][inbound] = np.where(answered, talk_in, np.nan)
        b["hold"][inbound] = np.where(answered, b["hold"][inbound], np.nan)
        b["wrap"][inbound] = np.where(answered, wrap_in, np.nan)
        b["transfers"][inbound] = np.where(answered, b["transfers"][inbound], np.nan)
        b["ended"][inbound] = np.where(answered, s_in + talk_in + b["hold"][inbound],
                                       b["queued"][inbound] + np.round(b["patience"][inbound]))
        b["outcome"][inbound] = np.where(answered, ANSWERED, ABANDONED)
        gen.outbound_calls(b, outbound, agent[n_in:], start[n_in:])

    def pace_of(self, agent: np.ndarray, at: np.ndarray) -> np.ndarray:
        a = np.maximum(agent, 0)
        pace = np.array(self.pace)[a]
        new = at < np.array(self.new_until)[a]
        return np.where(new, pace * np.array(self.new_pace)[a], pace)

    def _fit(self, a: int, s: float, bound: float, talk: float, hold: float, wrap: float, extra: float,
             outbound: bool) -> tuple[float, float, float]:
        """Agent a's earliest start at or after s for this call (the whole call inside one gap between the
        agent's unavailable intervals), not later than bound: (start or INF, length, first free instant)."""
        starts, ends = self.starts[a], self.ends[a]
        bisect_right = bisect.bisect_right
        available = None
        while s <= bound:
            i = bisect_right(starts, s)
            if i and ends[i - 1] > s:  # on a break, off shift, on another call: from its end
                s = ends[i - 1]
                continue
            if available is None:
                available = s
            if outbound:
                length = talk + wrap
            else:
                m = self.pace[a] * (self.new_pace[a] if s < self.new_until[a] else 1.0)
                length = round(talk * m) + extra + hold + round(wrap * m)
            if i < len(starts) and s + length > starts[i]:  # the gap is too short: the next one
                s = ends[i]
                continue
            return s, length, available
        return INF, 0.0, available if available is not None else s

    def _earliest(self, heap, q: float, floor: float, limit: float, talk: float, hold: float, wrap: float,
                  extra: float, outbound: bool, visits: int) -> tuple[float, int, float, float]:
        """The agent of `heap` who can start this call earliest (not before floor, not after q + limit);
        ties go to the longest idle. Agents are visited in order of their heap key (the instant they became
        free, a lower bound of when they can start) until no key can beat the best start found, or `visits`
        agents were tried (the ones deeper in the heap are rarely better; the cap keeps congested hours
        cheap). The chosen agent is taken out of the heap (the caller puts it back); the others go back with
        refreshed keys. Returns (start or INF, agent or -1, length, chosen agent's refreshed key)."""
        if heap:  # the common case first: the longest-idle agent is free and the call fits
            key, a = heap[0]
            if key <= floor:
                starts = self.starts[a]
                i = bisect.bisect_right(starts, floor)
                if not (i and self.ends[a][i - 1] > floor):
                    if outbound:
                        length = talk + wrap
                    else:
                        m = self.pace[a] * (self.new_pace[a] if floor < self.new_until[a] else 1.0)
                        length = round(talk * m) + extra + hold + round(wrap * m)
                    if i == len(starts) or floor + length <= starts[i]:
                        heapq.heappop(heap)
                        return floor, a, length, floor
        best = (INF, -1, 0.0, INF)
        aside = []
        bound = q + limit
        while heap and best[0] > floor and len(aside) < visits:
            key, a = heap[0]
            if key >= best[0] or key > bound:
                break
            heapq.heappop(heap)
            start, length, available = self._fit(a, key if key > floor else floor, min(bound, best[0]), talk,
                                                 hold, wrap, extra, outbound)
            if floor > q:  # seen from a later floor (overflow): keep the key, it stays a valid lower bound
                available = key
            if start < best[0]:
                if best[1] >= 0:
                    aside.append((best[3], best[1]))
                best = (start, a, length, available)
            else:
                aside.append((available, a))
        for item in aside:
            heapq.heappush(heap, item)
        return best

    def _queue(self, pool, ready, patience, talk, hold, wrap, extra, is_out, overflow_after):
        """All voice calls of a batch in order of queue entry (see the class docstring). A call that
        its own queue cannot answer within its queue's overflow time (OVERFLOW_AFTER_SECONDS) may go to the
        largest other queues."""
        # Each agent's key: when they are first free at or after the batch's earliest call (a lower bound of
        # when they can start any call of the batch; refreshed as they are visited).
        first = ready[0]
        heaps = {code: [(self.free_from(a, first), a) for a in members] for code, members in self.members.items()}
        for h in heaps.values():
            heapq.heapify(h)
        starts, ends = self.starts, self.ends
        earliest = self._earliest
        # Overflow goes to the largest voice queues (most skilled agents).
        overflow_heaps = [heaps[code] for code in sorted(heaps, key=lambda c: -len(self.members[c]))]
        out_agent, out_start = [], []
        nan = float("nan")
        for code, q, limit, tk, hd, wr, ex, outbound, after in zip(pool, ready, patience, talk, hold, wrap, extra,
                                                                   is_out, overflow_after):
            own = heaps[code]
            candidates = [(earliest(own, q, q, limit, tk, hd, wr, ex, outbound, OWN_VISITS), own)]
            if candidates[0][0][0] - q > after:
                for other in overflow_heaps:
                    if other is not own and len(candidates) <= OVERFLOW_QUEUES:
                        candidates.append((earliest(other, q, q + after, limit, tk, hd, wr, ex, outbound,
                                                    OVERFLOW_VISITS), other))
            (s, a, length, _), chosen_heap = min(candidates, key=lambda c: c[0][0])
            for (c_s, c_a, _, c_key), heap in candidates:  # put the candidates not taken back
                if c_a >= 0 and not (c_a == a and heap is chosen_heap):
                    heapq.heappush(heap, (c_key, c_a))
            if a < 0:
                out_agent.append(-1)
                out_start.append(nan)
                continue
            i = bisect.bisect_right(starts[a], s)
            starts[a].insert(i, s)
            ends[a].insert(i, s + length)
            heapq.heappush(chosen_heap, (s + length, a))
            out_agent.append(a)
            out_start.append(s)
        return out_agent, out_start


INF = float("inf")
OWN_VISITS, OVERFLOW_VISITS = 8, 3  # agents tried per call in its own queue / in each overflow queue
OVERFLOW_QUEUES = 2  # how many other (the largest) voice queues an overflowing call may go to


def build_contacts(world: World) -> ContactSet:
    cs = Generator(world).run()
    world.contacts = cs
    return cs


# ---------------------------------------------------------------- identifiers and landing frames


def assign_ids(world: World) -> None:
    """Calls C000000001.. and digital contacts D000000001.., numbered in order of arrival."""
    cs = world.contacts
    a = cs.a
    contact_id = np.empty(len(cs), dtype=object)
    for prefix, mask in (("C", a["channel"] == VOICE), ("D", a["channel"] != VOICE)):
        idx = np.flatnonzero(mask)
        idx = idx[np.argsort(a["t"][idx], kind="stable")]
        contact_id[idx] = ids(prefix, np.arange(1, len(idx) + 1), 9)
    cs.contact_id = contact_id


def _names(values: np.ndarray, names) -> np.ndarray:
    names = np.asarray(names, dtype=object)
    return np.where(values >= 0, names[np.maximum(values, 0)], None)


def calls_frame(world: World) -> LazyFrame:
    cs, clock, people = world.contacts, world.clock, world.people
    a = cs.a
    order = np.flatnonzero(a["channel"] == VOICE)
    order = order[np.argsort(a["t"][order], kind="stable")]

    def text_of(rows: np.ndarray) -> dict[str, np.ndarray]:
        idx = order[rows]
        g = {k: v[idx] for k, v in a.items()}
        inbound = ~g["outbound"]
        callback_for = g["callback_for"]
        return {
            "call_id": cs.contact_id[idx],
            "customer_id": np.where(g["identified"], cs.customers.customer_id(g["customer"]), None),
            "caller_number": phone_numbers(world, g["phone"], cs.customers),
            "direction": np.where(inbound, "inbound", "outbound").astype(object),
            "queue": _names(g["queue"], cs.queue_names),
            "reason_code": _names(g["reason"], world.ref.reason_codes),
            "arrived_at": clock.fmt(g["t"], offset=True),
            "ivr_ended_at": clock.fmt(g["ivr_end"], offset=True),
            "ivr_keypresses": text(g["keypresses"], "int"),
            "queued_at": clock.fmt(g["queued"], offset=True),
            "answered_at": clock.fmt(g["answered"], offset=True),
            "ended_at": clock.fmt(g["ended"], offset=True),
            "outcome": OUTCOMES[g["outcome"]],
            "agent_id": _names(g["agent"], people.agent_id),
            "talk_seconds": text(g["talk"], "int"),
            "hold_seconds": text(g["hold"], "int"),
            "wrap_seconds": text(g["wrap"], "int"),
            "transfer_count": text(g["transfers"], "int"),
            "ticket_id": _names(g["ticket"], cs.ticket_ids),
            "promised_callback_by": clock.fmt(g["promise"], offset=True),
            "callback_for_call_id": np.where(callback_for >= 0, cs.contact_id[np.maximum(callback_for, 0)], None),
        }

    return LazyFrame(text_of, clock.local_day(a["t"][order]))


def caller_numbers(world: World) -> np.ndarray:
    """The distinct caller numbers of the calls file (sorted), from the phone indices: the same set as the
    `caller_number` column's, without writing it out."""
    a = world.contacts.a
    phones = np.unique(a["phone"][(a["channel"] == VOICE) & (a["phone"] >= 0)])
    return np.unique(phone_numbers(world, phones, world.contacts.customers))


def digital_frame(world: World) -> LazyFrame:
    cs, clock, people = world.contacts, world.clock, world.people
    a = cs.a
    order = np.flatnonzero(a["channel"] != VOICE)
    order = order[np.argsort(a["t"][order], kind="stable")]

    def text_of(rows: np.ndarray) -> dict[str, np.ndarray]:
        idx = order[rows]
        g = {k: v[idx] for k, v in a.items()}
        return {
            "contact_id": cs.contact_id[idx],
            "customer_id": np.where(g["identified"], cs.customers.customer_id(g["customer"]), None),
            "channel": CHANNEL_NAMES[g["channel"]],
            "started_at": clock.fmt(g["t"], offset=True),
            "first_response_at": clock.fmt(g["first_response"], offset=True),
            "ended_at": clock.fmt(g["ended"], offset=True),
            "bot_handled": bools(g["bot_handled"]),
            "escalated_to_agent": bools(g["escalated"]),
            "outcome": OUTCOMES[g["outcome"]],
            "agent_id": _names(g["agent"], people.agent_id),
            "queue": _names(g["queue"], cs.queue_names),
            "reason_code": _names(g["reason"], world.ref.reason_codes),
            "ticket_id": _names(g["ticket"], cs.ticket_ids),
        }

    return LazyFrame(text_of, clock.local_day(a["t"][order]))
