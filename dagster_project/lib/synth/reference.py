"""Reference data (seeds/) read at run time, so the synthetic data speaks the warehouse's vocabulary."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_SEEDS_DIR = REPO_ROOT / "seeds"

ERROR_CLASSES = ("customer_critical", "business_critical", "compliance_critical", "non_critical")


def _read(seeds_dir: Path, name: str, required: tuple[str, ...]) -> list[dict[str, str]]:
    path = seeds_dir / f"{name}.csv"
    if not path.exists():
        raise FileNotFoundError(f"seed {path} is missing: the generator reads its vocabulary from seeds/")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    missing = [c for c in required if rows and c not in rows[0]]
    if not rows or missing:
        raise ValueError(f"seed {path} has no rows or lacks columns {missing}")
    return rows


@dataclass(frozen=True)
class Reference:
    reasons: list[dict]            # reason_code, category
    queues: list[dict]             # queue, channel, service_level_threshold_seconds, short_abandon_seconds
    qa_items: list[dict]           # item_code, error_class, weight, form_version
    survey_questions: list[dict]   # question_code, dimension, scale_min, scale_max
    lexicon: list[dict]            # phrase, language, class
    hire_sources: list[str]
    targets: dict = None           # metric -> target (seeds metric_targets; the QA sample-size parameters)

    def target(self, metric: str, default: float) -> float:
        value = (self.targets or {}).get(metric)
        return default if value is None else value

    @property
    def reason_codes(self) -> list[str]:
        return [r["reason_code"] for r in self.reasons]

    def queues_of(self, channel: str) -> list[str]:
        return [q["queue"] for q in self.queues if q["channel"] == channel]

    @property
    def form_version(self) -> str:
        versions = sorted({i.get("form_version") or "" for i in self.qa_items} - {""})
        return versions[-1] if versions else "1"


def load_reference(seeds_dir: Path | None = None) -> Reference:
    seeds_dir = Path(seeds_dir) if seeds_dir else DEFAULT_SEEDS_DIR
    reasons = _read(seeds_dir, "reason_codes", ("reason_code",))
    queues = _read(seeds_dir, "queues", ("queue", "channel", "service_level_threshold_seconds"))
    qa_items = _read(seeds_dir, "qa_form_items", ("item_code", "error_class", "weight"))
    questions = _read(seeds_dir, "survey_questions", ("question_code", "dimension"))
    lexicon = _read(seeds_dir, "red_line_lexicon", ("phrase", "language", "class"))
    bad = sorted({i["error_class"] for i in qa_items} - set(ERROR_CLASSES))
    if bad:
        raise ValueError(f"qa_form_items has unknown error classes {bad}")
    if not [q for q in queues if q["channel"] == "voice"]:
        raise ValueError("queues.csv has no voice queue")
    try:
        hire_sources = [r["hire_source"] for r in _read(seeds_dir, "hire_sources", ("hire_source",))]
    except FileNotFoundError:
        hire_sources = ["referral", "agency", "job_board"]
    try:
        targets = {r["metric"]: float(r["target"]) for r in _read(seeds_dir, "metric_targets", ("metric", "target"))
                   if (r.get("target") or "").strip()}
    except (FileNotFoundError, ValueError):
        targets = {}
    return Reference(
        targets=targets,
        reasons=[{"reason_code": r["reason_code"], "category": r.get("category") or ""} for r in reasons],
        queues=[
            {
                "queue": q["queue"],
                "channel": q["channel"],
                "threshold": float(q.get("service_level_threshold_seconds") or 20),
                "short_abandon": float(q.get("short_abandon_seconds") or 5),
            }
            for q in queues
        ],
        qa_items=[
            {
                "item_code": i["item_code"],
                "error_class": i["error_class"],
                "weight": float(i.get("weight") or 0),
                "form_version": i.get("form_version") or "",
            }
            for i in qa_items
        ],
        survey_questions=[
            {
                "question_code": q["question_code"],
                "dimension": q["dimension"],
                "scale_min": int(float(q.get("scale_min") or 1)),
                "scale_max": int(float(q.get("scale_max") or 5)),
            }
            for q in questions
        ],
        lexicon=[
            {"phrase": r["phrase"].strip(), "language": r["language"].strip(), "class": r["class"].strip()}
            for r in lexicon
            if r["phrase"].strip()
        ],
        hire_sources=hire_sources,
    )
