"""Setting a user's goals, and moving what depends on them."""

from datetime import datetime

from sqlalchemy.orm import Session

from server.models import Goal
from server.services.access import Account
from server.services.reminders import refresh_gap_reminder


def set_goals(db: Session, user: Account, values: dict, now: datetime) -> Goal:
    """Store the user's goals (all fields) and move the gap reminder, which they time."""
    goal = db.get(Goal, user.id)
    if goal is None:
        goal = Goal(user_id=user.id)
        db.add(goal)
    for name, value in values.items():
        setattr(goal, name, value)
    goal.updated_at = now
    db.flush()
    refresh_gap_reminder(db, user, now)
    db.commit()
    return goal
