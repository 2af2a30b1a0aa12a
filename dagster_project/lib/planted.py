"""The weak spots a synthetic center plants on purpose (`callqa generate` lists them in ground_truth.json beside its
landing files), carried into the warehouse so that every reader of a demo - the run summary, the dashboard - can
tell the story from a defect (issue 11.5). Real data has no ground_truth.json: nothing is written, and a table left by
an earlier synthetic load of the same warehouse is removed."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

TRUTH_FILE = "ground_truth.json"
TABLE = "reference.planted_weak_spots"


def planted_weak_spots(landing_dir: Path) -> list[dict]:
    """[{name, what, where}] from <landing>/ground_truth.json; empty for real data or an unreadable file."""
    truth_file = Path(landing_dir) / TRUTH_FILE
    if not truth_file.is_file():
        return []
    try:
        spots = json.loads(truth_file.read_text(encoding="utf-8")).get("planted_weak_spots") or []
    except (ValueError, OSError, AttributeError):
        return []
    return [{"name": str(s["name"]), "what": str(s["what"]), "where": str(s["where"])} for s in spots
            if isinstance(s, dict) and {"name", "what", "where"} <= set(s)]


def record_planted(con, landing_dir: Path) -> int:
    """Replace reference.planted_weak_spots with the landing folder's planted spots (drop it when there are none)."""
    spots = planted_weak_spots(landing_dir)
    if not spots:
        con.execute(f"drop table if exists {TABLE}")
        return 0
    frame = pd.DataFrame(spots, columns=["name", "what", "where"]).rename(columns={"where": "where_it_shows"})
    con.execute("create schema if not exists reference")
    con.register("_callqa_planted", frame)
    try:
        con.execute(f"create or replace table {TABLE} as select cast(row_number() over () as bigint) as spot_order, "
                    "name, what, where_it_shows from _callqa_planted")
    finally:
        con.unregister("_callqa_planted")
    return len(spots)
