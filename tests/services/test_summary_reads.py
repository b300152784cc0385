"""The summary's reads: the latest end before a range from the index, the goal read with the kept days."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from server.domain.goals import DEFAULT_GOALS
from server.models import User
from server.services import goal_changes, sessions, summary
from tests.statements import recorded

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


@pytest.fixture
def user(make_user, db):
    """A stored user in UTC."""
    data, _ = make_user()
    return db.get(User, data["id"])


def log(db, user, start: datetime, minutes: float) -> None:
    """Log a session through the service."""
    values = {"started_at": start, "duration_min": minutes, "mode": "double"}
    sessions.create_session(db, user, values, NOW)


def test_the_gap_before_a_range_runs_from_the_latest_end_not_the_latest_start(db, user):
    start = datetime(2026, 11, 28, tzinfo=UTC)
    assert summary.previous_end(db, user, start) is None
    log(db, user, start - timedelta(hours=5), 240)  # ends 23:00
    log(db, user, start - timedelta(hours=3), 30)  # starts later, ends earlier (21:30)
    log(db, user, start - timedelta(minutes=10), 60)  # started before the range, ends inside it
    log(db, user, start + timedelta(minutes=5), 10)  # in the range: not "before"
    assert summary.previous_end(db, user, start) == start + timedelta(minutes=50)
    assert summary.previous_end(db, user, start - timedelta(minutes=10)) == start - timedelta(hours=1)


def test_a_summary_of_kept_days_reads_them_and_the_goal_and_nothing_else(db, user, make_user):
    first, last = date(2026, 11, 1), date(2026, 11, 28)
    values = {"started_at": NOW - timedelta(hours=5), "duration_min": 20, "mode": "double", "left_ml": 60,
              "right_ml": 45}
    sessions.create_session(db, user, values, NOW)
    before = summary.summary_view(db, user, first, last, NOW)  # nothing kept yet: computes the range and keeps it
    assert before.goal.daily_volume_ml == DEFAULT_GOALS["daily_volume_ml"]
    goal_changes.set_goals(db, user, {"daily_volume_ml": 600.0, "sessions_per_day": 10, "max_gap_day_min": 200,
                               "max_gap_night_min": 320, "night_start": time(23), "night_end": time(5)}, NOW)
    with recorded(db.get_bind()) as statements:
        view = summary.summary_view(db, user, first, last, NOW)
    assert len(statements) == 2
    assert "FROM summary_days" in statements[0] and "FROM goals" in statements[1]
    goal, today = view.goal, view.days[-1]
    assert (goal.daily_volume_ml, goal.sessions_per_day, goal.night_start) == (600.0, 10, time(23))
    assert len(view.days) == 28 and today.sessions == 1
    assert (today.sessions_progress, today.volume_progress) == (0.1, 0.175)  # 1 of 10, 105 of 600 mL
    assert [day.date for day in view.days] == [first + timedelta(days=n) for n in range(28)]
    # Another parent, with no goal set and no day kept, gets the defaults.
    other, _ = make_user()
    fresh = summary.summary_view(db, db.get(User, other["id"]), first, last, NOW)
    assert fresh.goal.daily_volume_ml == DEFAULT_GOALS["daily_volume_ml"] and len(fresh.days) == 28


def test_a_summary_with_nothing_kept_reads_the_range_s_sessions_once(db, user):
    log(db, user, NOW - timedelta(hours=5), 20)
    with recorded(db.get_bind()) as statements:
        view = summary.summary_view(db, user, date(2026, 11, 1), date(2026, 11, 28), NOW)
    assert view.days[-1].sessions == 1
    assert sum("pump_sessions.left_ml" in statement for statement in statements) == 1


def test_an_hour_that_came_back_after_midnight_is_read_for_the_day_it_belongs_to(db, make_user):
    """St John's went back from 00:01 to 23:01 on 30 Oct 2005: a summary ending on the 29th reads that hour too."""
    data, _ = make_user(time_zone="America/St_Johns")
    user = db.get(User, data["id"])
    log(db, user, datetime(2005, 10, 30, 3, 0, tzinfo=UTC), 20)  # 23:30 on the 29th, the second time round
    log(db, user, datetime(2005, 10, 30, 2, 30, tzinfo=UTC), 1)  # 00:00 on the 30th, the first time
    alone = summary.summary_view(db, user, date(2005, 10, 29), date(2005, 10, 29), NOW).days
    wide = summary.summary_view(db, user, date(2005, 10, 28), date(2005, 10, 30), NOW).days
    assert [day.sessions for day in alone] == [1] and [day.sessions for day in wide] == [0, 1, 1]
    assert alone[0] == wide[1]
