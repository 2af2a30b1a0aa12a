"""Transcripts of a subset of handled contacts: utterances in English or Chinese (the customer's language).

Planted: a share of contacts has a red-line phrase of the seeds lexicon in an AGENT utterance (weak agents
much more often); some contacts have a near miss (polite speech that resembles a lexicon phrase but does
not contain one: it must NOT match); a few have a lexicon phrase said by the CUSTOMER (must not count: only
agent utterances are checked); some customer utterances carry phone, account or card numbers (to be
masked). Every template is checked at run time against the lexicon, so edits to the seeds cannot turn
ordinary speech into a hit.
"""
from __future__ import annotations

import numpy as np

from dagster_project.lib.synth import params as P
from dagster_project.lib.synth.contacts import BOT, CHAT, MESSAGING, VOICE
from dagster_project.lib.synth.world import Frame, World, text

SPEECH = {
    "en": {
        "system": ["This call may be recorded for quality and training purposes."],
        "bot": ["Hi, I'm the virtual assistant. How can I help you today?",
                "I can help with that. Could you tell me a bit more?",
                "Let me connect you with one of our agents."],
        "greeting": ["Thank you for calling, my name is Alex, how can I help you today?",
                     "Good morning, you're through to customer service, how may I help?",
                     "Hi, thanks for waiting. What can I do for you?"],
        "customer_reason": ["I have a question about a charge on my last statement.",
                            "My card isn't working since yesterday.", "I'd like to change my plan.",
                            "I was told someone would call me back but nobody did.",
                            "The app keeps showing an error when I log in.", "Where is my order?",
                            "I want to report a transaction I don't recognise."],
        "verify": ["Could you please confirm your date of birth and the last four digits of your card?",
                   "For security, can I have your full name and postcode?"],
        "customer_detail": ["Sure, it's the one from last Tuesday, about forty dollars.",
                            "Yes, it started after the update.", "It was ordered on the fifth."],
        "agent_work": ["Thank you, let me check that for you.", "I can see the transaction here.",
                       "I've updated the details on your account.", "I'll raise a ticket with the right team.",
                       "I understand how frustrating that is, let me sort it out."],
        "customer_close": ["Great, thank you so much.", "Okay, that's fine.", "Thanks for your help.",
                           "Alright, I'll wait for the confirmation."],
        "closing": ["Is there anything else I can help you with today?",
                    "You'll receive a confirmation by message shortly. Have a great day!"],
        "near_miss": ["What would you like me to do?", "Let me look it up for you.", "As I told you earlier, the fee is waived.",
                      "That's not a problem at all.", "Is there anything I can do for you?",
                      "I'll deal with it for you.", "Whatever works for you, we can do either.",
                      "My job is to help you today.", "Are you still there? Can you hear me?",
                      "I do care about getting this right.", "Please take your time, no rush."],
        "red_line": ["{phrase}, it's all on your statement.", "Look, {phrase}.", "Sir, {phrase}, okay?"],
        "customer_red_line": ["Honestly, {phrase}?", "{phrase}! I've called three times."],
        "pii": ["My number is {phone}.", "The account number is {account}.", "My card is {card}, can you check?",
                "You can reach me on {phone}."],
    },
    "zh": {
        "system": ["本次通话可能会被录音，用于服务质量提升。"],
        "bot": ["您好，我是智能助手，请问有什么可以帮您？", "好的，请您再详细描述一下。", "正在为您转接人工客服。"],
        "greeting": ["您好，很高兴为您服务，请问有什么可以帮您？", "您好，让您久等了，请问您需要办理什么业务？"],
        "customer_reason": ["我上个月的账单有一笔费用不对。", "我的卡从昨天开始用不了。", "我想换一个套餐。",
                            "上次说好给我回电话，结果没人打来。", "手机应用登录一直报错。", "我的订单到哪里了？",
                            "我发现一笔不是我本人的交易。"],
        "verify": ["为了您的账户安全，请您提供一下身份证后四位。", "请您核对一下预留的手机号码。"],
        "customer_detail": ["就是上周二那一笔，大概三百块。", "更新以后就开始出问题了。", "五号下的单。"],
        "agent_work": ["好的，我帮您查询一下。", "我这边看到这笔交易了。", "已经为您更新了账户信息。",
                       "我帮您提交一个工单给专业团队处理。", "非常理解您的心情，我马上帮您处理。"],
        "customer_close": ["好的，谢谢你。", "行，那就这样吧。", "谢谢你的帮助。"],
        "closing": ["请问还有其他可以帮您的吗？", "稍后您会收到短信确认，祝您生活愉快！"],
        "near_miss": ["我已经帮您提交了申请。", "您可以在APP上自己去查询。", "请问您希望怎么处理？",
                      "您听得清楚吗？", "请问有没有听不懂的地方？", "您会不会操作？我一步一步教您。",
                      "这个业务由信用卡部门负责，我帮您转接。", "我不知道您是否方便现在核对？",
                      "套餐随便你选，都可以办理。", "您自己看一下短信就可以。", "我们的利率会滚动更新。"],
        "red_line": ["{phrase}，账单上都写着呢。", "{phrase}！", "我说了，{phrase}。"],
        "customer_red_line": ["{phrase}？我都打了三次了！", "你们{phrase}啊。"],
        "pii": ["我的手机号是{phone}。", "账号是{account}。", "卡号{card}，你帮我查一下。"],
    },
}


def normalise(value: str) -> str:
    return value.lower().replace("\u2019", "'")


def _contains_phrase(text_value: str, phrases: list[str]) -> bool:
    low = normalise(text_value)
    return any(p in low for p in phrases)


def build_transcripts(world: World) -> Frame:
    rng = world.rng("transcripts")
    a, clock, cs, people = world.contacts.a, world.clock, world.contacts, world.people
    lexicon = world.ref.lexicon
    phrases = [normalise(x["phrase"]) for x in lexicon]
    # Guard: ordinary speech and near misses must never contain a lexicon phrase.
    speech = {}
    for lang, blocks in SPEECH.items():
        speech[lang] = {
            k: ([s for s in v if not _contains_phrase(s, phrases)] if k not in ("red_line", "customer_red_line", "pii")
                else v)
            for k, v in blocks.items()
        }
    by_lang = {lang: [x for x in lexicon if x["language"] == lang] for lang in ("en", "zh")}

    candidates = np.flatnonzero(a["handled"] & ~a["outbound"] & (a["agent"] >= 0)
                                & np.isin(a["channel"], [VOICE, CHAT, MESSAGING, BOT]))
    chosen = candidates[rng.random(len(candidates)) < P.TRANSCRIBED_SHARE]
    if len(chosen) > P.TRANSCRIBED_MAX_CONTACTS:
        chosen = np.sort(rng.choice(chosen, P.TRANSCRIBED_MAX_CONTACTS, replace=False))
    n = len(chosen)
    language = cs.customers.language[np.maximum(a["customer"][chosen], 0)]
    language = np.where(language == "zh", "zh", "en")
    weak = people.weak[a["agent"][chosen]]
    u = rng.random(n)
    red = u < np.where(weak, P.RED_LINE_SHARE_WEAK, P.RED_LINE_SHARE)
    near = ~red & (rng.random(n) < P.NEAR_MISS_SHARE)
    customer_red = ~red & (rng.random(n) < P.CUSTOMER_RED_LINE_SHARE)
    pii = rng.random(n) < 0.2
    pick = rng.integers(0, 1_000_000, (n, 16))

    c_id, seq, speaker, utter, day = [], [], [], [], []
    red_truth, near_truth, customer_truth, pii_tokens = {}, [], [], []
    contact_day = clock.local_day(a["t"][chosen])
    for i in range(n):
        k = chosen[i]
        lang = str(language[i])
        sp = speech[lang]
        p = pick[i]
        lines: list[tuple[str, str]] = []
        channel = a["channel"][k]
        if channel == VOICE:
            lines.append(("system", sp["system"][0]))
        if a["bot_handled"][k]:
            lines += [("bot", sp["bot"][0]), ("customer", sp["customer_reason"][p[0] % len(sp["customer_reason"])]),
                      ("bot", sp["bot"][2])]
        lines.append(("agent", sp["greeting"][p[1] % len(sp["greeting"])]))
        if not a["bot_handled"][k]:
            lines.append(("customer", sp["customer_reason"][p[0] % len(sp["customer_reason"])]))
        lines.append(("agent", sp["verify"][p[2] % len(sp["verify"])]))
        if pii[i]:
            token = {"phone": _phone(p[3], lang), "account": f"{p[4] % 10 ** 6:06d}{p[5] % 10 ** 4:04d}",
                     "card": f"4{p[6] % 1000:03d} {p[7] % 10000:04d} {p[8] % 10000:04d} {p[9] % 10000:04d}"}
            template = sp["pii"][p[10] % len(sp["pii"])]
            lines.append(("customer", template.format(**token)))
            pii_tokens.append(next(v for key, v in token.items() if "{" + key + "}" in template))
        else:
            lines.append(("customer", sp["customer_detail"][p[3] % len(sp["customer_detail"])]))
        for j in range(1 + p[11] % 3):
            lines.append(("agent", sp["agent_work"][(p[12] + j) % len(sp["agent_work"])]))
            if j % 2 == 0:
                lines.append(("customer", sp["customer_detail"][(p[13] + j) % len(sp["customer_detail"])]))
        if red[i] and by_lang[lang]:
            entry = by_lang[lang][p[14] % len(by_lang[lang])]
            template = sp["red_line"][p[15] % len(sp["red_line"])]
            lines.insert(len(lines) - 1, ("agent", template.format(phrase=entry["phrase"])))
            red_truth[int(k)] = {"class": entry["class"], "phrase": entry["phrase"]}
        if near[i] and sp["near_miss"]:
            lines.insert(len(lines) - 1, ("agent", sp["near_miss"][p[14] % len(sp["near_miss"])]))
            near_truth.append(int(k))
        if customer_red[i]:
            abuse = [x for x in by_lang[lang] if x["class"] == "abuse"] or by_lang[lang]
            if abuse:
                entry = abuse[p[15] % len(abuse)]
                template = sp["customer_red_line"][p[14] % len(sp["customer_red_line"])]
                lines.append(("customer", template.format(phrase=entry["phrase"])))
                customer_truth.append(int(k))
        lines.append(("customer", sp["customer_close"][p[12] % len(sp["customer_close"])]))
        lines.append(("agent", sp["closing"][p[13] % len(sp["closing"])]))
        for s_no, (who, words) in enumerate(lines, start=1):
            c_id.append(k)
            seq.append(s_no)
            speaker.append(who)
            utter.append(words)
            day.append(contact_day[i])
    c_id = np.array(c_id, dtype=np.int64)
    contact_ids = cs.contact_id
    world.transcript_state = {"contacts": chosen, "red_line": red_truth}
    hits_by_class: dict[str, int] = {}
    for v in red_truth.values():
        hits_by_class[v["class"]] = hits_by_class.get(v["class"], 0) + 1
    world.truth["transcripts"] = {
        "transcribed_contacts": int(n),
        "utterances": len(seq),
        "transcribed_share": P.TRANSCRIBED_SHARE,
        "max_contacts": P.TRANSCRIBED_MAX_CONTACTS,
        "red_line_share": P.RED_LINE_SHARE,
        "red_line_share_weak_agents": P.RED_LINE_SHARE_WEAK,
        "red_line_contacts": int(len(red_truth)),
        "red_line_contacts_by_class": hits_by_class,
        "red_line": {str(contact_ids[k]): v for k, v in sorted(red_truth.items())},
        "near_miss_contacts": sorted(str(contact_ids[k]) for k in near_truth),
        "customer_only_red_line_contacts": sorted(str(contact_ids[k]) for k in customer_truth),
        "utterances_with_numbers": len(pii_tokens),
        "number_samples": pii_tokens[:20],
        "matching_note": "one planted phrase per red-line contact, in one agent utterance; lexicon phrases are "
                         "lower case and English ones may follow a capital letter only at the start of a "
                         "sentence, so match case-insensitively",
    }
    return Frame({
        "contact_id": contact_ids[c_id],
        "seq": text(np.array(seq)),
        "speaker": np.array(speaker, dtype=object),
        "text": np.array(utter, dtype=object),
    }, np.array(day, dtype=np.float64))


def _phone(k: int, lang: str) -> str:
    if lang == "zh":
        return f"138{k % 10 ** 4:04d}{(k * 31) % 10 ** 4:04d}"
    return f"{200 + k % 700} 555 {k % 10000:04d}"
