"""Import mappings: how a foreign export (columns that don't follow the landing contract) becomes a source.

A mapping is a small YAML file in `dbt/import_mappings/` (or in `$CALLQA_IMPORT_MAPPINGS_DIR`):

    name: anonymous_bank            # recorded in raw as _mapping
    source: calls                   # the contract source it feeds
    files: ["anonymous_bank/**"]    # globs relative to <landing>/<source>/
    format: {delimiter: "\\t"}      # CSV dialect of the export
    requires: [call_id, date, ...]  # delivered columns without which a file is refused
    define: {day: "..."}            # named SQL fragments, used as ${day} in the expressions
    columns:                        # contract column -> SQL expression over the delivered columns
      direction: "'inbound'"
    pii: {hash: [...], mask: [...]} # delivered columns that are personal data

Ingestion stores the delivered columns as they are (raw keeps everything) and marks the rows with the mapping's
name; staging evaluates the expressions (dbt var `import_mappings`, passed by the Dagster dbt asset) before the
contract's typing and validation, so mapped rows are validated, de-duplicated and rejected like any other row.
"""
from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from dagster_project.settings import DBT_PROJECT_DIR

MAPPINGS_DIR = DBT_PROJECT_DIR / "import_mappings"


@dataclass(frozen=True)
class ImportMapping:
    name: str
    source: str
    files: tuple[str, ...]
    columns: dict
    requires: tuple[str, ...] = ()
    delimiter: str = ","
    pii_hash: tuple[str, ...] = ()
    pii_mask: tuple[str, ...] = ()
    description: str = ""
    path: Path | None = field(default=None, compare=False)

    def matches(self, relative_to_source: str) -> bool:
        return any(fnmatch.fnmatch(relative_to_source, pattern) for pattern in self.files)

    def as_dbt_var(self) -> dict:
        return {"name": self.name, "requires": list(self.requires), "columns": dict(self.columns)}


_REFERENCE = re.compile(r"\$\{(\w+)\}")


def _expand(expression: str, defines: dict[str, str], path: Path, depth: int = 0) -> str:
    """Replace ${name} by the parenthesized `define` of that name (defines may use each other)."""
    if depth > 10:
        raise ValueError(f"import mapping {path}: `define` entries refer to each other in a cycle")

    def substitute(match: re.Match) -> str:
        name = match.group(1)
        if name not in defines:
            raise ValueError(f"import mapping {path}: ${{{name}}} is not defined under `define`")
        return "(" + _expand(defines[name], defines, path, depth + 1) + ")"

    return _REFERENCE.sub(substitute, expression)


def _parse(path: Path) -> ImportMapping:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    missing = [k for k in ("name", "source", "files", "columns") if k not in doc]
    if missing:
        raise ValueError(f"import mapping {path}: missing key(s) {', '.join(missing)}")
    files = doc["files"] if isinstance(doc["files"], list) else [doc["files"]]
    pii = doc.get("pii") or {}
    defines = {str(k): str(v) for k, v in (doc.get("define") or {}).items()}
    return ImportMapping(
        name=str(doc["name"]),
        source=str(doc["source"]),
        files=tuple(files),
        columns={str(k): _expand(str(v), defines, path) for k, v in doc["columns"].items()},
        requires=tuple(doc.get("requires") or ()),
        delimiter=str((doc.get("format") or {}).get("delimiter", ",")),
        pii_hash=tuple(pii.get("hash") or ()),
        pii_mask=tuple(pii.get("mask") or ()),
        description=str(doc.get("description") or "").strip(),
        path=path,
    )


def mapping_dirs() -> list[Path]:
    dirs = [MAPPINGS_DIR]
    extra = os.environ.get("CALLQA_IMPORT_MAPPINGS_DIR")
    if extra:
        dirs.extend(Path(p).expanduser().resolve() for p in extra.split(os.pathsep) if p)
    return dirs


def load_mappings() -> list[ImportMapping]:
    mappings: list[ImportMapping] = []
    for directory in mapping_dirs():
        if directory.is_dir():
            mappings.extend(_parse(p) for p in sorted(directory.glob("*.yml")))
    names = [m.name for m in mappings]
    duplicated = {n for n in names if names.count(n) > 1}
    if duplicated:
        raise ValueError(f"import mappings defined twice: {', '.join(sorted(duplicated))}")
    return mappings


def mapping_for(mappings: list[ImportMapping], source: str, relative_to_source: str) -> ImportMapping | None:
    for mapping in mappings:
        if mapping.source == source and mapping.matches(relative_to_source):
            return mapping
    return None


def dbt_vars(mappings: list[ImportMapping]) -> dict:
    """The dbt var `import_mappings`: {source: [{name, requires, columns}, ...]}."""
    by_source: dict[str, list[dict]] = {}
    for mapping in mappings:
        by_source.setdefault(mapping.source, []).append(mapping.as_dbt_var())
    return {"import_mappings": by_source}
