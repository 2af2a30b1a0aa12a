"""Writing landing files: one folder per source, files per week (or month), several formats.

Files are byte-for-byte deterministic: CSV through the csv module (RFC 4180 minimal quoting, LF line
ends), JSON lines through pandas, gzip with mtime 0, Parquet through pyarrow. A frame may carry a
`__raw__` column (dirty mode): where it is set, that exact text is written as the line instead of the row
(a malformed line).
"""
from __future__ import annotations

import csv
import gzip
import io as _io
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dagster_project.lib.contract import load_contract
from dagster_project.lib.synth.world import Frame

FORMAT = {
    "calls": "csv", "digital_contacts": "jsonl.gz", "tickets": "csv.gz", "ticket_events": "parquet",
    "transcripts": "jsonl",
}
PERIOD = {"wfm_forecasts": "month", "training_enrollments": "month", "improvement_actions": "month",
          "agents": "snapshot"}
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

    def record(self, rec: FileRecord) -> FileRecord:
        self.files.setdefault(rec.source, []).append(rec)
        return rec

    # ------------------------------------------------------------ naming and partitioning
    def period_start(self, source: str, day: float) -> date:
        d = self.start_date + timedelta(days=int(day))
        period = PERIOD.get(source, "week")
        if period == "month":
            return d.replace(day=1)
        if period == "snapshot":
            return d
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
        return [self.write(source, self.file_name(source, period), frame.take(idx))
                for period, idx in self.partitions(source, frame)]

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
            data = gzip.compress(data, compresslevel=6, mtime=0)
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
    buffer = _io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    values = [frame.columns[c] for c in columns]
    if raw is None or not any(r is not None for r in raw):
        writer.writerows(zip(*values))
    else:
        breaks = [i for i, r in enumerate(raw) if r is not None]
        previous = 0
        for i in breaks + [len(raw)]:
            writer.writerows(zip(*(v[previous:i] for v in values)))
            if i < len(raw):
                buffer.write(raw[i] + "\n")
            previous = i + 1
    return buffer.getvalue().encode("utf-8")


def _column_type(source: str, name: str) -> str:
    for column in load_contract()[source].columns:
        if column.name == name:
            return column.type
    return "string"


def _typed_json_column(source: str, name: str, values: np.ndarray) -> np.ndarray:
    """JSON carries booleans and integers natively; anything unparseable stays text (dirty rows)."""
    kind = _column_type(source, name)
    if kind == "bool":
        mapping = {"true": True, "false": False}
        return np.array([mapping.get(v, v) for v in values], dtype=object)
    if kind == "int":
        return np.array([int(v) if isinstance(v, str) and v.lstrip("-").isdigit() else v for v in values],
                        dtype=object)
    return values


def _jsonl_bytes(source: str, frame: Frame, columns: list[str], raw) -> bytes:
    if len(frame) == 0:
        return b""
    df = pd.DataFrame({c: _typed_json_column(source, c, frame.columns[c]) for c in columns})
    text = df.to_json(orient="records", lines=True, force_ascii=False)
    lines = text.rstrip("\n").split("\n")
    if raw is not None:
        lines = [r if r is not None else line for line, r in zip(lines, raw)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _parquet_bytes(source: str, frame: Frame, columns: list[str]) -> bytes:
    arrays = {}
    for c in columns:
        values = frame.columns[c]
        if _column_type(source, c) == "bool":
            arrays[c] = pa.array([None if v is None else v == "true" for v in values], type=pa.bool_())
        else:
            arrays[c] = pa.array(list(values), type=pa.string())
    buffer = _io.BytesIO()
    pq.write_table(pa.table(arrays), buffer, compression="snappy")
    return buffer.getvalue()
