"""Shared by the PostgreSQL tests: the server `make pg-start` runs, a database of a test's own, the environment that
points dbt at it, and the row-for-row comparison of a query on DuckDB and on PostgreSQL."""
from __future__ import annotations

import dataclasses
import math
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from dagster_project.lib.postgres_raw import PostgresTarget

BI_ROLE = os.environ.get("CALLQA_PG_BI_ROLE", "callqa_bi")
FLOAT_REL_TOL = 1e-9


def server() -> PostgresTarget:
    """The server of the environment (PGHOST, PGPORT, ...); skip without one, unless CALLQA_REQUIRE_POSTGRES=1."""
    target = PostgresTarget.from_env()
    try:
        target.connect().close()
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no server"
        message = (f"no PostgreSQL server at {target.host}:{target.port} that {target.user} can log in to with "
                   f"the password file {target.passfile} ({exc}); start one with `make pg-start`")
        if os.environ.get("CALLQA_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return target


@contextmanager
def scratch_database(on: PostgresTarget, grant_bi: bool = False) -> Iterator[PostgresTarget]:
    """A new database of the test's own (the BI role may connect when `grant_bi`), dropped at the end."""
    dbname = f"callqa_test_{uuid.uuid4().hex[:10]}"
    admin = on.connect()
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'create database "{dbname}"')
            if grant_bi:
                cur.execute(f'grant connect on database "{dbname}" to "{BI_ROLE}"')
        yield dataclasses.replace(on, dbname=dbname)
    finally:
        with admin.cursor() as cur:
            cur.execute(f'drop database if exists "{dbname}" with (force)')
        admin.close()


def postgres_env(target: PostgresTarget) -> dict[str, str]:
    """What dbt reads to build on `target` (its profile has no password: libpq reads PGPASSFILE)."""
    env = {"DBT_TARGET": "postgres", "PGHOST": target.host, "PGPORT": str(target.port), "PGUSER": target.user,
           "PGDATABASE": target.dbname}
    if target.passfile:
        env["PGPASSFILE"] = target.passfile
    return env


def normalise(value):
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, Decimal):
        return float(value)
    return value


def sort_key(row):
    return tuple((v is None, round(v, 6) if isinstance(v, float) else str(v)) for v in row)


def same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(float(a), float(b), rel_tol=FLOAT_REL_TOL, abs_tol=1e-12)
    return a == b


def rows_on_both(duck, pg, sql: str) -> tuple[list[list], list[list]]:
    """The rows of `sql` on a DuckDB connection and a PostgreSQL connection, normalised and sorted alike."""
    duck_rows = sorted(([normalise(v) for v in r] for r in duck.execute(sql).fetchall()), key=sort_key)
    with pg.cursor() as cur:
        cur.execute(sql)
        pg_rows = sorted(([normalise(v) for v in r] for r in cur.fetchall()), key=sort_key)
    return duck_rows, pg_rows


def differences(label: str, columns: list[str], duck_rows: list[list], pg_rows: list[list],
                sides: tuple[str, str] = ("on DuckDB", "on PostgreSQL"), allow_empty: bool = False) -> list[str]:
    """What differs between the two sides (named by `sides`; sorted alike, e.g. by sort_key): the row counts, or
    the first differing row's columns (floats within FLOAT_REL_TOL). An empty first side is a difference too
    (the comparison would prove nothing) unless `allow_empty`."""
    if not duck_rows and not allow_empty:
        return [f"{label} is empty {sides[0]}: the comparison would prove nothing"]
    if len(duck_rows) != len(pg_rows):
        return [f"{label}: {len(duck_rows)} rows {sides[0]}, {len(pg_rows)} {sides[1]}"]
    for d_row, p_row in zip(duck_rows, pg_rows):
        bad = [f"{c}: {d!r} vs {p!r}" for c, d, p in zip(columns, d_row, p_row) if not same(d, p)]
        if bad:
            return [f"{label}: " + "; ".join(bad[:5])]
    return []


# The marts whose every row needs a score of analysis.contact_satisfaction_scores (macro contact_scores), which a
# dbt-only build (the PostgreSQL comparison) does not have: empty on both sides there; tests/e2e and their dbt
# unit tests check their rules, and tests/spark compares them with scores (the analysis run on both engines).
# (rpt_journey_contacts, also built after the analysis, has rows without scores.)
ONLY_ROWS_WITH_SCORES = {"rpt_alerts"}


def mart_differences(mart: str, columns: list[str], duck_rows: list[list], other_rows: list[list],
                     sides: tuple[str, str] = ("on DuckDB", "on PostgreSQL"), scored: bool = False) -> list[str]:
    """`differences` of a public mart built on two engines: built by dbt alone (not `scored`), a mart of
    ONLY_ROWS_WITH_SCORES must be empty on both; `scored` (both engines ran the analysis) compares it like any."""
    if mart in ONLY_ROWS_WITH_SCORES and not scored:
        if duck_rows or other_rows:
            return [f"{mart}: rows without analysis tables ({len(duck_rows)} {sides[0]}, {len(other_rows)} {sides[1]})"]
        return []
    return differences(mart, columns, duck_rows, other_rows, sides)


def table_differences(warehouse, target: PostgresTarget, tables: dict[str, str]) -> list[str]:
    """Row-for-row differences between DuckDB (`warehouse`) and PostgreSQL (`target`) over `tables` (table -> SQL
    filter), every column but _loaded_at and _lookup_fingerprint (each engine's own hash); empty when both targets
    hold the same rows."""
    import duckdb

    duck = duckdb.connect(str(warehouse), read_only=True)
    duck.execute("SET TimeZone = 'UTC'")
    pg = target.connect()
    found = []
    try:
        for table, where in tables.items():
            schema, name = table.split(".")
            columns = [c for (c,) in duck.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                "order by ordinal_position", [schema, name]).fetchall()]
            columns = [c for c in columns if c not in ("_loaded_at", "_lookup_fingerprint")]
            column_list = ", ".join(f'"{c}"' for c in columns)
            duck_rows, pg_rows = rows_on_both(duck, pg, f"select {column_list} from {table} where {where}")
            found += differences(table, columns, duck_rows, pg_rows)
    finally:
        duck.close()
        pg.close()
    return found


@contextmanager
def built_on_both(base, warehouse, timezone_name: str, selection: list[str]) -> Iterator[dict]:
    """The raw layer of `warehouse` copied to a scratch PostgreSQL database, and `dbt build --select selection`
    (cautious) run on both targets: yields {duckdb, postgres (the dbt results), warehouse, target}."""
    import duckdb

    from dagster_project.lib.dbt_inprocess import temporary_env
    from dagster_project.lib.postgres_raw import copy_raw_layer
    from tests.dbt.dbt_helpers import dbt_env, run_dbt

    postgres = server()
    with scratch_database(postgres) as target:
        with dbt_env(warehouse, timezone_name):
            con = duckdb.connect(str(warehouse))
            copy_raw_layer(con, target)
            con.close()
            args = ["build", "--select", *selection, "--indirect-selection", "cautious"]
            duck = run_dbt(args, base / "dbt_duckdb")
            with temporary_env(postgres_env(target)):
                pg = run_dbt(args, base / "dbt_postgres")
        yield {"duckdb": duck, "postgres": pg, "warehouse": warehouse, "target": target}
