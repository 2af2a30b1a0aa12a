"""The pre-brief API (`callqa serve`, lib/api.py, metrics.md §7c) over HTTP on a real socket on 127.0.0.1, against a
copy of the serving copy of the shared pipeline run (clean_run): the journey equals the marts for sampled customers,
expected csat equals analysis.contact_satisfaction_scores, 404s, injection-shaped ids answered 404 and changing
nothing, the token enforced when set, no phone number in any answer or in the server's log, a publish during a
request stream causes no error and the new copy is answered without a restart, the alerts notifier posts each new
alert once to a receiver on loopback, and the agent's page (headless Chromium) shows the journey."""
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from dagster_project.lib.pii import hash_phone, normalize_phone, resolve_key

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
CALLQA = Path(sys.executable).parent / "callqa"
INJECTIONS = ["x' or '1'='1", "1; drop table marts.fct_contacts; --", "' union select * from marts.rpt_alerts --",
              "%00", "\\'; select 1; --", "..%2F..%2Fetc%2Fpasswd"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`callqa serve` as its own process, its stdout and stderr captured to a log file."""

    def __init__(self, warehouse: Path, serving: Path, log: Path, token: str | None = None):
        self.port = _free_port()
        self.log = log
        env = {**os.environ, "CALLQA_WAREHOUSE": str(warehouse), "CALLQA_SERVING_WAREHOUSE": str(serving)}
        env.pop("CALLQA_API_TOKEN", None)  # CALLQA_PII_KEY stays: the key the pipeline hashed with (tests/conftest.py)
        if token:
            env["CALLQA_API_TOKEN"] = token
        self._out = open(log, "w")
        self.process = subprocess.Popen([str(CALLQA), "serve", "--port", str(self.port)], env=env,
                                        stdout=self._out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if get(self.url("/health"))[0] in (200, 503):
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"callqa serve did not start: {log.read_text()}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> str:
        self.process.terminate()
        self.process.wait(timeout=20)
        self._out.close()
        return self.log.read_text()


BODIES: list[str] = []  # every answer's body, checked for phone numbers at the end


def get(url: str, headers: dict | None = None, method: str = "GET") -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, body = response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read().decode()
    BODIES.append(body)
    return status, body


def get_json(url: str, headers: dict | None = None):
    status, body = get(url, headers)
    return status, (json.loads(body) if body.startswith(("{", "[")) else body)


def republish(serving: Path, work: Path, run_id: str) -> str:
    """Publish a new serving copy with lib/publish.py (the atomic swap `callqa run` does) from a working warehouse
    holding the same tables as the current copy; returns the new version."""
    from dagster_project.lib.publish import publish

    db = work / f"{run_id}.duckdb"
    con = duckdb.connect(str(db))
    try:
        con.execute(f"ATTACH '{serving}' AS src (READ_ONLY)")
        tables = con.execute("""select table_schema, table_name from information_schema.tables
                                where table_catalog = 'src' and table_schema in ('marts', 'analysis', 'reference')""").fetchall()
        for schema in {s for s, _ in tables}:
            con.execute(f'create schema if not exists "{schema}"')
        for schema, table in tables:
            con.execute(f'create table "{schema}"."{table}" as select * from src."{schema}"."{table}"')
        con.execute("DETACH src")
        return publish(con, serving, work / f"exports_{run_id}", run_id=run_id).version
    finally:
        con.close()
        db.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def api(clean_run, tmp_path_factory):
    """(server, read-only connection to the served copy, working warehouse path, landing folder, work dir)."""
    _, con = clean_run
    (db_path,) = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchall()[0]
    warehouse = Path(db_path)
    work = tmp_path_factory.mktemp("prebrief")
    serving = work / "callqa_serving.duckdb"
    shutil.copyfile(warehouse.parent / "callqa_serving.duckdb", serving)
    if (warehouse.parent / "callqa_pii.key").exists():  # the warehouse's own key, when CALLQA_PII_KEY is not set
        shutil.copyfile(warehouse.parent / "callqa_pii.key", work / "callqa_pii.key")
    server = Server(work / "callqa.duckdb", serving, work / "server.log")
    yield server, serving, warehouse, work
    server.stop()


def _marts(serving: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"ATTACH '{serving}' AS s (READ_ONLY)")
    con.execute("USE s")
    con.execute("SET TimeZone = 'UTC'")
    return con


def _sample_customers(con, n=25, seed=17) -> list[str]:
    """Customers with a contact in the last 30 days of data, half of them with pain points there."""
    rows = con.execute("""
        with bounds as (select max(started_at) - interval 30 days as since from marts.fct_contacts)
        select c.customer_key, count(p.contact_id) > 0 as has_pain
        from marts.fct_contacts c cross join bounds
        left join marts.fct_contact_pain_points p on p.contact_id = c.contact_id
        where c.customer_key is not null and c.started_at > bounds.since
        group by c.customer_key order by c.customer_key""").fetchall()
    rng = random.Random(seed)
    with_pain = [k for k, pain in rows if pain]
    without = [k for k, pain in rows if not pain]
    assert len(with_pain) > n and without
    return rng.sample(with_pain, n // 2 + 1) + rng.sample(without, min(len(without), n // 2))


def test_health_names_the_published_version(api):
    server, serving, _, _ = api
    status, body = get_json(server.url("/health"))
    con = _marts(serving)
    (version, run_id) = con.execute("select min(version), min(run_id) from main.callqa_published").fetchall()[0]
    assert status == 200 and body["status"] == "ok"
    assert (body["version"], body["run_id"]) == (version, run_id)


def test_journey_equals_the_marts_for_sampled_customers(api):
    server, serving, _, _ = api
    con = _marts(serving)
    (data_end,) = con.execute("select max(started_at) from marts.fct_contacts").fetchall()[0]
    checked_pain = 0
    for customer in _sample_customers(con):
        status, body = get_json(server.url(f"/customers/{urllib.parse.quote(customer, safe='')}/journey"))
        assert status == 200, (customer, body)
        expected = con.execute("""
            select contact_id, channel, queue, outcome, started_at from marts.fct_contacts
            where customer_key = ? and started_at > ? - interval 30 days
            order by started_at desc, contact_id desc""", [customer, data_end]).fetchall()
        assert [c["contact_id"] for c in body["contacts"]] == [r[0] for r in expected]
        assert [(c["channel"], c["queue"], c["outcome"]) for c in body["contacts"]] == [r[1:4] for r in expected]
        assert [c["started_at"] for c in body["contacts"]] == [r[4].isoformat() for r in expected]
        scored = {row[0]: row[1:] for row in con.execute(
            "select contact_id, expected_csat, score_null_reason from analysis.contact_satisfaction_scores "
            "where contact_id in (select unnest(?))", [[r[0] for r in expected]]).fetchall()}
        scores = {contact_id: csat for contact_id, (csat, _) in scored.items()}
        for contact in body["contacts"]:
            assert contact["expected_csat"] == pytest.approx(scores.get(contact["contact_id"]), abs=1e-12)
            # an unscored contact says why: the analysis's reason, or that the analysis has no row for it
            csat, reason = scored.get(contact["contact_id"], (None, None))
            if csat is not None:
                assert contact["score_null_reason"] is None
            elif contact["contact_id"] in scored:
                assert contact["score_null_reason"] == reason and reason
            else:
                assert contact["score_null_reason"].startswith("not scored:")
        pains = con.execute("""
            select contact_id, pain_point, evidence from marts.fct_contact_pain_points
            where contact_id in (select unnest(?))""", [[r[0] for r in expected]]).fetchall()
        assert sorted((p["contact_id"], p["pain_point"], p["evidence"]) for p in body["pain_points"]) == sorted(pains)
        assert sorted((c["contact_id"], p["pain_point"]) for c in body["contacts"] for p in c["pain_points"]) == \
            sorted((p[0], p[1]) for p in pains)
        checked_pain += len(pains)
        risk = body["risk"]
        assert risk["latest_contact_id"] == expected[0][0]
        assert risk["latest_expected_csat"] == pytest.approx(scores.get(expected[0][0]), abs=1e-12)
        assert risk["pain_points_in_window"] == len(pains) and risk["contacts_in_window"] == len(expected)
    assert checked_pain > 0


def test_contact_has_the_analysis_probabilities(api):
    server, serving, _, _ = api
    con = _marts(serving)
    rows = con.execute("""select contact_id, expected_csat, p_csat_1, p_csat_2, p_csat_3, p_csat_4, p_csat_5
                          from analysis.contact_satisfaction_scores where expected_csat is not null
                          order by hash(contact_id) limit 20""").fetchall()
    for contact_id, expected, *p in rows:
        status, body = get_json(server.url(f"/contacts/{urllib.parse.quote(contact_id, safe='')}"))
        assert status == 200
        assert body["expected_csat"] == pytest.approx(expected, abs=1e-12)
        assert [body["p_csat"][str(k)] for k in range(1, 6)] == pytest.approx(p, abs=1e-12)
        assert sum(body["p_csat"].values()) == pytest.approx(1.0, abs=1e-9)


def test_unknown_and_injection_shaped_ids_are_404_and_change_nothing(api):
    server, serving, _, _ = api
    con = _marts(serving)
    before = con.execute("select count(*) from marts.fct_contacts").fetchall()[0][0]
    for path in ["/customers/no-such-customer/journey", "/contacts/no-such-contact"]:
        assert get(server.url(path))[0] == 404
    for bad in INJECTIONS:
        quoted = urllib.parse.quote(bad, safe="")
        assert get(server.url(f"/customers/{quoted}/journey"))[0] == 404, bad
        assert get(server.url(f"/contacts/{quoted}"))[0] == 404, bad
        assert get(server.url(f"/journey?phone={quoted}"))[0] == 404, bad
        assert get(server.url(f"/alerts?status={quoted}"))[0] == 422, bad
    assert get(server.url("/contacts/x"), method="POST")[0] == 405
    assert get(server.url("/health"))[0] == 200
    assert con.execute("select count(*) from marts.fct_contacts").fetchall()[0][0] == before


def test_journey_by_phone_hashes_as_ingestion_and_never_logs_the_number(api):
    server, serving, warehouse, work = api
    con = _marts(serving)
    key, _, _ = resolve_key(work / "callqa.duckdb")  # the copied key file: the warehouse's own
    known = {k for (k,) in con.execute("select distinct customer_key from marts.fct_contacts where customer_key like 'ani:%' "
                                       "and started_at > (select max(started_at) - interval 30 days from marts.fct_contacts)").fetchall()}
    calls = duckdb.sql(f"select distinct caller_number from read_csv('{warehouse.parent / 'landing'}/calls/*.csv', "
                       "all_varchar = true, union_by_name = true) where customer_id is null and caller_number is not null").fetchall()
    phones = [n for (n,) in calls if "ani:" + hash_phone(n, key) in known]
    assert phones, "no caller known only by the number in the window"
    phone = phones[0]
    status, body = get_json(server.url("/journey?phone=" + urllib.parse.quote(phone)))
    assert status == 200 and body["customer_key"] == "ani:" + hash_phone(phone, key)
    # the same caller written another way (a platform's tel: URI) is the same customer
    assert get_json(server.url("/journey?phone=" + urllib.parse.quote("tel:" + normalize_phone(phone))))[1][
        "customer_key"] == body["customer_key"]
    log = server.log.read_text()
    digits = normalize_phone(phone).lstrip("+")
    assert "GET /journey 200" in log  # the request is logged (by its route), the number is not
    assert phone not in log and digits not in log and urllib.parse.quote(phone) not in log


def test_alerts_are_the_mart_s(api):
    server, serving, _, _ = api
    con = _marts(serving)
    status, body = get_json(server.url("/alerts?status=open"))
    expected = con.execute("select alert_id, kind, subject_id, status from marts.rpt_alerts where status = 'open'").fetchall()
    assert status == 200 and body["count"] == len(expected) > 0
    assert sorted((a["alert_id"], a["kind"], a["subject_id"], a["status"]) for a in body["alerts"]) == sorted(expected)
    every = get_json(server.url("/alerts"))[1]
    assert every["count"] == con.execute("select count(*) from marts.rpt_alerts").fetchall()[0][0]


def test_alert_rules_hold_on_the_data(api):
    """Each low_expected_csat alert: expected csat below the seed's threshold, in the window, open exactly when the
    customer has no later contact; each agent / queue alert: its week's mean expected csat below target."""
    _, serving, _, _ = api
    con = _marts(serving)
    csat_below, target, min_n = [con.execute("select target from reference.metric_targets where metric = ?", [m]).fetchall()[0][0]
                                 for m in ("alert_expected_csat_below", "quality_score_target", "alert_min_contacts_week")]
    wrong = con.execute("""
        select a.alert_id from marts.rpt_alerts a
        join analysis.contact_satisfaction_scores s on s.contact_id = a.contact_id
        join marts.fct_contacts c on c.contact_id = a.contact_id
        where a.kind = 'low_expected_csat' and (s.expected_csat >= ? or
            (a.status = 'open') <> not exists (select 1 from marts.fct_contacts l
                                              where l.customer_key = c.customer_key and l.started_at > c.started_at))""",
                        [csat_below]).fetchall()
    assert not wrong
    weekly = con.execute("""
        with w as (select c.agent_id, avg(s.expected_csat) as score, count(*) as n from marts.fct_contacts c
                   join analysis.contact_satisfaction_scores s using (contact_id)
                   where c.local_date > (select max(local_date) - 7 from marts.fct_contacts)
                     and s.expected_csat is not null and c.agent_id is not null group by c.agent_id)
        select agent_id from w where score < ? and n >= ? order by agent_id""", [target, min_n]).fetchall()
    alerted = con.execute("select subject_id from marts.rpt_alerts where kind = 'agent_quality_score' order by 1").fetchall()
    assert alerted == weekly


def test_token_is_enforced_when_set(api, tmp_path):
    _, serving, _, work = api
    server = Server(work / "callqa.duckdb", serving, tmp_path / "token.log", token="s3cret-token")
    try:
        path = server.url("/alerts?status=open")
        assert get(path)[0] == 401
        assert get(path, {"Authorization": "Bearer wrong"})[0] == 401
        assert get(path, {"Authorization": "Bearer s3cret-token"})[0] == 200
        assert get(server.url("/docs"))[0] == 401
        assert get(server.url("/health"))[0] == 200
    finally:
        log = server.stop()
    assert "bearer token required" in log and "s3cret-token" not in log


def test_refuses_a_public_address_without_a_token(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CALLQA_API_TOKEN"}
    result = subprocess.run([str(CALLQA), "serve", "--host", "0.0.0.0", "--warehouse", str(tmp_path / "w.duckdb")],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "without a token" in result.stderr


def test_a_publish_during_a_request_stream_causes_no_error_and_is_answered_without_restart(api):
    server, serving, _, work = api
    customer = _sample_customers(_marts(serving), n=2)[0]
    path = server.url(f"/customers/{urllib.parse.quote(customer, safe='')}/journey")
    statuses, stop = [], threading.Event()

    def stream():
        while not stop.is_set():
            statuses.append(get(path)[0])

    reader = threading.Thread(target=stream)
    reader.start()
    try:
        time.sleep(0.5)
        version = republish(serving, work, "republished-by-test")
        time.sleep(0.5)
    finally:
        stop.set()
        reader.join()
    assert statuses and set(statuses) == {200}, statuses
    status, body = get_json(server.url("/health"))
    assert status == 200 and (body["version"], body["run_id"]) == (version, "republished-by-test")
    assert get_json(path)[1]["version"] == version


def test_no_phone_number_in_any_answer_or_log(api):
    """Runs after the others (file order): every body they received and the server's log hold no caller number."""
    server, _, warehouse, _ = api
    numbers = {normalize_phone(n).lstrip("+") for (n,) in duckdb.sql(
        f"select distinct caller_number from read_csv('{warehouse.parent / 'landing'}/calls/*.csv', all_varchar = true, union_by_name = true) "
        "where caller_number is not null").fetchall()}
    numbers.discard("")
    assert len(BODIES) > 50 and numbers
    text = "\n".join(BODIES) + server.log.read_text()
    found = {run for run in (re.sub(r"\D", "", m) for m in re.findall(r"\+?\d[\d\s().-]{6,}\d", text)) if run in numbers}
    assert not found


class _Receiver(BaseHTTPRequestHandler):
    posts: list = []
    fail = False

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if type(self).fail:
            self.send_response(500)
        else:
            type(self).posts.append(json.loads(body))
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_the_pipeline_reported_every_open_alert_once(clean_run):
    _, con = clean_run
    reported = con.execute("select alert_id from alerts.alert_notifications order by 1").fetchall()
    open_alerts = con.execute("select alert_id from marts.rpt_alerts where status = 'open' order by 1").fetchall()
    assert reported == open_alerts and reported


def test_the_webhook_receives_each_new_alert_once(api):
    from dagster_project.lib.alerts import notify_new_alerts

    _, serving, _, work = api
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    con = duckdb.connect(str(work / "alerts_work.duckdb"))
    try:
        con.execute(f"attach '{serving}' as src (read_only)")
        con.execute("create schema marts")
        con.execute("create table marts.rpt_alerts as select * from src.marts.rpt_alerts")
        con.execute("detach src")
        (n_open,) = con.execute("select count(*) from marts.rpt_alerts where status = 'open'").fetchall()[0]
        assert n_open > 1
        _Receiver.fail = True  # a refusing webhook: nothing recorded, retried by the next run
        failed = notify_new_alerts(con, "run-1", webhook=url)
        assert failed.error and len(failed.new_alerts) == n_open and not _Receiver.posts
        _Receiver.fail = False
        first = notify_new_alerts(con, "run-2", webhook=url)
        assert first.delivered and len(first.new_alerts) == n_open
        again = notify_new_alerts(con, "run-3", webhook=url)
        assert again.delivered and again.new_alerts == []
        # a later run raises one more alert: only that one is posted
        con.execute("""insert into marts.rpt_alerts select * replace ('new-alert-id' as alert_id)
                       from marts.rpt_alerts where status = 'open' limit 1""")
        later = notify_new_alerts(con, "run-4", webhook=url)
        assert [a["alert_id"] for a in later.new_alerts] == ["new-alert-id"]
    finally:
        con.close()
        server.shutdown()
    posted = [a["alert_id"] for post in _Receiver.posts for a in post["alerts"]]
    assert len(posted) == len(set(posted)) == n_open + 1
    assert [p["run_id"] for p in _Receiver.posts] == ["run-2", "run-4"]


def test_the_agent_page_shows_the_journey_in_chromium(api, tmp_path):
    """The page /ui/customers/{id} in headless Chromium: one timeline entry per contact of the journey, newest first,
    each pain point marked with its code, the expected csat shown; a screenshot in reports/dashboard/screenshots/."""
    from tests.e2e.test_dashboard import DASHBOARD, _ensure_chromium, _ensure_node_modules

    server, serving, _, _ = api
    _ensure_chromium()
    _ensure_node_modules()
    customer = _sample_customers(_marts(serving), n=2)[0]  # one with pain points
    journey = get_json(server.url(f"/customers/{urllib.parse.quote(customer, safe='')}/journey"))[1]
    shot = tmp_path / "prebrief.png"
    result = subprocess.run(
        ["node", "e2e/inspect_prebrief.mjs", server.url(f"/ui/customers/{urllib.parse.quote(customer, safe='')}"),
         str(shot)], cwd=DASHBOARD, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert not shown["errors"]
    assert [c["contact_id"] for c in shown["contacts"]] == [c["contact_id"] for c in journey["contacts"]]
    for seen, contact in zip(shown["contacts"], journey["contacts"]):
        assert sorted(seen["pain_points"]) == sorted(p["pain_point"] for p in contact["pain_points"])
        if contact["expected_csat"] is not None:
            assert float(seen["expected_csat"]) == pytest.approx(contact["expected_csat"], abs=1e-4)
            assert f"{contact['expected_csat']:.2f}" in seen["text"]
        else:  # "n/a" and why
            assert "n/a" in seen["text"] and contact["score_null_reason"] in seen["text"]
    assert shown["pain_count"] == str(journey["risk"]["pain_points_in_window"])
    assert shown["marks"] == len(journey["contacts"]) and shown["visible"]
    assert shot.stat().st_size > 0
    keep = REPO / "reports" / "dashboard" / "screenshots"
    keep.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, keep / "prebrief.png")
