"""Dirty mode: a KNOWN number of bad rows and bad files of every kind, on top of the clean data.

Every planted bad row has exactly one problem (so its reject reason is certain) and, unless it is a
duplicate or a correction, a fresh primary key. The expectations are exact: per source, the rows the
loader will take in (refused files and byte-identical re-deliveries excluded; malformed lines counted),
the rejects by reason (docs/layers.md vocabulary) and what staging keeps. Late files are named so that
they sort after the files they correct (the loader takes a source's files in sorted path order).
"""
from __future__ import annotations

import csv
import io as _io
import json
from collections import Counter
from datetime import date, datetime, timedelta

import numpy as np

from dagster_project.lib.contract import load_contract
from dagster_project.lib.synth.io import RAW, TAG, Landing
from dagster_project.lib.synth.world import Frame, World

REASONS = ("malformed_line", "missing_required", "invalid_type", "invalid_enum", "out_of_range",
           "end_before_start", "duplicate_superseded")

# source -> [(reason, column or (start, end) pair, bad value, how many)]
BAD_ROWS = {
    "calls": [
        ("malformed_line", "extra_field", None, 2), ("malformed_line", "missing_field", None, 1),
        ("invalid_type", "arrived_at", "32/13/2026 25:61", 1), ("invalid_type", "answered_at", "noon-ish", 1),
        ("invalid_type", "talk_seconds", "twelve", 1), ("invalid_type", "ivr_keypresses", "three", 1),
        ("invalid_enum", "direction", "sideways", 2), ("invalid_enum", "outcome", "transferred", 1),
        ("missing_required", "call_id", None, 2), ("missing_required", "ended_at", None, 1),
        ("missing_required", "direction", None, 1), ("out_of_range", "talk_seconds", "-30", 1),
        ("end_before_start", ("arrived_at", "ended_at"), None, 2),
    ],
    "digital_contacts": [
        ("malformed_line", "json", None, 3), ("invalid_enum", "channel", "pigeon", 2),
        ("invalid_type", "bot_handled", "maybe", 2), ("invalid_type", "started_at", "yesterday", 1),
        ("missing_required", "contact_id", None, 1), ("missing_required", "outcome", None, 1),
        ("end_before_start", ("started_at", "ended_at"), None, 1),
    ],
    "tickets": [
        ("invalid_enum", "priority", "critical", 2), ("invalid_enum", "status", "escalated", 1),
        ("missing_required", "created_at", None, 1), ("end_before_start", ("created_at", "solved_at"), None, 1),
    ],
    "ticket_events": [("invalid_enum", "event_type", "merged", 1)],
    "surveys": [
        ("out_of_range", "csat", "0", 2), ("out_of_range", "csat", "7", 2), ("invalid_type", "csat", "five", 1),
        ("missing_required", "responded_at", None, 1), ("missing_required", "survey_id", None, 1),
        ("missing_required", ("contact_id", "ticket_id"), None, 1),
        ("end_before_start", ("sent_at", "responded_at"), None, 1), ("malformed_line", "extra_field", None, 1),
    ],
    "survey_answers": [("missing_required", "question_code", None, 2), ("invalid_type", "score", "high", 1)],
    "qa_evaluations": [("invalid_enum", "sample_type", "audit", 2), ("missing_required", "evaluator_id", None, 1)],
    "qa_evaluation_items": [("invalid_enum", "result", "maybe", 2), ("missing_required", "item_code", None, 1)],
    "qa_disputes": [("invalid_enum", "status", "pending", 1),
                    ("end_before_start", ("raised_at", "decided_at"), None, 1)],
    "wfm_forecasts": [("invalid_type", "forecast_contacts", "n/a", 2), ("out_of_range", "forecast_shrinkage", "1.4", 1),
                      ("invalid_enum", "interval_minutes", "45", 1)],
    "agent_schedules": [("invalid_enum", "activity", "nap", 1),
                        ("end_before_start", ("activity_start", "activity_end"), None, 2)],
    "agent_states": [("invalid_enum", "state", "napping", 1), ("end_before_start", ("started_at", "ended_at"), None, 1),
                     ("malformed_line", "missing_field", None, 1)],
    "agents": [("invalid_type", "hired_at", "2025-13-01", 1), ("invalid_enum", "termination_type", "retired", 1)],
    "training_enrollments": [("invalid_enum", "outcome", "passed", 1), ("out_of_range", "assessment_score", "130", 1)],
    "transcripts": [("malformed_line", "json", None, 1), ("missing_required", "text", None, 1)],
    "improvement_actions": [("invalid_enum", "source", "audit", 1)],
}
# source -> {kind: count}: duplicates and re-deliveries (each superseded original is one reject)
DUPLICATES = {
    "calls": {"in_file": 2, "late": 3, "correction": 5, "identical": 1, "empty": 1, "refused": 4, "extra_columns": 20,
              "naive_timestamps": 6},
    "digital_contacts": {"late": 2, "naive_timestamps": 3},
    "tickets": {"in_file": 2},
    "ticket_events": {"late": 3, "identical": 1},
    "surveys": {"correction": 3, "empty": 1, "non_ascii": 4},
    "survey_answers": {"late": 2},
    "qa_evaluation_items": {"in_file": 2},
    "wfm_forecasts": {"refused": 3},
    "agents": {"correction": 2},
}
REFUSED_COLUMN = {"calls": "outcome", "wfm_forecasts": "published_at"}
NON_ASCII_COMMENTS = ["Perkhidmatan yang baik, tetapi saya menunggu lama sebelum disambungkan.",
                      "Très bon service — merci à Zoë et à François !", "Señor Núñez fue muy amable, ¡gracias!",
                      "客服态度很好，但是菜单太复杂了。"]


class Dirt:
    def __init__(self, world: World, landing: Landing):
        self.world = world
        self.rng = world.rng("dirty")
        self.landing = landing
        self.contract = load_contract()
        self.rejects: dict[str, Counter] = {}
        self.notes: dict[str, dict] = {}

    # ------------------------------------------------------------------ public
    def write_source(self, source: str, frame: Frame) -> None:
        """Write one source with its planted bad rows, duplicates and re-delivered files."""
        self.rejects[source] = Counter()
        self.notes[source] = {}
        frame = self.with_bad_rows(source, frame)
        extras = self.prepare_duplicates(source, frame)
        originals = self.landing.write_frame(source, frame)
        self.write_extras(source, frame, originals, extras)

    # ------------------------------------------------------------------ bad rows inside the regular files
    def with_bad_rows(self, source: str, frame: Frame) -> Frame:
        n = len(frame)
        columns = {k: v.copy() for k, v in frame.columns.items()}
        columns[RAW] = np.full(n, None, dtype=object)
        columns[TAG] = np.full(n, None, dtype=object)
        frame = Frame(columns, frame.day.copy())
        specs = BAD_ROWS.get(source, [])
        if not specs or n < 2:
            return frame
        key = self.contract[source].primary_key
        existing = set(zip(*(frame.columns[k] for k in key)))
        new_rows, new_days, positions = [], [], []
        serial = 0
        for reason, column, value, count in specs:
            for _ in range(count):
                serial += 1
                i = self._pick_row(frame, column if reason == "end_before_start" else None)
                if i is None:  # too little data for this kind (tiny runs): not planted, not expected
                    continue
                row = {k: frame.columns[k][i] for k in frame.columns}
                self._fresh_key(source, row, key, existing, serial)
                row[TAG] = (reason, self._detail(column))
                if reason == "malformed_line":
                    row[RAW] = self._malformed(source, row, column)
                elif reason == "end_before_start":
                    start, end = column
                    row[end] = _shift(row[start], -600)
                elif isinstance(column, tuple):  # a require_any group (and no exemption, e.g. kind relationship)
                    for c in column:
                        row[c] = None
                    for c, _ in self.contract[source].require_any_unless:
                        row[c] = None
                else:
                    row[column] = value
                new_rows.append(row)
                new_days.append(frame.day[i])
                positions.append(i + 1)
                self.rejects[source][reason] += 1
        # Insert each bad row right after the row it was copied from (so it lands in the same file).
        order = np.argsort(positions, kind="stable")
        at = np.array(positions)[order]
        for k in frame.columns:
            values = np.empty(len(new_rows), dtype=object)
            values[:] = [new_rows[j][k] for j in order]
            frame.columns[k] = np.insert(frame.columns[k], at, values)
        frame.day = np.insert(frame.day, at, np.array(new_days)[order])
        return frame

    def _pick_row(self, frame: Frame, pair) -> int | None:
        """A clean row to copy (for an end/start pair, one where both are given; no multi-line text)."""
        n = len(frame)
        for _ in range(2000):
            i = int(self.rng.integers(0, n))
            if frame.columns[TAG][i] is not None or frame.columns[RAW][i] is not None:
                continue
            if pair and any(frame.columns[c][i] is None for c in pair):
                continue
            if any(isinstance(frame.columns[c][i], str) and "\n" in frame.columns[c][i]
                   for c in frame.columns if c not in (RAW, TAG)):
                continue
            return i
        return None

    def _fresh_key(self, source: str, row: dict, key: tuple, existing: set, serial: int) -> None:
        """Give a copied row a primary key no other row has: a fresh identifier, or for keys made of an
        agent and a time, the time moved by a few seconds."""
        first = key[0]
        if len(key) == 1 or first in ("evaluation_id", "survey_id", "contact_id"):
            row[first] = _fresh_id(row[first], serial)
        else:
            time_col = key[-1]
            shift = 7 * serial
            while True:
                candidate = _shift(row[time_col], shift)
                probe = tuple(candidate if k == time_col else row[k] for k in key)
                if probe not in existing:
                    row[time_col] = candidate
                    # keep an end column consistent with its start (only one problem per row)
                    for start, end in self.contract[source].end_after_start:
                        if start == time_col and row.get(end) is not None:
                            row[end] = _shift(row[end], shift)
                    break
                shift += 1
        existing.add(tuple(row[k] for k in key))

    def _detail(self, column) -> str:
        if isinstance(column, tuple):
            return " or ".join(column) if len(column) == 2 and column[0] != column[1] else str(column)
        return str(column)

    def _malformed(self, source: str, row: dict, how: str) -> str:
        columns = [c.name for c in self.contract[source].columns]
        values = [row.get(c) for c in columns]
        if how == "json":
            text = json.dumps({c: v for c, v in zip(columns, values)}, ensure_ascii=False)
            return text[: max(10, len(text) // 2)]  # cut in the middle: not valid JSON
        buffer = _io.StringIO()
        writer = csv.writer(buffer, lineterminator="")
        if how == "extra_field":
            writer.writerow(values + ["unexpected"])
        else:
            writer.writerow(values[:-1])
        return buffer.getvalue()

    # ------------------------------------------------------------------ duplicates and re-deliveries
    def prepare_duplicates(self, source: str, frame: Frame) -> dict:
        """Choose the rows behind each duplicate kind (distinct clean rows), tag the originals that will
        be superseded, and add in-file duplicates and naive timestamps / non-ASCII text in place."""
        plan = DUPLICATES.get(source, {})
        clean = np.flatnonzero((frame.columns[TAG] == None) & (frame.columns[RAW] == None))  # noqa: E711
        no_newline = np.array([not any(isinstance(frame.columns[c][i], str) and "\n" in frame.columns[c][i]
                                       for c in frame.columns if c not in (RAW, TAG)) for i in clean], dtype=bool)
        clean = clean[no_newline]
        # Rows of the first file only, for late copies and corrections (they must sort after their file).
        first_period = self.landing.partitions(source, frame)[0][1] if len(frame) else np.array([], int)
        pool_first = np.intersect1d(clean, first_period)
        self.rng.shuffle(pool_first)
        extras = {"first_period_rows": first_period}
        taken = 0

        def take(k):
            nonlocal taken
            rows = pool_first[taken:taken + k]
            taken += k
            return rows

        for kind in ("late", "correction"):
            if plan.get(kind):
                rows = take(plan[kind])
                extras[kind] = rows
                for i in rows:
                    frame.columns[TAG][i] = ("duplicate_superseded", "re-delivered " + kind)
                self.rejects[source]["duplicate_superseded"] += len(rows)
        if plan.get("refused"):
            extras["refused"] = take(plan["refused"])
        if plan.get("in_file") and len(pool_first) > taken:
            # An exact copy later in the same file: the earlier line is superseded.
            rows = pool_first[taken:taken + plan["in_file"]]
            taken += len(rows)
            first_last = first_period.max()
            for i in sorted(rows.tolist(), reverse=True):
                frame.columns[TAG][i] = ("duplicate_superseded", "duplicated later in the same file")
                for k in frame.columns:
                    value = None if k in (RAW, TAG) else frame.columns[k][i]
                    holder = np.empty(1, dtype=object)
                    holder[0] = value
                    frame.columns[k] = np.insert(frame.columns[k], first_last + 1, holder)
                frame.day = np.insert(frame.day, first_last + 1, frame.day[i])
            self.rejects[source]["duplicate_superseded"] += len(rows)
        if plan.get("naive_timestamps"):
            extras["naive"] = self._naive_timestamps(source, frame, plan["naive_timestamps"])
        if plan.get("non_ascii"):
            candidates = np.flatnonzero((frame.columns[TAG] == None) & (frame.columns[RAW] == None))  # noqa: E711
            rows = self.rng.choice(candidates, min(plan["non_ascii"], len(candidates)), replace=False)
            for j, i in enumerate(sorted(rows.tolist())):
                frame.columns["comment"][i] = NON_ASCII_COMMENTS[j % len(NON_ASCII_COMMENTS)]
            key = self.contract[source].primary_key[0]
            self.notes[source]["non_ascii_rows"] = sorted(frame.columns[key][rows].tolist())
        if plan.get("extra_columns"):
            last = self.landing.partitions(source, frame)[-1][1]
            movable = [i for i in last[::-1] if frame.columns[TAG][i] is None and frame.columns[RAW][i] is None]
            extras["extra_columns"] = np.array(sorted(movable[: plan["extra_columns"]]))
        return extras

    def _naive_timestamps(self, source: str, frame: Frame, count: int) -> list:
        """Rewrite some rows' timestamps as naive local time (valid; same instants), preferably around the
        daylight-saving change of the data."""
        clock = self.world.clock
        ts_columns = [c.name for c in self.contract[source].columns if c.type == "timestamp"]
        candidates = np.flatnonzero((frame.columns[TAG] == None) & (frame.columns[RAW] == None))  # noqa: E711
        offsets = frame.columns[ts_columns[0]][candidates]
        # Days whose rows carry two different offsets around them: the DST change.
        suffix = np.array([v[-6:] if v else "" for v in offsets], dtype=object)
        change = np.flatnonzero(suffix[1:] != suffix[:-1])
        if len(change):
            near = candidates[max(0, change[0] - 200): change[0] + 200]
        else:
            near = candidates
        rows = np.sort(self.rng.choice(near, min(count, len(near)), replace=False)) if len(near) else near
        for i in rows:
            for c in ts_columns:
                value = frame.columns[c][i]
                if value:
                    frame.columns[c][i] = value[:19]  # drop the offset: local wall-clock time
        key = self.contract[source].primary_key[0]
        ids = sorted(frame.columns[key][rows].tolist())
        self.notes[source]["naive_timestamp_rows"] = ids
        return ids

    def write_extras(self, source: str, frame: Frame, originals, extras: dict) -> None:
        plan = DUPLICATES.get(source, {})
        landing = self.landing
        if not originals:
            return
        first = originals[0]
        base = first.path.rsplit(".", 1)[0] if not first.path.endswith(".gz") else first.path.rsplit(".", 2)[0]
        ext = first.format
        columns = [c.name for c in self.contract[source].columns]

        def rows_frame(idx, edit=None) -> Frame:
            cols = {c: frame.columns[c][idx].copy() for c in columns}
            if edit:
                edit(cols)
            return Frame(cols, frame.day[idx])

        if "late" in extras and len(extras["late"]):
            landing.write(source, f"{base}_r2_late_duplicates.{ext}", rows_frame(extras["late"]), "late_duplicates",
                          "exact copies of rows delivered earlier: the earlier copies are superseded")
        if "correction" in extras and len(extras["correction"]):
            landing.write(source, f"{base}_r1_corrections.{ext}", rows_frame(extras["correction"], self._edit(source)),
                          "correction", "corrected values for keys delivered earlier: the later version wins")
            key = self.contract[source].primary_key
            self.notes[source]["corrected_keys"] = sorted("|".join(frame.columns[k][i] for k in key)
                                                          for i in extras["correction"])
        if plan.get("identical"):
            landing.copy(first, f"{base}_r3_resent.{ext}", note=first.path)
        if plan.get("empty"):
            landing.write(source, f"{base}_r4_empty.{ext}", rows_frame(np.array([], dtype=int)), "empty",
                          "header only")
        if "refused" in extras and len(extras["refused"]):
            missing = REFUSED_COLUMN[source]
            kept = [c for c in columns if c != missing]
            refused = rows_frame(extras["refused"])
            landing.write(source, f"{base}_r5_missing_{missing}.{ext}", refused, "refused",
                          f"required column {missing} missing: the whole file is refused", columns=kept)
        if "extra_columns" in extras and len(extras["extra_columns"]):
            idx = extras["extra_columns"]
            last = originals[-1]
            moved = rows_frame(idx)
            moved.columns["recording_url"] = np.array([f"https://recordings.example.com/{v}.wav"
                                                       for v in frame.columns[columns[0]][idx]], dtype=object)
            moved.columns["sentiment_score"] = np.round(self.rng.uniform(-1, 1, len(idx)), 2).astype(str).astype(object)
            last_base = last.path.rsplit(".", 1)[0] if not last.path.endswith(".gz") else last.path.rsplit(".", 2)[0]
            # The moved rows leave the weekly file (which is rewritten without them).
            keep = np.setdiff1d(np.arange(len(frame)), idx)
            landing.files[source].remove(last)
            period_rows = np.intersect1d(keep, self.landing.partitions(source, frame)[-1][1])
            landing.write(source, last.path, frame.take(period_rows))
            landing.write(source, f"{last_base}_x_extra_columns.{ext}", moved, "extra_columns",
                          "two columns the contract does not name: kept in raw, not an error")

    def _edit(self, source: str):
        rng = self.rng
        codes = self.world.ref.reason_codes

        def edit(cols):
            n = len(next(iter(cols.values())))
            if source == "calls":
                cols["wrap_seconds"] = np.array([str(int(v or 0) + 15) for v in cols["wrap_seconds"]], dtype=object)
                cols["reason_code"] = np.array([codes[int(rng.integers(0, len(codes)))] for _ in range(n)], dtype=object)
            elif source == "surveys":
                # a relationship survey has no csat (its overall answer is a survey_answers row): nothing to flip
                cols["csat"] = np.array([v if v in (None, "") else str(6 - int(v)) for v in cols["csat"]], dtype=object)
                cols["comment"] = np.full(n, "Corrected after review.", dtype=object)
            elif source == "agents":
                cols["site"] = np.array(["remote" if s != "remote" else "tampa" for s in cols["site"]], dtype=object)
        return edit

    # ------------------------------------------------------------------ expectations
    def expectations(self) -> dict:
        out = {}
        for source, counter in self.rejects.items():
            out[source] = {"rejects": {r: int(counter.get(r, 0)) for r in REASONS}, **self.notes.get(source, {})}
        return out


def _fresh_id(value: str | None, serial: int) -> str:
    """'C000001234' -> 'C999999001' style: same prefix and width, from the top of the number range."""
    value = value or "X0000000"
    prefix = value.rstrip("0123456789")
    width = max(4, len(value) - len(prefix))
    return f"{prefix}{10 ** width - 1000 + serial:0{width}d}"


def _shift(value: str | None, seconds: int) -> str | None:
    """Move an ISO timestamp or date text by some seconds, keeping its style (offset or not)."""
    if value is None:
        return None
    if len(value) == 10:  # a date
        return (date.fromisoformat(value) + timedelta(days=-30 if seconds < 0 else 1)).isoformat()
    return (datetime.fromisoformat(value) + timedelta(seconds=seconds)).isoformat()
