"""The landing contract as data, read from the dbt sources YAML (its single machine-readable copy).

This module is the contract's only reader: ingestion uses it directly, and dbt gets it as one generated,
checked-in macro (dbt/macros/landing/landing_contract_snapshot.sql, written by
dbt/scripts/snapshot_landing_contract.py from `dbt_contract()` below; tests fail when the macro is stale)."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from dagster_project.settings import DBT_PROJECT_DIR

SOURCES_YAML = DBT_PROJECT_DIR / "models" / "staging" / "landing" / "_landing__sources.yml"
METADATA_COLUMNS = ("_load_id", "_file", "_line", "_file_sha256", "_loaded_at", "_malformed", "_raw_line")


@dataclass(frozen=True)
class ColumnContract:
    name: str
    required: bool
    type: str
    pii: str | None = None  # "hash" (keyed hash) or "mask" (free text masked)
    enum: tuple | None = None
    min: float | int | None = None
    max: float | int | None = None
    min_exclusive: bool = False


@dataclass(frozen=True)
class SourceContract:
    name: str
    columns: tuple[ColumnContract, ...]
    primary_key: tuple[str, ...]
    description: str = ""
    end_after_start: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    require_any: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    # (column, value) pairs: a row where any of these columns holds its value is exempt from require_any
    # (surveys: a relationship survey names no contact or ticket)
    require_any_unless: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    interval_aligned: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (start column, minutes column)
    checks: tuple[str, ...] = field(default_factory=tuple)  # SQL conditions over the typed columns

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
                enum=tuple(_meta(col)["enum"]) if _meta(col).get("enum") else None,
                min=_meta(col).get("min"),
                max=_meta(col).get("max"),
                min_exclusive=_meta(col).get("min_exclusive", False) is True,
            )
            for col in table.get("columns", [])
        )
        contracts[table["name"]] = SourceContract(
            name=table["name"],
            columns=columns,
            primary_key=tuple(table_meta.get("primary_key") or ()),
            description=(table.get("description") or "").strip(),
            end_after_start=tuple(tuple(p) for p in table_meta.get("end_after_start") or ()),
            require_any=tuple(tuple(g) for g in table_meta.get("require_any") or ()),
            require_any_unless=tuple((str(c), str(v)) for c, v in (table_meta.get("require_any_unless") or {}).items()),
            interval_aligned=tuple(tuple(p) for p in table_meta.get("interval_aligned") or ()),
            checks=tuple(table_meta.get("checks") or ()),
        )
    return contracts


def dbt_contract(path: Path = SOURCES_YAML) -> dict[str, dict]:
    """The contract in the shape the dbt macro `landing_contract()` returns (see dbt/macros/landing/)."""
    return {
        name: {
            "name": name,
            "primary_key": list(source.primary_key),
            "end_after_start": [list(pair) for pair in source.end_after_start],
            "require_any": [list(group) for group in source.require_any],
            "require_any_unless": [list(pair) for pair in source.require_any_unless],
            "interval_aligned": [list(pair) for pair in source.interval_aligned],
            "checks": list(source.checks),
            "columns": [
                {
                    "name": c.name, "required": c.required, "type": c.type,
                    "enum": list(c.enum) if c.enum else None, "min": c.min, "max": c.max,
                    "min_exclusive": c.min_exclusive, "pii": c.pii,
                }
                for c in source.columns
            ],
        }
        for name, source in load_contract(path).items()
    }
