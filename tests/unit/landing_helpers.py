"""Shared by the ingestion tests (test_ingest.py, test_adapters.py): a delivered file written into a landing folder
and the rows of a query. The warehouse connection is the `con` fixture of tests/unit/conftest.py."""
from __future__ import annotations

from pathlib import Path


def write(landing: Path, rel: str, content: str | bytes) -> Path:
    """A file delivered as `<landing>/<rel>`: bytes as they are, text as UTF-8 without newline translation."""
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def rows(con, sql: str, params=()) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def text_dump(con, sql: str) -> str:
    """Every text value of a query's rows, for "no phone number anywhere" checks: only the text (the values as
    stored), not the reprs of timestamps, whose microseconds may spell any digits (830555)."""
    return "\n".join(value for row in rows(con, sql) for value in row if isinstance(value, str))
