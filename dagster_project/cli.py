"""The `callqa` command: generate a synthetic contact center, run the pipeline, report the warehouse."""
from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import NoReturn, Optional

import typer

app = typer.Typer(help="callqa: a warehouse for contact-center quality.", no_args_is_help=True)


def _fail(message: str) -> NoReturn:
    """A mistake of the user's: one line on stderr, exit 1 (no traceback)."""
    typer.echo(f"callqa: {message}", err=True)
    raise typer.Exit(1)


def _apply_paths(landing: Optional[Path], warehouse: Optional[Path], for_reading: bool = False):
    """Settings from the options and the environment. `for_reading`: a command that only reads the warehouse,
    whose default falls back to the demo's when that is the only one (settings.default_warehouse)."""
    if landing is not None:
        os.environ["CALLQA_LANDING_DIR"] = str(landing.expanduser().resolve())
    if warehouse is not None:
        os.environ["CALLQA_WAREHOUSE"] = str(warehouse.expanduser().resolve())
    from dagster_project.settings import Settings

    settings = Settings.from_env(for_reading=for_reading)
    settings.export()
    return settings


def _check_timezone(name: str, what: str = "CALLQA_TIMEZONE") -> str:
    from dagster_project.settings import InvalidTimezone, check_timezone

    try:
        return check_timezone(name, what)
    except InvalidTimezone as exc:
        _fail(str(exc))


def _no_warehouse(path: Path) -> NoReturn:
    _fail(f"no warehouse at {path}: run `callqa run` (or `make demo`) first, or pass --warehouse FILE / set "
          "CALLQA_WAREHOUSE")


@app.command()
def generate(
    out: Path = typer.Option(None, "--out", help="Landing folder to write (default: CALLQA_LANDING_DIR)."),
    days: int = typer.Option(90, help="Days of contact-center history."),
    contacts_per_day: int = typer.Option(2000, "--contacts-per-day", help="Average contacts per day."),
    seed: int = typer.Option(42, help="Random seed: the same seed gives the same files."),
    dirty: bool = typer.Option(False, "--dirty", help="Add known bad rows, corrections and re-deliveries."),
    start_date: str = typer.Option("2026-02-02", "--start-date", help="First day (YYYY-MM-DD)."),
    timezone: str = typer.Option(None, "--timezone", help="Contact center time zone (default: CALLQA_TIMEZONE)."),
    file_period: str = typer.Option(
        "week", "--file-period",
        help="Files of the event sources (calls, contacts, tickets, ...): one per week, per local day (daily "
             "deliveries to replay one by one), or all (one file). The rows are the same."),
):
    """Write a synthetic contact center (every landing source) and its planted truth (ground_truth.json)."""
    from dagster_project.lib.synth import generate as generate_center
    from dagster_project.lib.synth.generator import MIN_CONTACTS
    from dagster_project.lib.synth.io import check_file_period

    # Every argument is checked before anything is written (a failure half-way would leave a partial center).
    if timezone:
        tz = _check_timezone(timezone, "--timezone")
    else:
        tz = _check_timezone(os.environ.get("CALLQA_TIMEZONE") or "America/New_York")
    if days < 1:
        _fail(f"--days must be at least 1 (got {days})")
    if contacts_per_day < 1:
        _fail(f"--contacts-per-day must be at least 1 (got {contacts_per_day})")
    if days * contacts_per_day < MIN_CONTACTS:
        _fail(f"--days x --contacts-per-day must be at least {MIN_CONTACTS} contacts (got {days * contacts_per_day})")
    try:
        first_day = date.fromisoformat(start_date)
    except ValueError:
        _fail(f"--start-date must be a date as YYYY-MM-DD (got {start_date!r})")
    try:
        check_file_period(file_period)
    except ValueError as exc:
        _fail(f"--{exc}")
    settings = _apply_paths(out, None)
    truth = generate_center(
        settings.landing_dir, days=days, contacts_per_day=contacts_per_day, seed=seed, dirty=dirty,
        start_date=first_day, timezone=tz, file_period=file_period,
    )
    files = sum(len(d.get("files", [])) for d in truth.get("delivery", {}).values())
    typer.echo(f"wrote {files} files for {len(truth.get('delivery', {}))} sources to {settings.landing_dir}")
    typer.echo(f"planted truth: {settings.landing_dir / 'ground_truth.json'} (time zone {tz}; run with CALLQA_TIMEZONE={tz})")


@app.command()
def run(
    landing: Optional[Path] = typer.Option(None, "--landing", help="Landing folder (default: CALLQA_LANDING_DIR)."),
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help="DuckDB file (default: CALLQA_WAREHOUSE)."),
    quiet: bool = typer.Option(False, "--quiet", help="Only print the summary."),
    rebuild: bool = typer.Option(
        False, "--rebuild",
        help="Accept a CALLQA_TIMEZONE other than the one the warehouse was built with: record it and rebuild "
             "every model from raw in it."),
    full_refresh: bool = typer.Option(
        False, "--full-refresh",
        help="Rebuild every incremental dbt model from raw (dbt --full-refresh), e.g. after a change of logic; "
             "new files are loaded as usual."),
):
    """Ingest new landing files and build every dbt model and test, in process."""
    settings = _apply_paths(landing, warehouse)
    from dagster_project.lib.preflight import PreflightError
    from dagster_project.pipeline import run_pipeline

    try:
        outcome = run_pipeline(settings, quiet=quiet, rebuild=rebuild, full_refresh=full_refresh)
    except PreflightError as exc:
        _fail(str(exc))
    typer.echo(outcome.summary)
    raise typer.Exit(outcome.exit_code)


@app.command()
def status(
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help="DuckDB file (default: CALLQA_WAREHOUSE)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
):
    """Per source: files loaded, rows delivered, staged and rejected (by reason), last load time."""
    settings = _apply_paths(None, warehouse, for_reading=True)
    from dagster_project.lib.adapters import reported_sources
    from dagster_project.lib.status import format_status, source_status
    from dagster_project.lib.warehouse import TIMEZONE_KEY, recorded_settings, warehouse_connection

    if not settings.warehouse.exists():
        _no_warehouse(settings.warehouse)
    import duckdb

    try:
        with warehouse_connection(settings, read_only=True) as con:
            report = source_status(con, reported_sources(con))
            zone = recorded_settings(con).get(TIMEZONE_KEY)
    except duckdb.IOException as exc:
        _fail(f"cannot read {settings.warehouse} now (is a pipeline run writing it?): {str(exc).splitlines()[0]}")
    if as_json:
        typer.echo(json.dumps({"warehouse": str(settings.warehouse), "timezone": zone, "sources": report},
                              indent=2, default=str))
    else:
        typer.echo(f"warehouse: {settings.warehouse} (time zone: {zone or 'not recorded'})")
        typer.echo(format_status(report))


@app.command()
def query(
    sql: str = typer.Argument(..., help="A SQL query, e.g. \"select * from marts.rpt_fcr_daily limit 5\"."),
    serving: Optional[Path] = typer.Option(None, "--serving", help="Serving copy (default: CALLQA_SERVING_WAREHOUSE)."),
    as_csv: bool = typer.Option(False, "--csv", help="CSV output instead of a table."),
):
    """Query the published serving copy read-only (never the working warehouse, never blocking a run)."""
    import duckdb

    if serving is not None:
        os.environ["CALLQA_SERVING_WAREHOUSE"] = str(serving.expanduser().resolve())
    settings = _apply_paths(None, None, for_reading=True)
    if not settings.serving_warehouse.exists():
        _fail(f"no serving copy at {settings.serving_warehouse}: run `callqa run` (or `make demo`) first, or pass "
              "--serving FILE / set CALLQA_SERVING_WAREHOUSE (or CALLQA_WAREHOUSE, whose copy is beside it)")
    try:
        from dagster_project.lib.publish import open_serving

        con = open_serving(settings.serving_warehouse)
    except duckdb.Error as exc:
        _fail(f"cannot open {settings.serving_warehouse}: {str(exc).splitlines()[0]}")
    try:
        con.execute("SET TimeZone = 'UTC'")
        frame = con.execute(sql).df()
    except duckdb.Error as exc:
        typer.echo(f"query failed: {exc}", err=True)
        raise typer.Exit(1)
    finally:
        con.close()
    typer.echo(frame.to_csv(index=False) if as_csv else frame.to_string(index=False))


@app.command()
def rejects(
    source: Optional[str] = typer.Option(None, "--source", help="Only this landing source (e.g. calls)."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Only this reason (e.g. invalid_type)."),
    superseded: bool = typer.Option(False, "--superseded", help="Include rows superseded by a later delivery."),
    limit: int = typer.Option(50, "--limit", help="At most this many rows (0: all)."),
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help="DuckDB file (default: CALLQA_WAREHOUSE)."),
    as_csv: bool = typer.Option(False, "--csv", help="CSV output instead of a table."),
):
    """Which raw rows were rejected and why (audit.rejected_rows: file, line, key, reason, detail), newest load
    first. Rows superseded by a later delivery of the same key are history, not errors: shown only with
    --superseded."""
    import duckdb
    import pandas as pd

    from dagster_project.lib.contract import load_contract
    from dagster_project.lib.status import REJECT_COLUMNS, rejected_rows
    from dagster_project.lib.warehouse import warehouse_connection

    if source is not None and source not in load_contract():
        _fail(f"no landing source {source!r}: one of {', '.join(load_contract())}")
    if limit < 0:
        _fail(f"--limit must be 0 (all) or more (got {limit})")
    settings = _apply_paths(None, warehouse, for_reading=True)
    if not settings.warehouse.exists():
        _no_warehouse(settings.warehouse)
    try:
        with warehouse_connection(settings, read_only=True) as con:
            rows = rejected_rows(con, source, reason, include_superseded=superseded, limit=limit or None)
    except duckdb.IOException as exc:
        _fail(f"cannot read {settings.warehouse} now (is a pipeline run writing it?): {str(exc).splitlines()[0]}")
    frame = pd.DataFrame(rows, columns=REJECT_COLUMNS)
    if as_csv:
        typer.echo(frame.to_csv(index=False), nl=False)
        return
    if frame.empty:
        typer.echo("no rejected rows" + (f" for {source}" if source else "") + (f" with reason {reason}" if reason else ""))
        return
    typer.echo(frame.to_string(index=False))
    if limit and len(frame) == limit:
        typer.echo(f"(the first {limit}; --limit 0 for all)")


@app.command()
def adapters(
    dry_run: Optional[Path] = typer.Option(
        None, "--dry-run", help="Read a sample of the files of this folder (an adapter folder, or a landing folder "
                                "holding adapter folders) as ingestion would, loading nothing."),
    adapter: Optional[str] = typer.Option(None, "--adapter", help="Read the files as this adapter."),
    sample: int = typer.Option(5, "--sample", help="Files read per adapter folder."),
    mapping: bool = typer.Option(True, "--mapping/--no-mapping",
                                 help="Also run the sample through the adapters' dbt models in a throwaway warehouse "
                                      "(rows staged / rejected and why; about a minute)."),
):
    """Other systems' exports callqa reads (Amazon Connect, Genesys Cloud, Zendesk, ServiceNow, ...): the folder to
    drop each in, the sources it feeds, what to export; with --dry-run, what a folder's files would give."""
    from dagster_project.lib.adapters import ADAPTERS, dry_run as adapter_dry_run, format_dry_run
    from dagster_project.lib.adapters import format_mapped_dry_run, mapped_dry_run

    if adapter is not None and adapter not in ADAPTERS:
        _fail(f"no adapter {adapter!r}: one of {', '.join(ADAPTERS)}")
    if sample < 1:
        _fail(f"--sample must be at least 1 (got {sample})")
    if dry_run is None:
        for spec in ADAPTERS.values():
            typer.echo(f"{spec.name}")
            typer.echo(f"  folder:  <landing>/{spec.folder}/  ({spec.format}"
                       + (", tab-separated" if spec.delimiter == "\t" else "") + ")")
            typer.echo(f"  feeds:   {', '.join(spec.feeds)}")
            typer.echo(f"  what:    {spec.description}")
            typer.echo(f"  export:  {spec.export}")
        typer.echo("")
        typer.echo("Non-ISO dates: detected per file (a day above 12 decides); pin with `date_order: dmy` (or mdy) in "
                   "<landing>/<adapter>/callqa_adapter.yml. Try a folder first: callqa adapters --dry-run FOLDER")
        return
    if not dry_run.is_dir():
        _fail(f"no folder at {dry_run}")
    reports = adapter_dry_run(dry_run, adapter, sample)
    typer.echo(format_dry_run(reports))
    if mapping:
        from dagster_project.settings import Settings

        try:
            rows = mapped_dry_run(dry_run, reports, Settings.from_env().timezone)
        except RuntimeError as exc:
            _fail(str(exc))
        typer.echo(format_mapped_dry_run(rows))


@app.command("load-postgres")
def load_postgres(
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help="DuckDB file (default: CALLQA_WAREHOUSE)."),
):
    """Copy the raw layer of the DuckDB warehouse into PostgreSQL (PGHOST, PGPORT, PGUSER, PGDATABASE), so that
    `DBT_TARGET=postgres dbt build` builds the same marts there, in the time zone the warehouse recorded."""
    import duckdb
    import psycopg2

    from dagster_project.lib.postgres_raw import PostgresTarget, copy_raw_layer
    from dagster_project.lib.warehouse import TIMEZONE_KEY, recorded_settings, warehouse_connection

    settings = _apply_paths(None, warehouse, for_reading=True)
    if not settings.warehouse.exists():
        _no_warehouse(settings.warehouse)
    target = PostgresTarget.from_env()
    url = f"postgresql://{target.user}@{target.host}:{target.port}/{target.dbname}"
    try:
        with warehouse_connection(settings, read_only=True) as con:
            zone = recorded_settings(con).get(TIMEZONE_KEY)
            if zone and settings.timezone_explicit and settings.timezone != zone:
                _fail(f"{settings.warehouse} was built with CALLQA_TIMEZONE={zone}, the environment has "
                      f"{settings.timezone}: unset it or set {zone}, or the PostgreSQL marts would differ")
            copied = copy_raw_layer(con, target)
    except duckdb.IOException as exc:
        _fail(f"cannot read {settings.warehouse} now (is a pipeline run writing it?): {str(exc).splitlines()[0]}")
    except psycopg2.OperationalError as exc:
        _fail(f"cannot connect to {url}: {str(exc).strip().splitlines()[0]} (start the local server with "
              "`make pg-start`, or set PGHOST / PGPORT / PGUSER / PGDATABASE)")
    for table, rows in copied.items():
        typer.echo(f"raw.{table}: {rows:,} rows")
    typer.echo(f"copied {len(copied)} raw tables to {url}")
    if zone:
        typer.echo(f"time zone {zone} (recorded in the warehouse): build the marts with "
                   f"CALLQA_TIMEZONE={zone} DBT_TARGET=postgres uv run dbt build --project-dir dbt --profiles-dir dbt")
    else:
        typer.echo("no time zone recorded in the warehouse (built before callqa recorded it): build the marts with "
                   "the CALLQA_TIMEZONE it was built with")


def _spark_dir() -> Path:
    """The folder of the local Spark (warehouse, metastore, lake): $CALLQA_SPARK_DIR or data/spark, made absolute in
    the environment, for the session and the dbt profile alike."""
    from dagster_project.lib.spark_raw import DEFAULT_SPARK_DIR

    spark_dir = Path(os.environ.get("CALLQA_SPARK_DIR") or DEFAULT_SPARK_DIR).resolve()
    os.environ["CALLQA_SPARK_DIR"] = str(spark_dir)
    return spark_dir


@app.command("load-spark")
def load_spark(
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help="DuckDB file (default: CALLQA_WAREHOUSE)."),
    lake: Optional[Path] = typer.Option(None, "--lake", help="Folder of the Parquet raw lake (default: "
                                        "$CALLQA_SPARK_DIR/lake, CALLQA_SPARK_DIR defaulting to data/spark)."),
    register: bool = typer.Option(True, "--register/--no-register", help="Register the tables in the local Spark "
                                  "of the dbt `spark` target (--no-register: print the SQL, for a cluster)."),
):
    """Export the raw layer of the DuckDB warehouse as Parquet (one folder per table) and register the folders as
    the Spark tables raw.<table>, so that `DBT_TARGET=spark dbt build` builds the same marts on Spark."""
    import duckdb

    from dagster_project.lib.spark_raw import (export_raw_layer, local_session, raw_tables, register_raw_layer,
                                               registration_sql)
    from dagster_project.lib.warehouse import TIMEZONE_KEY, recorded_settings, warehouse_connection

    settings = _apply_paths(None, warehouse, for_reading=True)
    if not settings.warehouse.exists():
        _no_warehouse(settings.warehouse)
    spark_dir = _spark_dir()
    lake = (lake or spark_dir / "lake").resolve()
    try:
        with warehouse_connection(settings, read_only=True) as con:
            zone = recorded_settings(con).get(TIMEZONE_KEY)
            exported = export_raw_layer(con, lake)
            tables = raw_tables(con)
    except duckdb.IOException as exc:
        _fail(f"cannot read {settings.warehouse} now (is a pipeline run writing it?): {str(exc).splitlines()[0]}")
    for table, rows in exported.items():
        typer.echo(f"raw.{table}: {rows:,} rows -> {lake / table}")
    if not register:
        typer.echo("-- register on the cluster (after copying the lake where it can read it, and changing the path):")
        typer.echo(";\n".join(registration_sql(lake, tables)) + ";")
        return
    register_raw_layer(local_session(), lake, tables)
    typer.echo(f"registered {len(tables)} raw tables in the local Spark metastore under {spark_dir}")
    typer.echo(f"build the marts with CALLQA_SPARK_DIR={spark_dir} CALLQA_TIMEZONE={zone or '<the zone of the data>'} "
               "DBT_TARGET=spark uv run dbt build --project-dir dbt --profiles-dir dbt")


@app.command("analyse-spark")
def analyse_spark(
    n_bootstrap: int = typer.Option(999, "--n-bootstrap", help="Multiplier-bootstrap draws of the tipping-point "
                                    "test (the pipeline's default)."),
):
    """Fit the satisfaction-driver analysis on the marts of the Spark target and write its tables back as the Spark
    tables analysis.* (the analysis the pipeline runs on DuckDB, read and written through Spark); then
    `dbt build --select source:analysis+` on the spark target builds the marts that read its scores."""
    from datetime import datetime, timezone

    from dagster_project.lib.drivers.analysis import AnalysisSettings
    from dagster_project.lib.drivers.spark_store import run_analysis_spark
    from dagster_project.lib.spark_raw import local_session

    spark_dir = _spark_dir()
    run_id = "analyse-spark-" + datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    analysis, counts = run_analysis_spark(local_session(), AnalysisSettings(n_bootstrap=n_bootstrap), run_id)
    for note in analysis.notes:
        typer.echo(f"note: {note}")
    for table, rows in counts.items():
        typer.echo(f"analysis.{table}: {rows:,} rows")
    typer.echo(f"wrote the analysis tables in the local Spark under {spark_dir}; build the marts that read them with "
               f"CALLQA_SPARK_DIR={spark_dir} CALLQA_TIMEZONE=<the zone of the main build> DBT_TARGET=spark uv run "
               "dbt build --select source:analysis+ --project-dir dbt --profiles-dir dbt")


@app.command()
def serve(
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help="Warehouse whose serving copy to serve (default: CALLQA_WAREHOUSE); never opened itself, only its published copy and its phone-number key file."),
    serving: Optional[Path] = typer.Option(None, "--serving", help="Serving copy (default: CALLQA_SERVING_WAREHOUSE, else beside the warehouse)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; another than loopback needs CALLQA_API_TOKEN."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
):
    """The pre-brief API (read-only, GET only) on the published serving copy: /health, /customers/{id}/journey,
    /journey?phone=, /contacts/{id}, /alerts?status=open, the page /ui/customers/{id}, OpenAPI docs at /docs."""
    import logging

    import uvicorn

    from dagster_project.lib.api import TOKEN_ENV, BindRefused, check_bind, create_app

    if serving is not None:
        os.environ["CALLQA_SERVING_WAREHOUSE"] = str(serving.expanduser().resolve())
    settings = _apply_paths(None, warehouse, for_reading=True)
    token = os.environ.get(TOKEN_ENV) or None
    try:
        typer.echo(check_bind(host, token))
    except BindRefused as exc:
        _fail(str(exc))
    if not settings.serving_warehouse.exists():
        typer.echo(f"callqa serve: no serving copy at {settings.serving_warehouse} yet: answering 503 until "
                   "`callqa run` publishes one", err=True)
    typer.echo(f"callqa serve: serving {settings.serving_warehouse} on http://{host}:{port}/ (docs: /docs)")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app_ = create_app(settings.serving_warehouse, settings.warehouse, token)
    # uvicorn's access log prints the query string (a phone number of /journey?phone=): off; lib/api.py logs the route
    uvicorn.run(app_, host=host, port=port, access_log=False, log_level="info")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
