"""A consultant's view of a client: her last 24 hours and the flags that ask for a look."""

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.domain.languages import Counted, Text
from server.domain.summary import DaySummary, SessionFacts

LAST_DAY = timedelta(hours=24)
# Below goal this many local days in a row (today, not yet over, does not count).
BELOW_GOAL_DAYS = 3
# The 7-day trend, today included.
TREND_DAYS = 7


class Flag(enum.StrEnum):
    """Something in a client's log a consultant should look at."""

    BELOW_GOAL = "below_goal"
    NIGHT_GAP = "night_gap"
    NOTHING_LOGGED = "nothing_logged"


# Most pressing first: the order the flags are listed in and a sort by flags weighs them.
FLAG_ORDER = (Flag.NOTHING_LOGGED, Flag.NIGHT_GAP, Flag.BELOW_GOAL)


@dataclass(frozen=True)
class LastDay:
    """A client's last 24 hours: volume, sessions, the longest gap between two of them, and her latest session."""

    total_ml: float
    sessions: int
    longest_gap_min: float | None
    last_logged_at: datetime | None


@dataclass(frozen=True)
class FlagFound:
    """A flag with the words that explain it."""

    code: Flag
    message: str


def gaps(sessions: Sequence[SessionFacts], previous_end: datetime | None) -> Iterator[tuple[datetime, float]]:
    """Yield (start of the session that ends it, minutes) for each gap, as the daily summary counts gaps.

    A gap runs from the latest end among the earlier sessions (`previous_end` for those before `sessions`, which are
    sorted by start) to a session's start; overlapping sessions leave none.
    """
    for started_at, ended_at, *_ in sessions:
        if previous_end is not None:
            # Timestamps: a difference of aware times in one zone would ignore a change of the clocks between them.
            yield started_at, max(0.0, (started_at.timestamp() - previous_end.timestamp()) / 60)
        previous_end = ended_at if previous_end is None else max(previous_end, ended_at)


def last_day(sessions: Sequence[SessionFacts], previous_end: datetime | None, now: datetime) -> LastDay:
    """Return the figures of the sessions started in the 24 hours before `now`.

    `sessions` are sorted by start and reach back at least 24 hours; `previous_end` is the latest end before them.
    Times are aware, in UTC as stored.
    """
    now = now.astimezone(UTC)
    since = now - LAST_DAY
    recent = [s for s in sessions if since <= s.started_at < now]
    total = sum((s.left_ml or 0.0) + (s.right_ml or 0.0) + (s.unsided_ml or 0.0) for s in recent)
    longest = max((minutes for at, minutes in gaps(sessions, previous_end) if since <= at < now), default=None)
    ends = [s.ended_at for s in sessions if s.started_at < now]
    latest = max(ends, default=previous_end)
    return LastDay(total, len(recent), longest, latest)


def last_night_start(now: datetime, zone: ZoneInfo, night_start: time, night_end: time) -> datetime:
    """Return when the last night that is over began: the night window (local, may wrap midnight) ended before now."""
    local = now.astimezone(zone)
    end_day = local.date()
    if datetime.combine(end_day, night_end, tzinfo=zone) > now:
        end_day -= timedelta(days=1)
    start_day = end_day - timedelta(days=1) if night_start > night_end else end_day
    return datetime.combine(start_day, night_start, tzinfo=zone)


def below_goal_streak(days: Sequence[DaySummary], today: date, goal_ml: float) -> int:
    """Return how many local days before today in a row fell short of the daily volume goal (0 without a goal)."""
    if goal_ml <= 0:
        return 0
    streak = 0
    for day in sorted((d for d in days if d.date < today), key=lambda d: d.date, reverse=True):
        if day.total_ml >= goal_ml:
            break
        streak += 1
    return streak


def flags(
    days: Sequence[DaySummary],
    sessions: Sequence[SessionFacts],
    previous_end: datetime | None,
    goal_ml: float,
    night: tuple[time, time, int],
    zone: ZoneInfo,
    now: datetime,
) -> list[FlagFound]:
    """Return a client's flags, most pressing first.

    - nothing logged for 24 hours (or ever);
    - a gap over her night limit (`night` is her goals' night start, night end and max_gap_night_min) in the last
      24 hours or since last night began, the gap still open now included;
    - below her daily volume goal BELOW_GOAL_DAYS local days in a row, as the daily summary counts the days (`days`
      up to today in her zone).
    Times are aware, in UTC as stored.
    """
    now = now.astimezone(UTC)
    found = {}
    latest = max((s.ended_at for s in sessions if s.started_at < now), default=previous_end)
    if latest is None or now - latest >= LAST_DAY:
        found[Flag.NOTHING_LOGGED] = Text("Nothing logged for 24 h.") if latest else Text("Nothing logged yet.")
    night_start, night_end, limit = night
    since = min(now - LAST_DAY, last_night_start(now, zone, night_start, night_end))
    longest = max((minutes for at, minutes in gaps(sessions, previous_end) if since <= at < now), default=0.0)
    open_gap = (now - latest).total_seconds() / 60 if latest is not None else 0.0
    if max(longest, open_gap) > limit:
        gap, most = _hours(max(longest, open_gap)), _hours(limit)
        found[Flag.NIGHT_GAP] = (Text("No session for {gap}, over her night limit of {limit}.", gap=gap, limit=most)
                                 if open_gap > longest else
                                 Text("A gap of {gap}, over her night limit of {limit}.", gap=gap, limit=most))
    today = now.astimezone(zone).date()
    streak = below_goal_streak(days, today, goal_ml)
    if streak >= BELOW_GOAL_DAYS:
        found[Flag.BELOW_GOAL] = Counted("Below her daily goal {count} day in a row.",
                                         "Below her daily goal {count} days in a row.", streak)
    return [FlagFound(code, found[code]) for code in FLAG_ORDER if code in found]


def _hours(minutes: float) -> str:
    """Write minutes as "6 h 10 min" (whole minutes)."""
    hours, rest = divmod(int(minutes), 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"
