"""Lossless ingestion of landing files into the raw layer (see docs/layers.md).

Each file is read completely, checked at file level (encoding, header, required columns, column names that clash
with others only in case), protected (caller numbers hashed, free text masked, columns nobody named checked for
both) and then written, together with its ledger entry, in ONE transaction: a file is either entirely in raw or
not at all, and the ledger makes sure the same bytes are never loaded twice. Lines that can't be parsed are not dropped: they are stored with their line number,
the parser's message and their (masked) text, so staging can reject them with a reason.
"""
from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from dagster_project.lib.contract import METADATA_COLUMNS, SourceContract
from dagster_project.lib.mappings import ImportMapping, load_mappings, mapping_for
from dagster_project.lib.pii import hash_phone, mask_text, protect_unnamed
from dagster_project.lib.sql import identifier_key, quote_identifier

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


def landing_files(landing_dir: Path, source: str, mappings: list[ImportMapping] = ()) -> list[Path]:
    """Files of a source in delivery order (sorted relative path: a later path is a later delivery).
    Contract files by suffix; files an import mapping claims whatever their suffix (e.g. `.tsv`)."""
    base = Path(landing_dir) / source
    if not base.is_dir():
        return []
    found = [
        p
        for p in base.rglob("*")
        if p.is_file()
        and not p.name.startswith(".")
        and (
            p.name.lower().endswith(SUFFIXES)
            or mapping_for(list(mappings), source, p.relative_to(base).as_posix()) is not None
        )
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


def _read_csv(text: str, name: str, delimiter: str = ",") -> ParsedFile:
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
            _check_header(header, name)
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


def _read_parquet(path: Path, name: str) -> ParsedFile:
    # The column names as the file has them (DuckDB would rename a case-insensitive duplicate to `name_1`).
    try:
        header = list(pq.read_schema(path).names)
    except (pa.ArrowException, OSError) as exc:
        raise FileRefused(f"{name}: not a readable Parquet file ({exc}); the file was not loaded") from exc
    _check_header(header, name)
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        text = [f"CAST({quote_identifier(c)} AS VARCHAR)" for c in header]
        select = ", ".join(f"CASE WHEN {t} = '' THEN NULL ELSE {t} END" for t in text)
        table = con.execute(f"SELECT {select} FROM read_parquet(?)", [str(path)]).fetchall()
    except duckdb.Error as exc:
        raise FileRefused(f"{name}: not a readable Parquet file ({exc}); the file was not loaded") from exc
    finally:
        con.close()
    rows = [list(r) for r in table]
    n = len(rows)
    return ParsedFile(header, rows, list(range(1, n + 1)), [None] * n, [None] * n)


def read_delivery(path: Path, data: bytes, name: str, delimiter: str = ",") -> ParsedFile:
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
        return _read_jsonl(text, name)
    return _read_csv(text, name, delimiter)


# ---------------------------------------------------------------- protecting


def protect(parsed: ParsedFile, contract: SourceContract, key: bytes, mapping: ImportMapping | None = None) -> None:
    """Hash phone numbers and mask free text in place, before anything reaches the warehouse.

    Columns the contract (or the file's import mapping: `requires`, `pii`) names are protected as declared; every
    other delivered column is unknown and so treated as possibly personal (pii.protect_unnamed: phone-like values
    hashed as caller_number is, free text masked)."""
    index = {c: i for i, c in enumerate(parsed.columns)}
    hashed = [*contract.pii_columns("hash"), *(mapping.pii_hash if mapping else ())]
    masked = [*contract.pii_columns("mask"), *(mapping.pii_mask if mapping else ())]
    named = {*contract.column_names, *(mapping.requires if mapping else ()), *hashed, *masked}
    for column, i in index.items():
        if column not in named:
            for row in parsed.rows:
                row[i] = protect_unnamed(row[i], key)
    for column in hashed:
        if column in index:
            i = index[column]
            for row in parsed.rows:
                row[i] = hash_phone(row[i], key)
    for column in masked:
        if column in index:
            i = index[column]
            for row in parsed.rows:
                row[i] = mask_text(row[i])
    parsed.raw_lines = [mask_text(line) for line in parsed.raw_lines]


# ---------------------------------------------------------------- writing


def _raw_columns(con, source: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = ?",
            [source],
        ).fetchall()
    ]


def ensure_raw_table(con: duckdb.DuckDBPyConnection, contract: SourceContract, extra: list[str] = ()) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute("CREATE SEQUENCE IF NOT EXISTS raw._load_id_seq START 1")
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {LEDGER} (
            load_id BIGINT, source VARCHAR, file VARCHAR, file_sha256 VARCHAR, file_bytes BIGINT,
            status VARCHAR, rows_delivered BIGINT, rows_malformed BIGINT, error VARCHAR,
            loaded_at TIMESTAMPTZ)"""
    )
    table = f"raw.{quote_identifier(contract.name)}"
    metadata = (
        '"_load_id" BIGINT, "_file" VARCHAR, "_line" BIGINT, "_file_sha256" VARCHAR, '
        '"_loaded_at" TIMESTAMPTZ, "_malformed" VARCHAR, "_raw_line" VARCHAR, "_mapping" VARCHAR'
    )
    columns = ", ".join(f"{quote_identifier(c)} VARCHAR" for c in contract.column_names)
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns}, {metadata})")
    existing = set(_raw_columns(con, contract.name))
    for column in [*contract.column_names, *extra, "_mapping"]:
        if column not in existing:
            con.execute(f"ALTER TABLE {table} ADD COLUMN {quote_identifier(column)} VARCHAR")
            existing.add(column)


def _ledger_lookup(con, source: str, sha: str) -> list[tuple[str, int, str]]:
    return con.execute(
        f"SELECT file, load_id, status FROM {LEDGER} WHERE source = ? AND file_sha256 = ? ORDER BY load_id",
        [source, sha],
    ).fetchall()


def _record(con, load: FileLoad, source: str, size: int, loaded_at: datetime) -> None:
    con.execute(
        f"INSERT INTO {LEDGER} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [load.load_id, source, load.file, load.sha256, size, load.status, load.rows, load.malformed,
         load.error, loaded_at],
    )


def load_file(
    con, landing_dir: Path, path: Path, contract: SourceContract, key: bytes, mapping: ImportMapping | None = None
) -> FileLoad:
    name = path.relative_to(landing_dir).as_posix()
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    earlier = _ledger_lookup(con, contract.name, sha)
    if any(f == name for f, _, _ in earlier):
        return FileLoad(name, sha, "already_loaded")
    loaded_at = datetime.now(timezone.utc)
    load_id = con.execute("SELECT nextval('raw._load_id_seq')").fetchall()[0][0]
    if earlier:
        first_file, first_id, _ = earlier[0]
        load = FileLoad(name, sha, "duplicate", load_id=load_id,
                        error=f"same bytes as {first_file} (load {first_id}); nothing loaded")
        _record(con, load, contract.name, len(data), loaded_at)
        return load
    try:
        parsed = read_delivery(path, data, name, mapping.delimiter if mapping else ",")
        known = [*contract.column_names, *_raw_columns(con, contract.name)]
        _check_case_clashes(parsed.columns, known, name, contract.name, contract.column_names)
        if parsed.columns or parsed.rows:
            required = mapping.requires if mapping else contract.required_columns
            missing = [c for c in required if c not in parsed.columns]
            if missing:
                of_what = f"import mapping '{mapping.name}'" if mapping else f"source '{contract.name}'"
                raise FileRefused(
                    f"{name}: missing required column{'s' if len(missing) > 1 else ''} "
                    f"{', '.join(missing)} of {of_what}; the file was not loaded"
                )
    except FileRefused as exc:
        load = FileLoad(name, sha, "refused", error=str(exc), load_id=load_id)
        _record(con, load, contract.name, len(data), loaded_at)
        return load
    if not parsed.rows:
        load = FileLoad(name, sha, "empty", load_id=load_id)
        _record(con, load, contract.name, len(data), loaded_at)
        return load

    protect(parsed, contract, key, mapping)
    n = len(parsed.rows)
    columns = list(zip(*parsed.rows)) if n else [() for _ in parsed.columns]
    arrays = {c: pa.array(list(values), type=pa.string()) for c, values in zip(parsed.columns, columns)}
    arrays["_load_id"] = pa.array([load_id] * n, type=pa.int64())
    arrays["_file"] = pa.array([name] * n, type=pa.string())
    arrays["_line"] = pa.array(parsed.lines, type=pa.int64())
    arrays["_file_sha256"] = pa.array([sha] * n, type=pa.string())
    arrays["_loaded_at"] = pa.array([loaded_at] * n, type=pa.timestamp("us", tz="UTC"))
    arrays["_malformed"] = pa.array(parsed.malformed, type=pa.string())
    arrays["_raw_line"] = pa.array(parsed.raw_lines, type=pa.string())
    arrays["_mapping"] = pa.array([mapping.name if mapping else None] * n, type=pa.string())
    incoming = pa.table(arrays)

    malformed = sum(1 for m in parsed.malformed if m is not None)
    load = FileLoad(name, sha, "loaded", rows=n, malformed=malformed, load_id=load_id)
    extra = [c for c in parsed.columns if c not in contract.column_names]
    con.execute("BEGIN TRANSACTION")
    try:
        ensure_raw_table(con, contract, extra)
        con.register("_incoming", incoming)
        con.execute(f"INSERT INTO raw.{quote_identifier(contract.name)} BY NAME SELECT * FROM _incoming")
        con.unregister("_incoming")
        _record(con, load, contract.name, len(data), loaded_at)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return load


def ingest_source(
    con,
    landing_dir: Path,
    contract: SourceContract,
    key: bytes | None,
    mappings: list[ImportMapping] | None = None,
) -> SourceLoad:
    """Load every new file of one source; files already in the ledger are skipped (reruns are no-ops).
    `key` hashes phone numbers: the warehouse's key (lib/warehouse.settle_pii_key), always given, never a default."""
    if not key:
        raise ValueError("ingest_source needs the PII key that hashes phone numbers (key=...): the warehouse's key "
                         "from lib/warehouse.settle_pii_key (CALLQA_PII_KEY or its callqa_pii.key); there is no default")
    mappings = load_mappings() if mappings is None else mappings
    landing_dir = Path(landing_dir)
    ensure_raw_table(con, contract)
    result = SourceLoad(contract.name)
    base = landing_dir / contract.name
    for path in landing_files(landing_dir, contract.name, mappings):
        mapping = mapping_for(mappings, contract.name, path.relative_to(base).as_posix())
        result.files.append(load_file(con, landing_dir, path, contract, key, mapping))
    return result
