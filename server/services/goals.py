"""Reading and setting a user's goals."""

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from server.domain.goals import DEFAULT_GOALS
from server.models import Goal

# A module import: reminders reads the goals through get_goals, and each module needs the other.
from server.services import reminders
from server.services.access import Account

# Read often (the goals, a gap reminder moved): a statement built once costs less than Session.get's per-call one.
GOALS_OF_USER = select(Goal).where(Goal.user_id == bindparam("user_id"))

def get_goals(db: Session, user: Account) -> Goal:
    """Return the user's goals, or the defaults when none were set (not stored)."""
    return db.scalar(GOALS_OF_USER, {"user_id": user.id}) or Goal(user_id=user.id, **DEFAULT_GOALS)


def set_goals(db: Session, user: Account, values: dict, now: datetime) -> Goal:
    """Store the user's goals (all fields) and move what depends on them."""
    goal = db.get(Goal, user.id)
    if goal is None:
        goal = Goal(user_id=user.id)
        db.add(goal)
    for name, value in values.items():
        setattr(goal, name, value)
    goal.updated_at = now
    db.flush()
    goals_changed(db, user, now)
    db.commit()
    return goal


def goals_changed(db: Session, user: Account, now: datetime) -> None:
    """Recompute what depends on the goals (the gap reminder), inside the caller's transaction."""
    reminders.refresh_gap_reminder(db, user, now)
