"""Time: instants are float64 seconds since the Unix epoch (UTC), NaN = NULL; rendering is per contract.

Calls and digital contacts are written with the local UTC offset (`2026-03-08T08:15:00-04:00`), every other
source as naive local time (`2026-03-08T08:15:00`), which the warehouse reads in CALLQA_TIMEZONE.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

DAY = 86400.0
HOUR = 3600.0
MINUTE = 60.0


@dataclass(frozen=True)
class Clock:
    start_date: date
    days: int
    timezone: str

    @property
    def end_date(self) -> date:
        return self.start_date + timedelta(days=self.days - 1)

    @cached_property
    def start_naive(self) -> float:
        """The local midnight of the first day, as naive epoch seconds."""
        return float((np.datetime64(self.start_date, "s") - np.datetime64(0, "s")).astype(np.int64))

    @cached_property
    def end_utc(self) -> float:
        """The instant the data ends (local midnight after the last day): nothing happens at or after it."""
        return float(self.to_utc_naive(np.array([self.start_naive + self.days * DAY]))[0])

    # ---------------------------------------------------------------- conversion
    # The zone's UTC offsets are looked up in a table of its transitions around the data (a binary search)
    # rather than through pandas on every call: the contact simulation converts many small batches.

    @property
    def _transitions(self) -> tuple[np.ndarray, np.ndarray, float, float]:
        cached = _TRANSITIONS.get((self.timezone, self.start_date, self.days))
        if cached is None:
            lo = self.start_naive - 400 * DAY
            hi = self.start_naive + (self.days + 400) * DAY
            grid = np.arange(lo, hi, 900.0)  # every 15 minutes (UTC)
            idx = pd.DatetimeIndex(grid.astype(np.int64).astype("datetime64[s]"), tz="UTC")
            offsets = (idx.tz_convert(self.timezone).tz_localize(None).as_unit("s").asi8 - grid).astype(np.float64)
            change = np.r_[0, np.flatnonzero(offsets[1:] != offsets[:-1]) + 1]
            cached = (grid[change], offsets[change], lo + DAY, hi - DAY)
            _TRANSITIONS[(self.timezone, self.start_date, self.days)] = cached
        return cached

    def _offset_at(self, t: np.ndarray) -> np.ndarray:
        instants, offsets, _, _ = self._transitions
        return offsets[np.maximum(np.searchsorted(instants, t, side="right") - 1, 0)]

    def to_utc_naive(self, naive_seconds: np.ndarray) -> np.ndarray:
        """Naive local epoch seconds -> UTC instants (nonexistent times shift forward; ambiguous = first)."""
        naive_seconds = np.asarray(naive_seconds, dtype=np.float64)
        out = np.full(naive_seconds.shape, np.nan)
        ok = np.isfinite(naive_seconds)
        _, _, lo, hi = self._transitions
        before = self._offset_at(naive_seconds - 2 * DAY)
        after = self._offset_at(naive_seconds + 2 * DAY)
        simple = ok & (before == after) & (naive_seconds > lo) & (naive_seconds < hi)
        out[simple] = naive_seconds[simple] - before[simple]
        hard = ok & ~simple  # near a daylight-saving change (or far from the data): ask pandas
        if hard.any():
            idx = pd.DatetimeIndex(np.round(naive_seconds[hard]).astype(np.int64).astype("datetime64[s]"))
            local = idx.tz_localize(self.timezone, ambiguous=np.ones(len(idx), dtype=bool),
                                    nonexistent="shift_forward")
            out[hard] = local.tz_convert("UTC").tz_localize(None).as_unit("s").asi8.astype(np.float64)
        return out

    def at(self, day: np.ndarray, seconds_of_day: np.ndarray) -> np.ndarray:
        """The instant of local day index `day` (0 = start_date) at `seconds_of_day` local wall-clock time."""
        return self.to_utc_naive(self.start_naive + np.asarray(day, dtype=np.float64) * DAY
                                 + np.asarray(seconds_of_day, dtype=np.float64))

    def local_naive(self, t: np.ndarray) -> np.ndarray:
        """UTC instants -> naive local epoch seconds (NaN stays NaN)."""
        t = np.asarray(t, dtype=np.float64)
        out = np.full(t.shape, np.nan)
        ok = np.isfinite(t)
        _, _, lo, hi = self._transitions
        inside = ok & (t > lo) & (t < hi)
        out[inside] = np.round(t[inside]) + self._offset_at(np.round(t[inside]))
        outside = ok & ~inside
        if outside.any():
            idx = pd.DatetimeIndex(np.round(t[outside]).astype(np.int64).astype("datetime64[s]"), tz="UTC")
            out[outside] = idx.tz_convert(self.timezone).tz_localize(None).as_unit("s").asi8.astype(np.float64)
        return out

    def local_day(self, t: np.ndarray) -> np.ndarray:
        """Local day index (0 = start_date) of each instant."""
        return np.floor((self.local_naive(t) - self.start_naive) / DAY)

    def local_seconds_of_day(self, t: np.ndarray) -> np.ndarray:
        naive = self.local_naive(t) - self.start_naive
        return naive - np.floor(naive / DAY) * DAY

    def weekday(self, day: np.ndarray) -> np.ndarray:
        """0 = Monday."""
        return (np.asarray(day, dtype=np.int64) + self.start_date.weekday()) % 7

    # ---------------------------------------------------------------- rendering
    def fmt(self, t: np.ndarray, offset: bool) -> np.ndarray:
        """ISO 8601 strings (object array, None for NaN), with or without the local UTC offset."""
        t = np.asarray(t, dtype=np.float64)
        out = np.full(t.shape, None, dtype=object)
        ok = np.isfinite(t)
        if not ok.any():
            return out
        secs = np.round(t[ok]).astype(np.int64)
        naive = self.local_naive(secs.astype(np.float64)).astype(np.int64)
        out[ok] = _iso(naive, (naive - secs) // 60 if offset else None)
        return out

    def fmt_naive_local(self, naive_seconds: np.ndarray) -> np.ndarray:
        """Naive local epoch seconds -> ISO text without offset."""
        naive_seconds = np.asarray(naive_seconds, dtype=np.float64)
        out = np.full(naive_seconds.shape, None, dtype=object)
        ok = np.isfinite(naive_seconds)
        out[ok] = _iso(np.round(naive_seconds[ok]).astype(np.int64))
        return out

    def fmt_date(self, day: np.ndarray) -> np.ndarray:
        """Local day index (float, NaN = NULL) -> YYYY-MM-DD."""
        day = np.asarray(day, dtype=np.float64)
        out = np.full(day.shape, None, dtype=object)
        ok = np.isfinite(day)
        base = np.datetime64(self.start_date, "D")
        out[ok] = np.datetime_as_string(base + day[ok].astype(np.int64), unit="D")
        return out


def _offset_text(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


_TRANSITIONS: dict = {}
_TIME_OF_DAY: dict = {}


def _time_of_day(offset_minutes: int | None) -> pa.Array:
    """'THH:MM:SS' (+ '+hh:mm' when an offset is given) for every second of a day, built once per offset."""
    if offset_minutes not in _TIME_OF_DAY:
        suffix = "" if offset_minutes is None else _offset_text(offset_minutes)
        _TIME_OF_DAY[offset_minutes] = pa.array(
            [f"T{h:02d}:{m:02d}:{s:02d}{suffix}" for h in range(24) for m in range(60) for s in range(60)])
    return _TIME_OF_DAY[offset_minutes]


def _iso(naive_seconds: np.ndarray, offset_minutes: np.ndarray | None = None) -> np.ndarray:
    """Integer naive epoch seconds -> 'YYYY-MM-DDTHH:MM:SS[+hh:mm]' (object array): a table of dates and a
    table of times of day, joined in Arrow (several times faster than np.datetime_as_string)."""
    day = naive_seconds // 86400
    second = naive_seconds - day * 86400
    first = int(day.min())
    dates = pa.array(np.datetime_as_string(np.arange(first, int(day.max()) + 1).astype("datetime64[D]")))
    date_text = dates.take(pa.array(day - first))
    if offset_minutes is None:
        times = _time_of_day(None).take(pa.array(second))
    else:
        codes, inverse = np.unique(offset_minutes, return_inverse=True)
        table = pa.concat_arrays([_time_of_day(int(m)) for m in codes])
        times = table.take(pa.array(inverse.astype(np.int64) * 86400 + second))
    return pc.binary_join_element_wise(date_text, times, "").to_numpy(zero_copy_only=False)
