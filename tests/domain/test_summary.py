"""Daily summaries in local days, including daylight-saving days."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from server.domain.summary import GoalFacts, SessionFacts, summarize_days

GOAL = GoalFacts(daily_volume_ml=750, sessions_per_day=8)


def _session(start: datetime, minutes: int = 15, left: float | None = 40, right: float | None = 50) -> SessionFacts:
    """A session of the given length starting at an aware time."""
    return SessionFacts(start, start + timedelta(minutes=minutes), left, right)


def test_session_belongs_to_the_local_day_it_started_on():
    berlin = ZoneInfo("Europe/Berlin")
    late = _session(datetime(2026, 3, 10, 23, 50, tzinfo=berlin), minutes=30)
    days = summarize_days([late], date(2026, 3, 10), date(2026, 3, 11), berlin, GOAL)
    assert [d.sessions for d in days] == [1, 0]
    assert days[0].pumping_min == 30


def test_spring_forward_day_has_23_hours_and_autumn_day_25():
    new_york = ZoneInfo("America/New_York")
    spring = summarize_days([], date(2026, 3, 8), date(2026, 3, 8), new_york, GOAL)
    autumn = summarize_days([], date(2026, 11, 1), date(2026, 11, 1), new_york, GOAL)
    assert spring[0].hours == 23
    assert autumn[0].hours == 25


def test_sessions_in_the_repeated_autumn_hour_both_count_on_that_day():
    berlin = ZoneInfo("Europe/Berlin")
    # 02:30 happens twice on 2026-10-25 in Berlin: 00:30 UTC and 01:30 UTC.
    first = _session(datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
    second = _session(datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    days = summarize_days([first, second], date(2026, 10, 25), date(2026, 10, 25), berlin, GOAL)
    assert days[0].sessions == 2
    assert days[0].night_sessions == 2
    assert days[0].longest_gap_min == 45


def test_longest_gap_counts_from_the_session_before_the_range():
    zone = ZoneInfo("UTC")
    previous_end = datetime(2026, 1, 1, 22, 0, tzinfo=UTC)
    sessions = [_session(datetime(2026, 1, 2, 3, 0, tzinfo=UTC)), _session(datetime(2026, 1, 2, 5, 0, tzinfo=UTC))]
    days = summarize_days(sessions, date(2026, 1, 2), date(2026, 1, 2), zone, GOAL, previous_end)
    assert days[0].longest_gap_min == 300
    assert days[0].night_sessions == 1  # 03:00 is in 01:00-05:00; 05:00 is not


def test_missing_side_counts_as_zero_and_progress_is_against_goal():
    zone = ZoneInfo("UTC")
    sessions = [_session(datetime(2026, 1, 2, 8, tzinfo=UTC), left=75, right=None)] * 4
    day = summarize_days(sessions, date(2026, 1, 2), date(2026, 1, 2), zone, GOAL)[0]
    assert (day.left_ml, day.right_ml, day.total_ml) == (300, 0, 300)
    assert day.volume_progress == 0.4
    assert day.sessions_progress == 0.5
