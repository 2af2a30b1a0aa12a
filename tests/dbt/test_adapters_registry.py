"""The adapter registry (dbt/macros/landing/landing_adapters.sql) and the adapter models agree: every
base_<adapter>__<source> model is registered, every registered one exists, feeds a landing source, names a raw
table of source `adapters`, and every adapter has a primary model (the one that accounts for its raw rows)."""
from __future__ import annotations

import ast
import re

import yaml

from dbt_helpers import DBT_DIR, SOURCES_YAML

REGISTRY = DBT_DIR / "macros" / "landing" / "landing_adapters.sql"
ADAPTER_MODELS = DBT_DIR / "models" / "staging" / "adapters"


def _registry() -> dict[str, dict[str, str]]:
    text = REGISTRY.read_text(encoding="utf-8")
    body = re.search(r"macro landing_adapters\(\).*?return\((\{.*?\})\)\s*\}\}", text, re.S).group(1)
    return ast.literal_eval(body)


def _landing_sources() -> list[str]:
    doc = yaml.safe_load(SOURCES_YAML.read_text(encoding="utf-8"))
    (landing,) = [s for s in doc["sources"] if s["name"] == "landing"]
    return [t["name"] for t in landing["tables"]]


def _adapter_tables() -> list[str]:
    doc = yaml.safe_load((ADAPTER_MODELS / "_adapters__sources.yml").read_text(encoding="utf-8"))
    (adapters,) = [s for s in doc["sources"] if s["name"] == "adapters"]
    assert adapters["schema"] == "raw"
    return [t["name"] for t in adapters["tables"]]


def test_every_adapter_model_is_registered_and_every_registered_model_exists():
    registry = _registry()
    registered = {f"base_{a}__{s}" for a, feeds in registry.items() for s in feeds}
    on_disk = {p.stem for p in ADAPTER_MODELS.rglob("base_*__*.sql")}
    assert on_disk == registered


def test_registered_adapters_feed_contract_sources_and_have_a_primary_model():
    sources = set(_landing_sources())
    tables = set(_adapter_tables())
    for adapter, feeds in _registry().items():
        assert adapter in tables, f"{adapter}: no table in source `adapters`"
        assert set(feeds) <= sources, adapter
        assert set(feeds.values()) <= {"primary", "secondary"}, adapter
        assert "primary" in feeds.values(), f"{adapter}: no primary model accounts for its raw rows"
        for source in feeds:
            model = next(ADAPTER_MODELS.rglob(f"base_{adapter}__{source}.sql"))
            assert model.parent.name == adapter, model
