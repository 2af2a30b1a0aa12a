"""The business schedule of the synthetic center (landing business_schedules and holidays): its opening hours,
every day of the week in its own zone, and the two holidays of each year it covers. Delivered as schedule
`default`, so it replaces the shipped seed schedule of that name and fct_tickets reports business minutes on the
hours the center really keeps."""
from __future__ import annotations

from datetime import date

import numpy as np

from dagster_project.lib.synth.params import CLOSE_HOUR, OPEN_HOUR
from dagster_project.lib.synth.world import Frame, World

SCHEDULE_ID = "default"
HOLIDAYS = (((1, 1), "New Year's Day"), ((12, 25), "Christmas Day"))


def _column(values) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def business_schedules_frame(world: World) -> Frame:
    clock = world.clock
    weekdays = list(range(1, 8))
    world.truth["business_hours"] = {
        "schedule_id": SCHEDULE_ID, "time_zone": clock.timezone,
        "weekly": f"every day {OPEN_HOUR:02d}:00-{CLOSE_HOUR:02d}:00",
        "holidays": [name for _, name in HOLIDAYS],
    }
    return Frame({
        "schedule_id": _column([SCHEDULE_ID] * 7),
        "time_zone": _column([clock.timezone] * 7),
        "weekday": _column([str(d) for d in weekdays]),
        "opens_at": _column([f"{OPEN_HOUR:02d}:00"] * 7),
        "closes_at": _column([f"{CLOSE_HOUR:02d}:00"] * 7),
    }, np.zeros(7, dtype=np.float64))


def holidays_frame(world: World) -> Frame:
    clock = world.clock
    days = [(date(year, month, day), name) for year in range(clock.start_date.year, clock.end_date.year + 1)
            for (month, day), name in HOLIDAYS]
    return Frame({
        "schedule_id": _column([SCHEDULE_ID] * len(days)),
        "holiday_date": _column([d.isoformat() for d, _ in days]),
        "name": _column([name for _, name in days]),
    }, np.zeros(len(days), dtype=np.float64))
