"""The pre-brief HTTP API (metrics.md §7c): `callqa serve`. A thin FastAPI layer over lib/prebrief.py.

Read-only and GET only; it reads the published serving copy (never the working warehouse) and picks up a newly
published copy on the next request. Access: an optional bearer token (CALLQA_API_TOKEN); without one the server
listens on loopback only (`check_bind`). Logs name the route template and the status, never a path parameter or
a query string (so a phone number of `GET /journey?phone=` never reaches a log); no answer holds a phone number or
free text (the marts hold neither: customer_key of a caller known only by the number is its keyed hash).
"""
from __future__ import annotations

import hmac
import ipaddress
import logging
import time
from html import escape
from pathlib import Path

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from dagster_project.lib import prebrief

TOKEN_ENV = "CALLQA_API_TOKEN"
log = logging.getLogger("callqa.api")
# Everything except the health check needs the token when one is set (the OpenAPI page too: it lists the routes).
OPEN_PATHS = frozenset({"/health"})


class BindRefused(ValueError):
    """A non-loopback address without a token."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> str:
    """The line to print at start; raises BindRefused for a non-loopback host without a token."""
    if token:
        return f"callqa serve: bearer token required ({TOKEN_ENV} is set); listening on {host}"
    if not is_loopback(host):
        raise BindRefused(f"refusing to listen on {host} without a token: set {TOKEN_ENV} (anyone who can reach "
                          "the address could read every customer's journey), or listen on 127.0.0.1")
    return (f"callqa serve: no {TOKEN_ENV} set, so no authentication: listening on loopback ({host}) only; "
            f"set {TOKEN_ENV} to listen on another address")


def create_app(serving_path: Path | str, warehouse: Path | str, token: str | None = None) -> FastAPI:
    """The app on the serving copy at `serving_path`; `warehouse` (the working warehouse's path) only locates its
    phone-number key file (lib/pii.py), it is never opened."""
    serving = prebrief.ServingCopy(serving_path)
    app = FastAPI(
        title="callqa pre-brief API",
        description="What the customer went through before this contact (metrics.md §7c), from the published "
        "serving copy. Read-only.",
        version="1",
    )
    app.state.serving = serving

    @app.middleware("http")
    async def guard(request: Request, call_next):
        started = time.perf_counter()
        if request.method not in ("GET", "HEAD"):
            response = JSONResponse({"detail": "read-only API: GET only"}, status_code=405)
        elif token and request.url.path not in OPEN_PATHS and not _token_ok(request, token):
            response = JSONResponse({"detail": "missing or wrong bearer token"}, status_code=401,
                                    headers={"WWW-Authenticate": "Bearer"})
        else:
            response = await call_next(request)
        route = request.scope.get("route")
        log.info("%s %s %d %.1f ms", request.method, getattr(route, "path", "(no route)"), response.status_code,
                 (time.perf_counter() - started) * 1000)
        return response

    @app.exception_handler(prebrief.ServingUnavailable)
    async def unavailable(_request: Request, exc: prebrief.ServingUnavailable):
        return JSONResponse({"detail": str(exc)}, status_code=503)

    @app.get("/health", summary="Status and the published version")
    def health() -> dict:
        return prebrief.health(serving)

    @app.get("/customers/{customer_id}/journey", summary="A customer's journey of the last 30 days of data")
    def customer_journey(customer_id: str) -> dict:
        journey = prebrief.customer_journey(serving, customer_id)
        if journey is None:
            raise HTTPException(404, "no contact of this customer in the last 30 days of data")
        return journey

    @app.get("/journey", summary="A caller's journey, found by phone number (hashed as at ingestion, never logged)")
    def journey_by_phone(phone: str = Query(..., min_length=1, max_length=64)) -> dict:
        key = prebrief.phone_key(Path(warehouse))
        if key is None:
            raise HTTPException(503, "no phone-number key: set CALLQA_PII_KEY (or keep the warehouse's key file)")
        journey = prebrief.customer_journey(serving, prebrief.customer_key_for_phone(phone, key))
        if journey is None:
            raise HTTPException(404, "no contact from this number in the last 30 days of data")
        return journey

    @app.get("/contacts/{contact_id}", summary="One contact: expected csat, P(csat = k), pain points")
    def contact(contact_id: str) -> dict:
        detail = prebrief.contact_detail(serving, contact_id)
        if detail is None:
            raise HTTPException(404, "no such contact")
        return detail

    @app.get("/alerts", summary="Alerts of marts.rpt_alerts")
    def alerts(status: str | None = Query(None, pattern="^(open|resolved)$")) -> dict:
        rows = prebrief.list_alerts(serving, status)
        return {"status": status, "count": len(rows), "alerts": rows}

    @app.get("/ui/customers/{customer_id}", response_class=HTMLResponse, summary="The journey as a page for the agent")
    def customer_page(customer_id: str) -> HTMLResponse:
        journey = prebrief.customer_journey(serving, customer_id)
        if journey is None:
            return HTMLResponse(_page("Customer not found", "<p class='empty'>No contact of this customer in the "
                                      "last 30 days of data.</p>"), status_code=404)
        return HTMLResponse(journey_page(journey))

    return app


def _token_ok(request: Request, token: str) -> bool:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode())


# --- the page -------------------------------------------------------------------------------------------------

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222;max-width:60rem}
h1{font-size:1.3rem;margin:0 0 .3rem} .sub{color:#666;margin:0 0 1rem}
.risk{display:flex;gap:1.5rem;padding:.7rem 1rem;background:#f6f6f6;border-radius:6px;margin-bottom:1rem}
.risk div b{display:block;font-size:1.3rem}
.timeline{list-style:none;padding:0;border-left:3px solid #ccc;margin-left:.6rem}
.contact{position:relative;padding:.4rem 0 .9rem 1.2rem}
.contact:before{content:'';position:absolute;left:-.55rem;top:.65rem;width:.8rem;height:.8rem;border-radius:50%;
  background:#9c9}
.contact.has-pain:before{background:#d33}
.when{font-weight:600} .meta{color:#555}
.csat{display:inline-block;padding:0 .4rem;border-radius:4px;background:#eef;margin-left:.4rem}
.csat.low{background:#fdd} .why-unscored{color:#666}
.pain-point{display:inline-block;margin:.2rem .3rem 0 0;padding:.1rem .4rem;border-radius:4px;background:#fee;
  border:1px solid #e99;font-size:.9rem}
.pain-point small{color:#733}
svg text{font-size:10px;fill:#555}
"""


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><link rel='icon' href='data:,'><title>{escape(title)}</title>"
            f"<style>{_STYLE}</style></head><body>{body}</body></html>")


def _csat_text(value) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def journey_page(journey: dict) -> str:
    """One customer's journey as a timeline (newest first): each contact with its expected csat and its pain
    points (code, label, evidence), a strip of the 30-day window with the contacts marked, the risk summary."""
    risk = journey["risk"]
    contacts = journey["contacts"]
    low = risk["expected_csat_alert_below"]  # seeds metric_targets alert_expected_csat_below
    items = []
    for c in contacts:
        pains = "".join(
            f"<span class='pain-point' data-code='{escape(p['pain_point'])}' title='{escape(p['label'] or '')}'>"
            f"{escape(p['pain_point'])} <small>{escape(p['evidence'] or '')}</small></span>"
            for p in c["pain_points"])
        csat = c["expected_csat"]
        # why there is no score (rpt_journey_contacts.score_null_reason): "n/a" alone leaves the agent guessing
        reason = c.get("score_null_reason") if csat is None else None
        why = f" <small class='why-unscored'>{escape(reason)}</small>" if reason else ""
        items.append(
            f"<li class='contact{' has-pain' if c['pain_points'] else ''}' data-contact-id='{escape(c['contact_id'])}'"
            f" data-expected-csat='{'' if csat is None else f'{csat:.4f}'}'>"
            f"<span class='when'>{escape(str(c['started_at']))}</span>"
            f"<span class='csat{' low' if csat is not None and low is not None and csat < low else ''}'>expected csat "
            f"{_csat_text(csat)}{why}</span>"
            f"<div class='meta'>{escape(str(c['channel']))} · queue {escape(str(c['queue']))} · "
            f"{escape(str(c['outcome']))} · contact {escape(c['contact_id'])}</div>"
            f"<div>{pains}</div></li>")
    body = (
        f"<h1>Customer {escape(journey['customer_key'])}</h1>"
        f"<p class='sub'>Last {journey['window']['days']} days of data (to {escape(str(journey['window']['data_end_at']))}),"
        f" newest first · serving copy {escape(str(journey['version']))}</p>"
        f"<div class='risk' id='risk'>"
        f"<div>latest expected csat<b id='latest-csat'>{_csat_text(risk['latest_expected_csat'])}</b></div>"
        f"<div>contacts<b>{risk['contacts_in_window']}</b></div>"
        f"<div>pain points<b id='pain-count'>{risk['pain_points_in_window']}</b></div>"
        f"<div>open alerts<b>{risk['open_alerts']}</b></div></div>"
        f"{_window_strip(journey)}"
        f"<ol class='timeline' id='timeline'>{''.join(items)}</ol>")
    return _page(f"Customer {journey['customer_key']}", body)


def _window_strip(journey: dict) -> str:
    """An SVG strip of the window: one mark per contact at its time, red with pain points."""
    from datetime import datetime

    since = datetime.fromisoformat(journey["window"]["since"])
    end = datetime.fromisoformat(journey["window"]["data_end_at"])
    span = max((end - since).total_seconds(), 1.0)
    width, marks = 800, []
    for c in journey["contacts"]:
        x = 10 + (width - 20) * (datetime.fromisoformat(c["started_at"]) - since).total_seconds() / span
        color = "#d33" if c["pain_points"] else "#393"
        marks.append(f"<circle cx='{x:.1f}' cy='18' r='6' fill='{color}'><title>{escape(c['contact_id'])}: "
                     f"{len(c['pain_points'])} pain point(s)</title></circle>")
    return (f"<svg id='window' width='{width}' height='40' role='img' aria-label='contacts in the window'>"
            f"<line x1='10' y1='18' x2='{width - 10}' y2='18' stroke='#bbb'/>{''.join(marks)}"
            f"<text x='10' y='36'>{escape(since.date().isoformat())}</text>"
            f"<text x='{width - 70}' y='36'>{escape(end.date().isoformat())}</text></svg>")
