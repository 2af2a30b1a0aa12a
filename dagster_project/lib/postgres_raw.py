"""The raw layer on PostgreSQL: copy every `raw.*` table of the DuckDB warehouse (the lossless landing layer
ingestion writes) into the same-named tables of a PostgreSQL database, so that the unchanged dbt project
builds there (`DBT_TARGET=postgres`).

Ingestion itself (file discovery, ledger, hashing of phone numbers, masking) stays one implementation, in
DuckDB; this copies its result, column for column and row for row. Each table is replaced inside one
transaction, so a rerun gives the same tables and a failed copy leaves the previous ones.

Every table of `raw` is copied, the adapters' raw tables (lib/adapters.py) included. PostgreSQL keeps 63 bytes of
an identifier: adapter ingestion already shortens longer column names (sql.fit_identifier); any other longer name
(an extra column delivered in a contract file) is shortened here by the same rule, and two names that would become
one PostgreSQL column refuse the copy with both names, instead of PostgreSQL truncating them silently.
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.lib.sql import fit_identifier, quote_identifier
from dagster_project.lib.warehouse import raw_tables

# DuckDB type of a raw column -> PostgreSQL type. Data columns are all VARCHAR (text as delivered); the load
# metadata has a few typed columns.
_PG_TYPES = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "BOOLEAN": "boolean",
    "DOUBLE": "double precision",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "TIMESTAMP": "timestamp",
    "DATE": "date",
}


# Where `make pg-start` keeps the generated passwords of the local server's roles (dbt/scripts/postgres_server.sh,
# mode 600), used when PGPASSFILE is not set. dbt and psql read PGPASSFILE only: the README exports it.
DEFAULT_PASSFILE = Path(__file__).resolve().parents[2] / "data" / "postgres.pgpass"


def default_passfile() -> str | None:
    """PGPASSFILE, else the file `make pg-start` writes if it exists (libpq's own default, ~/.pgpass, otherwise)."""
    if os.environ.get("PGPASSFILE"):
        return os.environ["PGPASSFILE"]
    return str(DEFAULT_PASSFILE) if DEFAULT_PASSFILE.is_file() else None


@dataclass(frozen=True)
class PostgresTarget:
    host: str
    port: int
    user: str
    dbname: str
    password: str | None = None
    passfile: str | None = None  # a libpq password file (host:port:database:user:password), if no password

    @classmethod
    def from_env(cls) -> "PostgresTarget":
        """The same variables dbt's `postgres` target reads (dbt/profiles.yml); the password from PGPASSWORD or
        from the password file (default_passfile)."""
        return cls(
            host=os.environ.get("PGHOST", "127.0.0.1"),
            port=int(os.environ.get("PGPORT", "55432")),
            user=os.environ.get("PGUSER", "callqa"),
            dbname=os.environ.get("PGDATABASE", "callqa"),
            password=os.environ.get("PGPASSWORD") or None,
            passfile=default_passfile(),
        )

    def connect(self, user: str | None = None, dbname: str | None = None):
        import psycopg2

        extra = {"passfile": self.passfile} if self.passfile else {}
        return psycopg2.connect(host=self.host, port=self.port, user=user or self.user, dbname=dbname or self.dbname,
                                password=self.password, **extra)


def copy_raw_layer(
    source: duckdb.DuckDBPyConnection, target: PostgresTarget, schema: str = "raw", batch_rows: int = 50_000
) -> dict[str, int]:
    """Replace `<schema>.<table>` in PostgreSQL with every table of `raw` in the DuckDB warehouse; returns rows per
    table. Values travel as CSV through COPY (NULL = empty unquoted field, '' = quoted empty string)."""
    tables = raw_tables(source)
    copied: dict[str, int] = {}
    pg = target.connect()
    try:
        with pg.cursor() as cur:
            cur.execute(f"create schema if not exists {quote_identifier(schema)}")
        pg.commit()
        for table in tables:
            columns = source.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'raw' and table_name = ? and table_catalog = current_database() "
                "order by ordinal_position", [table]).fetchall()
            unknown = [f"{c} {t}" for c, t in columns if t not in _PG_TYPES]
            if unknown:
                raise ValueError(f"raw.{table}: no PostgreSQL type for {', '.join(unknown)}")
            pg_table = postgres_names([table], "raw")[0]
            pg_columns = postgres_names([c for c, _ in columns], f"raw.{table}")
            column_list = ", ".join(quote_identifier(c) for c, _ in columns)
            pg_column_list = ", ".join(quote_identifier(c) for c in pg_columns)
            with pg.cursor() as cur:
                cur.execute(f"drop table if exists {quote_identifier(schema)}.{quote_identifier(pg_table)}")
                cur.execute(
                    f"create table {quote_identifier(schema)}.{quote_identifier(pg_table)} ("
                    + ", ".join(f"{quote_identifier(pc)} {_PG_TYPES[t]}" for pc, (_, t) in zip(pg_columns, columns))
                    + ")")
                result = source.execute(f"select {column_list} from raw.{quote_identifier(table)}")
                total = 0
                while batch := result.fetchmany(batch_rows):  # bounded memory on big raw tables
                    buffer = io.StringIO()
                    _write_csv(buffer, batch)
                    buffer.seek(0)
                    cur.copy_expert(
                        f"copy {quote_identifier(schema)}.{quote_identifier(pg_table)} ({pg_column_list}) "
                        "from stdin with (format csv)", buffer)
                    total += len(batch)
            pg.commit()
            copied[table] = total
    except BaseException:
        pg.rollback()
        raise
    finally:
        pg.close()
    return copied


def postgres_names(names: list[str], where: str) -> list[str]:
    """The PostgreSQL names of DuckDB identifiers: as they are when they fit 63 bytes, else sql.fit_identifier;
    ValueError when two would be one name in PostgreSQL."""
    result = [fit_identifier(n) for n in names]
    seen: dict[str, str] = {}
    for original, pg in zip(names, result):
        if pg in seen:
            raise ValueError(f"{where}: {seen[pg]!r} and {original!r} would be one name in PostgreSQL ({pg!r}); "
                             "rename one of them in the export")
        seen[pg] = original
    return result


def _write_csv(buffer: io.StringIO, rows) -> None:
    """CSV for COPY: NULL as an unquoted empty field, every non-NULL value quoted (so '' stays '')."""
    for row in rows:
        fields = []
        for value in row:
            if value is None:
                fields.append("")
            else:
                text = value.isoformat() if hasattr(value, "isoformat") else str(value)
                fields.append('"' + text.replace('"', '""') + '"')
        buffer.write(",".join(fields) + "\n")
