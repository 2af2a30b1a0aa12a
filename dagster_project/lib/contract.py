"""The landing contract as data, read from the dbt sources YAML (its single machine-readable copy)."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from dagster_project.settings import DBT_PROJECT_DIR

SOURCES_YAML = DBT_PROJECT_DIR / "models" / "staging" / "landing" / "_landing__sources.yml"
METADATA_COLUMNS = ("_load_id", "_file", "_line", "_file_sha256", "_loaded_at", "_malformed", "_raw_line", "_mapping")


@dataclass(frozen=True)
class ColumnContract:
    name: str
    required: bool
    type: str
    pii: str | None = None  # "hash" (keyed hash) or "mask" (free text masked)


@dataclass(frozen=True)
class SourceContract:
    name: str
    columns: tuple[ColumnContract, ...]
    primary_key: tuple[str, ...]
    description: str = ""
    end_after_start: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def pii_columns(self, kind: str) -> list[str]:
        return [c.name for c in self.columns if c.pii == kind]


def _meta(node: dict) -> dict:
    meta = dict(node.get("meta") or {})
    meta.update((node.get("config") or {}).get("meta") or {})
    return meta


@lru_cache(maxsize=4)
def load_contract(path: Path = SOURCES_YAML) -> dict[str, SourceContract]:
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    (landing,) = [s for s in doc["sources"] if s["name"] == "landing"]
    contracts: dict[str, SourceContract] = {}
    for table in landing["tables"]:
        table_meta = _meta(table)
        columns = tuple(
            ColumnContract(
                name=col["name"],
                required=bool(_meta(col).get("required", False)),
                type=str(_meta(col).get("type", "string")),
                pii=_meta(col).get("pii"),
            )
            for col in table.get("columns", [])
        )
        contracts[table["name"]] = SourceContract(
            name=table["name"],
            columns=columns,
            primary_key=tuple(table_meta.get("primary_key") or ()),
            description=(table.get("description") or "").strip(),
            end_after_start=tuple(tuple(p) for p in table_meta.get("end_after_start") or ()),
        )
    return contracts
