"""Row-level reconciliation of the layers: raw = staging + rejects, checked by (load, line) identity.

Checked on the rows of contract files (raw.<source>; staged and rejected rows whose `_adapter` / `adapter` is NULL),
independently of the dbt audit models. Rows that adapters map from platform exports are accounted for by dbt's
audit.layer_reconciliation (raw.<adapter> rows = what the adapter's primary models account for, history included),
which the data test assert_layers_reconcile checks in every build."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from dagster_project.lib.warehouse import table_exists


@dataclass
class Reconciliation:
    source: str
    raw_rows: int
    staged_rows: int
    rejected_rows: int
    in_both: int  # rows both staged and rejected (counted twice)
    in_neither: int  # raw rows that are neither staged nor rejected (lost)

    @property
    def is_reconciled(self) -> bool:
        return (
            self.raw_rows == self.staged_rows + self.rejected_rows and self.in_both == 0 and self.in_neither == 0
        )

    def as_dict(self) -> dict:
        return {**asdict(self), "is_reconciled": self.is_reconciled}


def reconcile(con, sources: list[str]) -> list[Reconciliation]:
    results = []
    for source in sources:
        staged = f"staging.stg_landing__{source}"
        if not (table_exists(con, "raw", source) and table_exists(con, "staging", f"stg_landing__{source}")):
            continue
        row = con.execute(
            f"""
            with raw_rows as (select _load_id as load_id, _line as line from raw."{source}"),
                 staged as (select _load_id as load_id, _line as line from {staged} where _adapter is null),
                 rejected as (select load_id, line from audit.rejected_rows where source = ? and adapter is null)
            select
                (select count(*) from raw_rows),
                (select count(*) from staged),
                (select count(*) from rejected),
                (select count(*) from staged s join rejected r using (load_id, line)),
                (select count(*) from raw_rows w
                  where not exists (select 1 from staged s where s.load_id = w.load_id and s.line = w.line)
                    and not exists (select 1 from rejected r where r.load_id = w.load_id and r.line = w.line))
            """,
            [source],
        ).fetchall()[0]
        results.append(Reconciliation(source, *row))
    return results
