"""Writing landing files: one folder per source, files per week (or day, or one for the whole span: the
`file_period`; some sources per month or as snapshots), several formats.

Files are byte-for-byte deterministic: CSV through the csv module (RFC 4180 minimal quoting, LF line
ends), JSON lines column by column, gzip with mtime 0, Parquet through pyarrow. A frame may carry a
`__raw__` column (dirty mode): where it is set, that exact text is written as the line instead of the row
(a malformed line).
"""
from __future__ import annotations

import csv
import gzip
import json
import io as _io
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from dagster_project.lib.contract import load_contract
from dagster_project.lib.synth.world import Frame

FORMAT = {
    "calls": "csv", "digital_contacts": "jsonl.gz", "tickets": "csv.gz", "ticket_events": "parquet",
    "transcripts": "jsonl",
}
PERIOD = {"wfm_forecasts": "month", "training_enrollments": "month", "improvement_actions": "month",
          "agents": "snapshot", "business_schedules": "snapshot", "holidays": "snapshot",
          "survey_questions": "snapshot"}
# How the event sources (every source not in PERIOD) are cut into files: a file per week (the default, as the
# demo has always been delivered), per local day (a real daily delivery, for replaying day by day), or one file.
FILE_PERIODS = ("week", "day", "all")


def check_file_period(file_period: str) -> str:
    if file_period not in FILE_PERIODS:
        raise ValueError(f"file period must be one of {', '.join(FILE_PERIODS)} (got {file_period!r})")
    return file_period


RAW = "__raw__"   # dirty mode: the exact text of a malformed line
TAG = "__tag__"   # dirty mode: what was planted in this row (reported in the delivery section)


@dataclass
class FileRecord:
    source: str
    path: str            # relative to the landing folder, POSIX
    format: str
    rows: int            # data records in the file (malformed lines included)
    role: str = "data"   # data / correction / late_duplicates / identical / empty / refused / extra_columns
    note: str = ""
    planted: list = field(default_factory=list)  # [{record: n (1-based data record), key, reason, detail}]


@dataclass
class Landing:
    out_dir: Path
    start_date: date
    files: dict[str, list[FileRecord]] = field(default_factory=dict)
    file_period: str = "week"  # one of FILE_PERIODS (check_file_period)

    def record(self, rec: FileRecord) -> FileRecord:
        self.files.setdefault(rec.source, []).append(rec)
        return rec

    # ------------------------------------------------------------ naming and partitioning
    def period_start(self, source: str, day: float) -> date:
        d = self.start_date + timedelta(days=int(day))
        period = PERIOD.get(source, self.file_period)
        if period == "month":
            return d.replace(day=1)
        if period in ("snapshot", "day"):
            return d
        if period == "all":
            return self.start_date
        return d - timedelta(days=d.weekday())

    def file_name(self, source: str, period: date, suffix: str = "", fmt: str | None = None) -> str:
        fmt = fmt or FORMAT.get(source, "csv")
        return f"{source}/{source}_{period.isoformat()}{suffix}.{fmt}"

    def partitions(self, source: str, frame: Frame) -> list[tuple[date, np.ndarray]]:
        """Row indices per period, in frame order within each period."""
        if len(frame) == 0:
            return []
        days = np.floor(np.nan_to_num(frame.day, nan=0.0)).astype(np.int64)
        uniq, inverse = np.unique(days, return_inverse=True)
        starts = np.array([self.period_start(source, d).toordinal() for d in uniq])[inverse]
        out = []
        for period in np.unique(starts):
            out.append((date.fromordinal(int(period)), np.flatnonzero(starts == period)))
        return out

    # ------------------------------------------------------------ writing
    def write_frame(self, source: str, frame: Frame) -> list[FileRecord]:
        """One file per period; a source without rows still gets one file (the header), so every source of
        the contract is delivered."""
        parts = self.partitions(source, frame) or [(self.period_start(source, 0), np.arange(0))]
        return [self.write(source, self.file_name(source, period), frame.take(idx)) for period, idx in parts]

    def write(self, source: str, path: str, frame: Frame, role: str = "data", note: str = "",
              columns: list[str] | None = None) -> FileRecord:
        columns = columns or [c for c in frame.columns if c not in (RAW, TAG)]
        fmt = _format_of(path)
        raw = frame.columns.get(RAW)
        if fmt.startswith("csv"):
            data = _csv_bytes(frame, columns, raw)
        elif fmt.startswith("jsonl"):
            data = _jsonl_bytes(source, frame, columns, raw)
        else:
            data = _parquet_bytes(source, frame, columns)
        if fmt.endswith(".gz"):
            data = gzip.compress(data, compresslevel=1, mtime=0)
        target = self.out_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        planted = []
        tags = frame.columns.get(TAG)
        if tags is not None:
            key = load_contract()[source].primary_key
            for i in np.flatnonzero(tags != None):  # noqa: E711
                reason, detail = tags[i]
                parts = [frame.columns[k][i] for k in key]
                malformed = raw is not None and raw[i] is not None
                record_key = None if malformed or all(p is None for p in parts) else "|".join(p or "" for p in parts)
                planted.append({"record": int(i) + 1, "key": record_key, "reason": reason, "detail": detail})
        return self.record(FileRecord(source, path, fmt, len(frame), role, note, planted))

    def copy(self, rec: FileRecord, path: str, note: str = "") -> FileRecord:
        """A byte-identical re-delivery of a file under another name."""
        target = self.out_dir / path
        target.write_bytes((self.out_dir / rec.path).read_bytes())
        return self.record(FileRecord(rec.source, path, rec.format, rec.rows, "identical", note or rec.path))


def _format_of(path: str) -> str:
    for fmt in ("csv.gz", "jsonl.gz", "csv", "jsonl", "parquet"):
        if path.endswith("." + fmt):
            return fmt
    raise ValueError(f"unknown landing format: {path}")


def _csv_bytes(frame: Frame, columns: list[str], raw) -> bytes:
    """RFC 4180 CSV with minimal quoting. Columns without commas, quotes or line breaks (nearly all) go
    through pyarrow's C++ writer without quoting; otherwise the csv module quotes what needs it."""
    breaks = [] if raw is None else [i for i, r in enumerate(raw) if r is not None]
    arrays = [pa.array(frame.columns[c], type=pa.string()) for c in columns]
    needs_quotes = any(_has_special_bytes(arr) for arr in arrays)
    header = ",".join(columns)
    if needs_quotes or any(not _plain_header(c) for c in columns):
        buffer = _io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        values = [frame.columns[c] for c in columns]
        previous = 0
        for i in breaks + [len(frame)]:
            writer.writerows(zip(*(v[previous:i] for v in values)))
            if i < len(frame):
                buffer.write(raw[i] + "\n")
            previous = i + 1
        return buffer.getvalue().encode("utf-8")
    table = pa.table(dict(zip([f"c{k}" for k in range(len(columns))], arrays)))
    options = pacsv.WriteOptions(include_header=False, quoting_style="none")
    parts = [(header + "\n").encode("utf-8")]
    previous = 0
    for i in breaks + [len(frame)]:
        if i > previous:
            sink = _io.BytesIO()
            pacsv.write_csv(table.slice(previous, i - previous), sink, options)
            parts.append(sink.getvalue())
        if i < len(frame):
            parts.append((raw[i] + "\n").encode("utf-8"))
        previous = i + 1
    return b"".join(parts)


def _has_special_bytes(arr: pa.Array) -> bool:
    """Does any value contain a comma, a double quote or a line break?"""
    return _has_bytes(arr, _CSV_SPECIAL)


_CSV_SPECIAL = np.array([44, 34, 10, 13], dtype=np.uint8)


def _has_bytes(arr: pa.Array, special: np.ndarray) -> bool:
    """A scan of the UTF-8 bytes of a string array (multi-byte characters never contain ASCII bytes)."""
    if len(arr) == 0 or arr.buffers()[2] is None:
        return False
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)
    used = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[arr.offset]:offsets[arr.offset + len(arr)]]
    return bool(np.isin(used, special).any())


def _plain_header(name: str) -> bool:
    return not any(ch in name for ch in ',"\r\n')


def _column_type(source: str, name: str) -> str:
    for column in load_contract()[source].columns:
        if column.name == name:
            return column.type
    return "string"


def _json_fragment(kind: str, values: np.ndarray) -> pa.Array:
    """JSON text of one column's values: null, true/false and integers natively, everything else as a JSON
    string (escaped with json.dumps only in a column that needs it). Unparseable values of a bool or int
    column (dirty rows) stay strings."""
    arr = pa.array(values, type=pa.string())
    if kind == "bool":
        native = pc.is_in(arr, value_set=pa.array(["true", "false"]))
    elif kind == "int":
        native = pc.match_substring_regex(arr, "^-?[0-9]+$")
    else:
        native = None
    if _has_bytes(arr, _JSON_SPECIAL):
        quoted = pa.array([None if v is None else json.dumps(v, ensure_ascii=False) for v in values],
                          type=pa.string())
    else:
        quoted = pc.binary_join_element_wise('"', arr, '"', "")
    fragment = quoted if native is None else pc.if_else(pc.fill_null(native, False), arr, quoted)
    return pc.fill_null(fragment, "null")


_JSON_SPECIAL = np.array([34, 92] + list(range(32)), dtype=np.uint8)  # quote, backslash, control characters


def _jsonl_bytes(source: str, frame: Frame, columns: list[str], raw) -> bytes:
    """One JSON object per line, keys in contract order, assembled in Arrow."""
    if len(frame) == 0:
        return b""
    parts = []
    for k, c in enumerate(columns):
        parts.append(("{" if k == 0 else ",") + json.dumps(c, ensure_ascii=False) + ":")
        parts.append(_json_fragment(_column_type(source, c), frame.columns[c]))
    lines = pc.binary_join_element_wise(*parts, "}\n", "")
    if raw is not None and any(r is not None for r in raw):
        text = lines.to_numpy(zero_copy_only=False)
        bad = np.flatnonzero(raw != None)  # noqa: E711
        text[bad] = raw[bad] + "\n"
        return "".join(text.tolist()).encode("utf-8")
    return _string_bytes(lines)


def _string_bytes(arr: pa.Array) -> bytes:
    """The concatenated UTF-8 bytes of a string array without nulls."""
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)
    start, end = offsets[arr.offset], offsets[arr.offset + len(arr)]
    return bytes(memoryview(arr.buffers()[2])[start:end])


def _parquet_bytes(source: str, frame: Frame, columns: list[str]) -> bytes:
    arrays = {}
    for c in columns:
        values = frame.columns[c]
        if _column_type(source, c) == "bool":
            arrays[c] = pa.array(values == "true", mask=values == None, type=pa.bool_())  # noqa: E711
        else:
            arrays[c] = pa.array(list(values), type=pa.string())
    buffer = _io.BytesIO()
    pq.write_table(pa.table(arrays), buffer, compression="snappy")
    return buffer.getvalue()
