"""Kept summary days: always the figures a fresh computation gives, whatever changed and whenever."""

import threading
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from server.domain.summary import GoalFacts, day_bounds, summarize_days
from server.models import PumpSession, SummaryDay, User
from server.services import accounts, goals, sessions, summary
from server.zone_data import zone_fingerprint

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
ZONES = ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/London"]


def fresh_summary(db: Session, user: User, first: date, last: date) -> list:
    """Compute the days from every stored session, one by one, without anything kept (the oracle)."""
    zone = ZoneInfo(user.time_zone)
    rows = db.execute(select(PumpSession.started_at, PumpSession.ended_at, PumpSession.left_ml, PumpSession.right_ml,
                             PumpSession.unsided_ml)
                      .where(PumpSession.user_id == user.id).order_by(PumpSession.started_at)).all()
    start, end = day_bounds(first, zone)[0], day_bounds(last, zone)[1]
    before = [ended for started, ended, *_ in rows if started < start]
    goal = goals.get_goals(db, user)
    return summarize_days([tuple(r) for r in rows if start <= r[0] < end], first, last, zone,
                          GoalFacts(goal.daily_volume_ml, goal.sessions_per_day), max(before, default=None))


def kept_count(db: Session, user: User) -> int:
    """Count the user's kept days."""
    return db.scalar(select(func.count()).select_from(SummaryDay).where(SummaryDay.user_id == user.id))


@pytest.fixture
def user(make_user, db):
    """A stored user in New York, where the clocks change."""
    data, _ = make_user(time_zone="America/New_York")
    return db.get(User, data["id"])


def log(db: Session, user: User, start: datetime, minutes: int, left: float = 40.0):
    """Log a session through the service; return it."""
    values = {"started_at": start, "duration_min": minutes, "left_ml": left, "mode": "double"}
    stored, _ = sessions.create_session(db, user, values, NOW)
    return stored


changes = st.lists(st.one_of(
    st.tuples(st.just("log"), st.integers(0, 9 * 24 * 60), st.integers(1, 240)),
    st.tuples(st.just("move"), st.integers(0, 50), st.integers(-3 * 24 * 60, 3 * 24 * 60)),
    st.tuples(st.just("lengthen"), st.integers(0, 50), st.integers(1, 240)),
    st.tuples(st.just("delete"), st.integers(0, 50), st.just(0)),
    st.tuples(st.just("zone"), st.integers(0, len(ZONES) - 1), st.just(0)),
    st.tuples(st.just("read"), st.integers(0, 9), st.integers(0, 9)),
), min_size=1, max_size=14)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes)
def test_every_summary_matches_a_fresh_computation_after_any_changes(make_user, db, steps):
    data, _ = make_user(time_zone="America/New_York")
    user = db.get(User, data["id"])
    base = NOW - timedelta(days=10)
    today = NOW.astimezone(ZoneInfo(user.time_zone)).date()
    for kind, a, b in steps:
        ids = db.scalars(select(PumpSession.id).where(PumpSession.user_id == user.id)
                         .order_by(PumpSession.started_at, PumpSession.id)).all()
        if kind == "log":
            log(db, user, base + timedelta(minutes=a), b)
        elif kind in ("move", "lengthen", "delete") and ids:
            session_id = ids[a % len(ids)]
            if kind == "delete":
                sessions.delete_session(db, user, session_id, NOW)
            else:
                stored = db.get(PumpSession, session_id)
                # Moved within the ten days, never into the future (the service refuses that).
                moved = {"started_at": min(max(stored.started_at + timedelta(minutes=b), base), NOW)} if (
                    kind == "move") else {"duration_min": b}
                sessions.update_session(db, user, session_id, moved, NOW)
        elif kind == "zone":
            accounts.update_settings(db, user, {"time_zone": ZONES[a]}, NOW)
        elif kind == "read":
            first = today - timedelta(days=max(a, b))
            summary.summary_view(db, user, first, today - timedelta(days=min(a, b)), NOW)
        db.expire_all()
        user = db.get(User, user.id)
        today = NOW.astimezone(ZoneInfo(user.time_zone)).date()
        first = today - timedelta(days=11)
        view = summary.summary_view(db, user, first, today, NOW)
        assert view.days == fresh_summary(db, user, first, today)
        db.expire_all()
        user = db.get(User, user.id)


def test_a_change_forgets_the_days_it_reaches_and_keeps_the_earlier_ones(db, user):
    today = date(2026, 11, 28)
    for days_ago in range(6):
        log(db, user, NOW - timedelta(days=days_ago, hours=1), 20)
    summary.summary_view(db, user, today - timedelta(days=9), today, NOW)
    assert kept_count(db, user) == 10
    moved = db.scalars(select(PumpSession).where(PumpSession.user_id == user.id)
                       .order_by(PumpSession.started_at)).all()[3]  # two days ago, 10:00 in New York
    sessions.update_session(db, db.get(User, user.id), moved.id, {"duration_min": 30}, NOW)
    # From the day before the session's UTC date on: the days of 25-28 November go, 19-24 stay.
    assert kept_count(db, user) == 6
    db.expire_all()
    user = db.get(User, user.id)
    view = summary.summary_view(db, user, today - timedelta(days=9), today, NOW)
    assert view.days == fresh_summary(db, user, today - timedelta(days=9), today)
    assert kept_count(db, user) == 10


def test_a_session_late_in_the_evening_west_of_greenwich_reaches_the_day_before_its_utc_date(db, user):
    summary.summary_view(db, user, date(2026, 11, 26), date(2026, 11, 28), NOW)
    log(db, user, datetime(2026, 11, 28, 3, 30, tzinfo=UTC), 20)  # 22:30 on the 27th in New York
    db.expire_all()
    days = summary.summary_view(db, user, date(2026, 11, 26), date(2026, 11, 28), NOW).days
    assert [d.sessions for d in days] == [0, 1, 0]


def test_only_days_up_to_today_and_not_too_old_are_kept(db, user):
    today = date(2026, 11, 28)
    summary.summary_view(db, user, today + timedelta(days=1), today + timedelta(days=30), NOW)
    summary.summary_view(db, user, today - timedelta(days=900), today - timedelta(days=800), NOW)
    assert kept_count(db, user) == 0
    summary.summary_view(db, user, today - timedelta(days=2), today + timedelta(days=2), NOW)
    assert kept_count(db, user) == 3


def test_days_kept_in_another_zone_are_computed_again(db, user):
    log(db, user, datetime(2026, 11, 28, 3, 30, tzinfo=UTC), 20)  # 22:30 on the 27th in New York
    days = summary.summary_view(db, user, date(2026, 11, 27), date(2026, 11, 28), NOW).days
    assert [d.sessions for d in days] == [1, 0]
    accounts.update_settings(db, user, {"time_zone": "Europe/Paris"}, NOW)
    days = summary.summary_view(db, user, date(2026, 11, 27), date(2026, 11, 28), NOW).days
    assert [d.sessions for d in days] == [0, 1]
    assert db.scalars(select(SummaryDay.time_zone).where(SummaryDay.user_id == user.id)).all() == ["Europe/Paris"] * 2


def change(kind: str, db: Session, user: User, session_id) -> None:
    """Make one kind of change to the user's sessions through the service."""
    if kind == "create":
        log(db, user, NOW - timedelta(hours=2), 20)
    elif kind == "update":
        sessions.update_session(db, user, session_id, {"duration_min": 45}, NOW)
    else:
        sessions.delete_session(db, user, session_id, NOW)


def change_apart(engine, kind: str, user_id: int, session_id) -> None:
    """Make the change in a session of its own, as another request would."""
    with Session(engine, expire_on_commit=False) as own:
        change(kind, own, own.get(User, user_id), session_id)


def is_blocked(thread: threading.Thread) -> bool:
    """Start the thread and tell whether it is still waiting a moment later."""
    thread.start()
    time.sleep(0.3)
    return thread.is_alive()


def test_days_kept_with_other_rules_of_the_zone_are_computed_again(db, user):
    log(db, user, datetime(2026, 11, 28, 3, 30, tzinfo=UTC), 20)
    summary.summary_view(db, user, date(2026, 11, 27), date(2026, 11, 28), NOW)
    # As if kept under an older tzdata: a row of figures that are no longer right, and another fingerprint.
    db.execute(update(SummaryDay).where(SummaryDay.user_id == user.id).values(sessions=7, zone_data="older"))
    db.commit()
    days = summary.summary_view(db, user, date(2026, 11, 27), date(2026, 11, 28), NOW).days
    assert [d.sessions for d in days] == [1, 0]
    assert set(db.scalars(select(SummaryDay.zone_data).where(SummaryDay.user_id == user.id))) == {
        zone_fingerprint("America/New_York")}


@pytest.mark.parametrize("kind", ["create", "update", "delete"])
def test_a_summary_waits_for_a_change_under_way_and_keeps_the_days_after_it(app, db, user, kind):
    first = log(db, user, NOW - timedelta(hours=5), 20)
    day = date(2026, 11, 28)
    with Session(app.extensions["engine"], expire_on_commit=False) as other:
        other.commit = lambda: None  # the change stays under way until the test commits it
        change(kind, other, other.get(User, user.id), first.id)
        answers = []
        reader = threading.Thread(target=lambda: answers.append(summary.summary_view(db, user, day, day, NOW)))
        assert is_blocked(reader), "the summary did not wait for the change under way"
        Session.commit(other)
        reader.join(10)
    [today] = answers[0].days
    assert [today] == fresh_summary(db, user, day, day)
    assert kept_count(db, user) == 1


@pytest.mark.parametrize("kind", ["create", "update", "delete"])
def test_a_change_waits_for_a_summary_keeping_days_and_then_forgets_them(app, db, user, kind):
    first = log(db, user, NOW - timedelta(hours=5), 20)
    day = date(2026, 11, 28)
    db.expire_all()
    with Session(app.extensions["engine"], expire_on_commit=False) as keeper:
        keeper.commit = lambda: None  # the summary keeps its days but has not committed yet
        summary.summary_view(keeper, keeper.get(User, user.id), day, day, NOW)
        writer = threading.Thread(target=change_apart, args=(app.extensions["engine"], kind, user.id, first.id))
        assert is_blocked(writer), "the change did not wait for the summary keeping days"
        Session.commit(keeper)
        writer.join(10)
    assert not writer.is_alive()
    assert kept_count(db, user) == 0
    db.expire_all()
    assert summary.summary_view(db, user, day, day, NOW).days == fresh_summary(
        db, user, day, day)


def test_a_day_that_cannot_be_kept_is_still_answered(db, user, monkeypatch):
    log(db, user, NOW - timedelta(hours=5), 20)
    monkeypatch.setattr(summary, "_keep_statement", lambda dialect: text("INSERT INTO nowhere VALUES (1)"))
    [today] = summary.summary_view(db, user, date(2026, 11, 28), date(2026, 11, 28), NOW).days
    assert today.sessions == 1
    assert kept_count(db, user) == 0


def test_days_kept_under_other_summary_rules_are_computed_again(db, user):
    """The rules' version is a digest of their modules: days kept by an older version of them are not read."""
    log(db, user, datetime(2026, 11, 28, 3, 30, tzinfo=UTC), 20)
    summary.summary_view(db, user, date(2026, 11, 27), date(2026, 11, 28), NOW)
    db.execute(update(SummaryDay).where(SummaryDay.user_id == user.id).values(sessions=7, rules=summary.RULES ^ 1))
    db.commit()
    days = summary.summary_view(db, user, date(2026, 11, 27), date(2026, 11, 28), NOW).days
    assert [d.sessions for d in days] == [1, 0]
    assert set(db.scalars(select(SummaryDay.rules).where(SummaryDay.user_id == user.id))) == {summary.RULES}
