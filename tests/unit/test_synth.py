"""The synthetic contact center (dagster_project.lib.synth): deterministic, complete, coherent, with the
planted effects visible in the raw files and dirty-mode expectations that match an independent count.

Everything here reads the landing FILES (not the generator's internals), at tiny sizes."""
from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import time
from datetime import date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from dagster_project.lib.contract import SOURCES_YAML, load_contract
from dagster_project.lib.synth import generate
from dagster_project.lib.synth.generator import NOT_GENERATED
from dagster_project.lib.synth.reference import DEFAULT_SEEDS_DIR

TINY = dict(days=7, contacts_per_day=200)
OFFSET = re.compile(r"[+-]\d{2}:\d{2}$")


# ---------------------------------------------------------------- reading the landing folder


def read_file(path: Path) -> tuple[list[str], list[dict | None]]:
    """(columns, records); a record is None for a line that does not parse (wrong field count, bad JSON)."""
    name = path.name
    if name.endswith(".parquet"):
        table = pq.read_table(path)
        rows = table.to_pylist()
        for row in rows:
            for k, v in row.items():
                if isinstance(v, bool):
                    row[k] = "true" if v else "false"
        return table.column_names, rows
    data = path.read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    text = data.decode("utf-8")
    if ".jsonl" in name:
        records, columns = [], []
        for line in text.splitlines():
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                records.append(None)
                continue
            columns = columns or list(obj)
            records.append({k: _text(v) for k, v in obj.items()})
        return columns, records
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    records = [dict(zip(header, (v if v != "" else None for v in r))) if len(r) == len(header) else None
               for r in reader if r]
    return header, records


def _text(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if not isinstance(value, str) else (value or None)


def source_files(landing: Path, source: str) -> list[Path]:
    return sorted(p for p in (landing / source).rglob("*") if p.is_file())


def read_source(landing: Path, source: str) -> list[dict]:
    rows = []
    for path in source_files(landing, source):
        rows += [r for r in read_file(path)[1] if r is not None]
    return rows


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    landing = tmp_path_factory.mktemp("tiny")
    return landing, generate(landing, seed=11, **TINY)


@pytest.fixture(scope="module")
def medium(tmp_path_factory):
    """Enough contacts (about 9,000) to see the planted effects at a coarse level; spans the DST change."""
    landing = tmp_path_factory.mktemp("medium")
    truth = generate(landing, days=21, contacts_per_day=450, seed=5, start_date=date(2026, 2, 23))
    return landing, truth


@pytest.fixture(scope="module", params=["week", "day"])
def dirty(tmp_path_factory, request):
    """Dirty mode in weekly files (the demo's) and in daily files (its plants fall on other rows, its expectations
    must stay exact)."""
    landing = tmp_path_factory.mktemp("dirty")
    return landing, generate(landing, days=10, contacts_per_day=150, seed=7, dirty=True,
                             start_date=date(2026, 3, 2), file_period=request.param)


# ---------------------------------------------------------------- determinism and shape


def test_same_seed_gives_byte_identical_files(tmp_path, tiny):
    again = tmp_path / "again"
    generate(again, seed=11, **TINY)
    assert digests(again) == digests(tiny[0])


def test_dirty_mode_is_deterministic_too(tmp_path, dirty):
    again = tmp_path / "dirty_again"
    generate(again, days=10, contacts_per_day=150, seed=7, dirty=True, start_date=date(2026, 3, 2),
             file_period=dirty[1]["file_period"])
    assert digests(again) == digests(dirty[0])


def test_daily_files_hold_exactly_the_weekly_files_rows(tmp_path, tiny):
    """--file-period day (daily deliveries to replay) cuts the same rows into a file per local day: per source, the
    union of the daily files equals the weekly files row for row (the same multiset of rows); month and snapshot sources
    are unchanged; each daily file's contact rows start on its day."""
    landing, truth = tiny
    daily = tmp_path / "daily"
    daily_truth = generate(daily, seed=11, file_period="day", **TINY)
    assert truth["file_period"] == "week" and daily_truth["file_period"] == "day"
    def rows(folder, source):
        return sorted(repr(sorted(r.items())) for r in read_source(folder, source))

    for source in truth["delivery"]:
        assert rows(daily, source) == rows(landing, source), source
    calls = [p.name for p in source_files(daily, "calls")]
    assert calls == [f"calls_2026-02-{day:02d}.csv" for day in range(2, 9)], calls  # TINY: 7 days from 2026-02-02
    assert [p.name for p in source_files(landing, "calls")] == ["calls_2026-02-02.csv"]  # one week
    assert ({p.name for p in source_files(daily, "wfm_forecasts")}
            == {p.name for p in source_files(landing, "wfm_forecasts")})
    first_day = read_file(daily / "calls" / "calls_2026-02-03.csv")[1]
    assert first_day and all(r["arrived_at"].startswith("2026-02-03") for r in first_day)


def test_streaming_writes_the_same_bytes_as_the_whole_source_at_once(tmp_path, monkeypatch):
    """The sources that grow with the contacts are turned into text a file (a period) at a time (issue 14: the
    generator streams to disk, so a 10 M-contact year never exists as text all at once). Byte for byte the same
    landing folder, ground truth included, as when every source is turned into text whole before it is cut into
    files (how the generator wrote before, forced here by materialising each source first), in daily files."""
    from dagster_project.lib.synth.io import Landing
    from dagster_project.lib.synth.world import LazyFrame

    args = dict(days=9, contacts_per_day=150, seed=7, file_period="day")
    streamed = tmp_path / "streamed"
    write_frame = Landing.write_frame
    lazy = []

    def recording(self, source, frame):
        if isinstance(frame, LazyFrame):
            lazy.append(source)
        return write_frame(self, source, frame)

    monkeypatch.setattr(Landing, "write_frame", recording)
    generate(streamed, **args)
    assert sorted(lazy) == ["agent_states", "calls", "digital_contacts", "ticket_events", "tickets"]

    whole = tmp_path / "whole"
    monkeypatch.setattr(Landing, "write_frame", lambda self, source, frame: write_frame(
        self, source, frame.materialise() if isinstance(frame, LazyFrame) else frame))
    generate(whole, **args)
    streamed_files, whole_files = digests(streamed), digests(whole)
    assert len(streamed_files) > 9 * 5  # a file per day of each streamed source, at least
    assert streamed_files == whole_files


def test_another_seed_gives_other_data(tmp_path, tiny):
    other = tmp_path / "other"
    generate(other, seed=12, **TINY)
    a, b = digests(tiny[0]), digests(other)
    assert a["calls/calls_2026-02-02.csv"] != b["calls/calls_2026-02-02.csv"]


def test_every_source_is_delivered_with_exactly_the_contract_columns(tiny):
    landing, truth = tiny
    contract = {name: spec for name, spec in load_contract().items() if name not in NOT_GENERATED}
    assert set(truth["delivery"]) == set(contract)
    formats = set()
    for source, spec in contract.items():
        files = source_files(landing, source)
        assert files, source
        assert [f.relative_to(landing).as_posix() for f in files] == truth["delivery"][source]["files"]
        for path in files:
            columns, records = read_file(path)
            assert columns == spec.column_names, path
            assert all(r is not None for r in records), path
            formats.add("".join(path.suffixes))
        assert truth["delivery"][source]["expected_staged"] == truth["delivery"][source]["delivered_rows"] == \
            truth["sizes"][source]
        assert truth["sizes"][source] > 0 or source == "qa_disputes"  # a tiny week may have no dispute
        assert not any(truth["delivery"][source]["expected_rejects"].values())
    assert formats >= {".csv", ".jsonl", ".jsonl.gz", ".csv.gz", ".parquet"}
    assert json.loads((landing / "ground_truth.json").read_text()) == json.loads(json.dumps(truth))


def test_primary_keys_are_unique_and_required_values_present(tiny):
    landing, _ = tiny
    for source, spec in load_contract().items():
        if source in NOT_GENERATED:
            continue
        rows = read_source(landing, source)
        keys = [tuple(r[k] for k in spec.primary_key) for r in rows]
        assert len(keys) == len(set(keys)), source
        for r in rows:
            assert all(r[c] is not None for c in spec.required_columns), (source, r)


def test_timestamps_offsets_for_contacts_naive_elsewhere_and_the_dst_change_is_inside(medium):
    landing, truth = medium
    calls = read_source(landing, "calls")
    offsets = {OFFSET.search(c["arrived_at"]).group() for c in calls}
    assert offsets == {"-05:00", "-04:00"}  # US daylight saving time starts on 2026-03-08
    assert all(OFFSET.search(d["started_at"]) for d in read_source(landing, "digital_contacts"))
    for row in read_source(landing, "agent_states")[:200] + read_source(landing, "ticket_events")[:200]:
        for key in ("started_at", "event_at"):
            if key in row:
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", row[key]), row
    for call in calls[:500]:  # an instant with its offset converts to the same local wall-clock date
        assert datetime.fromisoformat(call["arrived_at"]).hour >= 7
    assert truth["start_date"] == "2026-02-23" and truth["end_date"] == "2026-03-15"


def test_intervals_are_ordered_and_agents_take_one_call_at_a_time(medium):
    landing, _ = medium
    calls = read_source(landing, "calls")
    by_agent: dict[str, list] = {}
    for c in calls:
        start, end = datetime.fromisoformat(c["arrived_at"]), datetime.fromisoformat(c["ended_at"])
        assert end >= start
        if c["answered_at"] and c["direction"] == "inbound":
            answered = datetime.fromisoformat(c["answered_at"])
            assert datetime.fromisoformat(c["queued_at"]) <= answered <= end
            by_agent.setdefault(c["agent_id"], []).append((answered, end))
    for spans in by_agent.values():
        spans.sort()
        assert all(b[0] >= a[1] for a, b in zip(spans, spans[1:]))
    states: dict[str, list] = {}
    for s in read_source(landing, "agent_states"):
        states.setdefault(s["agent_id"], []).append((s["started_at"], s["ended_at"]))
    for spans in states.values():
        spans.sort()
        assert all(a[0] < a[1] <= b[0] for a, b in zip(spans, spans[1:]))


# ---------------------------------------------------------------- coherence across sources


def _seed_codes(name: str, column: str) -> set[str]:
    with (DEFAULT_SEEDS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return {row[column] for row in csv.DictReader(handle)}


def test_references_between_sources_resolve(tiny):
    landing, _ = tiny
    rows = {source: read_source(landing, source) for source in load_contract()}
    agents = {a["agent_id"] for a in rows["agents"]}
    calls = {c["call_id"] for c in rows["calls"]}
    contacts = calls | {d["contact_id"] for d in rows["digital_contacts"]}
    tickets = {t["ticket_id"] for t in rows["tickets"]}
    evaluations = {e["evaluation_id"] for e in rows["qa_evaluations"]}
    surveys = {s["survey_id"] for s in rows["surveys"]}
    queues, reasons = _seed_codes("queues", "queue"), _seed_codes("reason_codes", "reason_code")
    items = _seed_codes("qa_form_items", "item_code")
    for c in rows["calls"] + rows["digital_contacts"]:
        assert c["agent_id"] is None or c["agent_id"] in agents
        assert c["queue"] is None or c["queue"] in queues
        assert c["reason_code"] is None or c["reason_code"] in reasons
        assert c["ticket_id"] is None or c["ticket_id"] in tickets
    assert all(c["callback_for_call_id"] in calls for c in rows["calls"] if c["callback_for_call_id"])
    assert {e["ticket_id"] for e in rows["ticket_events"]} == tickets
    for s in rows["surveys"]:
        if s["kind"] == "relationship":  # about the customer, not a contact
            assert s["contact_id"] is None and s["ticket_id"] is None and s["customer_id"]
            continue
        assert s["contact_id"] in contacts if s["contact_id"] else s["ticket_id"] in tickets
    assert {a["survey_id"] for a in rows["survey_answers"]} <= surveys
    delivered_codes = {q["question_code"] for q in rows["survey_questions"]}
    assert {a["question_code"] for a in rows["survey_answers"]} <= (
        _seed_codes("survey_questions", "question_code") | delivered_codes)
    for e in rows["qa_evaluations"]:
        assert e["contact_id"] in contacts and e["agent_id"] in agents and e["evaluator_id"] in agents
    assert {i["evaluation_id"] for i in rows["qa_evaluation_items"]} == evaluations
    assert {i["item_code"] for i in rows["qa_evaluation_items"]} == items
    assert all(d["evaluation_id"] in evaluations and (d["item_code"] is None or d["item_code"] in items)
               for d in rows["qa_disputes"])
    assert {t["contact_id"] for t in rows["transcripts"]} <= contacts
    assert {f["queue"] for f in rows["wfm_forecasts"]} == queues
    for source in ("agent_schedules", "agent_states", "training_enrollments"):
        assert {r["agent_id"] for r in rows[source]} <= agents
    assert all(a["supervisor_id"] is None or a["supervisor_id"] in agents for a in rows["agents"])


def test_callers_look_like_phone_numbers_and_some_are_unidentified(tiny):
    landing, truth = tiny
    inbound = [c for c in read_source(landing, "calls") if c["direction"] == "inbound"]
    numbers = {c["caller_number"] for c in inbound if c["caller_number"]}
    assert all(re.fullmatch(r"\+(1 \d{3}-\d{3}-\d{4}|86 13\d \d{4} \d{4}|60 1\d-\d{3} \d{4})", n) for n in numbers)
    unidentified = sum(1 for c in inbound if c["customer_id"] is None) / len(inbound)
    assert 0.05 < unidentified < 0.2
    assert any(c["customer_id"] is None and c["caller_number"] for c in inbound)
    every_number = {c["caller_number"] for c in read_source(landing, "calls") if c["caller_number"]}
    assert set(truth["pii"]["caller_numbers_sample"]) <= every_number
    assert truth["pii"]["caller_numbers_distinct"] == len(every_number)


# ---------------------------------------------------------------- planted effects, coarsely


def _rate(values) -> float:
    values = list(values)
    return sum(values) / len(values)


def test_planted_effects_are_visible_in_the_raw_data(medium):
    landing, truth = medium
    calls = read_source(landing, "calls")
    inbound = [c for c in calls if c["direction"] == "inbound"]
    ivr = [(datetime.fromisoformat(c["ivr_ended_at"]) - datetime.fromisoformat(c["arrived_at"])).total_seconds()
           for c in inbound if c["ivr_ended_at"]]
    assert 0.04 < _rate(s > 120 for s in ivr) < 0.2  # a tail beyond the 120 s tipping point
    outcomes = {c["outcome"] for c in inbound}
    assert outcomes == {"answered", "abandoned", "self_served", "failed"}
    assert any(c["callback_for_call_id"] for c in calls) and any(c["promised_callback_by"] for c in calls)

    # Repeat contacts: the weak agents' customers come back more often (cross-channel, within 7 days).
    contacts = [(c["customer_id"], datetime.fromisoformat(c["arrived_at"]), c["agent_id"], bool(c["answered_at"]))
                for c in inbound if c["customer_id"]]
    contacts += [(d["customer_id"], datetime.fromisoformat(d["started_at"]), d["agent_id"], d["outcome"] == "handled")
                 for d in read_source(landing, "digital_contacts") if d["customer_id"]]
    contacts.sort(key=lambda c: (c[0], c[1]))
    weak = set(truth["people"]["weak_agents"])
    repeat = {True: [], False: []}
    for a, b in zip(contacts, contacts[1:] + [None]):
        if a[3] and a[2]:
            repeat[a[2] in weak].append(b is not None and b[0] == a[0] and (b[1] - a[1]).days < 7)
    assert _rate(repeat[True]) > _rate(repeat[False]) + 0.05

    # Satisfaction is lower after another contact in the previous 7 days (planted beta < 0).
    starts = {c["call_id"]: datetime.fromisoformat(c["arrived_at"]) for c in inbound}
    starts.update({d["contact_id"]: datetime.fromisoformat(d["started_at"])
                   for d in read_source(landing, "digital_contacts")})
    by_customer: dict[str, list] = {}
    for cust, t in [(c[0], c[1]) for c in contacts]:
        by_customer.setdefault(cust, []).append(t)
    csat = {True: [], False: []}
    for s in read_source(landing, "surveys"):
        if s["contact_id"] in starts and s["customer_id"]:
            t = starts[s["contact_id"]]
            prior = any(0 < (t - u).total_seconds() <= 7 * 86400 for u in by_customer.get(s["customer_id"], []))
            csat[prior].append(int(s["csat"]))
    assert _rate(csat[True]) < _rate(csat[False]) - 0.1
    assert any(re.search(r"[\u4e00-\u9fff]", s["comment"] or "") for s in read_source(landing, "surveys"))

    # HR: agency hires leave more often within 90 days than the hires of every other source together (planted
    # 0.40 against 0.05-0.18; classes are sized to the center, so a small center has a few dozen hires).
    hires = [a for a in read_source(landing, "agents") if a["hire_source"]
             and date.fromisoformat(a["hired_at"]) >= date(2025, 6, 1)
             and (date.fromisoformat(truth["end_date"]) - date.fromisoformat(a["hired_at"])).days >= 90]
    left = {agency: [a["terminated_at"] is not None and (date.fromisoformat(a["terminated_at"])
                                                          - date.fromisoformat(a["hired_at"])).days <= 90
                     for a in hires if (a["hire_source"] == "agency") == agency] for agency in (True, False)}
    assert _rate(left[True]) > _rate(left[False])

    # QA: the planted process failure shows in its queue; the harsh evaluator fails more.
    pf = truth["qa"]["process_wide_failure"]
    queue_of = {c["call_id"]: c["queue"] for c in calls}
    evaluations = {e["evaluation_id"]: e for e in read_source(landing, "qa_evaluations")}
    results = [(queue_of.get(evaluations[i["evaluation_id"]]["contact_id"]) == pf["queue"], i["result"] == "fail")
               for i in read_source(landing, "qa_evaluation_items") if i["item_code"] == pf["item_code"]
               and i["result"] != "na"]
    assert _rate(f for q, f in results if q) > 3 * _rate(f for q, f in results if not q)
    harsh = truth["qa"]["harsh_evaluator"]
    failed = {i["evaluation_id"] for i in read_source(landing, "qa_evaluation_items") if i["result"] == "fail"}
    assert _rate(e in failed for e, v in evaluations.items() if v["evaluator_id"] == harsh) > \
        _rate(e in failed for e, v in evaluations.items() if v["evaluator_id"] != harsh)
    sessions = {}
    for e in evaluations.values():
        if e["sample_type"] == "calibration":
            sessions.setdefault(e["calibration_session_id"], set()).add((e["contact_id"], e["evaluator_id"]))
    assert sessions and all(len({c for c, _ in s}) == 1 and 3 <= len(s) <= 5 for s in sessions.values())

    # WFM: the planted over-forecast queue is over-forecast relative to the planted under-forecast one.
    forecasts = read_source(landing, "wfm_forecasts")
    actual: dict[tuple, int] = {}
    tz_naive = lambda ts: ts[:19]  # noqa: E731  (contacts carry an offset; the local time is the prefix)
    for c in inbound:
        if c["queue"]:
            t = tz_naive(c["arrived_at"])
            key = (c["queue"], t[:14] + ("00" if t[14:16] < "30" else "30") + ":00")
            actual[key] = actual.get(key, 0) + 1
    for d in read_source(landing, "digital_contacts"):
        if d["queue"]:
            t = tz_naive(d["started_at"])
            key = (d["queue"], t[:14] + ("00" if t[14:16] < "30" else "30") + ":00")
            actual[key] = actual.get(key, 0) + 1
    bias = {}
    for queue in ("tech_support", "chat_general"):
        day_ahead = [f for f in forecasts if f["queue"] == queue
                     and (date.fromisoformat(f["interval_start"][:10]) - date.fromisoformat(f["published_at"][:10])).days == 1]
        fc = sum(float(f["forecast_contacts"]) for f in day_ahead)
        act = sum(actual.get((queue, f["interval_start"]), 0) for f in day_ahead)
        bias[queue] = (fc - act) / act
    assert bias["tech_support"] > bias["chat_general"]


def test_red_line_phrases_are_exactly_the_planted_ones_in_agent_speech(medium):
    landing, truth = medium
    with (DEFAULT_SEEDS_DIR / "red_line_lexicon.csv").open(encoding="utf-8", newline="") as handle:
        phrases = [r["phrase"].strip().lower() for r in csv.DictReader(handle) if r["phrase"].strip()]
    utterances = read_source(landing, "transcripts")
    hits = {u["contact_id"] for u in utterances if u["speaker"] == "agent"
            and any(p in u["text"].lower().replace("\u2019", "'") for p in phrases)}
    planted = set(truth["transcripts"]["red_line"])
    assert hits == planted and planted
    assert not hits & set(truth["transcripts"]["near_miss_contacts"])
    assert set(truth["transcripts"]["near_miss_contacts"])  # the near misses exist and match nothing
    # Customers' own abuse is in the text but must not count: only agent utterances are checked.
    customer_only = set(truth["transcripts"]["customer_only_red_line_contacts"]) - planted
    customer_hits = {u["contact_id"] for u in utterances if u["speaker"] == "customer"
                     and any(p in u["text"].lower() for p in phrases)}
    assert customer_only and customer_only <= customer_hits
    assert {u["speaker"] for u in utterances} >= {"agent", "customer", "system"}
    assert any(re.search(r"[\u4e00-\u9fff]", u["text"]) for u in utterances)
    assert any(re.search(r"\d[\d ]{6,}\d", u["text"]) for u in utterances)  # numbers to be masked


# ---------------------------------------------------------------- dirty mode: an independent count


def _contract_meta() -> dict:
    doc = yaml.safe_load(SOURCES_YAML.read_text(encoding="utf-8"))
    (landing,) = [s for s in doc["sources"] if s["name"] == "landing"]

    def meta(node):
        m = dict(node.get("meta") or {})
        m.update((node.get("config") or {}).get("meta") or {})
        return m

    return {t["name"]: {"meta": meta(t), "columns": {c["name"]: meta(c) for c in t["columns"]}}
            for t in landing["tables"]}


TS = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?([zZ]|[+-]\d{2}(:?\d{2})?)?$")


def _parse(kind: str, value: str):
    """A Python reading of the contract types (docs/layers.md); None = not a valid value."""
    try:
        if kind == "timestamp":
            if not TS.match(value):
                return None
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed.timestamp() if parsed.tzinfo else parsed  # naive values are compared as wall clock
        if kind == "date":
            return date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
        if kind == "int":
            return int(value.split(".")[0]) if re.fullmatch(r"[+-]?\d{1,18}(\.0*)?", value) else None
        if kind == "number":
            return float(value) if re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?", value) else None
        if kind == "bool":
            low = value.lower()
            return True if low in ("true", "1", "yes", "y") else False if low in ("false", "0", "no", "n") else None
    except ValueError:
        return None
    return value


def _reason(record: dict | None, table: dict) -> str | None:
    if record is None:
        return "malformed_line"
    columns, meta = table["columns"], table["meta"]
    if any(spec.get("required") and record.get(name) is None for name, spec in columns.items()):
        return "missing_required"
    exempt = any(str(record.get(c) or "").lower() == str(v).lower()
                 for c, v in (meta.get("require_any_unless") or {}).items())
    if not exempt and any(all(record.get(c) is None for c in group) for group in meta.get("require_any", [])):
        return "missing_required"
    typed = {}
    for name, spec in columns.items():
        value = record.get(name)
        if value is None:
            continue
        typed[name] = _parse(spec.get("type", "string"), value)
        if typed[name] is None:
            return "invalid_type"
    for name, spec in columns.items():
        if name in typed and spec.get("enum") and str(typed[name]).lower() not in {str(e).lower() for e in spec["enum"]}:
            return "invalid_enum"
    for name, spec in columns.items():
        if name in typed and (spec.get("min") is not None and typed[name] < spec["min"]
                              or spec.get("max") is not None and typed[name] > spec["max"]):
            return "out_of_range"
    for start, end in meta.get("end_after_start", []):
        if typed.get(start) is not None and typed.get(end) is not None and typed[end] < typed[start]:
            return "end_before_start"
    return None


def test_dirty_expectations_match_an_independent_count_of_the_files(dirty):
    landing, truth = dirty
    meta = _contract_meta()
    for source, delivery in truth["delivery"].items():
        refused = {r["file"] for r in delivery["refused_files"]}
        identical = {r["file"] for r in delivery["identical_redeliveries"]}
        counts = {reason: 0 for reason in delivery["expected_rejects"]}
        delivered = 0
        versions: dict[tuple, int] = {}
        for path in source_files(landing, source):
            rel = path.relative_to(landing).as_posix()
            columns, records = read_file(path)
            if rel in refused:
                missing = next(r["missing_column"] for r in delivery["refused_files"] if r["file"] == rel)
                assert missing not in columns and missing in load_contract()[source].required_columns
                continue
            if rel in identical:
                original = next(r["same_bytes_as"] for r in delivery["identical_redeliveries"] if r["file"] == rel)
                assert path.read_bytes() == (landing / original).read_bytes()
                continue
            delivered += len(records)
            for record in records:
                reason = _reason(record, meta[source])
                if reason:
                    counts[reason] += 1
                else:
                    key = tuple(record.get(k) for k in meta[source]["meta"]["primary_key"])
                    versions[key] = versions.get(key, 0) + 1
        counts["duplicate_superseded"] = sum(n - 1 for n in versions.values())
        assert delivered == delivery["delivered_rows"], source
        assert counts == delivery["expected_rejects"], source
        assert delivery["expected_staged"] == delivered - sum(counts.values()), source
    kinds = {r: sum(d["expected_rejects"][r] for d in truth["delivery"].values())
             for r in truth["delivery"]["calls"]["expected_rejects"]}
    assert all(n > 0 for n in kinds.values()), kinds  # every reject reason is planted somewhere
    calls = truth["delivery"]["calls"]
    assert calls["refused_files"] and calls["identical_redeliveries"] and calls["empty_files"]
    assert calls["extra_column_files"] and calls["naive_timestamp_rows"] and calls["corrected_keys"]


def test_superseded_rows_are_delivered_again_later(dirty):
    """A later path is a later delivery: every superseded key comes back later in the same file or in a
    file that sorts after it."""
    landing, truth = dirty
    for source, delivery in truth["delivery"].items():
        pk = load_contract()[source].primary_key
        assert delivery["files"] == sorted(delivery["files"])
        for planted in [p for p in delivery["planted_rows"] if p["reason"] == "duplicate_superseded"]:
            key = tuple(planted["key"].split("|"))
            later = []
            for f in delivery["files"]:
                if f >= planted["file"] and f not in {r["file"] for r in delivery["identical_redeliveries"]}:
                    records = read_file(landing / f)[1]
                    start = planted["record"] if f == planted["file"] else 0
                    later += [r for r in records[start:] if r and tuple(r.get(k) for k in pk) == key]
            assert later, (source, planted)


def test_corrections_change_values_and_naive_timestamps_mean_local_time(dirty):
    landing, truth = dirty
    calls = truth["delivery"]["calls"]
    first = {c["call_id"]: c for c in read_file(landing / calls["files"][0])[1] if c}
    corrected = {c["call_id"]: c for c in read_file(
        landing / next(f for f in calls["files"] if "corrections" in f))[1]}
    assert set(corrected) == set(calls["corrected_keys"])
    assert all(corrected[k] != first[k] for k in corrected)
    naive = [c for f in calls["files"] for c in read_file(landing / f)[1]
             if c and c["call_id"] in set(calls["naive_timestamp_rows"])]
    assert naive and all(not OFFSET.search(c["arrived_at"]) for c in naive)
    assert {c["arrived_at"][:10] for c in naive} & {"2026-03-07", "2026-03-08", "2026-03-09"}


# ---------------------------------------------------------------- speed (reported, not asserted)


def test_generation_speed_is_reported(tmp_path, capsys):
    started = time.perf_counter()
    truth = generate(tmp_path / "speed", days=14, contacts_per_day=2000, seed=3)
    elapsed = time.perf_counter() - started
    contacts = truth["realised"]["contacts"]
    with capsys.disabled():
        print(f"\nsynth: {contacts} contacts in {elapsed:.1f} s ({contacts / elapsed:,.0f} contacts/s)")
    assert contacts > 20000
