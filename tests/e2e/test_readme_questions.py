"""Every query of the README's "Example analytics questions" runs on the published serving copy of a generated
warehouse and answers with at least one row (the README is documentation that must not rot)."""
import re
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow
README = Path(__file__).resolve().parents[2] / "README.md"


def _questions() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Example analytics questions"):]
    section = section[:section.index("\n## ", 1)]
    statements = []
    for block in re.findall(r"```sql\n(.*?)```", section, flags=re.S):
        statements += [s.strip() for s in block.split(";") if s.strip()]
    return statements


def test_the_readme_has_questions():
    assert len(_questions()) >= 10


@pytest.mark.parametrize("sql", _questions(), ids=lambda s: re.search(r"from (\S+)", s).group(1))
def test_readme_question_answers_on_the_serving_copy(clean_run, sql):
    _, con = clean_run
    (warehouse,) = [Path(p) for (p,) in con.execute(
        "select path from duckdb_databases() where database_name = current_database()").fetchall()]
    reader = duckdb.connect(str(warehouse.parent / "callqa_serving.duckdb"), read_only=True)
    try:
        rows = reader.execute(sql).fetchall()
    finally:
        reader.close()
    assert rows, f"no answer:\n{sql}"
