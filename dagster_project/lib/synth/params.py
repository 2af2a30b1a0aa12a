"""Planted parameters: every effect the generator builds into the data, written to ground_truth.json.

Values that depend on the reference data (reason codes, queues, QA items) are resolved against the seeds
in `resolve()`: a code the tables below do not know gets the default, so users can edit the seeds freely.
"""
from __future__ import annotations

CHANNELS = ("voice", "chat", "email", "messaging", "bot")

# Share of FRESH inbound contacts by channel (repeats, retries and bot fall-backs come on top).
CHANNEL_SHARE = {"voice": 0.60, "chat": 0.14, "email": 0.09, "messaging": 0.07, "bot": 0.10}
# Contacts per day by weekday (Mon..Sun), normalised to mean 1 at run time.
WEEKDAY_FACTOR = (1.22, 1.10, 1.04, 1.00, 1.02, 0.62, 0.40)
OPEN_HOUR, CLOSE_HOUR = 7, 22  # contact center opening hours, local time
# Arrival weight per hour of day 7..21 (local), weekdays and weekends.
HOURLY_WEEKDAY = (0.45, 0.85, 1.00, 1.05, 1.00, 0.90, 0.88, 0.96, 0.95, 0.85, 0.72, 0.58, 0.46, 0.36, 0.26)
HOURLY_WEEKEND = (0.30, 0.50, 0.75, 0.90, 0.95, 0.92, 0.88, 0.86, 0.80, 0.72, 0.62, 0.52, 0.42, 0.32, 0.22)
EXPECTED_EXTRA_CONTACTS = 0.22  # repeats + retries per fresh contact, so that contacts_per_day is met

# Reasons: (relative frequency, P(IVR self-service), P(resolved | handled), P(ticket | handled),
#           repeat within 7 days base probability for a RESOLVED contact, median talk seconds)
REASONS = {
    "billing_dispute":     (0.10, 0.02, 0.70, 0.55, 0.16, 260),
    "fee_inquiry":         (0.10, 0.25, 0.92, 0.05, 0.06, 140),
    "payment_arrangement": (0.06, 0.08, 0.85, 0.45, 0.10, 240),
    "card_lost":           (0.05, 0.05, 0.90, 0.70, 0.08, 210),
    "fraud_report":        (0.04, 0.00, 0.72, 0.85, 0.15, 340),
    "password_reset":      (0.10, 0.30, 0.93, 0.05, 0.07, 120),
    "address_change":      (0.05, 0.10, 0.95, 0.30, 0.04, 130),
    "new_account":         (0.06, 0.02, 0.88, 0.45, 0.07, 340),
    "technical_issue":     (0.12, 0.05, 0.65, 0.50, 0.20, 310),
    "order_status":        (0.08, 0.35, 0.85, 0.20, 0.12, 140),
    "cancellation":        (0.04, 0.00, 0.80, 0.40, 0.12, 290),
    "complaint":           (0.04, 0.00, 0.62, 0.90, 0.22, 360),
    "plan_change":         (0.06, 0.05, 0.90, 0.30, 0.06, 240),
    "general_inquiry":     (0.10, 0.20, 0.94, 0.03, 0.05, 120),
}
REASON_DEFAULT = (0.05, 0.05, 0.85, 0.25, 0.10, 190)
# Voice queue by reason category (first existing queue wins; else the first voice queue of the seeds).
CATEGORY_QUEUE = {
    "billing": ("billing",), "security": ("general",), "account": ("general",), "sales": ("general",),
    "technical": ("tech_support",), "fulfilment": ("general",), "retention": ("retention",),
    "complaint": ("general",), "general": ("general",),
}
VIP_CUSTOMER_SHARE = 0.05
VIP_QUEUE = "vip"

# FCR: P(repeat contact within 7 days | handled contact) =
#   min(0.95, reason base x agent multiplier x resolution multiplier x callback multiplier).
REPEAT_RESOLUTION_MULTIPLIER = {"resolved": 1.0, "unresolved": 3.0}
REPEAT_CALLBACK_MULTIPLIER = {"kept": 0.7, "late": 1.4, "never": 1.8}
REPEAT_SHARE_WITHIN_48H = 0.62   # of repeats: log-uniform in [0.5 h, 48 h]; the rest uniform in (48 h, 168 h]
REPEAT_SAME_CHANNEL = 0.70
REPEAT_SAME_REASON = 0.85
REPEAT_CAP = 0.95
RETRY_AFTER_ABANDON = 0.55       # abandoned call -> the customer tries again (1 min .. 3 h later)
RETRY_AFTER_FAILED = 0.70        # failed (phantom) call -> retry within 0.5 .. 10 min
REPEAT_AFTER_SELF_SERVICE = 0.05
BOT_FAILURE_TO_CALL = {"abandoned": 0.45, "failed": 0.50, "escalated": 0.10}  # within 5 min .. 3 h

# Agents (weak agents: repeat x1.8, resolution x0.85, QA fails x2, faster calls x0.85).
WEAK_AGENT_SHARE = 0.06
WEAK_REPEAT_MULTIPLIER = 1.8
AGENT_SKILL_REPEAT_SLOPE = 0.12   # repeat multiplier exp(-slope * skill), skill ~ N(0,1)
NEW_AGENT_DAYS = 30               # first days in production: slower and less effective
NEW_AGENT_AHT_MULTIPLIER = 1.12
NEW_AGENT_REPEAT_MULTIPLIER = 1.15

# HR: probability of leaving within 90 days of hire, by hire source; training classes.
ATTRITION_90D_BY_SOURCE = {"referral": 0.08, "agency": 0.40, "job_board": 0.18, "campus": 0.15, "internal": 0.05}
ATTRITION_90D_DEFAULT = 0.15
HIRE_SOURCE_MIX = {"referral": 0.25, "agency": 0.30, "job_board": 0.30, "campus": 0.10, "internal": 0.05}
AGENCY_REPEAT_MULTIPLIER = 1.15
MONTHLY_ATTRITION_TENURED = 0.02
TRAINING_DAYS = 21
CLASS_EVERY_DAYS = 28
CLASS_HISTORY_DAYS = 182          # the roster includes classes that started this long before the data
CLASS_SIZE_SHARE = 0.10           # trainees per class / planned headcount (hiring replaces attrition)
CLASS_SIZE_MIN = 4
WEAK_CLASS_SIZE_FACTOR = 2.0      # the weak class is the large, rushed class of a hiring push
WEAK_CLASS_SIZE_MIN = 10
HIRE_SURVIVAL_AT_MID = 0.8        # share of graduated hires still employed, for the headcount plan
TENURED_MIN_PER_POOL = 1
ASSESSMENT_MEAN = 82.0
WEAK_CLASS_ASSESSMENT_MEAN = 68.0
WEAK_CLASS_EXTRA_FAIL = 0.20        # trainees of the weak class who fail the class (involuntary exit)
WEAK_CLASS_REPEAT_MULTIPLIER = 1.5  # graduates of the weak class, first 30 days in production
WEAK_CLASS_AHT_MULTIPLIER = 1.15

# Service: IVR, queue, handling.
IVR_MEDIAN_SECONDS = 52.0
IVR_SIGMA = 0.65
NO_IVR_SHARE = 0.05
IVR_FAILED = 0.012
IVR_ABANDON = 0.025
PATIENCE_MEAN_SECONDS = 480.0
SHORT_ABANDON_SHARE = 0.03
OVERFLOW_AFTER_SECONDS = {"default": 20.0, "vip": 5.0}  # waiting in the own voice queue before overflow
DIGITAL_PATIENCE_SECONDS = 1800.0  # chat / messaging without a first answer by then: abandoned
TARGET_OCCUPANCY = 0.75           # digital agents (voice is planned with Erlang C below)
# Voice staffing (people.staffing_need): Erlang C for the average weekday's calls at the planning goal, all
# voice queues as one pool; STAFFING_FACTOR < 1 = the center runs a little under its plan (budget, attrition).
STAFFING_SERVICE_LEVEL = 0.80
STAFFING_THRESHOLD_SECONDS = 20.0
STAFFING_FACTOR = 1.0
VOICE_CALLS_REACHING_QUEUE = 1.02  # queued calls per fresh voice contact (repeats, retries, callbacks - IVR)
TRANSFER_RATE = {"default": 0.07, "technical": 0.15, "complaint": 0.12}
HOLD_SHARE = 0.30
WRAP_MEDIAN_SECONDS = 30.0
CALLBACK_PROMISE = {"unresolved": 0.25, "resolved": 0.02}
CALLBACK_FATE = {"kept": 0.84, "late": 0.11, "never": 0.05}

# Satisfaction: proportional odds, logit P(csat <= k) = theta_k - x.beta (positive beta = more satisfied).
CSAT_THETA = (-4.0, -3.0, -1.9, -0.4)
CSAT_IVR_TIPPING_SECONDS = 120.0
CSAT_BETA = {
    "ivr_minutes_over_120s": -0.80,
    "queue_minutes": -0.30,
    "transfer_count": -0.40,
    "prior_contact_7d": -0.55,
    "callback_broken": -1.00,
    "handle_minutes": -0.02,
    "bot_failed_24h": -0.50,
}
CSAT_DRIVER_DEFINITIONS = {
    "ivr_minutes_over_120s": "max(0, ivr_seconds - 120) / 60; ivr_seconds = ivr_ended_at - arrived_at (0 without IVR "
                             "and for digital contacts): no effect below the 120 s tipping point",
    "queue_minutes": "calls: (answered_at - queued_at) / 60; chat/messaging: (first_response_at - started_at) / 60",
    "transfer_count": "calls.transfer_count (0 for digital contacts)",
    "prior_contact_7d": "1 if the same customer_id made another inbound contact (any channel, any outcome) in the "
                        "7 days before this contact's start, else 0",
    "callback_broken": "1 if this call has promised_callback_by and no outbound call with callback_for_call_id = "
                       "this call started at or before promised_callback_by, else 0",
    "handle_minutes": "calls: (talk + hold + wrap) / 60; chat/messaging: (ended_at - first_response_at) / 60",
    "bot_failed_24h": "1 if the same customer_id had a bot conversation that was abandoned, failed or escalated "
                      "to an agent in the 24 hours before this contact's start, else 0",
}
SURVEY_RESPONSE_RATE = 0.14
RESOLVED_REPORTED = {"resolved": 0.90, "unresolved": 0.20}

# QA: per-item fail probability by error class (average agent, fair evaluator).
QA_ITEM_FAIL_RATE = {"customer_critical": 0.004, "business_critical": 0.004, "compliance_critical": 0.0015,
                     "non_critical": 0.045}
QA_WEAK_AGENT_MULTIPLIER = 2.0
QA_NEW_AGENT_MULTIPLIER = 1.4
QA_HABIT_SHARE = 0.08              # (agent, non-critical item) pairs where the agent has a bad habit ...
QA_HABIT_MULTIPLIER = 6.0          # ... failing the item this many times as often (a coaching case)
QA_PROCESS_FAILURE_RATE = 0.30     # one item fails this often for every agent in one queue ...
QA_PROCESS_FAILURE_FIXED_DAY = 60  # ... until the process change goes live on this day of the data
QA_RANDOM_SAMPLE_MARGIN = 0.03     # random evaluations above the plan's required n
QA_EVALUATOR_FALSE_FAIL = 0.001    # a fair evaluator marks a true pass as fail
QA_EVALUATOR_MISSED_FAIL = 0.05    # ... and misses a true fail
QA_HARSH_FALSE_FAIL = {False: 0.005, True: 0.035}  # the harsh evaluator: critical items, non-critical items
DISPUTE_RATE_TRUE_FAIL = 0.08
DISPUTE_RATE_FALSE_FAIL = 0.25
OVERTURN_TRUE_FAIL = 0.03
OVERTURN_FALSE_FAIL = 0.70
DISPUTE_LATE_SHARE = 0.15          # decided after the 72 h target

# WFM: forecast bias (relative over-forecast) by queue, noise by horizon (days before: lognormal sigma).
FORECAST_BIAS = {"tech_support": 0.08, "chat_general": -0.05}
FORECAST_HORIZONS_DAYS = (14, 7, 1)
FORECAST_NOISE = {14: 0.12, 7: 0.08, 1: 0.05}
FORECAST_PUBLISH_HOUR = 10
PLANNED_SHRINKAGE_ALLOWANCE = 0.05  # planned on top of the schedule: absence (3 %), late logins, not-ready time
PLANNED_SHRINKAGE_NOISE = 0.01
UNPLANNED_ABSENCE = 0.03
TIME_OFF_SHARE = 0.04

# Transcripts.
TRANSCRIBED_SHARE = 0.10
TRANSCRIBED_MAX_CONTACTS = 25000
RED_LINE_SHARE = 0.03
RED_LINE_SHARE_WEAK = 0.15
NEAR_MISS_SHARE = 0.05
CUSTOMER_RED_LINE_SHARE = 0.02


def reason_table(codes: list[str]) -> dict[str, tuple]:
    return {c: REASONS.get(c, REASON_DEFAULT) for c in codes}

# Voice of the customer (metrics.md §7b). Transactional SERVQUAL items follow csat with a per-dimension noise
# (a less noisy dimension carries more of csat: the planted order of the dimension model on transactional
# surveys is the order of these standard deviations, smallest first; empathy keeps its earlier 0.6).
SERVQUAL_ITEM_NOISE = {"reliability": 0.35, "responsiveness": 0.5, "empathy": 0.6, "assurance": 0.9, "tangibles": 1.3}
# A relationship wave (a bank-style 0-10 survey about the relationship, no contact), in the middle of the period,
# with its own question catalogue delivered as survey_questions. The overall 0-10 answer follows a
# proportional-odds model on the respondent's dimension scores (mean of its 0-10 items):
# logit P(overall <= k) = theta_k - sum_d beta_d score_d, beta per scale point.
RELATIONSHIP_BETA = {"reliability": 0.75, "responsiveness": 0.5, "empathy": 0.3, "assurance": 0.15, "tangibles": 0.0}
RELATIONSHIP_OVERALL_SHARES = (0.02, 0.02, 0.03, 0.04, 0.05, 0.09, 0.13, 0.18, 0.2, 0.13, 0.11)  # P(overall = 0..10)
RELATIONSHIP_RESPONDENT_SHARE = 0.03   # of the customers, at least RELATIONSHIP_MIN_RESPONDENTS
RELATIONSHIP_MIN_RESPONDENTS = 400
RELATIONSHIP_QUESTIONS = (
    ("rq_overall", "Overall, how satisfied are you with our bank?", "overall"),
    ("rq_recommend", "How likely are you to recommend us to a friend or colleague?", "nps"),
    ("rq_rel_promises", "The bank does what it promises.", "reliability"),
    ("rq_rel_right_first", "The bank gets things right the first time.", "reliability"),
    ("rq_resp_reach", "It is easy to reach the right person quickly.", "responsiveness"),
    ("rq_assur_trust", "I trust the bank with my money and data.", "assurance"),
    ("rq_emp_care", "The bank cares about my situation.", "empathy"),
    ("rq_tang_app", "The app, website and branches are clear and easy to use.", "tangibles"),
)
