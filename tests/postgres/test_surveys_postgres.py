"""Surveys on PostgreSQL: the hand-built raw layer of tests/dbt/test_surveys.py (a relationship survey on a delivered
0-10 catalogue, answers off their scale, NPS, the dimension-to-quality-point link) copied to a PostgreSQL database of
this test's own, the same dbt selection built there, and every table the DuckDB test asserts on compared row for row
with DuckDB.

Skipped without a reachable server, unless CALLQA_REQUIRE_POSTGRES=1 (as in test_postgres_target.py)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dbt"))

from tests.dbt import test_surveys as surveys  # noqa: E402
from tests.dbt.dbt_helpers import failures  # noqa: E402
from tests.postgres.pg_helpers import built_on_both, table_differences  # noqa: E402

pytestmark = pytest.mark.slow

TABLES = {  # table -> filter (the rows the DuckDB test reads)
    "staging.stg_landing__survey_answers": "true",
    "staging.stg_survey_question_catalogue": "true",
    "audit.rejected_rows": "source like 'survey%'",
    "intermediate.int_survey_responses": "true",
    "marts.fct_survey_answers": "true",
    "marts.rpt_nps_monthly": "true",
    "marts.rpt_survey_dimension_quality_points": "true",
}
SELECTION = [f"+{m}" for m in surveys.MARTS]


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    base = tmp_path_factory.mktemp("surveys_pg")
    warehouse = base / "callqa.duckdb"
    surveys.build_raw_layer(warehouse)
    with built_on_both(base, warehouse, surveys.TZ, SELECTION) as built:
        yield built


def test_builds_on_both_targets(both):
    assert both["duckdb"].success, "\n".join(failures(both["duckdb"]))
    assert both["postgres"].success, "\n".join(failures(both["postgres"]))


def test_same_rows_on_both_targets(both):
    found = table_differences(both["warehouse"], both["target"], TABLES)
    assert not found, "\n".join(found)
