"""New alerts of marts.rpt_alerts, reported once (metrics.md §7c).

After every run the open alerts are compared with a ledger of the alerts already reported
(alerts.alert_notifications in the working warehouse, a schema of its own: neither ingestion's raw layer nor
published; alert_id is stable across runs for the same alert). The new ones are posted, in one JSON request, to the
webhook CALLQA_ALERT_WEBHOOK_URL when it is set, and recorded in the ledger only once the webhook accepted them (a
failed post is retried by the next run): each alert reaches the webhook once. Without a webhook they are recorded as
reported in the Dagster UI (the asset's metadata and check)."""
from __future__ import annotations

import json
import os
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone

import duckdb

LEDGER = "alerts.alert_notifications"
WEBHOOK_ENV = "CALLQA_ALERT_WEBHOOK_URL"
WEBHOOK_TIMEOUT_SECONDS = 10
ALERT_FIELDS = ("alert_id", "kind", "subject_type", "subject_id", "contact_id", "customer_key", "raised_at", "status",
                "reason", "evidence", "score", "threshold", "contacts_in_window")


@dataclass
class NotifyOutcome:
    new_alerts: list[dict] = field(default_factory=list)
    webhook: str | None = None  # None: no webhook configured
    error: str | None = None  # the webhook failed: nothing recorded, retried next run

    @property
    def delivered(self) -> bool:
        return self.error is None


def ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS alerts")
    con.execute(f"""CREATE TABLE IF NOT EXISTS {LEDGER} (
        alert_id VARCHAR PRIMARY KEY, kind VARCHAR, subject_id VARCHAR, reported_at TIMESTAMPTZ, run_id VARCHAR,
        webhook BOOLEAN)""")


def unreported_alerts(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Open alerts of marts.rpt_alerts not reported yet, oldest first."""
    rows = con.execute(f"""
        select {", ".join("a." + f for f in ALERT_FIELDS)} from marts.rpt_alerts as a
        where a.status = 'open' and not exists (select 1 from {LEDGER} as l where l.alert_id = a.alert_id)
        order by a.raised_at, a.alert_id""").fetchall()
    return [{k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in zip(ALERT_FIELDS, row)} for row in rows]


def post_alerts(url: str, alerts: list[dict], run_id: str | None) -> None:
    """POST {"run_id", "alerts": [...]} as JSON; raises unless the receiver answers 2xx."""
    body = json.dumps({"source": "callqa", "run_id": run_id, "alerts": alerts}).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310 - the user's URL
        if not 200 <= response.status < 300:
            raise RuntimeError(f"webhook answered {response.status}")


def notify_new_alerts(con: duckdb.DuckDBPyConnection, run_id: str | None, webhook: str | None = None) -> NotifyOutcome:
    """Report the open alerts not reported before: post them to the webhook (CALLQA_ALERT_WEBHOOK_URL unless given)
    and record them. A webhook failure records nothing (the next run posts them again)."""
    webhook = webhook if webhook is not None else (os.environ.get(WEBHOOK_ENV) or None)
    ensure_ledger(con)
    alerts = unreported_alerts(con)
    outcome = NotifyOutcome(alerts, webhook)
    if not alerts:
        return outcome
    if webhook:
        try:
            post_alerts(webhook, alerts, run_id)
        except Exception as exc:  # noqa: BLE001 - reported on the check, retried next run
            outcome.error = f"{type(exc).__name__}: {exc}"
            return outcome
    now = datetime.now(timezone.utc)
    con.executemany(f"INSERT INTO {LEDGER} VALUES (?, ?, ?, ?, ?, ?)",
                    [[a["alert_id"], a["kind"], a["subject_id"], now, run_id, bool(webhook)] for a in alerts])
    return outcome
