"""The dashboard (notebooks/dashboard, Observable Framework) end to end: build the site from the serving copy of a
generated warehouse, open every page in headless Debian Chromium (playwright-core; no browser download), check that
every chart and table rendered and that the numbers shown equal the marts' values recomputed here (parts summed,
then divided), that every number with a target is painted red / amber / green as the rule below says (and with that
colour as rendered), that no two chart labels overlap (DOM boxes), that the filters recompute the numbers, and save a
screenshot per page (the test's tmp dir and reports/dashboard/screenshots/)."""
import json
import math
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest
from statsmodels.stats.proportion import proportion_confint

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "notebooks" / "dashboard"
CHROMIUM = Path("/usr/bin/chromium")
PAGES = ["index", "fcr", "service-level", "forecast", "people", "qa", "drivers", "survey-dimensions"]
TIMINGS: dict[str, float] = {}


def _ensure_chromium() -> None:
    """Debian's Chromium (CI has Debian's registry); a test tool's own browser download does not work here."""
    if CHROMIUM.exists():
        return
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        subprocess.run(command, check=True, capture_output=True, timeout=600)
    assert CHROMIUM.exists(), "apt-get installed chromium but /usr/bin/chromium is missing"


def _ensure_node_modules() -> None:
    """Install the committed lock's versions, only when node_modules is missing or older than the lock. `npm install
    --no-save`, not `npm ci`: the lock lacks rollup's other-platform optional packages (this registry has none), so
    `npm ci` calls it out of sync."""
    installed = DASHBOARD / "node_modules" / ".package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= (DASHBOARD / "package-lock.json").stat().st_mtime:
        return
    started = time.monotonic()
    subprocess.run(["npm", "install", "--no-save", "--no-audit", "--no-fund"], cwd=DASHBOARD, check=True, capture_output=True, timeout=600)
    TIMINGS["npm install"] = time.monotonic() - started


def _serve(directory: Path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # noqa: D102 - the test reads failed requests from the browser instead
        pass


@pytest.fixture(scope="module")
def dashboard(clean_run, tmp_path_factory):
    """(what each page showed, read-only connection to the serving copy, screenshot dir)."""
    _, con = clean_run
    (folder,) = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchall()[0]
    serving = Path(folder).parent / "callqa_serving.duckdb"
    assert serving.is_file(), f"no serving copy beside the warehouse: {serving}"
    _ensure_chromium()
    _ensure_node_modules()
    out = tmp_path_factory.mktemp("dashboard")
    site, shots, project = out / "site", out / "screenshots", out / "project"
    shots.mkdir()
    # Build from a copy of the project (node_modules linked), so that neither the loaders' cache nor the output
    # touches the checkout, and a `make bi` running at the same time is not disturbed.
    shutil.copytree(DASHBOARD / "src", project / "src", ignore=shutil.ignore_patterns(".observablehq"))
    for name in ("observablehq.config.js", "package.json", "package-lock.json"):
        shutil.copy(DASHBOARD / name, project / name)
    (project / "node_modules").symlink_to(DASHBOARD / "node_modules")
    env = {**os.environ, "CALLQA_SERVING_WAREHOUSE": str(serving), "CALLQA_DASHBOARD_OUT": str(site),
           "CALLQA_PYTHON": sys.executable, "OBSERVABLE_TELEMETRY_DISABLE": "true"}
    started = time.monotonic()
    build = subprocess.run(["npm", "run", "build"], cwd=project, env=env, capture_output=True, text=True, timeout=600)
    TIMINGS["build"] = time.monotonic() - started
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    server = _serve(site)
    try:
        started = time.monotonic()
        browse = subprocess.run(
            ["node", "e2e/inspect_pages.mjs", f"http://127.0.0.1:{server.server_address[1]}", str(shots), *PAGES],
            cwd=DASHBOARD, capture_output=True, text=True, timeout=300)
        TIMINGS["browser"] = time.monotonic() - started
        assert browse.returncode == 0, browse.stderr[-3000:]
        shown = json.loads(browse.stdout)
    finally:
        server.shutdown()
    reports = REPO / "reports" / "dashboard" / "screenshots"
    reports.mkdir(parents=True, exist_ok=True)
    for shot in shots.glob("*.png"):
        shutil.copy(shot, reports / shot.name)
    print(f"dashboard timings (s): {', '.join(f'{k} {v:.1f}' for k, v in TIMINGS.items())}")
    serving_con = duckdb.connect(str(serving), read_only=True)
    yield shown, serving_con, shots
    serving_con.close()


def one(con, sql):
    result = con.execute(sql).fetchall()
    assert len(result) == 1
    return result[0]


def parse(text: str) -> float:
    """The number in a cell as shown: '87.9%' -> 0.879, '1,234' -> 1234, '6.7 s' -> 6.7, '−14.0 pts' -> -0.14."""
    match = re.search(r"[-−+]?[\d,]+(\.\d+)?", text)
    assert match, f"no number in {text!r}"
    value = float(match.group(0).replace(",", "").replace("−", "-"))
    return value / 100 if text.strip().endswith(("%", "pts")) else value


def assert_shows(text: str, expected: float) -> None:
    """The shown number equals the expected value to the digits shown (half a unit of the last digit)."""
    assert expected is not None, f"shown {text!r} but the marts give no value"
    digits = len(m.group(1)) if (m := re.search(r"\.(\d+)", text)) else 0
    unit = 10 ** -digits / (100 if text.strip().endswith(("%", "pts")) else 1)
    assert abs(parse(text) - expected) <= unit / 2 + 1e-9, f"shown {text!r}, marts give {expected}"


# The target colours (ui.js RAG_COLOURS) as the browser renders them, and the rule (ui.js rag; docs/decisions.md):
# green = target met (boundary included); amber = missed by at most 10 % of the target; red = missed by more.
RENDERED = {"green": "rgb(26, 127, 55)", "amber": "rgb(212, 160, 0)", "red": "rgb(198, 40, 40)"}


def met(value, target, direction):
    if value is None or target is None:
        return None
    return {"higher_is_better": value >= target, "lower_is_better": value <= target,
            "tolerance": abs(value) <= target}.get(direction)


def rag(value, target, direction, target_met=None):
    is_met = met(value, target, direction) if target_met is None else target_met
    if is_met is None:
        return "none"
    if is_met:
        return "green"
    moved = target * 0.9 if direction == "higher_is_better" else target * 1.1
    return "amber" if met(value, moved, direction) else "red"


def targets(con) -> dict:
    return {m: (t, d) for m, t, d in con.execute("select metric, target, direction from reference.metric_targets").fetchall()}


def assert_colours(page, expected: dict) -> None:
    """Every element painted against a target is one of `expected` (id -> red / amber / green / none), with the
    expected status, rendered in that status's colour; and every expected one is on the page."""
    shown = {r["id"]: r for r in page["rag"]}
    assert set(shown) == set(expected), (sorted(set(shown) ^ set(expected)))
    for key, status in expected.items():
        assert shown[key]["rag"] == status, (key, shown[key]["rag"], status)
        if status in RENDERED:
            assert shown[key]["colour"] == RENDERED[status], (key, shown[key]["colour"])
        else:
            assert shown[key]["colour"] not in RENDERED.values(), key


def ratio(n, d):
    return n / d if n is not None and d else None


def test_every_page_renders_without_errors_and_saves_a_screenshot(dashboard):
    shown, _, shots = dashboard
    assert set(shown) == set(PAGES)
    for name, page in shown.items():
        assert page["errors"] == [] and page["cell_errors"] == [], (name, page["errors"], page["cell_errors"])
        # Everything comes from the site itself: no CDN, no web fonts.
        assert [u for u in page["failed_requests"] if "favicon" not in u] == [], (name, page["failed_requests"])
        assert (shots / f"{name}.png").stat().st_size > 10_000
        if name != "index":
            assert page["charts"] >= 1 and page["tables"], f"{name}: no chart or no table"
            assert page["not_built"] == [], f"{name}: {page['not_built']}"
        # Readable charts: no two text boxes overlap, no point label covers a dot.
        assert page["overlaps"] == [], (name, page["overlaps"])
        # Every page says when its serving copy was published.
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", page["metrics"]["published_at"]), name


def test_index_shows_the_published_version_and_when(dashboard):
    shown, con, _ = dashboard
    version, published_at = one(con, """select version, strftime(published_at at time zone 'UTC', '%Y-%m-%d %H:%M:%S UTC')
                                         from main.callqa_published order by published_at desc limit 1""")
    assert shown["index"]["metrics"]["version"] == version
    assert shown["index"]["metrics"]["published_at"] == published_at


def test_index_says_which_weak_spots_a_synthetic_center_plants_on_purpose(dashboard):
    """The fixture is a generated center: the weak spots its ground_truth.json plants are listed on the overview, one
    item each, from reference.planted_weak_spots of the serving copy (issue 11.5)."""
    shown, con, _ = dashboard
    planted = con.execute("select count(*) from information_schema.tables where table_schema = 'reference' "
                          "and table_name = 'planted_weak_spots'").fetchall()[0][0]
    expected = {} if not planted else {
        f"planted.{name}": f"{name.replace('_', ' ')}: {what} (see {where})"
        for name, what, where in con.execute("select name, what, where_it_shows from reference.planted_weak_spots").fetchall()}
    listed = {k: v for k, v in shown["index"]["metrics"].items() if k.startswith("planted.")}
    assert listed == expected


def test_index_cards_are_the_headlines_mart_coloured_against_its_targets(dashboard):
    """One card per rpt_headlines row, its value as the mart holds it, and its colour from the mart's target_met
    (green) or, when missed, the distance to the target (amber within 10 %, else red); no colour without a target."""
    shown, con, _ = dashboard
    page = shown["index"]
    expected = {}
    for metric, unit, value, target, direction, target_met in con.execute(
            "select metric, unit, value, target, target_direction, target_met from marts.rpt_headlines").fetchall():
        text = page["metrics"][f"headline.{metric}"]
        if value is None:
            assert text == "n/a", (metric, text)
        elif unit in ("share", "signed_share", "points"):
            assert_shows(text, value)
        else:
            assert_shows(text, value)
        if target is not None and direction is not None:
            expected[f"headline.{metric}"] = rag(value, target, direction, target_met)
    assert_colours(page, expected)
    assert {"green", "red"} <= set(expected.values()), "the demo should show met and missed targets"


def test_fcr_page_matches_the_marts(dashboard):
    shown, con, _ = dashboard
    page = shown["fcr"]
    n48, e48, n7, e7 = one(con, "select sum(fcr_48h_count), sum(eligible_48h), sum(fcr_7d_count), sum(eligible_7d) from marts.rpt_fcr_daily")
    assert_shows(page["metrics"]["fcr_48h_rate"], n48 / e48)
    assert_shows(page["metrics"]["fcr_7d_rate"], n7 / e7)
    repeats, judged = one(con, "select count(*) filter (where has_repeat_48h), count(has_repeat_48h) from marts.fct_contacts")
    assert_shows(page["metrics"]["repeat_48h_rate"], repeats / judged)
    by_channel = con.execute(
        "select channel, sum(fcr_48h_count), sum(eligible_48h) from marts.rpt_fcr_daily group by channel").fetchall()
    table = page["tables"]["fcr_by_channel"]
    assert set(table) == {c for c, _, _ in by_channel}
    for channel, count, eligible in by_channel:
        assert_shows(table[channel]["eligible 48 h"], eligible)
        if eligible:
            assert_shows(table[channel]["FCR 48 h"], count / eligible)
    (days,) = one(con, "select count(*) from (select local_date from marts.rpt_fcr_daily group by 1 having sum(eligible_48h) > 0)")
    assert page["marks"]["dot"] == days > 0
    t = targets(con)
    expected = {"fcr_48h_rate": rag(n48 / e48, *t["fcr_48h_rate"]), "fcr_7d_rate": rag(n7 / e7, *t["fcr_7d_rate"])}
    for channel, n48c, e48c, n7c, e7c in con.execute("""select channel, sum(fcr_48h_count), sum(eligible_48h),
            sum(fcr_7d_count), sum(eligible_7d) from marts.rpt_fcr_daily group by channel""").fetchall():
        expected[f"fcr_by_channel|{channel}|FCR 48 h"] = rag(ratio(n48c, e48c), *t["fcr_48h_rate"])
        expected[f"fcr_by_channel|{channel}|FCR 7 d"] = rag(ratio(n7c, e7c), *t["fcr_7d_rate"])
    assert_colours(page, expected)
    # The filters: the first queue and the last 14 days, summed then divided.
    f = page["filtered"]
    (queue,) = one(con, "select min(coalesce(queue, 'no_queue')) from marts.rpt_fcr_daily")
    assert f["queue"] == queue
    n48, e48 = one(con, f"""select sum(fcr_48h_count), sum(eligible_48h) from marts.rpt_fcr_daily
                           where coalesce(queue, 'no_queue') = '{queue}' and local_date between '{f["from"]}' and '{f["to"]}'""")
    assert_shows(f["metrics"]["fcr_48h_rate"], n48 / e48)
    repeats, judged = one(con, f"""select count(*) filter (where has_repeat_48h), count(has_repeat_48h) from marts.fct_contacts
                                  where coalesce(queue, 'no_queue') = '{queue}' and local_date between '{f["from"]}' and '{f["to"]}'""")
    assert_shows(f["metrics"]["repeat_48h_rate"], repeats / judged)


def test_service_level_page_matches_the_marts(dashboard):
    shown, con, _ = dashboard
    page = shown["service-level"]
    within, offered, abandoned, wait, answered = one(con, """
        select sum(answered_within_threshold), sum(offered), sum(abandoned), sum(answer_wait_seconds), sum(answered)
        from marts.rpt_service_level_interval""")
    assert_shows(page["metrics"]["service_level"], within / offered)
    assert_shows(page["metrics"]["abandon_rate"], abandoned / offered)
    assert_shows(page["metrics"]["asa_seconds"], wait / answered)
    by_queue = con.execute("""select queue, sum(answered_within_threshold), sum(offered)
                              from marts.rpt_service_level_interval group by queue""").fetchall()
    table = page["tables"]["service_level_by_queue"]
    assert set(table) == {q for q, _, _ in by_queue}
    for queue, queue_within, queue_offered in by_queue:
        if queue_offered:
            assert_shows(table[queue]["service level"], queue_within / queue_offered)
        else:
            assert table[queue]["service level"] == "n/a"
    (lines,) = one(con, "select count(*) from (select queue from marts.rpt_service_level_interval group by 1 having sum(offered) > 0)")
    assert page["marks"]["line"] == lines > 0
    t = targets(con)
    expected = {"service_level": rag(within / offered, *t["service_level"]),
                "abandon_rate": rag(abandoned / offered, *t["abandon_rate"]),
                "asa_seconds": rag(wait / answered, *t["asa_seconds"])}
    for queue, queue_within, queue_offered, queue_target in con.execute("""
            select queue, sum(answered_within_threshold), sum(offered), max(service_level_target)
            from marts.rpt_service_level_interval group by queue""").fetchall():
        expected[f"service_level_by_queue|{queue}|service level"] = rag(ratio(queue_within, queue_offered), queue_target, "higher_is_better")
    # The intraday heatmap: one cell per queue x half-hour with calls offered, coloured against the queue's target.
    cells = con.execute("""
        select queue, strftime(time_bucket(interval '30 minutes', interval_start_local), '%H:%M') as slot,
               sum(answered_within_threshold), sum(offered), max(service_level_target)
        from marts.rpt_service_level_interval group by 1, 2 having sum(offered) > 0""").fetchall()
    assert page["marks"]["cell"] == len(cells) > 0
    for queue, slot, cell_within, cell_offered, cell_target in cells:
        expected[f"heatmap|{queue}|{slot}"] = rag(cell_within / cell_offered, cell_target, "higher_is_better")
    assert_colours(page, expected)
    assert {"green", "amber", "red"} & {v for k, v in expected.items() if k.startswith("heatmap|")}
    f = page["filtered"]
    within, offered, wait, answered = one(con, f"""
        select sum(answered_within_threshold), sum(offered), sum(answer_wait_seconds), sum(answered)
        from marts.rpt_service_level_interval where queue = '{f["queue"]}' and local_date between '{f["from"]}' and '{f["to"]}'""")
    assert_shows(f["metrics"]["service_level"], within / offered)
    assert_shows(f["metrics"]["asa_seconds"], wait / answered)


def test_forecast_page_matches_the_marts(dashboard):
    shown, con, _ = dashboard
    page = shown["forecast"]
    t = targets(con)
    parts = {measure: rest for measure, *rest in con.execute("""
            select measure, sum(abs_error_weighted), sum(error_weighted), sum(actual_weighted), sum(forecast_weighted), sum(weight)
            from marts.rpt_forecast_accuracy_daily group by measure""").fetchall()}
    abs_error, error, actual, _, _ = parts["contacts"]
    assert_shows(page["metrics"]["wape_contacts"], abs_error / actual)
    assert_shows(page["metrics"]["bias_contacts"], error / actual)
    expected = {"wape_contacts": rag(abs_error / actual, *t["forecast_wape"]),
                "bias_contacts": rag(error / actual, *t["forecast_bias_tolerance"])}
    aht_abs_error, _, aht_actual, _, _ = parts["aht"]
    assert_shows(page["metrics"]["wape_aht"], aht_abs_error / aht_actual)
    expected["wape_aht"] = rag(aht_abs_error / aht_actual, *t["forecast_aht_wape"])
    # Shrinkage: planned against actual share, and the difference in points; never a WAPE.
    _, _, shrink_actual, shrink_planned, shrink_weight = parts["shrinkage"]
    assert_shows(page["metrics"]["shrinkage_planned"], shrink_planned / shrink_weight)
    assert_shows(page["metrics"]["shrinkage_actual"], shrink_actual / shrink_weight)
    gap = (shrink_actual - shrink_planned) / shrink_weight
    assert_shows(page["metrics"]["shrinkage_gap"], gap)
    expected["shrinkage_gap"] = rag(gap, *t["shrinkage_tolerance_points"])
    assert "wape_shrinkage" not in page["metrics"]
    table = page["tables"]["forecast_by_queue"]
    rows = con.execute("""select queue, sum(abs_error_weighted), sum(error_weighted), sum(actual_weighted)
                          from marts.rpt_forecast_accuracy_daily where measure = 'contacts' group by queue""").fetchall()
    assert set(table) == {q for q, *_ in rows}
    for queue, abs_error, error, actual in rows:
        if actual:
            assert_shows(table[queue]["WAPE (contacts)"], abs_error / actual)
            assert_shows(table[queue]["bias (contacts)"], error / actual)
        expected[f"forecast_by_queue|{queue}|WAPE (contacts)"] = rag(ratio(abs_error, actual), *t["forecast_wape"])
        expected[f"forecast_by_queue|{queue}|bias (contacts)"] = rag(ratio(error, actual), *t["forecast_bias_tolerance"])
    assert_colours(page, expected)
    (bars,) = one(con, """select count(*) from (select 1 from marts.rpt_forecast_accuracy_horizon where measure <> 'shrinkage'
                          group by horizon_bucket, measure having sum(actual_weighted) > 0)""")
    assert page["marks"]["bar"] == bars > 0
    f = page["filtered"]
    abs_error, actual = one(con, f"""select sum(abs_error_weighted), sum(actual_weighted) from marts.rpt_forecast_accuracy_daily
        where measure = 'contacts' and queue = '{f["queue"]}' and local_date between '{f["from"]}' and '{f["to"]}'""")
    assert_shows(f["metrics"]["wape_contacts"], abs_error / actual)


def test_people_page_matches_the_marts(dashboard):
    shown, con, _ = dashboard
    page = shown["people"]
    retained, eligible, performing, judged = one(con, """
        select sum(retained_90d), sum(eligible), sum(performing_90d), sum(judged) from marts.rpt_hiring_quality""")
    assert_shows(page["metrics"]["retention_90d_rate"], retained / eligible)
    if judged:
        assert_shows(page["metrics"]["hiring_quality_rate"], performing / judged)
    graduated, started = one(con, "select sum(graduated), sum(started) from marts.rpt_training_quality")
    assert_shows(page["metrics"]["graduation_rate"], graduated / started)
    table = page["tables"]["hiring_by_source"]
    for source, source_retained, source_eligible in con.execute(  # hires with no source are shown as such
            """select coalesce(hire_source, '(not recorded)'), sum(retained_90d), sum(eligible)
               from marts.rpt_hiring_quality group by 1""").fetchall():
        if source_eligible:
            assert_shows(table[source]["90-day retention"], source_retained / source_eligible)
    classes = page["tables"]["training_classes"]
    for class_id, class_graduated, class_started in con.execute(
            "select class_id, graduated, started from marts.rpt_training_quality").fetchall():
        if class_started:
            assert_shows(classes[class_id]["graduation"], class_graduated / class_started)
    (sources,) = one(con, "select count(*) from (select 1 from marts.rpt_hiring_quality group by hire_source having sum(eligible) > 0)")
    assert page["marks"]["bar"] == sources > 0
    t = targets(con)
    proficient, training_judged = one(con, "select sum(proficient), sum(judged) from marts.rpt_training_quality")
    expected = {"retention_90d_rate": rag(ratio(retained, eligible), *t["retention_90d_rate"]),
                "hiring_quality_rate": rag(ratio(performing, judged), *t["hiring_quality_rate"]),
                "graduation_rate": rag(ratio(graduated, started), *t["training_graduation_rate"]),
                "training_quality_rate": rag(ratio(proficient, training_judged), *t["training_quality_rate"])}
    for source, s_retained, s_eligible, s_performing, s_judged in con.execute(
            """select coalesce(hire_source, '(not recorded)'), sum(retained_90d), sum(eligible), sum(performing_90d), sum(judged)
               from marts.rpt_hiring_quality group by 1""").fetchall():
        expected[f"hiring_by_source|{source}|90-day retention"] = rag(ratio(s_retained, s_eligible), *t["retention_90d_rate"])
        expected[f"hiring_by_source|{source}|hiring quality"] = rag(ratio(s_performing, s_judged), *t["hiring_quality_rate"])
    for class_id, c_graduated, c_started, c_proficient, c_judged in con.execute(
            "select class_id, graduated, started, proficient, judged from marts.rpt_training_quality").fetchall():
        expected[f"training_classes|{class_id}|graduation"] = rag(ratio(c_graduated, c_started), *t["training_graduation_rate"])
        expected[f"training_classes|{class_id}|training quality"] = rag(ratio(c_proficient, c_judged), *t["training_quality_rate"])
    assert_colours(page, expected)


def test_qa_page_matches_the_marts_with_wilson_error_bars(dashboard):
    shown, con, _ = dashboard
    page = shown["qa"]
    (z,) = one(con, "select target from reference.metric_targets where metric = 'qa_sample_confidence_z'")
    table = page["tables"]["critical_error_accuracy"]
    rows = con.execute("""select error_class, sum(without_error), sum(evaluations)
                          from marts.rpt_critical_error_accuracy group by error_class""").fetchall()
    assert set(table) == {c for c, _, _ in rows}
    for error_class, without_error, evaluations in rows:
        # statsmodels' Wilson interval at the seeds' z (alpha = two-sided tail of z), independent of the loader's.
        alpha = math.erfc(z / math.sqrt(2))
        low, high = proportion_confint(without_error, evaluations, alpha=alpha, method="wilson")
        assert_shows(table[error_class]["accuracy"], without_error / evaluations)
        assert_shows(table[error_class]["Wilson low"], low)
        assert_shows(table[error_class]["Wilson high"], high)
    # One dot and one error bar (rule) per error class.
    assert page["marks"]["dot"] == len(rows) and page["marks"]["rule"] == len(rows)
    agreement, items = one(con, "select sum(agreement_sum), sum(items) from marts.rpt_qa_calibration_monthly")
    assert_shows(page["metrics"]["percent_agreement"], agreement / items)
    disputes, evaluations, overturned, decided = one(con, """
        select sum(disputes), sum(evaluations), sum(overturned), sum(decided) from marts.rpt_qa_disputes""")
    assert_shows(page["metrics"]["dispute_rate"], disputes / evaluations)
    assert_shows(page["metrics"]["overturn_rate"], overturned / decided)
    calibration = page["tables"]["calibration_monthly"]
    t = targets(con)
    expected = {"dispute_rate": rag(disputes / evaluations, *t["dispute_rate"]),
                "overturn_rate": rag(overturned / decided, *t["dispute_overturn_rate"])}
    (kappa,) = one(con, "select value from marts.rpt_headlines where metric = 'calibration_fleiss_kappa'")
    assert_shows(page["metrics"]["fleiss_kappa"], kappa)
    expected["fleiss_kappa"] = rag(kappa, *t["calibration_fleiss_kappa"])
    for month, month_agreement, month_items, month_kappa in con.execute(
            "select cast(local_month as varchar), agreement_sum, items, fleiss_kappa from marts.rpt_qa_calibration_monthly").fetchall():
        assert_shows(calibration[month]["agreement"], month_agreement / month_items)
        expected[f"calibration_monthly|{month}|Fleiss' kappa"] = rag(month_kappa, *t["calibration_fleiss_kappa"])
    for error_class, without_error, evaluations in rows:
        expected[f"critical_error_accuracy|{error_class}|accuracy"] = rag(ratio(without_error, evaluations), *t[f"{error_class}_accuracy"])
    assert_colours(page, expected)


def test_drivers_page_matches_the_analysis_tables(dashboard):
    shown, con, _ = dashboard
    page = shown["drivers"]
    ranked = con.execute("""select label from analysis.satisfaction_drivers
                            where importance is not null and performance is not null
                            order by importance desc""").fetchall()
    assert ranked, "the drivers analysis ranked no driver"
    assert page["metrics"]["top_driver"] == ranked[0][0]
    assert parse(page["metrics"]["drivers_ranked"]) == len(ranked)
    assert page["marks"]["dot"] == len(ranked)
    # Every ranked driver is labelled on the quadrant, and (first test) no label overlaps another or a dot.
    assert sorted(page["point_labels"]) == sorted(label for (label,) in ranked)
    (tipping,) = one(con, "select count(*) filter (where is_tipping_point) from analysis.satisfaction_thresholds")
    assert parse(page["metrics"]["tipping_points"]) == tipping
    table = page["tables"]["satisfaction_thresholds"]
    for driver, threshold, is_tipping in con.execute(
            "select driver, threshold, is_tipping_point from analysis.satisfaction_thresholds").fetchall():
        if threshold is not None:
            assert_shows(table[driver]["threshold"], threshold)
        assert table[driver]["tipping point"].startswith("yes" if is_tipping else "no")


def test_survey_dimensions_page_matches_the_analysis_tables(dashboard):
    shown, con, _ = dashboard
    page = shown["survey-dimensions"]
    ranked = con.execute("""select count(*) from analysis.survey_dimension_drivers
                            where segment_type = 'all' and importance_share is not null
                              and performance is not null""").fetchall()[0][0]
    assert ranked, "the survey dimension analysis ranked no dimension"
    assert parse(page["metrics"]["dimensions_ranked"]) == ranked
    assert page["marks"]["dot"] == ranked
    table = page["tables"]["survey_dimension_drivers"]
    for kind, dimension, share in con.execute(
            "select kind, dimension, importance_share from analysis.survey_dimension_drivers "
            "where segment_type = 'all' and importance_share is not null").fetchall():
        assert_shows(table[f"{kind}|{dimension}"]["importance"], share)


def test_a_loader_says_not_built_when_its_table_is_missing(tmp_path):
    """Before the drivers analysis has run, its loader prints the 'not built' marker instead of failing the build
    (the page then shows a note: ui.js notBuilt)."""
    empty = tmp_path / "callqa_serving.duckdb"
    with duckdb.connect(str(empty)) as con:
        con.execute("create schema marts; create table marts.rpt_fcr_daily (local_date date)")
    loader = DASHBOARD / "src" / "data" / "drivers.json.py"
    env = {**os.environ, "CALLQA_SERVING_WAREHOUSE": str(empty)}
    result = subprocess.run([sys.executable, str(loader)], env=env, capture_output=True, text=True, check=True)
    payload = json.loads(result.stdout)
    assert payload["status"] == "not built"
    assert payload["missing"] == ["analysis.satisfaction_drivers", "analysis.satisfaction_thresholds"]
