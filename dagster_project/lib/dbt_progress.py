"""dbt's progress as one line per layer (issue 12.6): `dbt build` prints a line per node start and per result (800
lines at demo size); a user wants to know that staging is done, how many tests passed and what failed.

`DbtProgress` reads dbt's structured events (the JSON lines dbt writes with DBT_LOG_FORMAT=json, as dagster-dbt runs
it) and says, when every node of a layer has finished, one line for that layer: models built, tests passed, warnings,
errors, skipped, and how long the layer took (first start to last finish; layers overlap, dbt runs in DAG order). A
node that errors or fails gets a line of its own. Whatever the dbt step printed before goes to a file
(`quiet_stdout`), dbt's debug log stays beside it, and the long dbt command (its --vars carry every import mapping:
5.7 KB) is logged once, shortened (`ShortDbtCommand`).

The layer of a node is its schema (staging, audit, intermediate, marts; seeds: reference); a test belongs to the
layer of the model it tests (its `attached_node`; a singular test: the latest layer it reads).
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO, TypeVar

LAYER_ORDER = ("reference", "staging", "audit", "intermediate", "marts")
TESTS_LAYER = "tests"  # a test whose model is not known (should not happen with a manifest)
BUILT_TYPES = ("seed", "model", "snapshot")
RESULT_EVENTS = {"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult", "SkippingDetails"}
ERROR_STATUSES = {"error", "fail", "runtime error"}

T = TypeVar("T")


def _rank(layer: str) -> tuple[int, str]:
    return (LAYER_ORDER.index(layer), "") if layer in LAYER_ORDER else (len(LAYER_ORDER), layer)


def node_layers(manifest: Mapping[str, Any]) -> dict[str, str]:
    """unique_id -> layer for every node `dbt build` runs (seeds, models, snapshots, data tests) in `manifest`."""
    nodes = manifest.get("nodes", {})
    layers = {uid: node["schema"] for uid, node in nodes.items() if node.get("resource_type") in BUILT_TYPES}
    for uid, node in nodes.items():
        if node.get("resource_type") != "test":
            continue
        attached = node.get("attached_node")
        if attached in layers:
            layers[uid] = layers[attached]
            continue
        read = [layers[d] for d in (node.get("depends_on") or {}).get("nodes", []) if d in layers]
        layers[uid] = max(read, key=_rank) if read else TESTS_LAYER
    return layers


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None)  # dbt writes UTC, with or without the 'Z'
    except ValueError:
        return None


@dataclass
class LayerTally:
    expected: int = 0
    built: dict[str, int] = field(default_factory=dict)  # resource type -> nodes built
    passed: int = 0
    warned: int = 0
    errors: int = 0
    skipped: int = 0
    started: datetime | None = None
    ended: datetime | None = None
    reported: bool = False

    @property
    def finished(self) -> int:
        return sum(self.built.values()) + self.passed + self.warned + self.errors + self.skipped

    def line(self, layer: str, width: int) -> str:
        built = ", ".join(_count(n, kind) for kind, n in self.built.items()) or "0 models"
        parts = [f"{built} built", f"{_count(self.passed, 'test')} passed", _count(self.warned, "warning"),
                 _count(self.errors, "error")]
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        if self.finished < self.expected:
            parts.append(f"{self.expected - self.finished} not run")
        elapsed = (self.ended - self.started).total_seconds() if self.started and self.ended else 0.0
        return f"dbt {layer:<{width}} {', '.join(parts)} ({elapsed:.1f} s)"


class DbtProgress:
    """Feed it dbt's JSON events in order (`feed`), then call `finish`; lines go to `emit` as layers complete."""

    def __init__(self, layers: Mapping[str, str], emit: Callable[[str], None]):
        self.layers = dict(layers)
        self.emit = emit
        self.tallies: dict[str, LayerTally] = {}
        for layer in self.layers.values():
            self._tally(layer).expected += 1
        self.width = max((len(layer) for layer in self.tallies), default=0)
        self.first_start: datetime | None = None
        self.last_end: datetime | None = None

    def _tally(self, layer: str) -> LayerTally:
        return self.tallies.setdefault(layer, LayerTally())

    def _layer(self, data: Mapping[str, Any]) -> str:
        info = data.get("node_info") or {}
        uid = info.get("unique_id", "")
        if uid in self.layers:
            return self.layers[uid]
        attached = data.get("attached_node")
        if attached in self.layers:
            layer = self.layers[attached]
        elif info.get("resource_type") in BUILT_TYPES:
            layer = (info.get("node_relation") or {}).get("schema") or data.get("schema") or TESTS_LAYER
        else:
            layer = TESTS_LAYER
        self.layers[uid] = layer
        return layer

    def feed(self, event: Mapping[str, Any]) -> None:
        name = (event.get("info") or {}).get("name")
        if name not in RESULT_EVENTS:
            return
        data = event.get("data") or {}
        info = data.get("node_info") or {}
        kind = info.get("resource_type") or data.get("resource_type") or ""
        if kind not in BUILT_TYPES and kind != "test":
            return
        layer = self._layer(data)
        tally = self._tally(layer)
        # node_status is success / error / skipped for a model or seed, pass / fail / warn / error for a test (a
        # model's own `status` is its adapter message, e.g. "OK" or "SELECT 5")
        status = "skipped" if name == "SkippingDetails" else str(info.get("node_status") or data.get("status") or "")
        status = status.lower()
        if status == "skipped":
            tally.skipped += 1
        elif status in ERROR_STATUSES:
            tally.errors += 1
            failures = data.get("num_failures")
            detail = f" ({failures} failing rows)" if kind == "test" and failures else ""
            self.emit(f"dbt {layer}: {kind} {info.get('node_name') or data.get('name')} {status.upper()}{detail}")
        elif status == "warn":
            tally.warned += 1
        elif kind == "test":
            tally.passed += 1
        else:
            tally.built[kind] = tally.built.get(kind, 0) + 1
        started = _time(info.get("node_started_at")) or _time(event["info"].get("ts"))
        ended = _time(event["info"].get("ts"))
        for value in (started, ended):
            if value is None:
                continue
            tally.started = value if tally.started is None else min(tally.started, value)
            tally.ended = value if tally.ended is None else max(tally.ended, value)
            self.first_start = value if self.first_start is None else min(self.first_start, value)
            self.last_end = value if self.last_end is None else max(self.last_end, value)
        self.width = max(self.width, len(layer))
        if not tally.reported and tally.expected and tally.finished >= tally.expected:
            tally.reported = True
            self.emit(tally.line(layer, self.width))

    def finish(self, log_path: str | None = None) -> None:
        """Lines for the layers not reported yet (dbt stopped early, or ran a subset), then the total."""
        for layer in sorted(self.tallies, key=_rank):
            tally = self.tallies[layer]
            if not tally.reported and tally.finished:
                tally.reported = True
                self.emit(tally.line(layer, self.width))
        totals = list(self.tallies.values())
        elapsed = (self.last_end - self.first_start).total_seconds() if self.first_start and self.last_end else 0.0
        built = sum(sum(t.built.values()) for t in totals)
        line = (f"dbt build: {built} built, {_count(sum(t.passed for t in totals), 'test')} passed, "
                f"{_count(sum(t.warned for t in totals), 'warning')}, {_count(sum(t.errors for t in totals), 'error')}"
                + (f", {sum(t.skipped for t in totals)} skipped" if any(t.skipped for t in totals) else "")
                + f" ({elapsed:.1f} s)")
        if log_path:
            line += f"; dbt's full output: {log_path}"
        self.emit(line)


def quiet_stdout(items: Iterable[T], sink: TextIO) -> Iterator[T]:
    """Each item of `items`, with whatever producing it prints going to `sink` instead of the terminal (dagster-dbt
    prints every dbt line while it reads them). Only the producer's code is redirected, never the consumer's."""
    iterator = iter(items)
    while True:
        with redirect_stdout(sink):
            try:
                item = next(iterator)
            except StopIteration:
                return
        yield item


COMMAND_PREFIXES = ("Running dbt command: `", "Finished dbt command: `")


def short_dbt_command(command: str) -> str:
    """The dbt command with the value of --vars (a JSON object: every import mapping, the time zone) replaced by
    its size; the command itself is in dbt's debug log (MainReportArgs)."""
    marker = "--vars "
    start = command.find(marker)
    if start < 0:
        return command
    value_at = start + len(marker)
    try:
        _, end = json.JSONDecoder().raw_decode(command, value_at)
    except ValueError:
        end = command.find(" --", value_at)
        end = len(command) if end < 0 else end
    return f"{command[:value_at]}<{end - value_at:,} characters>{command[end:]}"


class ShortDbtCommand(logging.Filter):
    """For dagster-dbt's logger: 'Running dbt command' once, shortened; 'Finished dbt command' (the same command
    again) dropped: the per-layer lines and their total say that dbt finished."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith(COMMAND_PREFIXES[1]):
            return False
        if message.startswith(COMMAND_PREFIXES[0]) and message.endswith("`."):
            command = message[len(COMMAND_PREFIXES[0]):-2]
            record.msg, record.args = f"{COMMAND_PREFIXES[0]}{short_dbt_command(command)}`.", ()
        return True


def install_command_filter(logger: logging.Logger) -> None:
    if not any(isinstance(f, ShortDbtCommand) for f in logger.filters):
        logger.addFilter(ShortDbtCommand())
