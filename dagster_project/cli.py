"""The `callqa` command: generate a synthetic contact center, run the pipeline, report the warehouse."""
from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(help="callqa: a warehouse for contact-center quality.", no_args_is_help=True)


def _apply_paths(landing: Optional[Path], warehouse: Optional[Path]):
    if landing is not None:
        os.environ["CALLQA_LANDING_DIR"] = str(landing.expanduser().resolve())
    if warehouse is not None:
        os.environ["CALLQA_WAREHOUSE"] = str(warehouse.expanduser().resolve())
    from dagster_project.settings import Settings

    settings = Settings.from_env()
    settings.export()
    return settings


@app.command()
def generate(
    out: Path = typer.Option(None, "--out", help="Landing folder to write (default: CALLQA_LANDING_DIR)."),
    days: int = typer.Option(90, help="Days of contact-center history."),
    contacts_per_day: int = typer.Option(2000, "--contacts-per-day", help="Average contacts per day."),
    seed: int = typer.Option(42, help="Random seed: the same seed gives the same files."),
    dirty: bool = typer.Option(False, "--dirty", help="Add known bad rows, corrections and re-deliveries."),
    start_date: str = typer.Option("2026-02-02", "--start-date", help="First day (YYYY-MM-DD)."),
    timezone: str = typer.Option(None, "--timezone", help="Contact center time zone (default: CALLQA_TIMEZONE)."),
):
    """Write a synthetic contact center (every landing source) and its planted truth (ground_truth.json)."""
    from dagster_project.lib.synth import generate as generate_center

    settings = _apply_paths(out, None)
    tz = timezone or os.environ.get("CALLQA_TIMEZONE") or "America/New_York"
    truth = generate_center(
        settings.landing_dir, days=days, contacts_per_day=contacts_per_day, seed=seed, dirty=dirty,
        start_date=date.fromisoformat(start_date), timezone=tz,
    )
    files = sum(len(d.get("files", [])) for d in truth.get("delivery", {}).values())
    typer.echo(f"wrote {files} files for {len(truth.get('delivery', {}))} sources to {settings.landing_dir}")
    typer.echo(f"planted truth: {settings.landing_dir / 'ground_truth.json'} (time zone {tz}; run with CALLQA_TIMEZONE={tz})")


@app.command()
def run(
    landing: Optional[Path] = typer.Option(None, "--landing", help="Landing folder (default: CALLQA_LANDING_DIR)."),
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help="DuckDB file (default: CALLQA_WAREHOUSE)."),
    quiet: bool = typer.Option(False, "--quiet", help="Only print the summary."),
):
    """Ingest new landing files and build every dbt model and test, in process."""
    settings = _apply_paths(landing, warehouse)
    from dagster_project.pipeline import run_pipeline

    outcome = run_pipeline(settings, quiet=quiet)
    typer.echo(outcome.summary)
    raise typer.Exit(outcome.exit_code)


@app.command()
def status(
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help="DuckDB file (default: CALLQA_WAREHOUSE)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
):
    """Per source: files loaded, rows delivered, staged and rejected (by reason), last load time."""
    settings = _apply_paths(None, warehouse)
    from dagster_project.lib.contract import load_contract
    from dagster_project.lib.status import format_status, source_status
    from dagster_project.lib.warehouse import warehouse_connection

    if not settings.warehouse.exists():
        typer.echo(f"no warehouse at {settings.warehouse}: run `callqa run` first", err=True)
        raise typer.Exit(1)
    import duckdb

    try:
        with warehouse_connection(settings, read_only=True) as con:
            report = source_status(con, list(load_contract()))
    except duckdb.IOException as exc:
        typer.echo(f"cannot read {settings.warehouse} now (is a pipeline run writing it?): {exc}", err=True)
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps({"warehouse": str(settings.warehouse), "sources": report}, indent=2, default=str))
    else:
        typer.echo(f"warehouse: {settings.warehouse}")
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
    settings = _apply_paths(None, None)
    if not settings.serving_warehouse.exists():
        typer.echo(f"no serving copy at {settings.serving_warehouse}: run `callqa run` first", err=True)
        raise typer.Exit(1)
    con = duckdb.connect(str(settings.serving_warehouse), read_only=True)
    try:
        con.execute("SET TimeZone = 'UTC'")
        frame = con.execute(sql).df()
    except duckdb.Error as exc:
        typer.echo(f"query failed: {exc}", err=True)
        raise typer.Exit(1)
    finally:
        con.close()
    typer.echo(frame.to_csv(index=False) if as_csv else frame.to_string(index=False))


@app.command("load-postgres")
def load_postgres(
    warehouse: Optional[Path] = typer.Option(None, "--warehouse", help="DuckDB file (default: CALLQA_WAREHOUSE)."),
):
    """Copy the raw layer of the DuckDB warehouse into PostgreSQL (PGHOST, PGPORT, PGUSER, PGDATABASE), so that
    `DBT_TARGET=postgres dbt build` builds the same marts there."""
    from dagster_project.lib.postgres_raw import PostgresTarget, copy_raw_layer
    from dagster_project.lib.warehouse import warehouse_connection

    settings = _apply_paths(None, warehouse)
    target = PostgresTarget.from_env()
    with warehouse_connection(settings, read_only=True) as con:
        copied = copy_raw_layer(con, target)
    for table, rows in copied.items():
        typer.echo(f"raw.{table}: {rows:,} rows")
    typer.echo(f"copied {len(copied)} raw tables to postgresql://{target.user}@{target.host}:{target.port}/{target.dbname}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
