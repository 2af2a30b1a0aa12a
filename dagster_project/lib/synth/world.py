"""The shared state of one run of the generator: clock, reference data, random streams and what each area built."""
from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pyarrow as pa

from dagster_project.lib.synth.clock import Clock
from dagster_project.lib.synth.reference import Reference


@dataclass
class World:
    clock: Clock
    ref: Reference
    contacts_per_day: int
    seed: int
    truth: dict = field(default_factory=dict)
    # Built by the areas, in this order (each reads what the earlier ones left):
    people: Any = None            # people.People: roster, hires, classes, latent performance
    schedule: Any = None          # wfm.Schedule: planned activities per agent and day
    routing: Any = None           # wfm.Routing: who is on duty in each 15-minute slot
    spells: Any = None            # wfm: late logins and not-ready spells (dict of arrays)
    contacts: Any = None          # contacts.ContactSet: every contact and outbound call
    agent_time: Any = None        # wfm.build_states: the ACD state log (dict of arrays)
    ticket_state: Any = None      # tickets: creation, first solve, reopen per ticket
    survey_state: Any = None      # surveys: surveyed contacts, csat, drivers
    transcript_state: Any = None  # transcripts: transcribed contacts, planted red lines
    qa_state: Any = None          # qa: evaluated contacts, the process-wide failure
    caller_numbers: Any = None    # distinct caller numbers written (for the PII section of the truth)

    def rng(self, stream: str) -> np.random.Generator:
        """An independent random stream per area: changing one area does not reshuffle the others."""
        return np.random.default_rng([self.seed, zlib.crc32(stream.encode("utf-8"))])


@dataclass
class Frame:
    """Rows of one landing source: text columns (object arrays of str / None) and the local day of each row
    (used to split the source into weekly or monthly files)."""
    columns: dict[str, np.ndarray]
    day: np.ndarray

    def __len__(self) -> int:
        return len(self.day)

    def take(self, index: np.ndarray) -> "Frame":
        return Frame({k: v[index] for k, v in self.columns.items()}, self.day[index])


@dataclass
class LazyFrame:
    """Rows of one landing source not yet turned into text: `text_of(rows)` gives the text columns of those rows
    (positions in this frame's order, every column computed row by row from the generator's arrays, so a part
    has the same text as the same rows of the whole). The landing writes it a file (a period) at a time
    (`Landing.write_frame` takes each period's rows), so a year of contacts never exists as text all at once:
    the generator streams to disk (issue 14). Dirty mode plants its defects in a whole source: `materialise`."""
    text_of: Callable[[np.ndarray], dict[str, np.ndarray]]
    day: np.ndarray

    def __len__(self) -> int:
        return len(self.day)

    def take(self, index: np.ndarray) -> Frame:
        index = np.asarray(index, dtype=np.int64)
        return Frame(self.text_of(index), self.day[index])

    def materialise(self) -> Frame:
        return self.take(np.arange(len(self)))


def concat_frames(*frames: Frame) -> Frame:
    """Rows of several frames of one source (the same columns, in the first frame's order)."""
    columns = list(frames[0].columns)
    return Frame({c: np.concatenate([f.columns[c] for f in frames]) for c in columns},
                 np.concatenate([f.day for f in frames]))


def text(values, fmt: str | None = None) -> np.ndarray:
    """Values -> landing text (object array; NaN / None -> None).

    fmt 'int' rounds to whole numbers, '.1f' / '.2f' rounds to that many decimals (written in the shortest
    form, e.g. 12.5, 3); booleans become true/false; strings pass through ('' -> None)."""
    values = np.asarray(values)
    out = np.full(values.shape, None, dtype=object)
    if values.dtype.kind == "b":
        return np.where(values, "true", "false").astype(object)
    if values.dtype.kind in "OUS":
        out[:] = values
        out[np.equal(out, "")] = None
        return out
    ok = ~np.isnan(values) if values.dtype.kind == "f" else np.ones(values.shape, dtype=bool)
    if fmt == "int" or (fmt is None and values.dtype.kind in "iu"):
        numbers = pa.array(np.round(values[ok]).astype(np.int64))
    else:
        numbers = pa.array(np.round(values[ok].astype(np.float64), int((fmt or ".1f")[1:-1])))
    # Arrow writes the shortest text that reads back as the same number (12.5, 3, 0.3).
    out[ok] = numbers.cast(pa.string()).to_numpy(zero_copy_only=False)
    return out


def ids(prefix: str, numbers, width: int) -> np.ndarray:
    """Zero-padded identifiers: ids('C', [1, 2], 9) -> ['C000000001', 'C000000002'] (object array).
    Built from character codes in bulk: a Python format call per id is ten times slower."""
    numbers = np.asarray(numbers, dtype=np.int64)
    n = len(numbers)
    codes = np.empty((n, len(prefix) + width), dtype=np.uint32)
    codes[:, :len(prefix)] = [ord(ch) for ch in prefix]
    rest = numbers.copy()
    for k in range(width - 1, -1, -1):
        codes[:, len(prefix) + k] = 48 + rest % 10
        rest //= 10
    if n and rest.max() > 0:
        raise ValueError(f"identifier numbers do not fit in {width} digits")
    return codes.view(f"<U{len(prefix) + width}").ravel().astype(object)


def bools(values) -> np.ndarray:
    values = np.asarray(values, dtype=bool)
    return np.where(values, "true", "false").astype(object)


def lognormal(rng: np.random.Generator, median, sigma, size) -> np.ndarray:
    return np.asarray(median, dtype=np.float64) * np.exp(sigma * rng.standard_normal(size))


def log_uniform(rng: np.random.Generator, low, high, size) -> np.ndarray:
    return low * np.exp(rng.random(size) * np.log(high / low))


def choice_index(rng: np.random.Generator, weights, size) -> np.ndarray:
    weights = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(weights), size=size, p=weights / weights.sum())


def group_rank(keys: np.ndarray) -> np.ndarray:
    """Rank of each element within its group of equal keys, in the given order (keys must be sorted)."""
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    start = np.r_[True, keys[1:] != keys[:-1]]
    first = np.maximum.accumulate(np.where(start, np.arange(n), 0))
    return np.arange(n) - first
