"""Rules a pumping session must follow, beyond each field's own range."""

from datetime import datetime, timedelta

from server.domain.errors import InvalidInput
from server.domain.languages import N_

MIN_DURATION = timedelta(minutes=1)
MAX_DURATION = timedelta(hours=4)
# Phones drift; a little future tolerates that without letting people log tomorrow.
FUTURE_TOLERANCE = timedelta(minutes=5)
# How a session was pumped: both sides at once, one side, or by hand.
MODES = ("double", "left", "right", "hand")
MODE_NAMES = {"double": N_("double"), "left": N_("left"), "right": N_("right"), "hand": N_("hand")}


def resolve_end(started_at: datetime, ended_at: datetime | None, duration_min: float | None) -> datetime:
    """Return the end time from an explicit end or a duration (exactly one is needed)."""
    if ended_at is not None and duration_min is not None:
        raise InvalidInput(
            "Give an end time or a duration, not both.", {"ended_at": ["Give ended_at or duration_min, not both."]}
        )
    if ended_at is None and duration_min is None:
        raise InvalidInput("An end time or a duration is needed.", {"ended_at": ["Give ended_at or duration_min."]})
    return ended_at if ended_at is not None else started_at + timedelta(minutes=duration_min)


def check_times(started_at: datetime, ended_at: datetime, now: datetime) -> None:
    """Raise InvalidInput unless the session ends after it starts, lasts 1 min to 4 h and is not in the future."""
    fields: dict[str, list[str]] = {}
    if started_at > now + FUTURE_TOLERANCE:
        fields["started_at"] = ["Must be at most 5 minutes in the future."]
    if ended_at <= started_at:
        fields["ended_at"] = ["Must be after started_at."]
    elif not MIN_DURATION <= ended_at - started_at <= MAX_DURATION:
        fields["ended_at"] = ["A session lasts from 1 minute to 4 hours."]
    if fields:
        raise InvalidInput("The session's times are not valid.", fields)


def imported_session_problem(
    started_at: datetime, ended_at: datetime, volumes: tuple[float | None, ...], now: datetime,
) -> str | None:
    """Return why a session read from a file cannot be stored, or None; it may last no time (other apps log
    amounts without durations), but not end before it starts, last over 4 hours, start in the future or hold a
    negative amount."""
    if started_at > now + FUTURE_TOLERANCE:
        return "It starts in the future."
    if ended_at < started_at:
        return "It ends before it starts."
    if ended_at - started_at > MAX_DURATION:
        return "It lasts longer than 4 hours."
    if any(volume is not None and volume < 0 for volume in volumes):
        return "An amount is negative."
    return None


def total_volume_ml(left_ml: float | None, right_ml: float | None, unsided_ml: float | None = None) -> float | None:
    """Return both sides (and an amount imported without sides) together; None when nothing was measured."""
    if left_ml is None and right_ml is None and unsided_ml is None:
        return None
    return (left_ml or 0.0) + (right_ml or 0.0) + (unsided_ml or 0.0)


def duration_min(started_at: datetime, ended_at: datetime) -> float:
    """Return the minutes from a session's start to its end."""
    return (ended_at - started_at).total_seconds() / 60
