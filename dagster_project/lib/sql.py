"""SQL identifiers: the one way an identifier (a column or table name, possibly delivered in a file) enters SQL."""
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
