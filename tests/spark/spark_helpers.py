"""Shared by the Spark tests: whether a local Spark can run here (Java, pyspark), the environment that points dbt
at it, and the rows of a Spark query in the form the row-for-row comparison of tests/postgres/pg_helpers.py takes.
The session itself is lib/spark_raw.local_session (the settings of the dbt `spark` target)."""
from __future__ import annotations

import os
import shutil
from datetime import timezone
from pathlib import Path

import pytest


def java_problem() -> str | None:
    """Why no local Spark can start here (no Java, no pyspark), or None."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java on PATH (install it with `make spark-java`: Debian's openjdk-17-jre-headless)"
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        return f"pyspark is not installed ({exc}); run `make install`"
    return None


def require_spark() -> None:
    """Skip without Java or pyspark, unless CALLQA_REQUIRE_SPARK=1 (set by `make test`): then fail."""
    problem = java_problem()
    if problem:
        if os.environ.get("CALLQA_REQUIRE_SPARK") == "1":
            pytest.fail(problem)
        pytest.skip(problem)


def spark_env(spark_dir: Path) -> dict[str, str]:
    """What dbt reads to build on the local Spark target with its warehouse and metastore under spark_dir."""
    return {"DBT_TARGET": "spark", "CALLQA_SPARK_DIR": str(Path(spark_dir).resolve()),
            "CALLQA_SPARK_SHUFFLE_PARTITIONS": "2"}


def spark_rows(spark, sql: str) -> list[list]:
    """The rows of `sql` on Spark as Python values comparable with DuckDB's (pg_helpers.normalise): Spark's
    TIMESTAMP (an instant) comes back as a naive datetime in this process's local zone, turned into naive UTC;
    TIMESTAMP_NTZ (a wall clock) stays as it is."""
    from pyspark.sql.types import TimestampType

    df = spark.sql(sql)
    instants = [isinstance(f.dataType, TimestampType) for f in df.schema.fields]
    out = []
    for row in df.collect():
        values = list(row)
        for i, is_instant in enumerate(instants):
            if is_instant and values[i] is not None:
                values[i] = values[i].astimezone(timezone.utc).replace(tzinfo=None)
        out.append(values)
    return out
