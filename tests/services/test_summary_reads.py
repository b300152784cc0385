"""The summary's reads: the latest end before a range from the index, the goals read once."""

from datetime import UTC, date, datetime, timedelta

import pytest

from server.models import User
from server.services import sessions, summary
from tests.statements import recorded

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


@pytest.fixture
def user(make_user, db):
    """A stored user in UTC."""
    data, _ = make_user()
    return db.get(User, data["id"])


def log(db, user, start: datetime, minutes: float) -> None:
    """Log a session through the service."""
    sessions.create_session(db, user, {"started_at": start, "duration_min": minutes, "mode": "double"}, NOW)


def test_the_gap_before_a_range_runs_from_the_latest_end_not_the_latest_start(db, user):
    start = datetime(2026, 11, 28, tzinfo=UTC)
    assert summary.previous_end(db, user, start) is None
    log(db, user, start - timedelta(hours=5), 240)  # ends 23:00
    log(db, user, start - timedelta(hours=3), 30)  # starts later, ends earlier (21:30)
    log(db, user, start - timedelta(minutes=10), 60)  # started before the range, ends inside it
    log(db, user, start + timedelta(minutes=5), 10)  # in the range: not "before"
    assert summary.previous_end(db, user, start) == start + timedelta(minutes=50)
    assert summary.previous_end(db, user, start - timedelta(minutes=10)) == start - timedelta(hours=1)


def test_the_summary_reads_the_goals_once(db, user):
    with recorded(db.get_bind()) as statements:
        view = summary.summary_view(db, user, date(2026, 11, 1), date(2026, 11, 28), NOW)
    assert len(view["days"]) == 28
    assert sum("FROM goals" in statement for statement in statements) == 1


def test_a_summary_with_nothing_kept_reads_the_range_s_sessions_once(db, user):
    log(db, user, NOW - timedelta(hours=5), 20)
    with recorded(db.get_bind()) as statements:
        view = summary.summary_view(db, user, date(2026, 11, 1), date(2026, 11, 28), NOW)
    assert view["days"][-1].sessions == 1
    assert sum("pump_sessions.left_ml" in statement for statement in statements) == 1
