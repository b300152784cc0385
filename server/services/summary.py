"""Daily summaries of a user's sessions in their own time zone."""

from datetime import date, datetime
from operator import itemgetter
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from server.db import all_rows
from server.domain.errors import InvalidInput
from server.domain.sessions import MAX_DURATION
from server.domain.summary import DaySummary, GoalFacts, day_bounds, summarize_days
from server.models import Goal, PumpSession, User
from server.services.goals import get_goals

MAX_DAYS = 366

# Built once (a statement's construction costs about as much as SQLite's run of it). Plain rows through the
# connection (db.all_rows): the ORM adds nothing to four columns but cost per row.
SESSIONS_IN_RANGE = (
    select(PumpSession.started_at, PumpSession.ended_at, PumpSession.left_ml, PumpSession.right_ml)
    .where(
        PumpSession.user_id == bindparam("user_id"), PumpSession.started_at >= bindparam("start"),
        PumpSession.started_at < bindparam("end"),
    )
    .order_by(PumpSession.started_at)
)
# No session lasts longer than MAX_DURATION, so the (user_id, ended_at) index is read backwards from
# start + MAX_DURATION and stops at the first match, instead of visiting every earlier session.
LATEST_END_BEFORE = (
    select(PumpSession.ended_at)
    .where(
        PumpSession.user_id == bindparam("user_id"), PumpSession.ended_at <= bindparam("horizon"),
        PumpSession.started_at < bindparam("start"),
    )
    .order_by(PumpSession.ended_at.desc())
    .limit(1)
)


def summary_view(db: Session, user: User, first: date, last: date) -> dict:
    """Return the summary as the API shows it: the days, the goal they are measured against, zone and unit."""
    goal = get_goals(db, user)
    days = daily_summary(db, user, first, last, goal)
    return {"time_zone": user.time_zone, "unit": user.unit, "goal": goal, "days": days}


def daily_summary(db: Session, user: User, first: date, last: date, goal: Goal | None = None) -> list[DaySummary]:
    """Summarize the local days first..last (inclusive) of the user's sessions, against `goal` (read if not given)."""
    if last < first:
        raise InvalidInput("The range ends before it starts.", {"to": ["Must not be before from."]})
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput("The range is too long.", {"to": [f"At most {MAX_DAYS} days."]})
    zone = ZoneInfo(user.time_zone)
    start, _ = day_bounds(first, zone)
    _, end = day_bounds(last, zone)
    rows = all_rows(db.connection(), SESSIONS_IN_RANGE, {"user_id": user.id, "start": start, "end": end})
    # In start order: all_rows promises none (on SQLite the rows come through an aggregate).
    rows.sort(key=itemgetter(0))
    goal = goal or get_goals(db, user)
    # The rows are already in SessionFacts' order; naming each one would cost more than the summary's pass.
    return summarize_days(
        rows, first, last, zone, GoalFacts(goal.daily_volume_ml, goal.sessions_per_day), previous_end(db, user, start),
    )


def previous_end(db: Session, user: User, start: datetime) -> datetime | None:
    """Return the latest end among the user's sessions started before `start` (the first gap runs from it)."""
    # The latest end, not the end of the latest start: an earlier, longer session can end after a later, shorter
    # one, and only the latest end makes a day's gaps the same whatever range it is asked in.
    return db.scalar(LATEST_END_BEFORE, {"user_id": user.id, "horizon": start + MAX_DURATION, "start": start})
