"""generate(): build a whole synthetic contact center and write it as landing files plus ground truth."""
from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import numpy as np

from dagster_project.lib.contract import load_contract
from dagster_project.lib.synth.clock import Clock
from dagster_project.lib.synth.contacts import (assign_ids, build_contacts, caller_numbers, calls_frame,
                                                digital_frame)
from dagster_project.lib.synth.dirty import Dirt
from dagster_project.lib.synth.hours import business_schedules_frame, holidays_frame
from dagster_project.lib.synth.io import FORMAT, PERIOD, Landing, check_file_period
from dagster_project.lib.synth.people import agents_frame, build_people, training_frame
from dagster_project.lib.synth.qa import build_actions, build_qa
from dagster_project.lib.synth.reference import load_reference
from dagster_project.lib.synth.surveys import build_relationship_wave, build_surveys
from dagster_project.lib.synth.tickets import build_tickets, link_tickets
from dagster_project.lib.synth.transcripts import build_transcripts
from dagster_project.lib.synth.wfm import (build_routing, build_schedule, build_states, forecasts_frame,
                                           late_logins_and_not_ready, schedules_frame, states_frame)
from dagster_project.lib.synth.world import LazyFrame, World, concat_frames

MIN_CONTACTS = 20  # below this there is no contact center to speak of (and empty sources everywhere)
SOURCES = ("calls", "digital_contacts", "tickets", "ticket_events", "surveys", "survey_answers", "survey_questions",
           "qa_evaluations",
           "qa_evaluation_items", "qa_disputes", "wfm_forecasts", "agent_schedules", "agent_states", "agents",
           "training_enrollments", "transcripts", "improvement_actions", "business_schedules", "holidays")
# Contract sources the synthetic center does not deliver, and why (every other source is delivered).
NOT_GENERATED = {
    "queue_intervals": "an ACD interval report: the synthetic center delivers a call-level log for every queue, and "
                       "call-level rows win over a report where both exist (docs/decisions.md); "
                       "tests/dbt/test_queue_intervals.py covers the source",
}


def generate(out_dir: Path, days: int = 90, contacts_per_day: int = 2000, seed: int = 42, dirty: bool = False,
             start_date: date = date(2026, 2, 2), timezone: str = "America/New_York",
             seeds_dir: Path | None = None, file_period: str = "week") -> dict:
    """Write a synthetic contact center's landing files under out_dir/<source>/ and out_dir/ground_truth.json.

    Deterministic per seed: the same arguments give byte-identical files. Returns the ground truth (every
    planted parameter, realised headline numbers, and the `delivery` section: per source the files, refused
    files, identical re-deliveries, delivered rows and the exact expected rejects and staged rows).
    Existing source folders under out_dir are replaced. `file_period` cuts the event sources into a file per
    week (the default), per local day (daily deliveries to replay) or one file; the rows are the same.
    """
    if days < 1 or contacts_per_day < 1 or days * contacts_per_day < MIN_CONTACTS:
        raise ValueError(f"days and contacts_per_day must be positive, with at least {MIN_CONTACTS} contacts in all")
    check_file_period(file_period)
    out_dir = Path(out_dir)
    clock = Clock(start_date, days, timezone)
    world = World(clock, load_reference(seeds_dir), contacts_per_day, seed)

    for source in SOURCES:
        if (out_dir / source).exists():
            shutil.rmtree(out_dir / source)
    out_dir.mkdir(parents=True, exist_ok=True)
    landing = Landing(out_dir, start_date, file_period=file_period)
    dirt = Dirt(world, landing) if dirty else None
    sizes: dict[str, int] = {}

    def deliver(source: str, frame) -> None:
        """Write a source as soon as it is built (and let it go: a million contacts is a lot of text). The
        sources that grow with the contacts come as a LazyFrame: written a file at a time, never whole."""
        sizes[source] = len(frame)
        if dirt is not None:  # dirty mode plants defects across a whole source
            dirt.write_source(source, frame.materialise() if isinstance(frame, LazyFrame) else frame)
        else:
            landing.write_frame(source, frame)

    build_people(world)
    deliver("agents", agents_frame(world))
    deliver("training_enrollments", training_frame(world))
    build_schedule(world)
    deliver("agent_schedules", schedules_frame(world))
    build_routing(world)
    late_logins_and_not_ready(world)
    build_contacts(world)
    assign_ids(world)
    build_states(world)
    deliver("agent_states", states_frame(world))
    world.agent_time = None
    link_tickets(world)
    tickets, ticket_events = build_tickets(world)
    deliver("tickets", tickets)
    deliver("ticket_events", ticket_events)
    del tickets, ticket_events
    calls = calls_frame(world)
    world.caller_numbers = caller_numbers(world)
    deliver("calls", calls)
    del calls
    deliver("digital_contacts", digital_frame(world))
    surveys, survey_answers = build_surveys(world)
    wave, wave_answers, wave_questions = build_relationship_wave(world)
    deliver("surveys", concat_frames(surveys, wave))
    deliver("survey_answers", concat_frames(survey_answers, wave_answers))
    deliver("survey_questions", wave_questions)
    del surveys, survey_answers, wave, wave_answers
    deliver("transcripts", build_transcripts(world))
    evaluations, items, disputes = build_qa(world)
    deliver("qa_evaluations", evaluations)
    deliver("qa_evaluation_items", items)
    deliver("qa_disputes", disputes)
    del evaluations, items, disputes
    deliver("improvement_actions", build_actions(world))
    deliver("wfm_forecasts", forecasts_frame(world))
    deliver("business_schedules", business_schedules_frame(world))
    deliver("holidays", holidays_frame(world))
    expectations = dirt.expectations() if dirt is not None else {}

    truth = world.truth
    truth = {
        "generator": "callqa synthetic contact center (dagster_project.lib.synth)",
        "seed": seed,
        "dirty": dirty,
        "timezone": timezone,
        "start_date": start_date.isoformat(),
        "end_date": clock.end_date.isoformat(),
        "days": days,
        "contacts_per_day": contacts_per_day,
        "file_period": file_period,
        "timestamps": {"with_offset": ["calls", "digital_contacts"],
                       "naive_local": [s for s in SOURCES if s not in ("calls", "digital_contacts")],
                       "note": "naive timestamps are wall-clock time in `timezone`: load with CALLQA_TIMEZONE "
                               "set to it"},
        "sizes": {source: sizes[source] for source in SOURCES},
        "realised": _realised(world),
        "planted_weak_spots": planted_weak_spots(truth),
        **truth,
        "pii": _pii(world),
        "delivery": _delivery(landing, expectations),
    }
    (out_dir / "ground_truth.json").write_text(json.dumps(_plain(truth), indent=2, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
    return truth


def planted_weak_spots(truth: dict) -> list[dict]:
    """The weak spots planted on purpose, for a reader of the demo (and its run summary) to tell the story from a
    defect: per spot its name, what was planted, where it shows in the warehouse and its expected size. The
    first three are the demo's headline stories; the rest are the other planted effects."""
    qa, people = truth["qa"], truth["people"]
    pf = qa["process_wide_failure"]
    weak = people["weak_class_effects"]
    forecast = truth.get("wfm_forecast", {}).get("bias_by_queue", {})
    csat = truth["surveys"]["csat_model"]
    fixed = f" until {pf['fixed_on']} (the planted process_change action is done that day)" if pf.get("fixed_on") \
        else " for the whole data (the planted process_change action is still in progress)"
    return [
        {
            "name": "harsh_evaluator",
            "what": f"QA evaluator {qa['harsh_evaluator']} fails items that were passed: false-fail probability "
                    f"{qa['harsh_evaluator_false_fail_rate_non_critical']:.1%} on non-critical and "
                    f"{qa['harsh_evaluator_false_fail_rate']:.1%} on critical items (other evaluators "
                    f"{qa['evaluator_false_fail_rate']:.1%}); agents dispute false fails and win most of them",
            "where": "marts.rpt_qa_disputes (overturn_above_team), marts.rpt_qa_calibration (lowest agreement with "
                     "the session majority)",
            "expected": {"evaluator_id": qa["harsh_evaluator"],
                         "overturn_rate_harsh_evaluator": qa["overturn_rate_harsh_evaluator"],
                         "overturn_rate_other_evaluators": qa["overturn_rate_other_evaluators"]},
        },
        {
            "name": "process_wide_failure",
            "what": f"QA item {pf['item_code']} fails for every agent of queue {pf['queue']} "
                    f"({pf['fail_rate']:.0%} of its evaluated contacts){fixed}: a script/system problem, not a "
                    "coaching problem",
            "where": "marts.rpt_qa_root_causes (root_cause process_system), marts.rpt_critical_error_accuracy "
                     "(compliance_critical accuracy of the queue), marts.rpt_qa_improvement_loop",
            "expected": {"item_code": pf["item_code"], "queue": pf["queue"], "fail_rate": pf["fail_rate"],
                         "fixed_on": pf.get("fixed_on")},
        },
        {
            "name": "weak_training_class",
            "what": f"new-hire class {people['weak_class']} (a large, rushed class) scores lower in its assessment, "
                    "fails more trainees and performs worse in its first 30 production days",
            "where": "marts.rpt_training_quality (assessment_score_avg, proficient share, window FCR and AHT), "
                     "marts.rpt_hiring_quality",
            "expected": {"class_id": people["weak_class"], "assessment_mean": weak["assessment_mean"],
                         "other_classes_assessment_mean": weak["other_classes_assessment_mean"],
                         "repeat_multiplier_first_30d": weak["repeat_multiplier_first_30d"],
                         "aht_multiplier_first_30d": weak["aht_multiplier_first_30d"],
                         "extra_training_failure_probability": weak["extra_training_failure_probability"]},
        },
        {
            "name": "weak_agents",
            "what": f"{len(people['weak_agents'])} tenured voice agents cause more repeat contacts (x"
                    f"{people['weak_agent_repeat_multiplier']}), fail more QA items and resolve less",
            "where": "marts.rpt_agent_scorecard_monthly (7-day FCR, critical-error accuracy)",
            "expected": {"agent_ids": people["weak_agents"],
                         "repeat_multiplier": people["weak_agent_repeat_multiplier"]},
        },
        {
            "name": "agency_hires",
            "what": "hires from the agency leave more often within 90 days than other hires",
            "where": "marts.rpt_hiring_quality (retention by hire_source)",
            "expected": {"attrition_90d_by_source": people["attrition_90d_by_source"]},
        },
        {
            "name": "forecast_bias",
            "what": "the published forecast over-forecasts some queues and under-forecasts others",
            "where": "marts.rpt_forecast_accuracy_daily (bias by queue)",
            "expected": {"bias_by_queue": {q: b for q, b in forecast.items() if b}},
        },
        {
            "name": "long_ivr",
            "what": f"satisfaction drops once the IVR takes longer than {csat['ivr_tipping_point_seconds']:.0f} s",
            "where": "analysis.satisfaction_thresholds (tipping point), analysis.satisfaction_drivers",
            "expected": {"tipping_point_seconds": csat["ivr_tipping_point_seconds"],
                         "log_odds_per_minute_beyond": csat["beta"]["ivr_minutes_over_120s"]},
        },
    ]


def _delivery(landing: Landing, expectations: dict) -> dict:
    out = {}
    contract = load_contract()
    for source in SOURCES:
        records = landing.files.get(source, [])
        refused = [r for r in records if r.role == "refused"]
        identical = [r for r in records if r.role == "identical"]
        delivered = sum(r.rows for r in records if r.role not in ("refused", "identical"))
        rejects = expectations.get(source, {}).get("rejects") or {}
        rejects = {reason: int(rejects.get(reason, 0)) for reason in (
            "malformed_line", "missing_required", "invalid_type", "invalid_enum", "out_of_range",
            "end_before_start", "duplicate_superseded")}
        entry = {
            "format": FORMAT.get(source, "csv"),
            "split_by": PERIOD.get(source, "week"),
            "files": [r.path for r in sorted(records, key=lambda r: r.path)],
            "rows_per_file": {r.path: r.rows for r in sorted(records, key=lambda r: r.path)},
            "refused_files": [{"file": r.path, "missing_column": _missing_column(contract[source], r, landing)}
                              for r in refused],
            "identical_redeliveries": [{"file": r.path, "same_bytes_as": r.note} for r in identical],
            "empty_files": [r.path for r in records if r.role == "empty"],
            "extra_column_files": [r.path for r in records if r.role == "extra_columns"],
            "delivered_rows": int(delivered),
            "expected_rejects": rejects,
            "expected_staged": int(delivered - sum(rejects.values())),
            "planted_rows": [{"file": r.path, **p} for r in sorted(records, key=lambda r: r.path)
                             for p in r.planted if r.role not in ("refused", "identical")],
        }
        for key in ("naive_timestamp_rows", "non_ascii_rows", "corrected_keys"):
            if key in expectations.get(source, {}):
                entry[key] = expectations[source][key]
        out[source] = entry
    return out


def _missing_column(contract, record, landing: Landing) -> str:
    import csv
    with (landing.out_dir / record.path).open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    missing = [c for c in contract.required_columns if c not in header]
    return missing[0] if missing else ""


def _pii(world: World) -> dict:
    """What a test needs to check that raw phone numbers never reach the warehouse."""
    a = world.contacts.a
    voice = a["channel"] == 0
    numbers = sorted(set(world.caller_numbers) - {None})
    return {
        "caller_numbers_distinct": len(numbers),
        "caller_numbers_sample": numbers[:: max(1, len(numbers) // 50)][:50],
        "caller_number_format": "+1 AAA-EEE-LLLL (US), +86 13x xxxx xxxx (China), +60 1x-xxx xxxx (Malaysia)",
        "unidentified_calls_with_number": int((voice & ~a["outbound"] & ~a["identified"] & (a["phone"] >= 0)).sum()),
        "calls_without_number": int((voice & ~a["outbound"] & (a["phone"] < 0)).sum()),
    }


def _realised(world: World) -> dict:
    """Headline numbers of the generated data (computed from the generator's own arrays)."""
    a = world.contacts.a
    voice_in = (a["channel"] == 0) & ~a["outbound"]
    handled = a["handled"] & ~a["outbound"]
    offered = voice_in & (a["queue"] >= 0)
    answered = offered & (a["agent"] >= 0)
    wait = a["answered"][answered] - a["queued"][answered]
    cb = np.flatnonzero(a["callback_for"] >= 0)
    channel_names = ("voice", "chat", "email", "messaging", "bot")
    return {
        "contacts": int((~a["outbound"]).sum()),
        "outbound_calls": int(a["outbound"].sum()),
        "contacts_by_channel": {channel_names[c]: int(((a["channel"] == c) & ~a["outbound"]).sum()) for c in range(5)},
        "handled_contacts": int(handled.sum()),
        "voice_offered": int(offered.sum()),
        "voice_answered": int(answered.sum()),
        "voice_abandoned_in_queue": int((offered & (a["agent"] < 0)).sum()),
        "asa_seconds": round(float(wait.mean()), 2) if len(wait) else None,
        "answered_within_20s_share": round(float((wait <= 20).mean()), 4) if len(wait) else None,
        "aht_seconds": round(float(np.nanmean((a["talk"] + a["hold"] + a["wrap"])[answered])), 2)
        if answered.any() else None,
        "repeat_contacts": int((a["cause"] == 1).sum()),
        "callbacks": int((a["callback_for"] >= 0).sum()),
        "callbacks_kept_share_of_promises": round(float(
            (a["t"][cb] <= a["promise"][a["callback_for"][cb]]).sum() / max(1, (~np.isnan(a["promise"])).sum())), 4),
        "callback_promises": int((~np.isnan(a["promise"])).sum()),
        "generations": int(a["gen"].max()) + 1 if len(a["gen"]) else 0,
        "agent_time": {"note": "one call at a time per agent; no call during a scheduled break or off shift"},
    }


def _plain(value):
    """JSON-safe: numpy scalars and arrays to Python."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
