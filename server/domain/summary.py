"""Per-local-day figures of a user's sessions: counts, volumes, gaps, night sessions, progress."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from server.domain.sessions import duration_min

# Night sessions matter for supply: docs/consultants.md counts those starting 01:00-05:00 local (hours 1 to 4).
NIGHT_FROM_HOUR = 1
NIGHT_TO_HOUR = 5
MIDNIGHT = time(0)


class SessionFacts(NamedTuple):
    """What the summary needs of a session (a tuple: a 90-day range builds hundreds per request)."""

    started_at: datetime
    ended_at: datetime
    left_ml: float | None
    right_ml: float | None
    unsided_ml: float | None = None  # one amount without sides, as another app recorded it


@dataclass(frozen=True)
class GoalFacts:
    """What the summary needs of the goals."""

    daily_volume_ml: float
    sessions_per_day: int


@dataclass
class DaySummary:
    """One local day's figures."""

    date: date
    hours: float
    sessions: int = 0
    left_ml: float = 0.0
    right_ml: float = 0.0
    pumping_min: float = 0.0
    longest_gap_min: float | None = None
    night_sessions: int = 0
    unsided_ml: float = 0.0
    volume_progress: float = 0.0
    sessions_progress: float = 0.0

    @property
    def total_ml(self) -> float:
        """Both sides together, with the amounts imported without sides."""
        return self.left_ml + self.right_ml + self.unsided_ml


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the aware start and end of a local day (23 or 25 hours long on DST days)."""
    start = datetime.combine(day, MIDNIGHT, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), MIDNIGHT, tzinfo=zone)
    return start, end


def sessions_span(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the span that holds every session started on the local days first..last.

    It ends at the next midnight's later occurrence: where clocks went back across midnight (St John's, 1987-2011:
    from 00:01 to 23:01), the last day came back for an hour after the next had begun, and a session started in that
    hour belongs to it. The span may then hold a minute of the next day: the caller goes by each session's local date.
    """
    start, end = day_bounds(first, zone)[0], day_bounds(last, zone)[1]
    # Compared in UTC: two times of one zone compare as wall-clock times, whatever their fold.
    return start, max(end.astimezone(UTC), end.replace(fold=1).astimezone(UTC))


def summarize_days(
    sessions: Sequence[SessionFacts | tuple[datetime, datetime, float | None, float | None, float | None]],
    first: date,
    last: date,
    zone: ZoneInfo,
    goal: GoalFacts,
    previous_end: datetime | None = None,
) -> list[DaySummary]:
    """Summarize sessions (sorted by start) into one entry per local day from first to last.

    A session belongs to the local day on which it started. A gap is the time from one
    session's end to the next one's start and counts on the day the next session starts;
    the gap runs from the latest end among all earlier sessions, and `previous_end` is the
    latest end among the sessions started before the range, so a day's figures are the
    same whatever range it is asked in.
    """
    days: list[DaySummary] = []
    day, one_day = first, timedelta(days=1)
    # Each day ends where the next begins: one local midnight per day, not two. Subtracting aware datetimes
    # of one zone ignores DST, so the length is taken between timestamps (UTC).
    start = datetime.combine(day, MIDNIGHT, tzinfo=zone).timestamp()
    while day <= last:
        end = datetime.combine(day + one_day, MIDNIGHT, tzinfo=zone).timestamp()
        days.append(DaySummary(date=day, hours=(end - start) / 3600))
        day, start = day + one_day, end
    # One pass over the tuples with the running figures in lists indexed by day: a 90-day range is hundreds of
    # sessions, and object attributes, dict look-ups and date objects per session were most of the summary's cost.
    count, first_ordinal = len(days), first.toordinal()
    sessions_of, night_of = [0] * count, [0] * count
    left_of, right_of, minutes_of, unsided_of = [0.0] * count, [0.0] * count, [0.0] * count, [0.0] * count
    longest_of: list[float | None] = [None] * count
    for started_at, ended_at, left_ml, right_ml, unsided_ml in sessions:
        local_start = started_at.astimezone(zone)
        index = local_start.toordinal() - first_ordinal
        inside = 0 <= index < count
        if previous_end is None:
            previous_end = ended_at
        else:
            if inside:
                # Overlapping sessions (a second pump) leave no gap rather than a negative one.
                gap = (started_at - previous_end).total_seconds() / 60
                gap = gap if gap > 0.0 else 0.0
                longest = longest_of[index]
                if longest is None or gap > longest:
                    longest_of[index] = gap
            if ended_at > previous_end:
                previous_end = ended_at
        if not inside:
            continue
        sessions_of[index] += 1
        if left_ml:
            left_of[index] += left_ml
        if right_ml:
            right_of[index] += right_ml
        if unsided_ml:
            unsided_of[index] += unsided_ml
        minutes_of[index] += duration_min(started_at, ended_at)
        if NIGHT_FROM_HOUR <= local_start.hour < NIGHT_TO_HOUR:
            night_of[index] += 1
    for index, summary in enumerate(days):
        summary.sessions, summary.left_ml, summary.right_ml = sessions_of[index], left_of[index], right_of[index]
        summary.pumping_min, summary.longest_gap_min = minutes_of[index], longest_of[index]
        summary.night_sessions, summary.unsided_ml = night_of[index], unsided_of[index]
    return measure(days, goal)


def measure(days: list[DaySummary], goal: GoalFacts) -> list[DaySummary]:
    """Set each day's progress towards the goal (kept days are measured against the goal of the moment)."""
    for summary in days:
        summary.volume_progress = _ratio(summary.total_ml, goal.daily_volume_ml)
        summary.sessions_progress = _ratio(summary.sessions, goal.sessions_per_day)
    return days


def _ratio(value: float, target: float) -> float:
    """Return value/target rounded for display, 0 when there is no target."""
    return round(value / target, 3) if target else 0.0
