"""The adapter registry has one place, dagster_project/lib/adapters.py (ADAPTERS[...].feeds); dbt's landing_adapters()
is generated from it (dbt/macros/landing/landing_adapters_registry.sql) and must not be stale. Every registered model
base_<adapter>__<source> exists in models/staging/adapters/<adapter>/ and every such model is registered; each adapter
feeds landing sources, has a raw table in source `adapters`, and a primary model (the one that accounts for its rows)."""
from __future__ import annotations

import importlib.util

import yaml

from dagster_project.lib.adapters import ADAPTERS
from dbt_helpers import DBT_DIR, SOURCES_YAML

ADAPTER_MODELS = DBT_DIR / "models" / "staging" / "adapters"


def _generator():
    path = DBT_DIR / "scripts" / "snapshot_landing_contract.py"
    spec = importlib.util.spec_from_file_location("snapshot_landing_contract", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _landing_sources() -> list[str]:
    doc = yaml.safe_load(SOURCES_YAML.read_text(encoding="utf-8"))
    (landing,) = [s for s in doc["sources"] if s["name"] == "landing"]
    return [t["name"] for t in landing["tables"]]


def _adapter_tables() -> list[str]:
    doc = yaml.safe_load((ADAPTER_MODELS / "_adapters__sources.yml").read_text(encoding="utf-8"))
    (adapters,) = [s for s in doc["sources"] if s["name"] == "adapters"]
    assert adapters["schema"] == "raw"
    return [t["name"] for t in adapters["tables"]]


def test_dbt_registry_is_generated_from_the_python_registry():
    generator = _generator()
    assert generator.REGISTRY_SQL.read_text(encoding="utf-8") == generator.render_adapters(), (
        "stale: run python dbt/scripts/snapshot_landing_contract.py")
    assert "macro landing_adapters()" not in (DBT_DIR / "macros" / "landing" / "landing_adapters.sql").read_text()


def test_every_adapter_model_is_registered_and_every_registered_model_exists():
    registered = {f"base_{a}__{s}" for a, spec in ADAPTERS.items() for s in spec.feeds}
    on_disk = {p.stem for p in ADAPTER_MODELS.rglob("base_*__*.sql")}
    assert on_disk == registered


def test_registered_adapters_feed_contract_sources_and_have_a_primary_model():
    sources = set(_landing_sources())
    tables = set(_adapter_tables())
    for adapter, spec in ADAPTERS.items():
        assert adapter in tables, f"{adapter}: no table in source `adapters`"
        assert set(spec.feeds) <= sources, adapter
        assert set(spec.feeds.values()) <= {"primary", "secondary"}, adapter
        assert "primary" in spec.feeds.values(), f"{adapter}: no primary model accounts for its raw rows"
        for source in spec.feeds:
            model = next(ADAPTER_MODELS.rglob(f"base_{adapter}__{source}.sql"))
            assert model.parent.name == adapter, model
