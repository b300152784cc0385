"""Reading a user's goals (setting them, which moves the gap reminder, is in goal_changes.py)."""

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from server.domain.goals import DEFAULT_GOALS
from server.models import Goal
from server.services.access import Account

# Read often (the goals, a gap reminder moved): a statement built once costs less than Session.get's per-call one.
GOALS_OF_USER = select(Goal).where(Goal.user_id == bindparam("user_id"))


def get_goals(db: Session, user: Account) -> Goal:
    """Return the user's goals, or the defaults when none were set (not stored)."""
    return db.scalar(GOALS_OF_USER, {"user_id": user.id}) or Goal(user_id=user.id, **DEFAULT_GOALS)
