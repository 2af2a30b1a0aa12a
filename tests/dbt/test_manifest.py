"""Static checks of the dbt project, from its parsed manifest (no warehouse needed):
- portability: relation names (models, seeds, snapshots and the temporary relations of dbt unit tests, named
  after the test) fit PostgreSQL's 63-byte identifier limit, so the project runs unchanged there;
- documentation: every public mart states its grain and documents every column it produces (the contract
  makes the YAML column list equal to the relation's columns), and every seed is described."""
import json

import pytest

from dbt_helpers import run_dbt

POSTGRES_MAX_IDENTIFIER = 63


@pytest.fixture(scope="module")
def manifest(tmp_path_factory):
    work = tmp_path_factory.mktemp("portability")
    result = run_dbt(["parse"], work)
    assert result.success, result.exception
    return json.loads((work / "target" / "manifest.json").read_text())


def test_relation_and_unit_test_names_fit_postgres_identifiers(manifest):
    too_long = [
        f"{node['resource_type']} {node['name']} ({len(node['name'].encode())} bytes)"
        for node in [*manifest["nodes"].values(), *manifest.get("unit_tests", {}).values()]
        if node["resource_type"] in ("model", "seed", "snapshot", "unit_test")
        and len((node.get("alias") or node["name"]).encode()) > POSTGRES_MAX_IDENTIFIER
    ]
    assert not too_long, "names longer than PostgreSQL's 63-byte limit:\n" + "\n".join(too_long)


def _public_marts(manifest):
    return [n for n in manifest["nodes"].values()
            if n["resource_type"] == "model" and n["config"].get("schema") == "marts"]


def test_every_public_mart_states_its_grain_and_documents_every_column(manifest):
    problems = []
    marts = _public_marts(manifest)
    assert len(marts) >= 8
    for node in marts:
        description = node.get("description") or ""
        if "grain" not in description.lower():
            problems.append(f"{node['name']}: the description does not state the grain")
        if not node.get("columns"):
            problems.append(f"{node['name']}: no columns documented")
        undocumented = [c for c, spec in node.get("columns", {}).items() if not (spec.get("description") or "").strip()]
        if undocumented:
            problems.append(f"{node['name']}: columns without a description: {', '.join(undocumented)}")
        if not node["config"].get("contract", {}).get("enforced"):
            problems.append(f"{node['name']}: contract not enforced (the YAML column list could drift from the table)")
    assert not problems, "\n".join(problems)


def test_every_seed_is_described(manifest):
    seeds = [n for n in manifest["nodes"].values() if n["resource_type"] == "seed"]
    assert seeds and not [n["name"] for n in seeds if not (n.get("description") or "").strip()]
