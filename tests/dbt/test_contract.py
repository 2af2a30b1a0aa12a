"""The machine-readable landing contract (dbt/models/staging/landing/_landing__sources.yml): its shape, and
the copies derived from it (the unit-test snapshot macro, the static source list, one staging model each)."""
from __future__ import annotations

import importlib.util
import re

import yaml

from dbt_helpers import DBT_DIR, SOURCES_YAML

SOURCES = [
    "calls", "digital_contacts", "tickets", "ticket_events", "surveys", "survey_answers", "survey_questions",
    "qa_evaluations",
    "qa_evaluation_items", "qa_disputes", "wfm_forecasts", "agent_schedules", "agent_states", "agents",
    "training_enrollments", "transcripts", "improvement_actions", "business_schedules", "holidays", "queue_intervals",
]
TYPES = {"string", "timestamp", "date", "time", "int", "number", "bool", "text"}
COLUMN_META_KEYS = {"required", "type", "enum", "min", "max", "min_exclusive", "pii"}


def _tables():
    doc = yaml.safe_load(SOURCES_YAML.read_text(encoding="utf-8"))
    (landing,) = [s for s in doc["sources"] if s["name"] == "landing"]
    assert landing["schema"] == "raw"
    return landing["tables"]


def test_every_contract_source_is_declared_in_order():
    assert [t["name"] for t in _tables()] == SOURCES


def test_meta_lives_under_config_meta():
    for table in _tables():
        assert "meta" not in table, table["name"]
        meta = table["config"]["meta"]
        assert set(meta) <= {"primary_key", "end_after_start", "require_any", "require_any_unless",
                             "interval_aligned", "checks"}, table["name"]
        names = [c["name"] for c in table["columns"]]
        assert len(names) == len(set(names)), table["name"]
        for column in table["columns"]:
            assert "meta" not in column, (table["name"], column["name"])
            cmeta = column["config"]["meta"]
            assert set(cmeta) <= COLUMN_META_KEYS, (table["name"], column["name"])
            assert isinstance(cmeta["required"], bool), (table["name"], column["name"])
            assert cmeta["type"] in TYPES, (table["name"], column["name"])
            if "enum" in cmeta:
                assert cmeta["enum"] and len(set(map(str, cmeta["enum"]))) == len(cmeta["enum"])
            if "pii" in cmeta:
                assert cmeta["pii"] in {"hash", "mask"}
            for bound in ("min", "max"):
                if bound in cmeta:
                    assert isinstance(cmeta[bound], (int, float)) and cmeta["type"] in {"int", "number"}
            assert column.get("description"), (table["name"], column["name"])


def test_keys_and_rules_name_real_columns():
    for table in _tables():
        meta = table["config"]["meta"]
        columns = {c["name"]: c["config"]["meta"] for c in table["columns"]}
        assert meta["primary_key"], table["name"]
        for key in meta["primary_key"]:
            assert columns[key]["required"], (table["name"], key)
        for start, end in meta.get("end_after_start", []):
            assert columns[start]["type"] == columns[end]["type"] and columns[start]["type"] in {"timestamp", "date", "time"}
        for group in meta.get("require_any", []):
            assert all(not columns[c]["required"] for c in group)
        for column, value in (meta.get("require_any_unless") or {}).items():
            assert meta.get("require_any") and value in columns[column]["enum"], (table["name"], column)
        for start, minutes in meta.get("interval_aligned", []):
            assert columns[start]["type"] == "timestamp" and columns[minutes]["type"] == "int"
            assert all(60 % m == 0 for m in columns[minutes]["enum"])
        for condition in meta.get("checks", []):
            named = set(re.findall(r"[a-z_]+", condition))
            assert named and named <= set(columns), (table["name"], condition)


def test_personal_data_columns():
    pii = {(t["name"], c["name"]): c["config"]["meta"].get("pii") for t in _tables() for c in t["columns"]}
    assert {k: v for k, v in pii.items() if v} == {
        ("calls", "caller_number"): "hash",
        ("surveys", "comment"): "mask",
        ("transcripts", "text"): "mask",
    }


def test_unit_test_snapshot_is_in_sync():
    path = DBT_DIR / "scripts" / "snapshot_landing_contract.py"
    spec = importlib.util.spec_from_file_location("snapshot_landing_contract", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = module.SNAPSHOT_SQL.read_text(encoding="utf-8")
    assert current == module.render(), "stale: run python dbt/scripts/snapshot_landing_contract.py"


def test_source_list_comes_from_the_generated_contract():
    """landing_tables() is the generated contract's keys (no second, hand-kept list)."""
    text = (DBT_DIR / "macros" / "landing" / "landing_contract.sql").read_text(encoding="utf-8")
    block = text[text.index("macro landing_tables()"):]
    block = block[: block.index("endmacro")]
    assert "landing_contract_snapshot().keys()" in block
    snapshot = (DBT_DIR / "macros" / "landing" / "landing_contract_snapshot.sql").read_text(encoding="utf-8")
    assert re.findall(r'^  "([a-z_]+)": \{', snapshot, re.M) == SOURCES


def test_one_staging_model_and_yaml_per_source():
    folder = DBT_DIR / "models" / "staging" / "landing"
    for source in SOURCES:
        sql = (folder / f"stg_landing__{source}.sql").read_text(encoding="utf-8")
        assert f"landing_staged('{source}')" in sql
        base = (folder / "base" / f"base_landing__{source}.sql").read_text(encoding="utf-8")
        assert f"landing_base('{source}')" in base
        doc = yaml.safe_load((folder / f"stg_landing__{source}.yml").read_text(encoding="utf-8"))
        (model,) = doc["models"]
        assert model["name"] == f"stg_landing__{source}" and "Grain:" in model["description"]
