"""Daily summaries of a user's sessions in their own time zone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.domain.errors import InvalidInput
from server.domain.summary import DaySummary, GoalFacts, SessionFacts, day_bounds, summarize_days
from server.models import PumpSession, User
from server.services.goals import get_goals

MAX_DAYS = 366


def daily_summary(db: Session, user: User, first: date, last: date) -> list[DaySummary]:
    """Summarize the local days first..last (inclusive) of the user's sessions."""
    if last < first:
        raise InvalidInput("The range ends before it starts.", {"to": ["Must not be before from."]})
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput("The range is too long.", {"to": [f"At most {MAX_DAYS} days."]})
    zone = ZoneInfo(user.time_zone)
    start, _ = day_bounds(first, zone)
    _, end = day_bounds(last, zone)
    columns = (PumpSession.started_at, PumpSession.ended_at, PumpSession.left_ml, PumpSession.right_ml)
    rows = db.execute(
        select(*columns)
        .where(PumpSession.user_id == user.id, PumpSession.started_at >= start, PumpSession.started_at < end)
        .order_by(PumpSession.started_at)
    )
    goal = get_goals(db, user)
    return summarize_days(
        [SessionFacts(*row) for row in rows], first, last, zone,
        GoalFacts(goal.daily_volume_ml, goal.sessions_per_day), previous_end(db, user, start),
    )


def previous_end(db: Session, user: User, start: datetime) -> datetime | None:
    """Return the latest end among the user's sessions started before `start` (the first gap runs from it)."""
    # The latest end, not the end of the latest start: an earlier, longer session can end after a later, shorter
    # one, and only the latest end makes a day's gaps the same whatever range it is asked in.
    return db.scalar(
        select(func.max(PumpSession.ended_at)).where(PumpSession.user_id == user.id, PumpSession.started_at < start)
    )
