"""Surveys after a minority of handled contacts, and their SERVQUAL item answers.

Planted: csat (1-5) follows a proportional-odds model over journey metrics the warehouse can compute,
logit P(csat <= k) = theta_k - x.beta, with an IVR hinge (no effect below 120 s) and the drivers, units and
definitions in params.CSAT_BETA / CSAT_DRIVER_DEFINITIONS. resolved_reported follows the true (hidden)
resolution; nps follows csat. Comments are multilingual and some contain phone numbers, account numbers
or e-mail addresses (which the warehouse must mask).
"""
from __future__ import annotations

import numpy as np

from dagster_project.lib.synth import params as P
from dagster_project.lib.synth.clock import DAY, HOUR, MINUTE
from dagster_project.lib.synth.contacts import BOT, CHAT, LANGUAGE_TAGS, MESSAGING, VOICE
from dagster_project.lib.synth.world import Frame, World, ids, lognormal, text

COMMENTS = {
    ("en", "good"): [
        "Great service, the agent was very helpful.", "Quick and easy, thanks!",
        "Problem solved on the first call.", "Very friendly and knew exactly what to do.",
        "Thank you, everything is sorted now.", "Excellent, clear explanation of the fees.",
        'She said "no problem at all" and fixed it in two minutes.',
    ],
    ("en", "mid"): [
        "It was ok, but I had to wait a bit.", "Fine in the end, the phone menu is confusing though.",
        "Took a while, but the issue is resolved.", "Average. The agent had to put me on hold twice.",
        "Okay service.\nWould be nice to get an SMS confirmation.",
    ],
    ("en", "bad"): [
        "I was on hold forever and still no solution.", "Third time calling about the same issue!!",
        'The agent said "we\'ll call you back" and never did.', "Transferred twice, nobody knew anything.",
        "Terrible, the menu kept sending me in circles, 10 minutes before I reached a person.",
        "Still not fixed. Very disappointed, considering closing my account.",
    ],
    ("zh", "good"): ["服务很好，问题一次就解决了。", "客服很耐心，谢谢！", "效率很高，点赞。", "解释得很清楚，非常满意。"],
    ("zh", "mid"): ["还可以，就是等的时间有点长。", "问题解决了，但是转接了一次。", "一般吧，语音菜单有点复杂。"],
    ("zh", "bad"): ["打了三次电话还没解决，太失望了。", "菜单太复杂，按了好多键才转到人工。",
                    "说好回电话，结果一直没人打来。", "等了很久，最后也没有解决。"],
    ("ms", "good"): ["Perkhidmatan yang sangat baik, terima kasih!", "Cepat dan mesra, masalah selesai."],
    ("ms", "mid"): ["Boleh tahan, tetapi menunggu agak lama."],
    ("ms", "bad"): ["Terlalu lama menunggu, masalah belum selesai.", "Sudah tiga kali telefon, masih sama."],
    ("es", "good"): ["Muy buen servicio, gracias.", "Todo resuelto rápidamente, ¡excelente atención!"],
    ("es", "mid"): ["Regular, esperé bastante pero se solucionó.", "Bien, aunque el menú es un poco confuso."],
    ("es", "bad"): ["Esperé demasiado tiempo, qué mal servicio.", "Nadie me devolvió la llamada, señor Núñez."],
}
ACCENTED = ["Très bien, merci — the agent was très aimable.", "Señor Muñoz helped me, muy amable, café time!",
            "Naïve question answered patiently, danke schön."]
PII_SUFFIX = {
    "en": ["Call me back at {phone}.", "My email is {email} if you need it.", "Account no. {account}, please check.",
           "Reach me on {phone} or {email}."],
    "zh": ["请打我电话 {phone}。", "我的邮箱是 {email}。", "账号 {account}，请核实。"],
    "ms": ["Sila hubungi saya di {phone}.", "E-mel saya {email}."],
    "es": ["Llámenme al {phone}.", "Mi correo es {email}."],
}
FIRST_NAMES = ["john", "mary", "wei", "li.na", "ahmad", "siti", "maria", "jose", "anna", "kevin"]


def driver_matrix(world: World, idx: np.ndarray) -> dict[str, np.ndarray]:
    """The planted model's drivers for contacts `idx`, exactly as CSAT_DRIVER_DEFINITIONS describes them."""
    a = world.contacts.a
    voice = a["channel"][idx] == VOICE
    t = a["t"][idx]
    ivr_seconds = np.where(voice & ~np.isnan(a["ivr_end"][idx]), a["ivr_end"][idx] - t, 0.0)
    queue_seconds = np.where(voice, a["answered"][idx] - a["queued"][idx], a["first_response"][idx] - t)
    handle_seconds = np.where(voice, a["talk"][idx] + a["hold"][idx] + a["wrap"][idx],
                              a["ended"][idx] - a["first_response"][idx])
    return {
        "ivr_minutes_over_120s": np.maximum(0.0, ivr_seconds - P.CSAT_IVR_TIPPING_SECONDS) / 60.0,
        "queue_minutes": np.maximum(0.0, np.nan_to_num(queue_seconds)) / 60.0,
        "transfer_count": np.where(voice, np.nan_to_num(a["transfers"][idx]), 0.0),
        "prior_contact_7d": prior_contact(world, idx, 7 * DAY).astype(float),
        "callback_broken": callback_broken(world, idx).astype(float),
        "handle_minutes": np.maximum(0.0, np.nan_to_num(handle_seconds)) / 60.0,
        "bot_failed_24h": bot_failed_before(world, idx, DAY).astype(float),
    }


def _key(customer: np.ndarray, t: np.ndarray, t0: float) -> np.ndarray:
    return customer.astype(np.int64) * (1 << 32) + np.round(t - t0).astype(np.int64)


def prior_contact(world: World, idx: np.ndarray, window: float) -> np.ndarray:
    """Did the same customer_id make another inbound contact in [t - window, t)?"""
    a = world.contacts.a
    pool = np.flatnonzero(~a["outbound"] & a["identified"])
    return _had_event_before(a, pool, idx, window)


def bot_failed_before(world: World, idx: np.ndarray, window: float) -> np.ndarray:
    a = world.contacts.a
    failed = (a["channel"] == BOT) & (a["escalated"] | (a["outcome"] == 1) | (a["outcome"] == 3))
    pool = np.flatnonzero(failed & a["identified"])
    return _had_event_before(a, pool, idx, window)


def _had_event_before(a, pool: np.ndarray, idx: np.ndarray, window: float) -> np.ndarray:
    t0 = float(np.nanmin(a["t"])) - 10 * DAY
    keys = np.sort(_key(a["customer"][pool], a["t"][pool], t0))
    q_hi = _key(a["customer"][idx], a["t"][idx], t0)  # strictly before t
    q_lo = _key(a["customer"][idx], a["t"][idx] - window, t0)
    count = np.searchsorted(keys, q_hi, side="left") - np.searchsorted(keys, q_lo, side="left")
    return (count > 0) & a["identified"][idx]


def callback_broken(world: World, idx: np.ndarray) -> np.ndarray:
    """A promise on this call and no outbound callback started at or before promised_callback_by."""
    a = world.contacts.a
    promised = ~np.isnan(a["promise"])
    kept = np.zeros(len(a["t"]), dtype=bool)
    cb = np.flatnonzero(a["callback_for"] >= 0)
    on_time = cb[a["t"][cb] <= a["promise"][a["callback_for"][cb]]]
    kept[a["callback_for"][on_time]] = True
    return promised[idx] & ~kept[idx]


def sample_csat(rng, eta: np.ndarray) -> np.ndarray:
    theta = np.array(P.CSAT_THETA)
    cumulative = 1 / (1 + np.exp(-(theta[None, :] - eta[:, None])))  # P(csat <= k), k = 1..4
    u = rng.random(len(eta))
    return 1 + (u[:, None] > cumulative).sum(axis=1)


def build_surveys(world: World) -> tuple[Frame, Frame]:
    rng = world.rng("surveys")
    a, clock, cs = world.contacts.a, world.clock, world.contacts
    end = clock.end_utc
    eligible = np.flatnonzero(
        a["handled"] & ~a["outbound"] & a["identified"]
        & np.isin(a["channel"], [VOICE, CHAT, MESSAGING, BOT])
    )
    chosen = eligible[rng.random(len(eligible)) < P.SURVEY_RESPONSE_RATE]
    sent = np.round(a["ended"][chosen] + rng.uniform(5, 30, len(chosen)) * MINUTE)
    responded = np.round(sent + lognormal(rng, 3 * HOUR, 1.0, len(chosen)))
    keep = responded < end
    chosen, sent, responded = chosen[keep], sent[keep], responded[keep]
    x = driver_matrix(world, chosen)
    beta = P.CSAT_BETA
    eta = sum(beta[k] * x[k] for k in beta)
    csat = sample_csat(rng, eta)

    # Ticket-only surveys: e-mail tickets, after the solve, with a simpler (documented) model.
    ts = world.ticket_state
    email_first = a["channel"][ts["first_contact"]] == 2
    t_sel = np.flatnonzero(email_first & (rng.random(len(email_first)) < 0.10))
    t_sent = np.round(ts["solved_first"][t_sel] + rng.uniform(10, 120, len(t_sel)) * MINUTE)
    t_resp = np.round(t_sent + lognormal(rng, 5 * HOUR, 1.0, len(t_sel)))
    t_keep = t_resp < end
    t_sel, t_sent, t_resp = t_sel[t_keep], t_sent[t_keep], t_resp[t_keep]
    sla_met = (ts["solved_first"][t_sel] - ts["created"][t_sel]) <= 24 * HOUR
    t_eta = 0.8 * sla_met - 0.6 * ts["reopened"][t_sel]
    t_csat = sample_csat(rng, t_eta)

    n_c, n_t = len(chosen), len(t_sel)
    n = n_c + n_t
    first_contact = ts["first_contact"][t_sel]
    customer = np.concatenate([a["customer"][chosen], a["customer"][first_contact]])
    identified = np.concatenate([np.ones(n_c, bool), a["identified"][first_contact]])
    resolved = np.concatenate([a["resolved"][chosen], ~ts["reopened"][t_sel]])
    all_csat = np.concatenate([csat, t_csat])
    responded_all = np.concatenate([responded, t_resp])
    order = np.argsort(responded_all, kind="stable")
    survey_ids = np.empty(n, dtype=object)
    survey_ids[order] = ids("S", np.arange(1, n + 1), 8)

    nps = np.clip(np.round(np.array([0, 2, 4, 6.5, 8.3, 9.4])[all_csat] + 1.1 * rng.standard_normal(n)), 0, 10)
    nps = np.where(rng.random(n) < 0.2, np.nan, nps)
    p_yes = np.where(resolved, P.RESOLVED_REPORTED["resolved"], P.RESOLVED_REPORTED["unresolved"])
    resolved_reported = np.where(rng.random(n) < p_yes, "true", "false").astype(object)
    resolved_reported[rng.random(n) < 0.12] = None
    language = cs.customers.language[np.maximum(customer, 0)]
    comment, pii_samples = _comments(rng, all_csat, language)
    lang_tag = np.array([LANGUAGE_TAGS[str(l)] for l in language], dtype=object)
    lang_tag[rng.random(n) < 0.1] = None

    contact_ids = np.concatenate([cs.contact_id[chosen], np.full(n_t, None, dtype=object)])
    ticket_idx = np.concatenate([a["ticket"][chosen], np.arange(len(ts["created"]))[t_sel]])
    ticket_ids = np.where(ticket_idx >= 0, cs.ticket_ids[np.maximum(ticket_idx, 0)], None)
    surveys = Frame({
        "survey_id": survey_ids,
        "kind": np.full(n, "transactional", dtype=object),
        "contact_id": contact_ids,
        "ticket_id": ticket_ids,
        "customer_id": np.where(identified, cs.customers.customer_id(customer), None),
        "sent_at": clock.fmt(np.concatenate([sent, t_sent]), offset=False),
        "responded_at": clock.fmt(responded_all, offset=False),
        "csat": text(all_csat),
        "nps": text(nps, "int"),
        "resolved_reported": resolved_reported,
        "comment": comment,
        "language": lang_tag,
    }, clock.local_day(responded_all))
    answers = _answers(world, rng, survey_ids, all_csat, x, n_c, responded_all)
    world.survey_state = {"contact_rows": chosen, "csat": csat, "drivers": x}
    world.truth["surveys"] = {
        "response_rate_of_eligible": P.SURVEY_RESPONSE_RATE,
        "eligible": "handled inbound calls and handled chat / messaging / bot conversations of identified "
                    "customers; plus ticket-only surveys (contact_id empty) for 10 % of e-mail tickets",
        "csat_model": {
            "form": "logit P(csat <= k) = theta_k - x.beta, k = 1..4 (positive beta = more satisfied)",
            "theta": list(P.CSAT_THETA),
            "beta": dict(P.CSAT_BETA),
            "ivr_tipping_point_seconds": P.CSAT_IVR_TIPPING_SECONDS,
            "drivers": P.CSAT_DRIVER_DEFINITIONS,
            "applies_to": "surveys with a contact_id",
        },
        "ticket_survey_model": {"theta": list(P.CSAT_THETA), "beta": {"resolved_within_24h": 0.8, "reopened": -0.6}},
        "resolved_reported_probability": P.RESOLVED_REPORTED,
        "nps_missing_share": 0.2,
        "contact_surveys": int(n_c),
        "ticket_surveys": int(n_t),
        "comments": int(sum(c is not None for c in comment)),
        "comments_with_pii": len(pii_samples),
        "pii_samples": pii_samples[:20],
    }
    return surveys, answers


def _comments(rng, csat: np.ndarray, language: np.ndarray) -> tuple[np.ndarray, list[str]]:
    n = len(csat)
    out = np.full(n, None, dtype=object)
    pii = []
    has = np.flatnonzero(rng.random(n) < 0.30)
    mood = np.where(csat <= 2, "bad", np.where(csat == 3, "mid", "good"))
    u = rng.random(n)
    pick = rng.integers(0, 1_000_000, n)
    for i in has.tolist():
        lang = str(language[i])
        options = COMMENTS.get((lang, mood[i])) or COMMENTS[("en", mood[i])]
        comment = options[pick[i] % len(options)]
        if lang == "en" and u[i] < 0.03:
            comment = ACCENTED[pick[i] % len(ACCENTED)]
        if u[i] > 0.93:  # personal data in free text
            template = PII_SUFFIX.get(lang, PII_SUFFIX["en"])[pick[i] % len(PII_SUFFIX.get(lang, PII_SUFFIX["en"]))]
            token = {
                "phone": _fake_phone(pick[i], lang),
                "email": f"{FIRST_NAMES[pick[i] % len(FIRST_NAMES)]}{pick[i] % 97}@example.com",
                "account": f"{pick[i] % 10 ** 6:06d}{(pick[i] * 7) % 10 ** 5:05d}",
            }
            suffix = template.format(**token)
            comment = comment + " " + suffix
            pii.append(next(v for k, v in token.items() if "{" + k + "}" in template))
        out[i] = comment
    return out, pii


def _fake_phone(k: int, lang: str) -> str:
    if lang == "zh":
        return f"+86 139 {k % 10000:04d} {(k * 13) % 10000:04d}"
    if lang == "ms":
        return f"012-{k % 1000:03d} {(k * 7) % 10000:04d}"
    return f"({200 + k % 700}) 555-{k % 10000:04d}"


def _answers(world: World, rng, survey_ids, csat, x, n_contact: int, responded) -> Frame:
    """SERVQUAL items for 55 % of the surveys: the overall item equals csat; each dimension's items follow
    csat, lowered by the journey problems that dimension is about, with the dimension's noise
    (params.SERVQUAL_ITEM_NOISE: the less noise, the more the dimension tells about csat)."""
    questions = world.ref.survey_questions
    n = len(survey_ids)
    long_form = np.flatnonzero(rng.random(n) < 0.55)
    zeros = np.zeros(n)
    def pad(v):
        return np.concatenate([v, np.zeros(n - n_contact)])
    penalty = {
        "responsiveness": pad(-0.5 * ((x["queue_minutes"] > 1) | (x["ivr_minutes_over_120s"] > 0))),
        "reliability": pad(-0.7 * np.maximum(x["callback_broken"], x["prior_contact_7d"])),
        "tangibles": pad(-0.6 * (x["ivr_minutes_over_120s"] > 0)),
        "empathy": zeros, "assurance": zeros,
    }
    rows_sid, rows_q, rows_score, rows_day = [], [], [], []
    for q in questions:
        lo, hi = q["scale_min"], q["scale_max"]
        if q["dimension"] == "overall":
            score = csat.astype(float)
        else:
            noise = P.SERVQUAL_ITEM_NOISE.get(q["dimension"], 0.6)
            score = csat + penalty.get(q["dimension"], zeros) + noise * rng.standard_normal(n)
        score = np.clip(np.round(lo + (score - 1) * (hi - lo) / 4.0), lo, hi)
        rows_sid.append(survey_ids[long_form])
        rows_q.append(np.full(len(long_form), q["question_code"], dtype=object))
        rows_score.append(score[long_form])
        rows_day.append(responded[long_form])
    sid = np.concatenate(rows_sid)
    order = np.lexsort((np.concatenate(rows_q).astype(str), sid.astype(str)))
    return Frame({
        "survey_id": sid[order],
        "question_code": np.concatenate(rows_q)[order],
        "score": text(np.concatenate(rows_score)[order], "int"),
    }, world.clock.local_day(np.concatenate(rows_day)[order]))


def build_relationship_wave(world: World) -> tuple[Frame, Frame, Frame]:
    """A relationship survey wave (kind = relationship: about the customer's relationship, no contact or ticket)
    on the bank's own 0-10 catalogue, delivered as survey_questions. Respondents: a sample of the customers,
    answering during the middle week of the period. Each respondent has a latent view per dimension (a common
    part and a dimension part); items are 0-10 around it; the overall 0-10 answer follows the planted
    proportional-odds model on the dimension scores (params.RELATIONSHIP_BETA); recommend follows overall.
    Returns (surveys, survey_answers, survey_questions)."""
    rng = world.rng("relationship_surveys")
    clock, cs = world.clock, world.contacts
    questions = P.RELATIONSHIP_QUESTIONS
    n = max(P.RELATIONSHIP_MIN_RESPONDENTS, int(P.RELATIONSHIP_RESPONDENT_SHARE * cs.customers.n))
    customers = rng.choice(cs.customers.n, size=min(n, cs.customers.n), replace=False)
    n = len(customers)
    wave_start = float(clock.to_utc_naive(np.array([clock.start_naive + (clock.days // 2) * DAY]))[0])
    responded = np.round(np.minimum(wave_start + rng.uniform(0, 7, n) * DAY, clock.end_utc - MINUTE))
    common = rng.standard_normal(n)
    dimensions = list(P.RELATIONSHIP_BETA)
    latent = {d: 0.6 * common + 0.8 * rng.standard_normal(n) for d in dimensions}
    answers: dict[str, np.ndarray] = {}
    for code, _, dimension in questions:
        if dimension in latent:
            answers[code] = np.clip(np.round(6.5 + 1.8 * latent[dimension] + 0.9 * rng.standard_normal(n)), 0, 10)
    scores = {d: np.mean([answers[c] for c, _, dim in questions if dim == d], axis=0) for d in dimensions}
    eta = sum(P.RELATIONSHIP_BETA[d] * scores[d] for d in dimensions)
    # cut points that give about the planted shares of overall answers at the average respondent
    cumulative = np.cumsum(P.RELATIONSHIP_OVERALL_SHARES)[:-1]
    theta = float(np.mean(eta)) + np.log(cumulative / (1 - cumulative))
    p_le = 1 / (1 + np.exp(-(theta[None, :] - eta[:, None])))
    overall = (rng.random(n)[:, None] > p_le).sum(axis=1).astype(float)
    answers["rq_overall"] = overall
    answers["rq_recommend"] = np.clip(np.round(overall + 0.8 * rng.standard_normal(n)), 0, 10)
    order = np.argsort(responded, kind="stable")
    survey_ids = np.empty(n, dtype=object)
    survey_ids[order] = ids("R", np.arange(1, n + 1), 8)
    day = clock.local_day(responded)
    surveys = Frame({
        "survey_id": survey_ids,
        "kind": np.full(n, "relationship", dtype=object),
        "contact_id": np.full(n, None, dtype=object),
        "ticket_id": np.full(n, None, dtype=object),
        "customer_id": cs.customers.customer_id(customers),
        "sent_at": clock.fmt(responded - np.round(rng.uniform(1, 48, n) * HOUR), offset=False),
        "responded_at": clock.fmt(responded, offset=False),
        "csat": np.full(n, None, dtype=object),
        "nps": np.full(n, None, dtype=object),
        "resolved_reported": np.full(n, None, dtype=object),
        "comment": np.full(n, None, dtype=object),
        "language": np.full(n, None, dtype=object),
    }, day)
    codes = [c for c, _, _ in questions]
    answer_frame = Frame({
        "survey_id": np.repeat(survey_ids, len(codes)),
        "question_code": np.tile(np.array(codes, dtype=object), n),
        "score": text(np.column_stack([answers[c] for c in codes]).ravel(), "int"),
    }, np.repeat(day, len(codes)))
    catalogue = Frame({
        "question_code": np.array(codes, dtype=object),
        "question_text": np.array([t for _, t, _ in questions], dtype=object),
        "dimension": np.array([d for _, _, d in questions], dtype=object),
        "scale_min": np.full(len(codes), "0", dtype=object),
        "scale_max": np.full(len(codes), "10", dtype=object),
    }, np.full(len(codes), day.min() if n else clock.local_day(np.array([wave_start]))[0]))
    world.truth["relationship_surveys"] = {
        "respondents": int(n),
        "model": "logit P(overall <= k) = theta_k - sum_d beta_d score_d; score_d = mean of the dimension's 0-10 items",
        "beta": dict(P.RELATIONSHIP_BETA),
        "theta": [float(t) for t in theta],
        "importance_order": sorted(dimensions, key=lambda d: -P.RELATIONSHIP_BETA[d] * float(np.std(scores[d]))),
        "questions": [list(q) for q in questions],
    }
    world.truth.setdefault("surveys", {})["transactional_item_noise"] = dict(P.SERVQUAL_ITEM_NOISE)
    return surveys, answer_frame, catalogue
