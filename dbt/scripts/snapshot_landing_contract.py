"""Write macros/landing/landing_contract_snapshot.sql: the landing contract of the sources YAML as a macro.

Why: dbt unit tests compile a model against a manifest that has no sources, so the `graph` the staging
macros read the contract from is empty there. The snapshot gives unit tests the same contract. Models
outside unit tests always read the YAML (graph.sources); the data test `landing_contract_snapshot_in_sync`
and tests/dbt/test_contract.py fail when this copy is stale.

    python dbt/scripts/snapshot_landing_contract.py          # rewrite the snapshot
    python dbt/scripts/snapshot_landing_contract.py --check  # exit 1 if it is stale
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

DBT_DIR = Path(__file__).resolve().parent.parent
SOURCES_YAML = DBT_DIR / "models" / "staging" / "landing" / "_landing__sources.yml"
SNAPSHOT_SQL = DBT_DIR / "macros" / "landing" / "landing_contract_snapshot.sql"


def _meta(node: dict) -> dict:
    meta = dict(node.get("meta") or {})
    meta.update((node.get("config") or {}).get("meta") or {})
    return meta


def normalized_contract(path: Path = SOURCES_YAML) -> dict:
    """Same normalization as the Jinja macro landing_contract_from_graph."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    (landing,) = [s for s in doc["sources"] if s["name"] == "landing"]
    contract = {}
    for table in landing["tables"]:
        meta = _meta(table)
        columns = []
        for column in table.get("columns") or []:
            cmeta = _meta(column)
            columns.append(
                {
                    "name": column["name"],
                    "required": cmeta.get("required", False) is True,
                    "type": cmeta.get("type", "string"),
                    "enum": cmeta.get("enum"),
                    "min": cmeta.get("min"),
                    "max": cmeta.get("max"),
                    "min_exclusive": cmeta.get("min_exclusive", False) is True,
                    "pii": cmeta.get("pii"),
                }
            )
        contract[table["name"]] = {
            "name": table["name"],
            "primary_key": meta.get("primary_key") or [],
            "end_after_start": meta.get("end_after_start") or [],
            "require_any": meta.get("require_any") or [],
            "interval_aligned": meta.get("interval_aligned") or [],
            "checks": meta.get("checks") or [],
            "columns": columns,
        }
    return contract


def render(path: Path = SOURCES_YAML) -> str:
    tables = normalized_contract(path)
    body = ",\n".join(
        f"  {json.dumps(name)}: {{\n"
        f'    "name": {json.dumps(t["name"])},\n'
        f'    "primary_key": {json.dumps(t["primary_key"])},\n'
        f'    "end_after_start": {json.dumps(t["end_after_start"])},\n'
        f'    "require_any": {json.dumps(t["require_any"])},\n'
        f'    "interval_aligned": {json.dumps(t["interval_aligned"])},\n'
        f'    "checks": {json.dumps(t["checks"])},\n'
        '    "columns": [\n'
        + ",\n".join(f"      {json.dumps(c, ensure_ascii=False)}" for c in t["columns"])
        + "\n    ]\n  }"
        for name, t in tables.items()
    )
    return (
        "{#- GENERATED from models/staging/landing/_landing__sources.yml by scripts/snapshot_landing_contract.py.\n"
        "    Do not edit: change the YAML, then run `python dbt/scripts/snapshot_landing_contract.py`.\n"
        "    Used only inside dbt unit tests (see landing_contract.sql). -#}\n"
        "{% macro landing_contract_snapshot() -%}\n"
        "{%- set contract_json -%}{% raw %}\n"
        "{\n" + body + "\n}\n"
        "{% endraw %}{%- endset -%}\n"
        "{{ return(fromjson(contract_json)) }}\n"
        "{%- endmacro %}\n"
    )


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = SNAPSHOT_SQL.read_text(encoding="utf-8") if SNAPSHOT_SQL.exists() else ""
        if current != text:
            print(f"{SNAPSHOT_SQL} is stale: run python {Path(__file__).relative_to(DBT_DIR.parent)}")
            return 1
        return 0
    SNAPSHOT_SQL.write_text(text, encoding="utf-8")
    print(f"wrote {SNAPSHOT_SQL}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
