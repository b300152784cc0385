"""Setting a user's goals, and moving what depends on them."""

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.models import Goal
from server.services.access import Account
from server.services.reminders import refresh_gap_reminder


def set_goals(db: Session, user: Account, values: dict, now: datetime) -> Goal:
    """Store the user's goals (all fields) and move the gap reminder, which they time."""
    try:
        goal = _write(db, user, values, now)
    except IntegrityError:
        # Her other phone stored her first goals at the same moment: this later write replaces them.
        db.rollback()
        goal = _write(db, user, values, now)
    refresh_gap_reminder(db, user, now)
    db.commit()
    return goal


def _write(db: Session, user: Account, values: dict, now: datetime) -> Goal:
    """Insert or update the user's goals row, unflushed changes flushed."""
    goal = db.get(Goal, user.id)
    if goal is None:
        goal = Goal(user_id=user.id)
        db.add(goal)
    for name, value in values.items():
        setattr(goal, name, value)
    goal.updated_at = now
    db.flush()
    return goal
