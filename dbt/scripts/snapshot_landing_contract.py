"""Write the generated dbt macros of the landing interface: macros/landing/landing_contract_snapshot.sql (the landing
contract) and macros/landing/landing_adapters_registry.sql (which adapter models feed which landing source, from the
adapter registry of dagster_project/lib/adapters.py: one place for Python and dbt).

The contract's machine-readable copy is the sources YAML (models/staging/landing/_landing__sources.yml); its only
Python reader is dagster_project/lib/contract.py. dbt models never read the YAML's meta through `graph`: they get
the contract from this generated, checked-in macro, so every model (and every dbt unit test, whose manifest has no
sources) sees the same contract. tests/dbt/test_contract.py and the data test `landing_contract_snapshot_in_sync`
fail when the macro is stale; tests/dbt/test_adapters_registry.py when the registry macro is.

    python dbt/scripts/snapshot_landing_contract.py          # rewrite both macros
    python dbt/scripts/snapshot_landing_contract.py --check  # exit 1 if one is stale
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

DBT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(DBT_DIR.parent))

from dagster_project.lib.adapters import ADAPTERS  # noqa: E402
from dagster_project.lib.contract import dbt_contract  # noqa: E402

SOURCES_YAML = DBT_DIR / "models" / "staging" / "landing" / "_landing__sources.yml"
SNAPSHOT_SQL = DBT_DIR / "macros" / "landing" / "landing_contract_snapshot.sql"
REGISTRY_SQL = DBT_DIR / "macros" / "landing" / "landing_adapters_registry.sql"


def normalized_contract(path: Path = SOURCES_YAML) -> dict:
    """The contract as the macro returns it (dagster_project.lib.contract.dbt_contract)."""
    return dbt_contract(path)


def render(path: Path = SOURCES_YAML) -> str:
    tables = normalized_contract(path)
    body = ",\n".join(
        f"  {json.dumps(name)}: {{\n"
        f'    "name": {json.dumps(t["name"])},\n'
        f'    "primary_key": {json.dumps(t["primary_key"])},\n'
        f'    "end_after_start": {json.dumps(t["end_after_start"])},\n'
        f'    "require_any": {json.dumps(t["require_any"])},\n'
        f'    "require_any_unless": {json.dumps(t["require_any_unless"])},\n'
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
        "    The only copy of the contract dbt reads (see landing_contract.sql). -#}\n"
        "{% macro landing_contract_snapshot() -%}\n"
        "{%- set contract_json -%}{% raw %}\n"
        "{\n" + body + "\n}\n"
        "{% endraw %}{%- endset -%}\n"
        "{{ return(fromjson(contract_json)) }}\n"
        "{%- endmacro %}\n"
    )


def render_adapters() -> str:
    """landing_adapters() -> {adapter: {source: 'primary' | 'secondary'}}, from lib/adapters.ADAPTERS."""
    body = ",\n".join(f"        {name!r}: {dict(spec.feeds)!r}" for name, spec in ADAPTERS.items())
    return (
        "{#- GENERATED from dagster_project/lib/adapters.py (ADAPTERS[...].feeds) by scripts/snapshot_landing_contract.py.\n"
        "    Do not edit: change the registry, then run `python dbt/scripts/snapshot_landing_contract.py`.\n"
        "    landing_adapters() -> {adapter: {source: 'primary' | 'secondary'}}: see landing_adapters.sql. -#}\n"
        "{% macro landing_adapters() -%}\n"
        "    {{ return({\n" + body + ",\n    }) }}\n"
        "{%- endmacro %}\n"
    )


GENERATED = {SNAPSHOT_SQL: render, REGISTRY_SQL: render_adapters}


def main(argv: list[str]) -> int:
    stale = []
    for path, make in GENERATED.items():
        text = make()
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current == text:
            continue
        if "--check" in argv:
            stale.append(path)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    for path in stale:
        print(f"{path} is stale: run python {Path(__file__).relative_to(DBT_DIR.parent)}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
