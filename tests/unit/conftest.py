"""Fixtures of the unit tests."""
import duckdb
import pytest


@pytest.fixture
def con(tmp_path):
    """A fresh DuckDB warehouse file of the test's own, in UTC."""
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    c.execute("SET TimeZone='UTC'")
    yield c
    c.close()
