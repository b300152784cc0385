"""Equipment changes: output before and after each change of pump or flange size, as an observation only.

A session's equipment is its pump and flange size; a field left empty keeps the value of the sessions before
it (the form remembers them), and sessions before the first one that names any equipment are left out. A change
is a session whose equipment differs from the one before it. Each side of a change is the run of sessions with
the same equipment up to the next change, and its figures are medians, so one odd session moves them little.
"""

import statistics
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from server.domain.languages import N_
from server.domain.sessions import duration_min, total_volume_ml

OBSERVATION = N_(
    "An observation, not a cause: output also changes with the baby's age and feeds, the time of day, "
    "how often and how long you pump, and much else."
)


class EquipmentFacts(NamedTuple):
    """What the comparison needs of a session (times aware UTC, volumes mL)."""

    started_at: datetime
    ended_at: datetime
    left_ml: float | None
    right_ml: float | None
    unsided_ml: float | None
    pump: str | None
    flange_mm: float | None


class Equipment(NamedTuple):
    """A pump and a flange size; either may be unknown."""

    pump: str | None
    flange_mm: float | None


class Side(NamedTuple):
    """The sessions pumped with one equipment between two changes, and their medians."""

    equipment: Equipment
    first_started_at: datetime
    last_started_at: datetime
    sessions: int  # all sessions on this side
    measured: int  # of which a volume was logged: the medians count only these
    median_ml_per_min: float | None
    median_ml_per_session: float | None


class EquipmentChange(NamedTuple):
    """A change of pump or flange size, with what it changed and the two sides compared."""

    at: datetime  # the start of the first session with the new equipment
    changed: tuple[str, ...]  # "pump", "flange_mm"
    before: Side
    after: Side


def equipment_changes(sessions: Iterable[EquipmentFacts]) -> list[EquipmentChange]:
    """Compare the sessions (in start order) before and after each change of pump or flange size."""
    runs: list[tuple[Equipment, list[EquipmentFacts]]] = []
    pump: str | None = None
    flange: float | None = None
    for session in sessions:
        pump = _name(session.pump) or pump
        flange = session.flange_mm if session.flange_mm is not None else flange
        if pump is None and flange is None:
            continue
        equipment = Equipment(pump, flange)
        if runs and _same(runs[-1][0], equipment):
            runs[-1][1].append(session)
        else:
            runs.append((equipment, [session]))
    sides = [_side(equipment, run) for equipment, run in runs]
    return [
        EquipmentChange(after.first_started_at, _changed(before.equipment, after.equipment), before, after)
        for before, after in zip(sides, sides[1:], strict=False)
    ]


def _name(pump: str | None) -> str | None:
    """Return a pump's name without surrounding spaces; empty is unknown."""
    return (pump or "").strip() or None


def _same(a: Equipment, b: Equipment) -> bool:
    """Tell whether two equipments are the same: pump names ignore case ("Spectra S1" is "spectra s1")."""
    return (a.pump or "").casefold() == (b.pump or "").casefold() and a.flange_mm == b.flange_mm


def _changed(a: Equipment, b: Equipment) -> tuple[str, ...]:
    """Name what differs between two equipments."""
    pump = ("pump",) if (a.pump or "").casefold() != (b.pump or "").casefold() else ()
    return pump + (("flange_mm",) if a.flange_mm != b.flange_mm else ())


def _side(equipment: Equipment, run: list[EquipmentFacts]) -> Side:
    """Take the medians of one run of sessions; sessions without a logged volume are counted but not measured."""
    volumes = [(total, s) for s in run
               if (total := total_volume_ml(s.left_ml, s.right_ml, s.unsided_ml)) is not None]
    # An imported session may last no time: it has an amount but no rate.
    per_min = [total / minutes for total, s in volumes if (minutes := duration_min(s.started_at, s.ended_at)) > 0]
    return Side(
        equipment, run[0].started_at, run[-1].started_at, len(run), len(volumes),
        statistics.median(per_min) if per_min else None,
        statistics.median([total for total, _ in volumes]) if volumes else None,
    )
