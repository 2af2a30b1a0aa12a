"""The README's first-hour path, run verbatim (issue 12): after `make demo`, the follow-up commands the README gives
must work with no flags - they read the demo's warehouse when it is the only one. The demo is stood in for by the
shared generated center (clean_run), linked where `make demo` writes (data/demo/), unless a real demo is there.
The other README blocks have tests of their own: the PostgreSQL block (tests/postgres/test_readme_postgres.py), the
analytics questions (test_readme_questions.py), MetricFlow (test_semantic_layer.py), the dashboard build
(test_dashboard.py), a launch like the UI's (test_ui_launch.py), and the refusals of a wrong zone or landing
folder (tests/unit/test_cli.py)."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def _follow_up_commands() -> list[str]:
    """The `uv run ...` lines of the bash block that follows `make demo` in the README's "Two commands"."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    (block,) = [b for b in blocks if "callqa status" in b]
    commands = [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.startswith("uv run ")]
    assert commands, block
    return commands


@pytest.fixture
def demo_in_place(clean_run):
    """data/demo/ holding a built warehouse and its serving copy, as `make demo` leaves them."""
    _, con = clean_run
    (path,) = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchall()[0]
    warehouse = Path(path)
    demo = REPO / "data" / "demo"
    if (demo / "callqa.duckdb").exists():  # a developer's real demo: the commands must work on it as they are
        yield demo
        return
    created = [p for p in (REPO / "data", demo) if not p.exists()]
    demo.mkdir(parents=True, exist_ok=True)
    try:
        (demo / "callqa.duckdb").symlink_to(warehouse)
        (demo / "callqa_serving.duckdb").symlink_to(warehouse.parent / "callqa_serving.duckdb")
        yield demo
    finally:
        for link in ("callqa.duckdb", "callqa_serving.duckdb"):
            (demo / link).unlink(missing_ok=True)
        for folder in reversed(created) if created else []:
            shutil.rmtree(folder, ignore_errors=True)


def test_after_make_demo_the_readme_follow_ups_work_as_written(demo_in_place):
    if (REPO / "data" / "warehouse" / "callqa.duckdb").exists():
        pytest.skip("a run's own warehouse (data/warehouse/) is here and rightly wins over the demo's")
    env = {k: v for k, v in os.environ.items()
           if k not in ("CALLQA_WAREHOUSE", "CALLQA_SERVING_WAREHOUSE", "CALLQA_LANDING_DIR", "CALLQA_EXPORT_DIR",
                        "CALLQA_DUCKDB_TEMP_DIR")}
    outputs = {}
    for command in _follow_up_commands():
        result = subprocess.run(["bash", "-c", command], cwd=REPO, env=env, capture_output=True, text=True,
                                timeout=600)
        assert result.returncode == 0, (command, result.stdout[-2000:], result.stderr[-2000:])
        outputs[command] = result.stdout
    status = next(out for cmd, out in outputs.items() if "callqa status" in cmd)
    assert "warehouse:" in status and str(demo_in_place / "callqa.duckdb") in status
    assert re.search(r"^calls\s+\d+", status, flags=re.M), status
    query = next(out for cmd, out in outputs.items() if "callqa query" in cmd)
    header, *rows = query.strip().splitlines()
    assert "local_date" in header and len(rows) == 5, query
