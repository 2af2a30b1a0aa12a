"""The pre-brief (metrics.md §7c): what the agent sees when a customer contacts us again, read from the serving copy.

Everything here reads the published serving copy (lib/publish.py), never the working warehouse, and takes every
rule from the marts: a journey's contacts with their expected csat from marts.rpt_journey_contacts (the journey
window's contacts of fct_contacts joined to analysis.contact_satisfaction_scores, stored in customer order), pain
points from marts.fct_contact_pain_points (the journey quality points the contact failed, plus repeat contacts),
one contact from marts.fct_contacts with P(csat = k) from analysis.contact_satisfaction_scores, alerts from
marts.rpt_alerts. Parameters are always bound (`?`), never spliced into SQL. The API (lib/api.py) is a thin layer
over these functions.

A customer's journey = their contacts of the journey window, newest first: the last `journey_window_days` (seeds
metric_targets, 30) days of data, ending at the latest contact in the copy, not at the wall clock (a copy published
from older data shows its own last 30 days). The window is the mart's (rpt_journey_contacts.window_start_at).
"""
from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from dagster_project.lib.pii import hash_phone, read_key
from dagster_project.lib.publish import MANIFEST_TABLE, open_serving

# What a journey row shows of a contact (codes and numbers only: no phone number, no free text).
CONTACT_COLUMNS = (
    "contact_id", "channel", "customer_key", "started_at", "ended_at", "local_date", "queue", "reason_code",
    "agent_id", "outcome", "is_handled", "ivr_seconds", "queue_seconds", "handle_seconds", "transfer_count",
    "has_repeat_48h", "has_repeat_7d", "csat",
)
PAIN_POINT_COLUMNS = ("contact_id", "pain_point", "touchpoint", "dimension", "label", "evidence")
ALERT_COLUMNS = ("alert_id", "kind", "subject_type", "subject_id", "contact_id", "customer_key", "raised_at", "status",
                 "reason", "evidence", "score", "threshold", "contacts_in_window")
ALERT_STATUSES = ("open", "resolved")
PHONE_CUSTOMER_PREFIX = "ani:"  # fct_contacts.customer_key of a caller known only by the number


class ServingUnavailable(RuntimeError):
    """The serving copy does not exist (yet) or cannot be read."""


@dataclass(frozen=True)
class Version:
    version: str
    run_id: str | None
    published_at: datetime | None
    data_end_at: datetime | None  # the latest contact's start: the end of the journey window
    csat_alert_below: float | None  # seeds metric_targets alert_expected_csat_below
    journey_since: datetime | None = None  # the journey window's start (marts.rpt_journey_contacts.window_start_at)
    journey_days: int | None = None  # seeds metric_targets journey_window_days


class ServingCopy:
    """The current serving copy, opened read-only and reopened when a newer one is published (the path then names
    another file: its inode or modification time changed). Requests use cursors of the open connection; a request
    still running on the old copy finishes there (its connection keeps the old file open)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._identity: tuple[int, int] | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._version: Version | None = None

    def _current_identity(self) -> tuple[int, int]:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            raise ServingUnavailable(f"no serving copy at {self.path} (run `callqa run` first)") from None
        return stat.st_ino, stat.st_mtime_ns

    def cursor(self) -> tuple[duckdb.DuckDBPyConnection, Version]:
        """A cursor on the current copy and its version (the caller closes the cursor)."""
        identity = self._current_identity()
        with self._lock:
            if identity != self._identity or self._con is None:
                con = open_serving(self.path)
                try:
                    con.execute("SET GLOBAL TimeZone = 'UTC'")  # every cursor answers in UTC (ISO with +00:00)
                    version = _read_version(con)
                except Exception as exc:
                    con.close()
                    raise ServingUnavailable(f"{self.path} is not a readable serving copy: {exc}") from exc
                self._con, self._version, self._identity = con, version, identity
            cursor = self._con.cursor()
        cursor.execute("USE serving")  # a cursor is a new connection: attached copy, default catalog memory
        return cursor, self._version

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
            self._con = self._identity = self._version = None


def _read_version(con: duckdb.DuckDBPyConnection) -> Version:
    version, run_id, published_at = con.execute(
        f"select min(version), min(run_id), min(published_at) from main.{MANIFEST_TABLE}").fetchall()[0]
    (data_end_at,) = con.execute("select max(started_at) from marts.fct_contacts").fetchall()[0]
    csat_below, journey_days = con.execute(
        "select max(target) filter (where metric = ?), max(target) filter (where metric = ?) "
        "from reference.metric_targets", ["alert_expected_csat_below", "journey_window_days"]).fetchall()[0]
    (journey_since,) = con.execute("select max(window_start_at) from marts.rpt_journey_contacts").fetchall()[0]
    return Version(version, run_id, published_at, data_end_at, csat_below, journey_since,
                   None if journey_days is None else int(journey_days))


def _plain(value):
    """A JSON-ready value: ISO strings for times, floats for decimals, None for NaN."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _rows(con, sql: str, params: list, columns) -> list[dict]:
    return [dict(zip(columns, map(_plain, row))) for row in con.execute(sql, params).fetchall()]


def health(serving: ServingCopy) -> dict:
    con, version = serving.cursor()
    con.close()
    return {"status": "ok", "version": version.version, "run_id": version.run_id,
            "published_at": _plain(version.published_at), "data_end_at": _plain(version.data_end_at)}


def customer_journey(serving: ServingCopy, customer_key: str) -> dict | None:
    """The customer's contacts of the journey window (the last 30 days of data), newest first, each with expected
    csat and pain points; all pain points; a risk summary; the customer's alerts. None when the customer has no
    contact in the window.
    Cost: three look-ups by customer_key. The contacts come from rpt_journey_contacts (the window only, the scores
    joined, stored in customer order: DuckDB's zone maps leave one row group to read), not from a scan of
    fct_contacts and a join to every contact's score."""
    con, version = serving.cursor()
    try:
        since = version.journey_since
        if since is None:
            return None
        contacts = _rows(con, f"""
            select {", ".join(CONTACT_COLUMNS)}, expected_csat, score_null_reason
            from marts.rpt_journey_contacts
            where customer_key = ?
            order by started_at desc, contact_id desc""",
            [customer_key], (*CONTACT_COLUMNS, "expected_csat", "score_null_reason"))
        if not contacts:
            return None
        pain_points = _rows(con, f"""
            select {", ".join(PAIN_POINT_COLUMNS)} from marts.fct_contact_pain_points
            where customer_key = ? and started_at > ?
            order by started_at desc, contact_id desc, pain_point""",
            [customer_key, since], PAIN_POINT_COLUMNS)
        alerts = _rows(con, f"""
            select {", ".join(ALERT_COLUMNS)} from marts.rpt_alerts
            where customer_key = ? order by raised_at desc, alert_id""", [customer_key], ALERT_COLUMNS)
    finally:
        con.close()
    by_contact: dict[str, list[dict]] = {}
    for point in pain_points:
        by_contact.setdefault(point["contact_id"], []).append(
            {k: v for k, v in point.items() if k != "contact_id"})
    for contact in contacts:
        contact["pain_points"] = by_contact.get(contact["contact_id"], [])
    latest = contacts[0]
    codes: dict[str, int] = {}
    for point in pain_points:
        codes[point["pain_point"]] = codes.get(point["pain_point"], 0) + 1
    return {
        "customer_key": customer_key,
        "window": {"days": version.journey_days, "since": _plain(since), "data_end_at": _plain(version.data_end_at)},
        "version": version.version,
        "contacts": contacts,
        "pain_points": pain_points,
        "risk": {
            "latest_contact_id": latest["contact_id"],
            "latest_expected_csat": latest["expected_csat"],
            "expected_csat_alert_below": version.csat_alert_below,
            "latest_expected_csat_low": (None if latest["expected_csat"] is None or version.csat_alert_below is None
                                         else latest["expected_csat"] < version.csat_alert_below),
            "contacts_in_window": len(contacts),
            "pain_points_in_window": len(pain_points),
            "pain_point_counts": dict(sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))),
            "open_alerts": sum(1 for a in alerts if a["status"] == "open"),
        },
        "alerts": alerts,
    }


def contact_detail(serving: ServingCopy, contact_id: str) -> dict | None:
    """One contact with expected csat, P(csat = k) for k = 1..5 (and why a score is missing) and its pain points."""
    probabilities = [f"p_csat_{k}" for k in range(1, 6)]
    con, version = serving.cursor()
    try:
        rows = _rows(con, f"""
            select {", ".join("c." + c for c in CONTACT_COLUMNS)}, s.expected_csat,
                   {", ".join("s." + p for p in probabilities)}, s.score_null_reason
            from marts.fct_contacts as c
            left join analysis.contact_satisfaction_scores as s on s.contact_id = c.contact_id
            where c.contact_id = ?""",
            [contact_id], (*CONTACT_COLUMNS, "expected_csat", *probabilities, "score_null_reason"))
        if not rows:
            return None
        pain_points = _rows(con, f"""
            select {", ".join(PAIN_POINT_COLUMNS)} from marts.fct_contact_pain_points
            where contact_id = ? order by pain_point""", [contact_id], PAIN_POINT_COLUMNS)
    finally:
        con.close()
    contact = rows[0]
    contact["p_csat"] = {str(k): contact.pop(f"p_csat_{k}") for k in range(1, 6)}
    contact["pain_points"] = [{k: v for k, v in p.items() if k != "contact_id"} for p in pain_points]
    contact["version"] = version.version
    return contact


def list_alerts(serving: ServingCopy, status: str | None = None) -> list[dict]:
    """The alerts of marts.rpt_alerts (of one status when given), newest first."""
    con, _ = serving.cursor()
    try:
        return _rows(con, f"""
            select {", ".join(ALERT_COLUMNS)} from marts.rpt_alerts
            where ? is null or status = ?
            order by raised_at desc, alert_id""", [status, status], ALERT_COLUMNS)
    finally:
        con.close()


def phone_key(warehouse: Path) -> bytes | None:
    """The key phone numbers were hashed with at ingestion (lib/pii.read_key: CALLQA_PII_KEY, else the warehouse's
    key file), read without creating one (unlike lib/pii.resolve_key, which a run uses). None when there is none."""
    try:
        found = read_key(warehouse)
    except ValueError:  # an empty key file: no key to hash with
        return None
    return found[0] if found else None


def customer_key_for_phone(phone: str, key: bytes) -> str:
    """fct_contacts.customer_key of a caller known only by this number: 'ani:' + the keyed hash, exactly as
    ingestion hashes caller_number (lib/pii.hash_phone)."""
    return PHONE_CUSTOMER_PREFIX + hash_phone(phone, key)
