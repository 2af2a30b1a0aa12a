"""The satisfaction-driver analysis on Spark: the same analysis as on DuckDB (lib/drivers/analysis.py, one
implementation), its input read and its tables written through a Spark session (the dbt `spark` target's:
lib/spark_raw.local_session, or a cluster's).

- Settings: the csat_* rows of reference.metric_targets, read on Spark and applied by store.settings_from_targets.
- Input: marts.fct_contact_drivers on Spark, fetched as Arrow and turned into pandas by DuckDB's own conversion,
  the one the DuckDB path's read_modelling_table uses, so the fit sees the same frame (column types, nullable
  integers and booleans, row order) whichever engine built the mart.
- Output: every analysis table of store.TABLES and analysis.analysis_status, typed by store.write_analysis itself
  (on an in-memory DuckDB: the same casts, names and order), then handed to Spark as Arrow and saved as the Parquet
  tables analysis.<table>, which the after-analysis marts (rpt_alerts, rpt_journey_contacts) read.

Spark has no transaction over several Parquet tables: the tables are replaced one after the other and
analysis_status (status `current`) last, so a reader that finds it current finds every table of the run. A failed
analysis raises before anything is written: the previous tables stay (docs/decisions.md, "The analysis on Spark").
"""
from __future__ import annotations

from dataclasses import replace

import duckdb
import pandas as pd

from dagster_project.lib.drivers.analysis import AnalysisSettings, DriverAnalysis, run_driver_analysis
from dagster_project.lib.drivers.store import (
    INPUT_TABLE,
    SCHEMA,
    STATUS_TABLE,
    TABLES,
    TARGET_SETTINGS,
    settings_from_targets,
    write_analysis,
)
from dagster_project.lib.spark_raw import spark_identifier, spark_string


def read_settings_spark(spark, base: AnalysisSettings | None = None) -> AnalysisSettings:
    """store.read_settings on Spark: `base` with the csat_* values of reference.metric_targets."""
    names = ", ".join(spark_string(name) for name in TARGET_SETTINGS)
    rows = spark.sql(f"select metric, target from reference.metric_targets where metric in ({names})").collect()
    return settings_from_targets([(r[0], r[1]) for r in rows], base)


def frame_like_duckdb(arrow) -> pd.DataFrame:
    """A pyarrow Table as the pandas DataFrame DuckDB's .df() gives for the same columns (UTC session)."""
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.register("arrow_input", arrow)
        return con.execute("select * from arrow_input").df()
    finally:
        con.close()


def read_modelling_table_spark(spark) -> pd.DataFrame:
    """store.read_modelling_table on Spark (marts.fct_contact_drivers, in contact_id order)."""
    return frame_like_duckdb(spark.sql(f"select * from {INPUT_TABLE} order by contact_id").toArrow())


def write_analysis_spark(spark, analysis: DriverAnalysis, run_id: str | None = None) -> dict[str, int]:
    """Replace the Spark tables analysis.<table> (Parquet) with `analysis`, typed as store.write_analysis types
    them, analysis_status last; rows per table."""
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        counts = write_analysis(con, analysis, run_id)
        spark.sql(f"create schema if not exists {spark_identifier(SCHEMA)}")
        for table in [*TABLES, STATUS_TABLE]:
            arrow = con.sql(f'select * from {SCHEMA}."{table}"').to_arrow_table()
            frame = spark.createDataFrame(arrow)
            frame.write.mode("overwrite").format("parquet").saveAsTable(
                f"{spark_identifier(SCHEMA)}.{spark_identifier(table)}")
    finally:
        con.close()
    return {**counts, STATUS_TABLE: 1}


def run_analysis_spark(spark, base: AnalysisSettings | None = None, run_id: str | None = None,
                       **overrides) -> tuple[DriverAnalysis, dict[str, int]]:
    """Read the settings and marts.fct_contact_drivers through `spark`, fit (run_driver_analysis) and write the
    analysis tables back; `overrides` (AnalysisSettings fields) win over the seeds. Returns the analysis and the
    rows per table."""
    settings = replace(read_settings_spark(spark, base), **overrides)
    analysis = run_driver_analysis(read_modelling_table_spark(spark), settings)
    return analysis, write_analysis_spark(spark, analysis, run_id)
