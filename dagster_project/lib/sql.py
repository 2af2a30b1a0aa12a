"""SQL identifiers and literals: the one way an identifier (a column or table name, possibly delivered in a file) or
a text that cannot be a bound parameter (a file path in ATTACH or COPY) enters SQL."""
from __future__ import annotations


def quote_identifier(name: str) -> str:
    """`name` as a double-quoted SQL identifier (DuckDB and PostgreSQL): embedded double quotes are doubled, so
    any text, `x"); drop table t; --` included, is one identifier and never SQL. NUL can't be quoted: refused."""
    if "\x00" in name:
        raise ValueError(f"identifier {name!r} contains a NUL character")
    return '"' + name.replace('"', '""') + '"'


def identifier_key(name: str) -> str:
    """What DuckDB compares when it compares identifiers: ASCII letters case-insensitively, everything else as is
    (`CALLER_NUMBER` is `caller_number`; `É` is not `é`). Two names with one key can't be columns of one table."""
    return name.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


# PostgreSQL keeps at most 63 bytes of an identifier (NAMEDATALEN - 1) and silently cuts longer ones, so two long
# names could become one column there. A longer name is shortened the same way everywhere (ingestion of adapters,
# the PostgreSQL copy of raw): its first bytes, then `__` and 8 hex digits of its SHA-256, 63 bytes in all.
MAX_IDENTIFIER_BYTES = 63


def fit_identifier(name: str) -> str:
    """`name` if it fits PostgreSQL's 63 bytes, else a deterministic 63-byte (at most) shortening of it."""
    if len(name.encode("utf-8")) <= MAX_IDENTIFIER_BYTES:
        return name
    import hashlib

    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    head = name.encode("utf-8")[: MAX_IDENTIFIER_BYTES - 10].decode("utf-8", errors="ignore")
    return f"{head}__{digest}"


def quote_literal(value: str) -> str:
    """`value` as a single-quoted SQL string literal (embedded quotes doubled), for the statements that take no
    bound parameter (DuckDB's ATTACH, COPY ... TO): a path with a quote in it stays one string."""
    if "\x00" in value:
        raise ValueError(f"literal {value!r} contains a NUL character")
    return "'" + value.replace("'", "''") + "'"


class transaction:
    """`with transaction(con):` BEGIN ... COMMIT, ROLLBACK on any error (the error propagates). One way for every
    writer of several statements that must land together (ingestion's rows and ledger entry, the analyses' tables and
    status)."""

    def __init__(self, con):
        self.con = con

    def __enter__(self):
        self.con.execute("BEGIN TRANSACTION")
        return self.con

    def __exit__(self, kind, value, tb):
        self.con.execute("COMMIT" if kind is None else "ROLLBACK")
        return False
