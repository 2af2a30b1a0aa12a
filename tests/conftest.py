import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_ROOT.parent / "shared"
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# Tests never use a real secret; runs in tests hash with this one (lib/pii.resolve_key) unless a test unsets it.
os.environ.setdefault("CALLQA_PII_KEY", "test-only-secret")
# Parallel workers (pytest-xdist) each prepare their own dbt manifest.
os.environ.setdefault("CALLQA_DBT_TARGET_PATH", f"target/pytest-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}")


@pytest.fixture
def isolated_env(tmp_path, monkeypatch):
    """A landing folder and a warehouse of the test's own."""
    landing = tmp_path / "landing"
    landing.mkdir()
    monkeypatch.setenv("CALLQA_LANDING_DIR", str(landing))
    monkeypatch.setenv("CALLQA_WAREHOUSE", str(tmp_path / "warehouse" / "callqa.duckdb"))
    monkeypatch.setenv("CALLQA_DUCKDB_TEMP_DIR", str(tmp_path / "duckdb_tmp"))
    monkeypatch.setenv("CALLQA_DUCKDB_MEMORY_LIMIT", "1GB")
    return tmp_path
