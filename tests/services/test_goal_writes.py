"""Setting goals: the later of two phones that store her first goals at once wins, with no error."""

from datetime import UTC, datetime, time

from sqlalchemy.orm import Session

from server.models import Goal, User
from server.services.access import Account
from server.services.goal_changes import set_goals

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
GOALS = {"daily_volume_ml": 750.0, "sessions_per_day": 8, "max_gap_day_min": 180, "max_gap_night_min": 300,
         "night_start": time(22), "night_end": time(6)}


def test_first_goals_stored_by_another_phone_meanwhile_are_replaced_not_refused(app, db, make_user, monkeypatch):
    data, _ = make_user()
    account = Account.of(db.get(User, data["id"]))
    looked = db.get

    def other_phone_first(model, key, **kwargs):
        """Find nothing, as her other phone commits its own first goals just after this look."""
        found = looked(model, key, **kwargs)
        if model is Goal and found is None:
            with Session(app.extensions["engine"]) as other:
                other.add(Goal(user_id=key, **{**GOALS, "sessions_per_day": 6}, updated_at=NOW))
                other.commit()
            monkeypatch.setattr(db, "get", looked)
        return found

    monkeypatch.setattr(db, "get", other_phone_first)
    set_goals(db, account, {**GOALS, "sessions_per_day": 10}, NOW)

    db.expire_all()
    assert db.get(Goal, data["id"]).sessions_per_day == 10
