"""Lossless ingestion of landing files into the raw layer (see docs/layers.md).

Each file is read completely, checked at file level (encoding, header, required columns, column names that clash
with others only in case), protected (caller numbers hashed, free text masked, columns nobody named checked for
both) and then written, together with its ledger entry, in ONE transaction: a file is either entirely in raw or
not at all, and the ledger makes sure the same bytes are never loaded twice. Lines that can't be parsed are not dropped: they are stored with their line number,
the parser's message and their (masked) text, so staging can reject them with a reason.

Contract files are read by DuckDB's own readers (read_csv with its reject table, read_parquet) into Arrow and
protected column by column; Python's reader reads a CSV only where DuckDB can't give the same rows and physical
line numbers (blank lines, lone carriage returns, NUL, a quote outside an RFC 4180 quoted field, a DuckDB error
other than too many fields), and JSON Lines (docs/decisions.md, "Ingestion through DuckDB's readers").
"""
from __future__ import annotations

import csv
import gzip
import hashlib
import io
import itertools
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dagster_project.lib.contract import METADATA_COLUMNS, SourceContract
from dagster_project.lib.pii import hash_phone, mask_text, protect_unnamed
from dagster_project.lib.sql import identifier_key, quote_identifier, transaction

SUFFIXES = (".csv", ".csv.gz", ".parquet", ".jsonl", ".jsonl.gz")
LEDGER = "raw._ingest_ledger"
# Python's csv refuses fields over 131,072 characters by default; a delivered field (a transcript, a note) may be
# longer, and the whole file is in memory anyway. The limit is process-wide (the csv module has no other); 2**31-1
# fits a C long everywhere. A field over it (or any other CSV error) refuses the file with the reason.
CSV_FIELD_LIMIT = 2**31 - 1


class FileRefused(Exception):
    """A file-level problem: nothing of the file is loaded, the ledger records why."""


@dataclass
class ParsedFile:
    columns: list[str]
    rows: list[list[str | None]]  # one list per record, len == len(columns); all None for malformed lines
    lines: list[int]
    malformed: list[str | None]
    raw_lines: list[str | None]
    records: list[int] | None = None  # adapters: ordinal of the top-level record each row comes from (1-based)


@dataclass
class FileLoad:
    file: str
    sha256: str
    status: str  # loaded | empty | refused | duplicate | already_loaded
    rows: int = 0
    malformed: int = 0
    error: str | None = None
    load_id: int | None = None


@dataclass
class SourceLoad:
    source: str
    files: list[FileLoad] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows for f in self.files if f.status == "loaded")

    @property
    def refused(self) -> list[FileLoad]:
        return [f for f in self.files if f.status == "refused"]


# ---------------------------------------------------------------- reading


def landing_files(landing_dir: Path, source: str) -> list[Path]:
    """Files of a source in delivery order (sorted relative path: a later path is a later delivery), by suffix.
    Other systems' exports are read by adapters from their own folders (lib/adapters.py)."""
    base = Path(landing_dir) / source
    if not base.is_dir():
        return []
    found = [
        p
        for p in base.rglob("*")
        if p.is_file()
        and not p.name.startswith(".")
        and p.name.lower().endswith(SUFFIXES)
    ]
    return sorted(found, key=lambda p: p.relative_to(base).as_posix())


def _text_of(value) -> str | None:
    """A JSON value as the text it would have had in a CSV: true/false, numbers as written, '' = NULL."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False)


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileRefused(f"{name}: not valid UTF-8 at byte {exc.start}; the file was not loaded") from exc


def _check_header(columns: list[str], name: str) -> None:
    """Column names must be distinct as the warehouse compares them: ASCII case-insensitively (sql.identifier_key),
    so `CALLER_NUMBER` beside `caller_number` can't both be columns of one table."""
    seen: dict[str, str] = {}
    metadata = {identifier_key(c): c for c in METADATA_COLUMNS}
    for position, column in enumerate(columns, start=1):
        if not column:
            raise FileRefused(f"{name}: header column {position} has no name; the file was not loaded")
        if "\x00" in column:
            raise FileRefused(
                f"{name}: header column {position} has a NUL character in its name; the file was not loaded")
        key = identifier_key(column)
        if key in seen:
            if seen[key] == column:
                raise FileRefused(f"{name}: header names column '{column}' twice; the file was not loaded")
            raise FileRefused(
                f"{name}: header columns '{seen[key]}' and '{column}' differ only in case (column names are "
                "case-insensitive in the warehouse); the file was not loaded"
            )
        if key in metadata:
            raise FileRefused(f"{name}: column '{column}' clashes with a load-metadata column; the file was not loaded")
        seen[key] = column


def _check_case_clashes(columns: list[str], known: list[str], name: str, source: str, contract_columns) -> None:
    """A delivered column that differs only in case from a contract column or a column already in raw (from an
    earlier file) can't be stored beside it, and is not silently taken for it either: the file is refused."""
    by_key = {identifier_key(c): c for c in known}
    for column in columns:
        existing = by_key.get(identifier_key(column))
        if existing is not None and existing != column:
            where = (f"the contract's column '{existing}' of source '{source}'" if existing in contract_columns
                     else f"column '{existing}', already in raw.{source} from an earlier file")
            raise FileRefused(
                f"{name}: column '{column}' differs from {where} only in case (column names are case-insensitive "
                f"in the warehouse); deliver it as '{existing}'; the file was not loaded"
            )


def _read_csv(text: str, name: str, delimiter: str = ",", header_rule=None) -> ParsedFile:
    """`header_rule(columns, name) -> columns`: how the header is checked (and possibly renamed); default
    _check_header (a contract file: a duplicated or empty name refuses the file)."""
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    parsed = ParsedFile([], [], [], [], [])
    previous_line = 0
    records = iter(reader)
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except csv.Error as exc:
            raise FileRefused(
                f"{name}: not readable as CSV at line {previous_line + 1} ({exc}); the file was not loaded"
            ) from exc
        start_line = previous_line + 1
        previous_line = reader.line_num
        if not record:  # a blank line carries no data
            continue
        if header is None:
            header = [c.strip() for c in record]
            if header_rule is None:
                _check_header(header, name)
            else:
                header = header_rule(header, name)
            parsed.columns = header
            continue
        if len(record) != len(header):
            parsed.rows.append([None] * len(header))
            parsed.malformed.append(f"expected {len(header)} fields, found {len(record)}")
            parsed.raw_lines.append(delimiter.join(record))
        else:
            parsed.rows.append([v if v != "" else None for v in record])
            parsed.malformed.append(None)
            parsed.raw_lines.append(None)
        parsed.lines.append(start_line)
    return parsed


def _read_jsonl(text: str, name: str) -> ParsedFile:
    objects: list[tuple[int, dict | None, str | None, str]] = []
    columns: dict[str, None] = {}
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            error = None if isinstance(obj, dict) else f"a JSON {type(obj).__name__}, not an object"
        except json.JSONDecodeError as exc:
            obj, error = None, f"invalid JSON: {exc.msg} at column {exc.colno}"
        if error is None:
            for key in obj:
                columns.setdefault(key.strip(), None)
            objects.append((line_number, {k.strip(): v for k, v in obj.items()}, None, line))
        else:
            objects.append((line_number, None, error, line))
    header = list(columns)
    _check_header(header, name)
    parsed = ParsedFile(header, [], [], [], [])
    for line_number, obj, error, line in objects:
        parsed.lines.append(line_number)
        parsed.malformed.append(error)
        if obj is None:
            parsed.rows.append([None] * len(header))
            parsed.raw_lines.append(line)
        else:
            parsed.rows.append([_text_of(obj.get(c)) for c in header])
            parsed.raw_lines.append(None)
    return parsed


# A file read into Arrow: its delivered columns as text (header order), then these three, one row per record.
LINE_COLUMNS = ("_line", "_malformed", "_raw_line")


def delivered_columns(table: pa.Table) -> list[str]:
    return table.column_names[: -len(LINE_COLUMNS)]


def parsed_table(parsed: ParsedFile) -> pa.Table:
    """A file the Python readers parsed, in the same Arrow shape as a file DuckDB read."""
    n = len(parsed.rows)
    columns = list(zip(*parsed.rows)) if n else [() for _ in parsed.columns]
    arrays = [pa.array(list(values), type=pa.string()) for values in columns]
    arrays += [pa.array(parsed.lines, type=pa.int64()), pa.array(parsed.malformed, type=pa.string()),
               pa.array(parsed.raw_lines, type=pa.string())]
    return pa.Table.from_arrays(arrays, schema=_text_schema(parsed.columns))


def _text_schema(columns: list[str]) -> pa.Schema:
    # a schema, not pa.table(dict): it keeps every name exactly as delivered
    return pa.schema([*(pa.field(c, pa.string()) for c in columns), pa.field("_line", pa.int64()),
                      pa.field("_malformed", pa.string()), pa.field("_raw_line", pa.string())])


_readers = threading.local()


def _reader() -> duckdb.DuckDBPyConnection:
    """The thread's private in-memory DuckDB that reads delivered files (the warehouse stays free), in UTC, its
    reject tables emptied: they hold the rejects of the file about to be read alone. Kept open, as connecting
    costs more than reading a small file."""
    con = getattr(_readers, "con", None)
    if con is None:
        con = _readers.con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
    con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
    return con


def _read_parquet(path: Path, name: str) -> pa.Table:
    # The column names as the file has them (DuckDB would rename a case-insensitive duplicate to `name_1`).
    try:
        header = list(pq.read_schema(path).names)
    except (pa.ArrowException, OSError) as exc:
        raise FileRefused(f"{name}: not a readable Parquet file ({exc}); the file was not loaded") from exc
    _check_header(header, name)
    con = _reader()
    try:
        text = [f"CAST({quote_identifier(c)} AS VARCHAR)" for c in header]
        select = ", ".join(f"CASE WHEN {t} = '' THEN NULL ELSE {t} END AS c{i}" for i, t in enumerate(text))
        values = con.sql(f"SELECT {select} FROM read_parquet($path)", params={"path": str(path)}).to_arrow_table()
    except duckdb.Error as exc:
        raise FileRefused(f"{name}: not a readable Parquet file ({exc}); the file was not loaded") from exc
    n = values.num_rows
    arrays = [*values.columns, pa.array(np.arange(1, n + 1), pa.int64()), pa.nulls(n, pa.string()),
              pa.nulls(n, pa.string())]
    return pa.Table.from_arrays(arrays, schema=_text_schema(header))


def _read_csv_native(path: Path, text: str, name: str, delimiter: str = ",") -> pa.Table | None:
    """The CSV read by DuckDB's read_csv (all columns text, strict RFC 4180 quoting): the same rows, values, line
    numbers and messages as _read_csv, or None when this file must be read by _read_csv (a blank line, a lone
    carriage return, a NUL, a quote outside an RFC 4180 quoted field, a header over several lines, a DuckDB error,
    or physical lines that don't add up).

    Field counts: DuckDB silently drops trailing empty fields beyond the declared columns, so one column more than
    the header is declared, short rows are padded with NULL and no field is ever NULL itself (the null string is a
    NUL, which such a file doesn't hold): a row's field count is its number of non-NULL values, and a row with more
    fields than that lands in DuckDB's reject table. Lines: DuckDB numbers records (its reject `line` is the
    record's ordinal, the header 1), so a record's physical line is counted from the line breaks inside the quoted
    fields of the records before it. A malformed record's fields (message, raw text) and span are read back by
    Python's reader from its first line."""
    if (not text or "\x00" in text or len(text) > CSV_FIELD_LIMIT or text.startswith(("\n", "\r\n"))
            or "\n\n" in text or "\n\r\n" in text or text.count("\r") != text.count("\r\n")):
        return None
    if '"' in text:
        # Every quote must belong to a quoted field that starts and ends at a field boundary (RFC 4180). Elsewhere
        # (`ab"c`, ` "a"`, `"a" b`, a quote left open at the end) the readers differ: DuckDB skips blanks around
        # quotes and drops an unclosed last field, Python's reader keeps them as text.
        d = re.escape(delimiter)
        quoted = re.compile(rf'(?<![^{d}\n])"[^"]*(?:""[^"]*)*"(?![^{d}\r\n])')
        if '"' in quoted.sub("", text):
            return None
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        record = next(reader)
    except (csv.Error, StopIteration):
        return None
    if reader.line_num != 1:
        return None
    header = [c.strip() for c in record]
    _check_header(header, name)
    width = len(header)
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width + 1))
    con = _reader()
    try:
        values = con.sql(
            f"""SELECT * FROM read_csv($path, header = true, auto_detect = false, columns = {{{columns}}},
                delim = $delim, quote = '"', escape = '"', strict_mode = true, store_rejects = true,
                null_padding = true, nullstr = $nul, parallel = $parallel, encoding = 'utf-8',
                compression = $compression)""",
            params={"path": str(path), "delim": delimiter, "nul": "\x00",
                    # DuckDB's parallel reader can't pad rows of a file with quoted line breaks
                    "parallel": '"' not in text,
                    "compression": "gzip" if path.name.lower().endswith(".gz") else "none"},
        ).to_arrow_table()
        rejects = con.execute("SELECT line, any_value(error_type) FROM reject_errors GROUP BY line").fetchall()
    except duckdb.Error:
        return None
    if any(kind != "TOO MANY COLUMNS" for _, kind in rejects):
        return None
    n = values.num_rows
    records = n + len(rejects)
    rejected = np.array(sorted(line for line, _ in rejects), dtype=np.int64) - 2  # record ordinals, 0-based
    if len(rejected) and (rejected[0] < 0 or rejected[-1] >= records):
        return None
    is_read = np.ones(records, dtype=bool)
    is_read[rejected] = False
    read_at = np.flatnonzero(is_read)  # the record ordinal of each row DuckDB returned
    fields = np.zeros(n, dtype=np.int64)
    spans = np.zeros(records, dtype=np.int64)
    breaks = np.ones(n, dtype=np.int64)
    for column in values.columns:
        fields += column.is_valid().to_numpy(zero_copy_only=False)
        breaks += pc.fill_null(pc.count_substring(column, "\n"), 0).to_numpy(zero_copy_only=False)
    spans[read_at] = breaks
    is_bad = ~is_read
    is_bad[read_at[fields != width]] = True
    bad = np.flatnonzero(is_bad)
    malformed, raw = [], []
    if len(bad):
        physical = text.split("\n")
        before = np.concatenate(([0], np.cumsum(spans)))  # rejected records counted 0 so far
        earlier = 0  # lines of the rejected records before this one
        for ordinal in bad:
            first = int(before[ordinal]) + earlier + 1  # 0-based physical line where the record starts
            rest = itertools.islice(enumerate(physical), first, None)  # lines with their break (the last has none)
            reader = csv.reader((line if i == len(physical) - 1 else line + "\n" for i, line in rest),
                                delimiter=delimiter)
            try:
                delivered = next(reader)
            except (csv.Error, StopIteration):
                return None
            if len(delivered) == width:  # the readers disagree about this record: let Python read the file
                return None
            if is_read[ordinal]:
                if reader.line_num != spans[ordinal]:
                    return None
            else:
                spans[ordinal] = reader.line_num
                earlier += reader.line_num
            malformed.append(f"expected {width} fields, found {len(delivered)}")
            raw.append(delimiter.join(delivered))
    if 1 + int(spans.sum()) != lines:  # every physical line accounted for, or Python reads the file
        return None
    starts = 2 + np.concatenate(([0], np.cumsum(spans)[:-1]))
    good = fields == width
    kept = values.filter(pa.array(good))
    empty_is_null = [pc.if_else(pc.not_equal(kept.column(i), ""), kept.column(i), pa.scalar(None, pa.string()))
                     for i in range(width)]
    good_rows = pa.Table.from_arrays(
        [*empty_is_null, pa.array(starts[read_at[good]], pa.int64()), pa.nulls(len(kept), pa.string()),
         pa.nulls(len(kept), pa.string())], schema=_text_schema(header))
    if not len(bad):
        return good_rows
    bad_rows = pa.Table.from_arrays(
        [*(pa.nulls(len(bad), pa.string()) for _ in header), pa.array(starts[bad], pa.int64()),
         pa.array(malformed, pa.string()), pa.array(raw, pa.string())], schema=_text_schema(header))
    table = pa.concat_tables([good_rows, bad_rows])
    return table.take(pc.sort_indices(table["_line"]))


def read_delivery(path: Path, data: bytes, name: str, delimiter: str = ",") -> pa.Table:
    """A contract file as an Arrow table of text (delivered_columns, then LINE_COLUMNS); FileRefused if it can't be
    read at all."""
    lower = path.name.lower()
    if lower.endswith(".parquet"):
        return _read_parquet(path, name)
    if lower.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise FileRefused(f"{name}: not a readable gzip file ({exc}); the file was not loaded") from exc
    text = _decode(data, name)
    if lower.endswith((".jsonl", ".jsonl.gz")):
        return parsed_table(_read_jsonl(text, name))
    native = _read_csv_native(path, text, name, delimiter)
    return native if native is not None else parsed_table(_read_csv(text, name, delimiter))


# ---------------------------------------------------------------- protecting


def protect(table: pa.Table, contract: SourceContract, key: bytes) -> pa.Table:
    """Hash phone numbers and mask free text, before anything reaches the warehouse.

    Columns the contract names are protected as declared; every other delivered column is unknown and so treated
    as possibly personal (pii.protect_unnamed: phone-like values hashed as caller_number is, free text masked)."""
    hashed = contract.pii_columns("hash")
    masked = contract.pii_columns("mask")
    named = {*contract.column_names, *hashed, *masked}
    return protect_table(table, key, hashed, masked, lambda column: column in named)


def column_protection(column: str, key: bytes, hashed, masked, is_named):
    """The one protection rule, per delivered column: `(function of a value, whether every value needs it)`, or
    None. `hashed` columns keyed-hashed, `masked` columns masked, every column for which `is_named(column)` is
    false through pii.protect_unnamed; the raw text of malformed lines is masked (column `_raw_line`)."""
    if column in hashed:
        return (lambda value: hash_phone(value, key)), True
    if column in masked or column == "_raw_line":
        return mask_text, False
    if not is_named(column):
        return (lambda value: protect_unnamed(value, key)), False
    return None


def protect_columns(parsed: ParsedFile, key: bytes, hashed, masked, is_named) -> None:
    """column_protection applied in place to a ParsedFile (the adapters' rows)."""
    hashed, masked = set(hashed), set(masked)
    for i, column in enumerate(parsed.columns):
        rule = column_protection(column, key, hashed, masked, is_named)
        if rule is not None:
            for row in parsed.rows:
                row[i] = rule[0](row[i])
    parsed.raw_lines = [mask_text(line) for line in parsed.raw_lines]


def _may_change(values: pa.Array) -> pa.Array:
    """Values mask_text / protect_unnamed could change: an '@', 7 or more ASCII digits, or any non-ASCII character
    (a digit of another script is a digit to Python's `\\d`). Every other value passes through both unchanged
    (no e-mail without '@', no number run or phone number without 7 digits), so only these go through Python."""
    return pc.fill_null(pc.or_(pc.or_(pc.match_substring(values, "@"), pc.invert(pc.string_is_ascii(values))),
                               pc.greater_equal(pc.count_substring_regex(values, "[0-9]"), 7)), False)


def protect_table(table: pa.Table, key: bytes, hashed, masked, is_named) -> pa.Table:
    """column_protection applied to an Arrow table of text (read_delivery): per column, the values that may change
    are picked out with Arrow kernels and each distinct one goes once through the Python function of lib/pii.py."""
    hashed, masked = set(hashed), set(masked)
    arrays = []
    for i, column in enumerate(table.column_names):
        values = table.column(i).combine_chunks()
        rule = column_protection(column, key, hashed, masked, is_named) if column not in LINE_COLUMNS[:2] else None
        if rule is not None and len(values):
            protect_value, every = rule
            values = values.cast(pa.string())
            picked = pc.fill_null(pc.is_valid(values), False) if every else _may_change(values)
            if pc.any(picked).as_py():
                distinct = values.filter(picked).dictionary_encode()
                replaced = pa.array([protect_value(v) for v in distinct.dictionary.to_pylist()], pa.string())
                values = pc.replace_with_mask(values, picked, replaced.take(distinct.indices))
        arrays.append(values)
    return pa.Table.from_arrays(arrays, names=table.column_names)


# ---------------------------------------------------------------- writing


def _raw_columns(con, source: str) -> list[str]:
    # duckdb_columns(), not information_schema.columns: the same answer in a tenth of the time (asked per file)
    return [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'raw' AND table_name = ? ORDER BY column_index",
            [source],
        ).fetchall()
    ]


def ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute("CREATE SEQUENCE IF NOT EXISTS raw._load_id_seq START 1")
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {LEDGER} (
            load_id BIGINT, source VARCHAR, file VARCHAR, file_sha256 VARCHAR, file_bytes BIGINT,
            status VARCHAR, rows_delivered BIGINT, rows_malformed BIGINT, error VARCHAR,
            loaded_at TIMESTAMPTZ)"""
    )


def ensure_raw_table(con: duckdb.DuckDBPyConnection, contract: SourceContract, extra: list[str] = ()) -> None:
    ensure_ledger(con)
    table = f"raw.{quote_identifier(contract.name)}"
    metadata = (
        '"_load_id" BIGINT, "_file" VARCHAR, "_line" BIGINT, "_file_sha256" VARCHAR, '
        '"_loaded_at" TIMESTAMPTZ, "_malformed" VARCHAR, "_raw_line" VARCHAR'
    )
    columns = ", ".join(f"{quote_identifier(c)} VARCHAR" for c in contract.column_names)
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns}, {metadata})")
    existing = set(_raw_columns(con, contract.name))
    for column in [*contract.column_names, *extra]:
        if column not in existing:
            con.execute(f"ALTER TABLE {table} ADD COLUMN {quote_identifier(column)} VARCHAR")
            existing.add(column)


def _ledger_lookup(con, source: str, sha: str) -> list[tuple[str, int, str, str | None]]:
    """Earlier ledger entries of the same bytes (a refusal that was retried later does not count)."""
    return con.execute(
        f"SELECT file, load_id, status, error FROM {LEDGER} WHERE source = ? AND file_sha256 = ? "
        "AND status <> 'retried' ORDER BY load_id",
        [source, sha],
    ).fetchall()


class SourceLedger:
    """The ledger entries of one source by the files' SHA-256, read with one query: what `open_delivery` looks up for
    every landing file of the source. One query per file cost about 1 ms each, 4.7 s for the 4,425 files of a year of
    daily deliveries, and grew with the history (issue 14). The same rows as `_ledger_lookup` (`retried` entries left
    out, in load order), kept up to date by `note` as the run records outcomes, so a file whose bytes an earlier file
    of the same run delivered is still a duplicate."""

    def __init__(self, con, source: str):
        self.entries: dict[str, list[tuple[str, int, str, str | None]]] = {}
        for file, load_id, status, error, sha in con.execute(
                f"SELECT file, load_id, status, error, file_sha256 FROM {LEDGER} WHERE source = ? "
                "AND status <> 'retried' ORDER BY load_id", [source]).fetchall():
            self.entries.setdefault(sha, []).append((file, load_id, status, error))

    def lookup(self, sha: str) -> list[tuple[str, int, str, str | None]]:
        return list(self.entries.get(sha, []))

    def note(self, load: "FileLoad") -> "FileLoad":
        """The outcome `load` was recorded: its file's earlier entries with the same bytes were marked `retried`
        (`open_delivery` reads a file again only when every such entry is a refusal it retries) and the new entry
        follows them. Returns `load`."""
        if load.status != "already_loaded":
            kept = [e for e in self.entries.get(load.sha256, []) if e[0] != load.file]
            self.entries[load.sha256] = [*kept, (load.file, load.load_id, load.status, load.error)]
        return load


def _record(con, load: FileLoad, source: str, size: int, loaded_at: datetime) -> None:
    con.execute(
        f"INSERT INTO {LEDGER} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [load.load_id, source, load.file, load.sha256, size, load.status, load.rows, load.malformed,
         load.error, loaded_at],
    )


def already_loaded(entries: list[tuple[str, str | None]], retryable=None) -> bool:
    """The once-only rule: a file whose name and bytes the ledger already holds (`entries`: the (status, error) of
    those entries, `retried` ones left out) is skipped, unless every entry is a refusal that `retryable(error)` says a
    setting can lift (read again). No entry: not loaded."""
    if not entries:
        return False
    return retryable is None or not all(s == "refused" and retryable(err or "") for s, err in entries)


def ledger_entries(con) -> dict[tuple[str, str, str], list[tuple[str, str | None]]]:
    """{(source, file, sha256): [(status, error), ...]} of the whole ledger (`retried` entries left out, as
    `_ledger_lookup` does): what `already_loaded` needs for every file at once."""
    from dagster_project.lib.warehouse import table_exists

    if not table_exists(con, "raw", "_ingest_ledger"):
        return {}
    entries: dict[tuple[str, str, str], list[tuple[str, str | None]]] = {}
    for source, file, sha, status, error in con.execute(
            f"SELECT source, file, file_sha256, status, error FROM {LEDGER} WHERE status <> 'retried'").fetchall():
        entries.setdefault((source, file, sha), []).append((status, error))
    return entries


@dataclass
class Delivery:
    """A file about to be loaded: its bytes, their SHA-256, the load id and time it gets."""

    name: str  # path relative to the landing folder
    data: bytes
    sha256: str
    load_id: int
    loaded_at: datetime
    retries: list[int] = field(default_factory=list)  # load ids of earlier refusals of it that this run retries


def open_delivery(con, landing_dir: Path, path: Path, source: str, retryable=None,
                  ledger: SourceLedger | None = None) -> Delivery | FileLoad:
    """The once-only rule of the ledger, for every kind of source: the same file with the same bytes already in the
    ledger -> `already_loaded` (nothing recorded); the same bytes under another name -> `duplicate` (recorded);
    else a Delivery with a new load id. `retryable(error)`: an earlier refusal of this very file that depended on
    a setting rather than on the bytes (an adapter's date order) is tried again; the new outcome marks it
    `retried`. `ledger`: the source's entries read once (SourceLedger; the caller notes each outcome in it), else
    one query for this file."""
    name = path.relative_to(landing_dir).as_posix()
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    earlier = ledger.lookup(sha) if ledger is not None else _ledger_lookup(con, source, sha)
    same_name = [e for e in earlier if e[0] == name]
    retries: list[int] = []
    if same_name:
        if already_loaded([(s, err) for _, _, s, err in same_name], retryable):
            return FileLoad(name, sha, "already_loaded")
        retries = [load_id for _, load_id, _, _ in same_name]
        earlier = [e for e in earlier if e[0] != name]
    loaded_at = datetime.now(timezone.utc)
    load_id = con.execute("SELECT nextval('raw._load_id_seq')").fetchall()[0][0]
    delivery = Delivery(name, data, sha, load_id, loaded_at, retries)
    if earlier:
        first_file, first_id, _, _ = earlier[0]
        return record_outcome(con, delivery, source, "duplicate",
                              error=f"same bytes as {first_file} (load {first_id}); nothing loaded")
    return delivery


def record_outcome(con, delivery: Delivery, source: str, status: str, error: str | None = None) -> FileLoad:
    """A file that writes no rows (refused, empty, duplicate): its ledger entry, in one transaction with the marking
    of the refusals it retried."""
    load = FileLoad(delivery.name, delivery.sha256, status, error=error, load_id=delivery.load_id)
    with transaction(con):
        _mark_retried(con, delivery)
        _record(con, load, source, len(delivery.data), delivery.loaded_at)
    return load


def _mark_retried(con, delivery: Delivery) -> None:
    for load_id in delivery.retries:
        con.execute(f"UPDATE {LEDGER} SET status = 'retried' WHERE load_id = ?", [load_id])


def arrow_rows(parsed: ParsedFile | pa.Table, delivery: Delivery, extra: dict | None = None) -> pa.Table:
    """The rows (a ParsedFile or a read_delivery table) as an Arrow table of text columns plus the load metadata
    (and `extra` arrays)."""
    table = parsed_table(parsed) if isinstance(parsed, ParsedFile) else parsed
    n = table.num_rows
    metadata = {
        "_load_id": pa.scalar(delivery.load_id, pa.int64()),
        "_file": pa.scalar(delivery.name, pa.string()),
        "_file_sha256": pa.scalar(delivery.sha256, pa.string()),
        "_loaded_at": pa.scalar(delivery.loaded_at, pa.timestamp("us", tz="UTC")),
    }
    for column, value in metadata.items():
        table = table.append_column(column, pa.repeat(value, n))
    for column, values in (extra or {}).items():
        table = table.append_column(column, values)
    return table


def write_rows(con, delivery: Delivery, source: str, table: str, incoming: pa.Table, prepare_table) -> FileLoad:
    """Rows and ledger entry in ONE transaction: the file is entirely in raw or not at all. `prepare_table()`
    creates / widens the raw table inside the transaction. The counts come from `incoming`."""
    malformed = incoming.num_rows - incoming["_malformed"].null_count
    load = FileLoad(delivery.name, delivery.sha256, "loaded", rows=incoming.num_rows, malformed=malformed,
                    load_id=delivery.load_id)
    with transaction(con):
        prepare_table()
        con.register("_incoming", incoming)
        try:
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _incoming")
        finally:
            con.unregister("_incoming")
        _mark_retried(con, delivery)
        _record(con, load, source, len(delivery.data), delivery.loaded_at)
    return load


def load_file(
    con, landing_dir: Path, path: Path, contract: SourceContract, key: bytes,
    ledger: SourceLedger | None = None) -> FileLoad:
    opened = open_delivery(con, landing_dir, path, contract.name, ledger=ledger)
    if isinstance(opened, FileLoad):
        return opened
    delivery, name = opened, opened.name
    try:
        read = read_delivery(path, delivery.data, name)
        columns = delivered_columns(read)
        known = [*contract.column_names, *_raw_columns(con, contract.name)]
        _check_case_clashes(columns, known, name, contract.name, contract.column_names)
        if columns or read.num_rows:
            missing = [c for c in contract.required_columns if c not in columns]
            if missing:
                raise FileRefused(
                    f"{name}: missing required column{'s' if len(missing) > 1 else ''} "
                    f"{', '.join(missing)} of source '{contract.name}'; the file was not loaded"
                )
    except FileRefused as exc:
        return record_outcome(con, delivery, contract.name, "refused", str(exc))
    if not read.num_rows:
        return record_outcome(con, delivery, contract.name, "empty")

    incoming = arrow_rows(protect(read, contract, key), delivery)
    extra = [c for c in columns if c not in contract.column_names]
    return write_rows(con, delivery, contract.name, f"raw.{quote_identifier(contract.name)}", incoming,
                      lambda: ensure_raw_table(con, contract, extra))


def ingest_source(
    con,
    landing_dir: Path,
    contract: SourceContract,
    key: bytes | None,
    take: Callable[[Path], bool] | None = None,
) -> SourceLoad:
    """Load every new file of one source (those `take` accepts, when given: lib/run_window.delivery_filter); files
    already in the ledger are skipped (reruns are no-ops).
    `key` hashes phone numbers: the warehouse's key (lib/warehouse.settle_pii_key), always given, never a default."""
    if not key:
        raise ValueError("ingest_source needs the PII key that hashes phone numbers (key=...): the warehouse's key "
                         "from lib/warehouse.settle_pii_key (CALLQA_PII_KEY or its callqa_pii.key); there is no default")
    landing_dir = Path(landing_dir)
    ensure_raw_table(con, contract)
    result = SourceLoad(contract.name)
    ledger = SourceLedger(con, contract.name)
    for path in (p for p in landing_files(landing_dir, contract.name) if take is None or take(p)):
        result.files.append(ledger.note(load_file(con, landing_dir, path, contract, key, ledger)))
    return result
