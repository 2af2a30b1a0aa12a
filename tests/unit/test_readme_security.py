"""The README's Security section says what the code does (issue 15): every file, variable, table, role and token it
names exists where it says, and its checkable claims about hashing and masking hold."""
import re
import stat
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def section() -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n## Security\n")
    end = readme.index("\n## ", start + 1)
    return readme[start:end]


def code_text() -> str:
    files = [*(REPO_ROOT / "dagster_project").rglob("*.py"), *(REPO_ROOT / "dbt" / "scripts").glob("*"),
             *(REPO_ROOT / "dbt" / "macros").glob("*.sql"), REPO_ROOT / "Makefile", REPO_ROOT / "compose.yaml"]
    return "\n".join(f.read_text(encoding="utf-8") for f in files if f.is_file())


def test_the_files_it_points_to_exist(section):
    cited = re.findall(r"`((?:dagster_project/)?(?:lib|dbt)/[\w/.]+\.(?:py|sh|sql))`", section)
    assert len(cited) == 7, cited
    for path in cited:
        base = REPO_ROOT if path.startswith(("dagster_project/", "dbt/")) else REPO_ROOT / "dagster_project"
        assert (base / path).is_file(), path


def test_every_variable_and_name_it_cites_is_in_the_code(section):
    code = code_text()
    variables = set(re.findall(r"\b(CALLQA_[A-Z_]+|PGPASSFILE)\b", section))
    assert {"CALLQA_PII_KEY", "CALLQA_PG_BI_ROLE", "PGPASSFILE"} <= variables
    for name in variables:
        assert name in code, name
    for name in ("callqa_pii.key", "postgres.pgpass", "pii_key_fingerprint", "_callqa_settings", "duckdb_warehouse",
                 "callqa_serving", "callqa_bi", "pg_get_viewdef", "pg_rewrite", "<email>", "<num>", "127.0.0.1"):
        assert name in section and name in code, name
    for in_section, in_code in (("SCRAM-SHA-256", "scram-sha-256"), ("UI (3000)", '"3000:3000"'),
                                ("dashboard (8000)", '"8000:8000"')):
        assert in_section in section and in_code in code, in_section


def test_the_constants_behind_it(section):
    from dagster_project.lib import pii, publish, runlock, warehouse
    from dagster_project.resources import WAREHOUSE_POOL

    assert pii.KEY_FILE_NAME == "callqa_pii.key"
    assert warehouse.SETTINGS_TABLE == "_callqa_settings" and warehouse.PII_KEY_FINGERPRINT == "pii_key_fingerprint"
    assert WAREHOUSE_POOL == "duckdb_warehouse"
    assert publish.PUBLISHED_SCHEMAS == ("marts", "analysis", "reference")
    assert "`marts`, `analysis` and\n  `reference`" in section
    assert runlock.lock_path(Path("data/demo/callqa.duckdb")) == Path("data/demo/callqa.duckdb.lock")
    assert "`data/demo/callqa.duckdb.lock`" in section
    assert not hasattr(pii, "DEV_DEFAULT_KEY") and "There is no default key." in section
    script = (REPO_ROOT / "dbt" / "scripts" / "postgres_server.sh").read_text()
    hba = [line.split() for line in script.splitlines() if re.match(r"(local|host)\s", line)]
    assert hba and all(line[-1] == "scram-sha-256" for line in hba)  # no trust, no peer


def test_hashing_masking_and_the_stated_limit_hold(tmp_path, monkeypatch, section):
    from dagster_project.lib import pii

    monkeypatch.delenv("CALLQA_PII_KEY")
    key, where, created = pii.resolve_key(tmp_path / "callqa.duckdb")
    assert created and where == str(tmp_path / "callqa_pii.key")  # beside the warehouse
    assert stat.S_IMODE((tmp_path / "callqa_pii.key").stat().st_mode) == 0o600
    assert len(bytes.fromhex(key.decode())) == 32  # "32 random bytes"
    assert pii.hash_phone("+1 212-555-0147", key) == pii.hash_phone("+12125550147", key) != pii.hash_phone(
        "+12125550147", b"another key")
    assert pii.protect_unnamed("+1 (212) 555-0147", key) == pii.hash_phone("+1 (212) 555-0147", key)
    assert pii.protect_unnamed("2026-03-08T01:59:00-05:00", key) == "2026-03-08T01:59:00-05:00"
    assert pii.mask_text("mail jane.doe@example.com or call 4111 1111 1111 1111") == "mail <email> or call <num>"
    # the limit the README states: names and street addresses are not masked
    assert "names and street addresses in free text are NOT masked" in section
    text = "Jane Doe lives at 221B Baker Street, London"
    assert pii.mask_text(text) == text
