"""A consultant's flags for a client: below goal days in a row, a gap over the night limit, nothing logged."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.domain.summary import GoalFacts, SessionFacts, summarize_days
from server.domain.workspace import Flag, below_goal_streak, flags, last_day, last_night_start

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
GOAL = GoalFacts(daily_volume_ml=750, sessions_per_day=8)
NIGHT = (time(22, 0), time(6, 0), 300)


def _session(start: datetime, minutes: int = 15, ml: float = 50) -> SessionFacts:
    """A session of `ml` on each side starting at an aware time, in UTC as the database gives it."""
    start = start.astimezone(UTC)
    return SessionFacts(start, start + timedelta(minutes=minutes), ml, ml)


def _every(start: datetime, hours: float, count: int, ml: float = 50) -> list[SessionFacts]:
    """Sessions every `hours` of elapsed time from `start`."""
    return [_session(start + timedelta(hours=hours * n), ml=ml) for n in range(count)]


def _flags(sessions, now, zone=BERLIN, previous_end=None, first=None):
    """The codes of the flags of these sessions, with days summarized as the daily summary does."""
    today = now.astimezone(zone).date()
    days = summarize_days(sessions, first or today - timedelta(days=6), today, zone, GOAL, previous_end)
    return [f.code for f in flags(days, sessions, previous_end, GOAL.daily_volume_ml, NIGHT, zone, now)]


def test_last_day_counts_the_sessions_and_gaps_of_the_24_hours_before_now():
    now = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    sessions = _every(now - timedelta(hours=30), 3, 10)
    figures = last_day(sessions, None, now)
    # Starts at -30, -27, ..., -3 h: those from -24 h on count.
    assert figures.sessions == 8 and figures.total_ml == 800
    assert figures.longest_gap_min == 165
    assert figures.last_logged_at == sessions[-1].ended_at


def test_last_day_takes_the_first_gap_from_the_latest_end_before_the_sessions():
    now = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    figures = last_day([_session(now - timedelta(hours=2))], now - timedelta(hours=9), now)
    assert figures.sessions == 1 and figures.longest_gap_min == 420


def test_no_session_ever_is_nothing_logged_yet():
    now = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    figures = last_day([], None, now)
    assert figures.sessions == 0 and figures.longest_gap_min is None and figures.last_logged_at is None
    found = flags(summarize_days([], date(2026, 6, 4), date(2026, 6, 10), BERLIN, GOAL), [], None, 750, NIGHT,
                  BERLIN, now)
    assert found[0].code == Flag.NOTHING_LOGGED and found[0].message == "Nothing logged yet."


def test_nothing_logged_for_24_hours_counts_from_the_latest_end():
    now = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    assert Flag.NOTHING_LOGGED in _flags([], now, previous_end=now - timedelta(hours=24))
    assert Flag.NOTHING_LOGGED not in _flags([_session(now - timedelta(hours=24))], now)


def test_a_day_at_goal_shows_no_flag():
    now = datetime(2026, 6, 10, 12, 0, tzinfo=BERLIN)
    sessions = _every(datetime(2026, 6, 3, 0, 30, tzinfo=BERLIN), 3, 8 * 7 + 4, ml=50)
    assert _flags(sessions, now) == []


def test_below_goal_three_local_days_in_a_row_today_not_counted():
    now = datetime(2026, 6, 10, 12, 0, tzinfo=BERLIN)
    # 8 sessions of 100 mL a day (at goal) until June 6th, then 8 of 80 mL (640 mL a day).
    good = _every(datetime(2026, 6, 3, 0, 30, tzinfo=BERLIN), 3, 8 * 4, ml=50)
    short = _every(datetime(2026, 6, 7, 0, 30, tzinfo=BERLIN), 3, 8 * 3 + 4, ml=40)
    assert _flags(good + short, now) == [Flag.BELOW_GOAL]
    # Two days short and today's (not yet over) are not three in a row.
    assert _flags(good + short, now - timedelta(days=1)) == []


def test_below_goal_streak_stops_at_a_day_at_goal_and_needs_a_goal():
    days = summarize_days([], date(2026, 6, 1), date(2026, 6, 7), BERLIN, GOAL)
    days[3].left_ml = 750.0
    assert below_goal_streak(days, date(2026, 6, 7), 750) == 2
    assert below_goal_streak(days, date(2026, 6, 7), 0) == 0


def test_below_goal_counts_the_long_autumn_day_as_one_local_day():
    # 2026-10-25 has 25 hours in Berlin; 700 mL on it, 750 on the days around it.
    zone, now = BERLIN, datetime(2026, 10, 28, 9, 0, tzinfo=BERLIN)
    day = lambda d, ml: _every(datetime(2026, 10, d, 0, 30, tzinfo=zone), 3, 8, ml=ml / 16)  # noqa: E731
    sessions = day(23, 750) + day(24, 750) + day(25, 700) + day(26, 700) + day(27, 700) + day(28, 750)
    assert _flags(sessions, now) == [Flag.BELOW_GOAL]
    sessions = day(23, 700) + day(24, 700) + day(25, 750) + day(26, 700) + day(27, 700) + day(28, 750)
    assert _flags(sessions, now) == []


def test_a_gap_over_the_night_limit_in_the_last_24_hours_is_flagged():
    now = datetime(2026, 6, 10, 12, 0, tzinfo=BERLIN)
    evening = _session(datetime(2026, 6, 9, 22, 0, tzinfo=BERLIN))
    over = _session(datetime(2026, 6, 10, 3, 30, tzinfo=BERLIN))  # 5 h 15 min after the evening one ended
    within = _session(datetime(2026, 6, 10, 3, 0, tzinfo=BERLIN))  # 4 h 45 min
    morning = _every(datetime(2026, 6, 10, 6, 0, tzinfo=BERLIN), 2, 3)
    found = flags([], [evening, over, *morning], None, 0, NIGHT, BERLIN, now)
    assert [(f.code, f.message) for f in found] == [
        (Flag.NIGHT_GAP, "A gap of 5 h 15 min, over her night limit of 5 h.")]
    assert flags([], [evening, within, *morning], None, 0, NIGHT, BERLIN, now) == []


def test_an_open_gap_over_the_night_limit_is_flagged():
    now = datetime(2026, 6, 10, 18, 0, tzinfo=BERLIN)
    sessions = _every(datetime(2026, 6, 10, 6, 0, tzinfo=BERLIN), 2, 3)  # the last ends 10:15
    found = flags([], sessions, None, 0, NIGHT, BERLIN, now)
    assert [(f.code, f.message) for f in found] == [
        (Flag.NIGHT_GAP, "No session for 7 h 45 min, over her night limit of 5 h.")]


def test_the_night_the_clocks_go_back_measures_the_gap_in_elapsed_time():
    # Berlin, 2026-10-25: 03:00 comes back to 02:00. 23:00 to 03:45 on the wall is 5 h 30 min elapsed.
    now = datetime(2026, 10, 25, 9, 0, tzinfo=BERLIN)
    sessions = [_session(datetime(2026, 10, 24, 22, 45, tzinfo=BERLIN)),
                _session(datetime(2026, 10, 25, 3, 45, tzinfo=BERLIN))]
    found = flags([], sessions, None, 0, NIGHT, BERLIN, now)
    assert [f.message for f in found] == ["A gap of 5 h 45 min, over her night limit of 5 h."]


def test_the_night_the_clocks_go_forward_measures_the_gap_in_elapsed_time():
    # New York, 2026-03-08: 02:00 jumps to 03:00. 22:45 to 04:45 on the wall is 5 h elapsed: within the limit.
    now = datetime(2026, 3, 8, 9, 0, tzinfo=NEW_YORK)
    sessions = [_session(datetime(2026, 3, 7, 22, 30, tzinfo=NEW_YORK)),
                _session(datetime(2026, 3, 8, 4, 45, tzinfo=NEW_YORK))]
    assert flags([], sessions, None, 0, NIGHT, NEW_YORK, now) == []


def test_last_night_is_the_last_night_window_that_is_over():
    at = lambda *a: datetime(*a, tzinfo=BERLIN)  # noqa: E731
    assert last_night_start(at(2026, 6, 10, 12, 0), BERLIN, time(22), time(6)) == at(2026, 6, 9, 22, 0)
    # At 23:00 tonight's night is not over: last night began 25 hours ago.
    assert last_night_start(at(2026, 6, 10, 23, 0), BERLIN, time(22), time(6)) == at(2026, 6, 9, 22, 0)
    assert last_night_start(at(2026, 6, 10, 3, 0), BERLIN, time(22), time(6)) == at(2026, 6, 8, 22, 0)
    # A window that does not wrap midnight.
    assert last_night_start(at(2026, 6, 10, 12, 0), BERLIN, time(0, 30), time(5)) == at(2026, 6, 10, 0, 30)
    # Across the autumn change the start keeps its wall-clock time.
    start = last_night_start(at(2026, 10, 25, 12, 0), BERLIN, time(22), time(6))
    assert start == at(2026, 10, 24, 22, 0) and start.astimezone(UTC).hour == 20


def test_a_gap_of_last_night_older_than_24_hours_still_counts():
    # At 23:00 a gap that ended at 22:30 yesterday (during last night) is 24.5 hours old.
    now = datetime(2026, 6, 10, 23, 0, tzinfo=BERLIN)
    sessions = [_session(datetime(2026, 6, 9, 16, 0, tzinfo=BERLIN)),
                *_every(datetime(2026, 6, 9, 22, 30, tzinfo=BERLIN), 3, 11)]
    found = flags([], sessions, None, 0, NIGHT, BERLIN, now)
    assert [f.code for f in found] == [Flag.NIGHT_GAP]
    assert flags([], sessions, None, 0, NIGHT, BERLIN, now + timedelta(hours=8)) == []


def test_flags_come_most_pressing_first():
    now = datetime(2026, 6, 10, 12, 0, tzinfo=BERLIN)
    assert _flags([], now, previous_end=now - timedelta(days=3)) == [
        Flag.NOTHING_LOGGED, Flag.NIGHT_GAP, Flag.BELOW_GOAL]
