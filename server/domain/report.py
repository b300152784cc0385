"""What a one-page report of a period holds beyond the daily summary: its longest gaps between sessions."""

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from server.domain.chart import Chart
from server.domain.equipment import EquipmentChange
from server.domain.summary import DaySummary, GoalFacts

LONGEST_GAPS = 3  # the few a consultant asks about; the daily table has each day's longest
MAX_DAYS = 31  # a month fits one page


PAPERS = ("a4", "letter")
NOT_ADVICE = "Figures are as logged by the person who pumps; none of this is medical advice."


class Gap(NamedTuple):
    """Time without pumping: from the latest end among earlier sessions to the next start."""

    since: datetime
    until: datetime

    @property
    def minutes(self) -> float:
        """The gap's length in minutes."""
        return (self.until - self.since).total_seconds() / 60


def longest_gaps(
    sessions: Iterable[tuple[datetime, datetime]], previous_end: datetime | None = None, count: int = LONGEST_GAPS
) -> list[Gap]:
    """Return the `count` longest gaps before sessions (start, end) given in start order, longest first.

    Gaps are measured as the daily summary measures them: from the latest end among all earlier sessions (a
    second pump's overlap is no gap), `previous_end` being the latest end before the period.
    """
    gaps = []
    for started_at, ended_at in sessions:
        if previous_end is not None and started_at > previous_end:
            gaps.append(Gap(previous_end, started_at))
        previous_end = ended_at if previous_end is None else max(previous_end, ended_at)
    return heapq.nlargest(count, gaps, key=lambda gap: gap.until - gap.since)


class PlanLine(NamedTuple):
    """The plan that ran in the period, how it was followed, and how strong its sources are."""

    name: str
    status: str
    starts_at: datetime
    ends_at: datetime
    done: int
    missed: int
    upcoming: int
    evidence: str
    disclaimer: str

    @property
    def adherence(self) -> float | None:
        """The share of the blocks due so far that were done; None before any was due."""
        due = self.done + self.missed
        return self.done / due if due else None


class StashLine(NamedTuple):
    """The milk left in open containers, in date per place, and what has expired."""

    containers: int
    ml: float
    by_place: dict[str, float]
    expired_containers: int
    expired_ml: float
    note: str


@dataclass(frozen=True)
class PeriodReport:
    """Everything the one-page report of some local days shows, in the user's zone and unit."""

    time_zone: ZoneInfo
    unit: str
    first: date
    last: date
    made_at: datetime
    goal: GoalFacts
    days: list[DaySummary]
    chart: Chart
    gaps: list[Gap]
    plan: PlanLine | None
    equipment: list[EquipmentChange]
    stash: StashLine | None


def hours_minutes(minutes: float | None) -> str:
    """Write a length of time as 3 h 05 min, or a dash when there is none."""
    if minutes is None:
        return "–"
    hours, rest = divmod(round(minutes), 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"
