"""Plan and reminder services against the database: dedupe under races, start/replace/cancel, gap moves."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.domain.errors import PlanConflict
from server.domain.reminders import GAP, ReminderDraft
from server.models import Plan, Reminder, User
from server.services import goal_changes, plans, sessions
from server.services.reminders import list_reminders, refresh_gap_reminder, upsert_reminders

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
SESSION = {"started_at": NOW - timedelta(hours=1), "duration_min": 20, "mode": "double"}


@pytest.fixture
def user(make_user, db):
    """A stored user in UTC."""
    data, _ = make_user()
    return db.get(User, data["id"])


def pending(db, user, key=None):
    """Return the user's pending reminders, optionally for one dedupe key."""
    query = select(Reminder).where(Reminder.user_id == user.id, Reminder.status == "pending")
    if key:
        query = query.where(Reminder.dedupe_key == key)
    return list(db.scalars(query))


def draft(due):
    """Return a gap reminder draft due at `due`."""
    return ReminderDraft(GAP, "gap", due, None, "t", "b", "/#/log")


def test_upserting_the_same_key_twice_keeps_one_pending_row(db, user):
    upsert_reminders(db, user, [(draft(NOW), None, None)], NOW)
    upsert_reminders(db, user, [(draft(NOW + timedelta(hours=1)), None, None)], NOW)
    db.commit()
    rows = pending(db, user, "gap")
    assert len(rows) == 1 and rows[0].due_at == NOW + timedelta(hours=1) == rows[0].send_after


def test_a_sent_reminder_does_not_block_a_new_pending_one(db, user):
    upsert_reminders(db, user, [(draft(NOW), None, None)], NOW)
    db.execute(Reminder.__table__.update().values(status="sent"))
    upsert_reminders(db, user, [(draft(NOW + timedelta(hours=3)), None, None)], NOW)
    db.commit()
    assert db.scalar(select(func.count()).select_from(Reminder)) == 2 and len(pending(db, user)) == 1


def test_racing_recomputes_leave_one_pending_gap_reminder(app, db, user):
    engine = app.extensions["engine"]

    def recompute(minutes):
        """Upsert the gap reminder from its own connection, as a concurrent request would."""
        with Session(engine) as own:
            upsert_reminders(own, own.get(User, user.id), [(draft(NOW + timedelta(minutes=minutes)), None, None)], NOW)
            own.commit()

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(recompute, range(24)))
    assert len(pending(db, user, "gap")) == 1


def test_gap_reminder_follows_the_latest_session_end(db, user):
    values = {"started_at": NOW - timedelta(hours=1), "duration_min": 20, "left_ml": 50.0, "mode": "double"}
    session, _ = sessions.create_session(db, user, values, NOW)
    [row] = pending(db, user, "gap")
    assert row.due_at == NOW - timedelta(minutes=40) + timedelta(hours=3)
    sessions.delete_session(db, user, session.id, NOW)
    db.expire_all()
    assert pending(db, user, "gap") == []


def test_goal_change_moves_the_gap_reminder(db, user):
    sessions.create_session(db, user, SESSION, NOW)
    values = {
        "daily_volume_ml": 750.0, "sessions_per_day": 8, "max_gap_day_min": 120, "max_gap_night_min": 300,
        "night_start": time(22), "night_end": time(6),
    }
    goal_changes.set_goals(db, user, values, NOW)
    db.expire_all()
    [row] = pending(db, user, "gap")
    assert row.due_at == NOW - timedelta(minutes=40) + timedelta(hours=2)


def test_quiet_hours_defer_a_day_gap(db, user):
    user.quiet_start, user.quiet_end = time(14), time(16)
    db.commit()
    sessions.create_session(db, user, SESSION, NOW)
    refresh_gap_reminder(db, user, NOW)
    db.commit()
    assert pending(db, user, "gap")[0].due_at == NOW.replace(hour=16)


def test_start_refuses_a_second_active_plan_and_replace_cancels_the_first(db, user):
    values = {"template": "power-hour", "starts_at": NOW, "params": {}}
    first = plans.start_plan(db, user, values, NOW)
    with pytest.raises(PlanConflict):
        plans.start_plan(db, user, values, NOW)
    second = plans.start_plan(db, user, {**values, "replace": True}, NOW)
    db.expire_all()
    assert db.get(Plan, first.id).status == "cancelled"
    assert {r.plan_id for r in pending(db, user) if r.plan_id} == {second.id}


def test_racing_starts_leave_one_active_plan(app, db, user):
    engine = app.extensions["engine"]

    def begin(_):
        """Start the same plan from its own connection."""
        with Session(engine, expire_on_commit=False) as own:
            try:
                plans.start_plan(own, own.get(User, user.id), {"template": "wean", "starts_at": NOW, "params": {}}, NOW)
                return "started"
            except PlanConflict:
                return "conflict"

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(begin, range(4)))
    assert outcomes.count("started") == 1
    assert db.scalar(select(func.count()).select_from(Plan).where(Plan.status == "active")) == 1


def test_upcoming_reminders_leave_out_expired_ones(db, user):
    plans.start_plan(db, user, {"template": "frequent-boost", "starts_at": NOW, "params": {}}, NOW - timedelta(hours=1))
    later = NOW + timedelta(hours=5)
    assert all(r.expires_at > later for r in list_reminders(db, user, later))
    assert len(list_reminders(db, user, later)) == 21


def test_the_database_refuses_a_reminder_status_that_has_no_name(db, user):
    upsert_reminders(db, user, [(draft(NOW + timedelta(hours=1)), None, None)], NOW)
    with pytest.raises(IntegrityError):
        db.execute(update(Reminder).where(Reminder.user_id == user.id).values(status="snoozed"))
        db.flush()
    db.rollback()
