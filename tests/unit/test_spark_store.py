"""The analysis through Spark (lib/drivers/spark_store.py), checked without Spark: a stand-in session answers
the SQL with DuckDB and records what would be saved. Reading gives the DuckDB path's settings and frame (dtypes
included); writing hands Spark every analysis table with store.TABLES' columns and types, analysis_status last.
tests/spark runs it on a real Spark and compares the tables with DuckDB's."""
import duckdb
import pandas as pd
import pyarrow as pa

from dagster_project.lib.drivers.analysis import AnalysisSettings, run_driver_analysis
from dagster_project.lib.drivers.simulate import simulate_modelling_table
from dagster_project.lib.drivers.spark_store import read_modelling_table_spark, read_settings_spark, write_analysis_spark
from dagster_project.lib.drivers.store import STATUS_TABLE, TABLES, read_modelling_table, read_settings, settings_from_targets


class _Result:
    def __init__(self, con, sql):
        self.con, self.sql = con, sql

    def collect(self):
        return self.con.execute(self.sql).fetchall()

    def toArrow(self):  # noqa: N802 - pyspark's name
        return self.con.sql(self.sql).to_arrow_table()


class _Writer:
    def __init__(self, session, arrow):
        self.session, self.arrow, self.options = session, arrow, []

    def mode(self, mode):
        self.options.append(("mode", mode))
        return self

    def format(self, fmt):
        self.options.append(("format", fmt))
        return self

    def saveAsTable(self, name):  # noqa: N802 - pyspark's name
        self.session.saved.append((name, self.arrow, self.options))


class _Frame:
    def __init__(self, session, arrow):
        self.write = _Writer(session, arrow)


class FakeSpark:
    """The part of a SparkSession spark_store uses; queries run on a DuckDB connection when collected."""

    def __init__(self, con):
        self.con, self.statements, self.saved = con, [], []

    def sql(self, sql):
        self.statements.append(sql)
        return _Result(self.con, sql)

    def createDataFrame(self, arrow):  # noqa: N802 - pyspark's name
        assert isinstance(arrow, pa.Table)
        return _Frame(self, arrow)


def _warehouse():
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("create schema reference")
    con.execute("create table reference.metric_targets (metric varchar, target double)")
    con.execute("insert into reference.metric_targets values ('csat_model_min_responses', 120), "
                "('csat_holdout_share', 0.25), ('csat_min_flag_contacts', null), ('fcr_7d_rate', 0.7)")
    return con


def test_settings_are_the_seed_values_on_both_readers():
    con = _warehouse()
    expected = AnalysisSettings(n_bootstrap=49, min_responses=120, holdout_share=0.25)  # NULL: the default stays
    assert read_settings_spark(FakeSpark(con), AnalysisSettings(n_bootstrap=49)) == expected
    assert read_settings(con, AnalysisSettings(n_bootstrap=49)) == expected
    assert settings_from_targets([("csat_tipping_point_alpha", 0.01), ("other", 3)]) == \
        AnalysisSettings(tipping_point_alpha=0.01)


def test_the_modelling_table_comes_out_as_the_duckdb_path_reads_it():
    con = _warehouse()
    frame = simulate_modelling_table(n_contacts=300, days=10, seed=3)
    con.register("simulated", frame.sample(frac=1.0, random_state=1))  # stored in another order
    con.execute("create schema marts")
    con.execute("create table marts.fct_contact_drivers as select * from simulated")
    duck = read_modelling_table(con)
    through_spark = read_modelling_table_spark(FakeSpark(con))
    pd.testing.assert_frame_equal(through_spark, duck)  # values, order and dtypes
    assert duck["contact_id"].is_monotonic_increasing


def test_every_table_is_handed_to_spark_typed_and_the_status_last():
    frame = simulate_modelling_table(n_contacts=300, days=10, seed=3)
    analysis = run_driver_analysis(frame, AnalysisSettings(min_responses=10**6))  # no fit: NULL scores, reason
    spark = FakeSpark(duckdb.connect())
    counts = write_analysis_spark(spark, analysis, "run-1")
    assert spark.statements == ["create schema if not exists `analysis`"]
    assert [name for name, _, _ in spark.saved] == [f"`analysis`.`{t}`" for t in [*TABLES, STATUS_TABLE]]
    assert all(options == [("mode", "overwrite"), ("format", "parquet")] for _, _, options in spark.saved)
    arrow_types = {"VARCHAR": pa.string(), "DOUBLE": pa.float64(), "BIGINT": pa.int64(), "BOOLEAN": pa.bool_(),
                   "DATE": pa.date32()}
    saved = {name: arrow for name, arrow, _ in spark.saved}
    for table, (_, columns) in TABLES.items():
        arrow = saved[f"`analysis`.`{table}`"]
        assert arrow.schema.names == list(columns), table
        assert [arrow_types[t] for t in columns.values()] == arrow.schema.types, table
        assert arrow.num_rows == counts[table]
    scores = saved["`analysis`.`contact_satisfaction_scores`"].to_pylist()
    assert len(scores) == 300 and all(r["expected_csat"] is None and r["score_null_reason"] for r in scores)
    (status,) = saved[f"`analysis`.`{STATUS_TABLE}`"].to_pylist()
    assert (status["analysis"], status["status"], status["tables_run_id"]) == ("satisfaction_drivers", "current", "run-1")
