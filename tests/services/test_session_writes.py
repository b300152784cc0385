"""Creating sessions against the database: replays settled by the insert, the gap reminder moved (or cancelled)
only when it must."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from server.domain.errors import SessionIdReused
from server.models import PumpSession, Reminder, User
from server.services import plans, sessions
from tests.statements import recorded

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


@pytest.fixture
def user(make_user, db):
    """A stored user in UTC."""
    data, _ = make_user()
    return db.get(User, data["id"])


def logged(minutes_ago: int, **values) -> dict:
    """Return a create request's parsed values for a 20-minute session started `minutes_ago` before NOW."""
    return {"started_at": NOW - timedelta(minutes=minutes_ago), "duration_min": 20, "mode": "double", **values}


def gap_row(db, user):
    """Return the user's pending gap reminder."""
    db.expire_all()
    return db.scalar(select(Reminder).where(
        Reminder.user_id == user.id, Reminder.status == "pending", Reminder.dedupe_key == "gap"))


def test_a_session_ending_before_the_latest_end_leaves_the_gap_reminder_as_it_was(db, user):
    sessions.create_session(db, user, logged(60), NOW)
    before = gap_row(db, user)
    later = NOW + timedelta(minutes=5)
    sessions.create_session(db, user, logged(300), later)
    after = gap_row(db, user)
    assert (after.id, after.due_at, after.updated_at) == (before.id, before.due_at, before.updated_at)
    sessions.create_session(db, user, logged(30), later)
    assert gap_row(db, user).due_at == NOW - timedelta(minutes=10) + timedelta(hours=3)


def test_a_new_latest_session_reads_the_latest_end_once(db, user):
    sessions.create_session(db, user, logged(60), NOW)
    with recorded(db.get_bind()) as statements:
        sessions.create_session(db, user, logged(30), NOW)
    assert sum("max(pump_sessions.ended_at)" in statement for statement in statements) == 1
    assert gap_row(db, user).due_at == NOW - timedelta(minutes=10) + timedelta(hours=3)


def test_a_new_latest_session_past_its_reminder_cancels_a_pending_one_and_sends_no_cancel_when_none_is(
    db, user,
):
    def cancels(statements: list[str]) -> int:
        """How many statements changed reminders."""
        return sum(statement.startswith("UPDATE reminders") for statement in statements)

    sessions.create_session(db, user, logged(60), NOW)
    assert gap_row(db, user).due_at == NOW - timedelta(minutes=40) + timedelta(hours=3)
    # Five hours on, with that reminder still pending (no clock sent it), she logs a later session: its own
    # reminder's moment has passed too, so the pending one is cancelled.
    later = NOW + timedelta(hours=5)
    with recorded(db.get_bind()) as statements:
        sessions.create_session(db, user, logged(30), later)
    assert (cancels(statements), gap_row(db, user)) == (1, None)
    # Nothing is pending now: a still later past session changes nothing, and no cancel is sent for it.
    with recorded(db.get_bind()) as statements:
        sessions.create_session(db, user, logged(0), later)
    assert (cancels(statements), gap_row(db, user)) == (0, None)
    assert db.scalar(select(func.count()).select_from(Reminder).where(Reminder.status == "cancelled")) == 1


def test_a_new_session_reads_the_plans_only_when_one_is_near_and_then_fulfils_its_block(db, user):
    def plans_read(statements: list[str]) -> bool:
        """Whether a statement of its own read the plans (the insert's look for one near is not)."""
        return any(statement.startswith("SELECT") and "FROM plans" in statement for statement in statements)

    with recorded(db.get_bind()) as statements:
        sessions.create_session(db, user, logged(60), NOW)
    assert not plans_read(statements)  # the insert found none near
    start = NOW + timedelta(hours=1)
    plans.start_plan(db, user, {"template": "frequent-boost", "starts_at": start, "params": {}}, NOW)
    first_block = {"started_at": start, "duration_min": 15, "mode": "double"}
    with recorded(db.get_bind()) as statements:
        stored, _ = sessions.create_session(db, user, first_block, start + timedelta(minutes=25))
    assert plans_read(statements) and stored.plan_slot_id is not None
    # More than two days after the plan ended (72 hours at most), a new session no longer looks for it.
    with recorded(db.get_bind()) as statements:
        sessions.create_session(db, user, logged(0), NOW + timedelta(days=7))
    assert not plans_read(statements)


def test_a_replayed_id_stores_nothing_and_a_reused_one_is_refused(db, user):
    values = logged(60, id=uuid.uuid4(), left_ml=40.0)
    first, created = sessions.create_session(db, user, values, NOW)
    again, created_again = sessions.create_session(db, user, dict(values), NOW)
    assert (created, created_again, again.id) == (True, False, first.id)
    with pytest.raises(SessionIdReused):
        sessions.create_session(db, user, {**values, "left_ml": 41.0}, NOW)
    assert db.scalar(select(func.count()).select_from(PumpSession)) == 1
