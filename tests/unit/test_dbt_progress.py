"""dbt's progress as one line per layer (issue 12.6), on a recorded stream of dbt events.

fixtures/dbt_build_events.jsonl: the info-level JSON events (what dagster-dbt reads on dbt's stdout) of a real
`callqa run` on a small generated center, kept for 6 nodes (a seed, and a model of staging, audit x2, intermediate,
marts) and their 11 tests, with the run's preamble, hooks and end summary; fixtures/dbt_build_manifest.json: the
same nodes' manifest entries (resource type, schema, attached node, dependencies)."""
import copy
import io
import json
import logging
from pathlib import Path

from dagster_project.lib.dbt_progress import (
    DbtProgress,
    ShortDbtCommand,
    node_layers,
    quiet_stdout,
    short_dbt_command,
)

FIXTURES = Path(__file__).parent / "fixtures"


def recorded():
    events = [json.loads(line) for line in (FIXTURES / "dbt_build_events.jsonl").read_text().splitlines()]
    manifest = json.loads((FIXTURES / "dbt_build_manifest.json").read_text())
    return events, manifest


def summarize(events, manifest, log_path="target/callqa_dbt-x/dbt_output.log"):
    lines = []
    progress = DbtProgress(node_layers(manifest), lines.append)
    for event in events:
        progress.feed(event)
    progress.finish(log_path)
    return lines


def test_a_recorded_build_is_one_line_per_layer_as_each_completes_then_the_total():
    events, manifest = recorded()
    assert len(events) == 55  # preamble, hooks, 17 start lines, 17 results, end summary
    assert summarize(events, manifest) == [
        # in the order the layers completed (dbt runs in DAG order: dim_dates and its test finished first);
        # elapsed: the layer's first node start to its last result (marts: 08:09:18.184 to 08:09:50.715)
        "dbt marts        1 model built, 1 test passed, 0 warnings, 0 errors (32.5 s)",
        "dbt intermediate 1 model built, 2 tests passed, 0 warnings, 0 errors (32.5 s)",
        # landing_contract_snapshot_in_sync is a singular test: it belongs to the model it reads (stg_landing__calls)
        "dbt staging      1 model built, 3 tests passed, 0 warnings, 0 errors (32.9 s)",
        "dbt reference    1 seed built, 2 tests passed, 0 warnings, 0 errors (34.1 s)",
        "dbt audit        2 models built, 3 tests passed, 0 warnings, 0 errors (101.6 s)",
        "dbt build: 6 built, 11 tests passed, 0 warnings, 0 errors (103.8 s); "
        "dbt's full output: target/callqa_dbt-x/dbt_output.log",
    ]


def _result(events, unique_id):
    (event,) = [e for e in events if e["info"]["name"].endswith("Result")
                and e["data"]["node_info"]["unique_id"] == unique_id]
    return event


def test_errors_failures_warnings_and_skips_are_counted_and_each_error_named():
    """The recorded events, edited the way dbt reports the other outcomes: a test warns, a test fails with 3 rows,
    a model errors and its two tests are skipped (SkippingDetails, as dbt fires it for a skipped node)."""
    events, manifest = recorded()
    events = copy.deepcopy(events)
    warned = _result(events, "test.callqa.unique_int_qa_ln_factorials_k.47cdfb2e07")
    warned["data"]["status"] = warned["data"]["node_info"]["node_status"] = "warn"
    failed = _result(events, "test.callqa.not_null_dim_dates_date_day.1717af99fb")
    failed["data"]["status"] = failed["data"]["node_info"]["node_status"] = "fail"
    failed["data"]["num_failures"] = 3
    errored = _result(events, "model.callqa.stg_landing__calls")
    errored["data"]["status"] = errored["data"]["node_info"]["node_status"] = "error"
    for test in ("test.callqa.not_null_stg_landing__calls_call_id.69b321d204",
                 "test.callqa.unique_stg_landing__calls_call_id.5df7236de5"):
        result = _result(events, test)
        result["info"]["name"] = "SkippingDetails"
        result["data"] = {"resource_type": "test", "schema": "dbt_test__audit",
                          "node_name": result["data"]["node_info"]["node_name"], "index": 1, "total": 400,
                          "node_info": {**result["data"]["node_info"], "node_status": "skipped"}}
    lines = summarize(events, manifest, log_path=None)
    assert lines == [
        "dbt staging: model stg_landing__calls ERROR",  # at once, in the stream's order
        "dbt marts: test not_null_dim_dates_date_day FAIL (3 failing rows)",
        "dbt marts        1 model built, 0 tests passed, 0 warnings, 1 error (32.5 s)",
        "dbt intermediate 1 model built, 1 test passed, 1 warning, 0 errors (32.5 s)",
        "dbt staging      0 models built, 1 test passed, 0 warnings, 1 error, 2 skipped (32.9 s)",
        "dbt reference    1 seed built, 2 tests passed, 0 warnings, 0 errors (34.1 s)",
        "dbt audit        2 models built, 3 tests passed, 0 warnings, 0 errors (101.6 s)",
        "dbt build: 5 built, 7 tests passed, 1 warning, 2 errors, 2 skipped (103.8 s)",
    ]


def test_a_build_that_stops_early_reports_every_started_layer_with_what_did_not_run():
    events, manifest = recorded()
    cut = next(i for i, e in enumerate(events)
               if e["info"]["name"] == "LogTestResult"
               and e["data"]["node_info"]["unique_id"] == "test.callqa.not_null_rejected_rows_source.5152c3bca6")
    lines = summarize(events[:cut], manifest, log_path=None)
    assert lines[:2] == [
        "dbt marts        1 model built, 1 test passed, 0 warnings, 0 errors (32.5 s)",
        "dbt intermediate 1 model built, 2 tests passed, 0 warnings, 0 errors (32.5 s)",
    ]
    assert lines[2:] == [  # the rest at the end, in layer order
        "dbt reference    1 seed built, 0 tests passed, 0 warnings, 0 errors, 2 not run (1.9 s)",
        "dbt staging      1 model built, 0 tests passed, 0 warnings, 0 errors, 3 not run (3.2 s)",
        "dbt audit        1 model built, 0 tests passed, 0 warnings, 0 errors, 4 not run (10.0 s)",
        "dbt build: 5 built, 3 tests passed, 0 warnings, 0 errors (32.5 s)",
    ]


def test_what_dbt_prints_goes_to_the_sink_and_the_consumer_still_prints(capsys):
    def producer():
        for i in range(3):
            print(f"1 of 400 START model {i}")  # what dagster-dbt does with every dbt line
            yield i

    sink = io.StringIO()
    for item in quiet_stdout(producer(), sink):
        print(f"consumer got {item}")
    assert sink.getvalue().splitlines() == [f"1 of 400 START model {i}" for i in range(3)]
    assert capsys.readouterr().out.splitlines() == [f"consumer got {i}" for i in range(3)]


def test_the_dbt_command_is_logged_once_with_its_vars_shortened():
    vars_json = json.dumps({"import_mappings": {"calls": [{"name": "a b", "columns": {"x": "y"}}] * 40},
                            "timezone": "America/New_York"})
    command = f"dbt build --exclude-resource-type unit_test --vars {vars_json} --select fqn:*"
    assert len(command) > 1500
    assert short_dbt_command(command) == (
        f"dbt build --exclude-resource-type unit_test --vars <{len(vars_json):,} characters> --select fqn:*")
    assert short_dbt_command("dbt parse") == "dbt parse"

    logger = logging.getLogger("test_dbt_progress.dagster_dbt")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    stream = io.StringIO()
    logger.addHandler(logging.StreamHandler(stream))
    logger.addFilter(ShortDbtCommand())
    logger.info(f"Running dbt command: `{command}`.")
    logger.info(f"Finished dbt command: `{command}`.")
    logger.info("Copying `partial_parse.msgpack`")
    assert stream.getvalue().splitlines() == [
        f"Running dbt command: `dbt build --exclude-resource-type unit_test --vars <{len(vars_json):,} characters> "
        "--select fqn:*`.",
        "Copying `partial_parse.msgpack`",
    ]
