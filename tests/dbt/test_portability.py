"""The dbt project must run unchanged on PostgreSQL (issue: readers / PostgreSQL target). Cheap static checks
that catch what breaks there before a server is involved: relation names (models, seeds, snapshots and the
temporary relations of dbt unit tests, named after the test) fit PostgreSQL's 63-byte identifier limit."""
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
