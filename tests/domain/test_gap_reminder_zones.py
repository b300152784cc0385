"""The gap reminder and quiet hours in every zone: due at the instant the rule defines, quiet hours begun and left
at the right pass."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.reminders import GapRule, QuietHours, gap_reminder, quiet_stretch
from tests.domain.oracle import ALL_ZONES, ODD_ZONES, clock_in, gap_due, inside, quiet_began, quiet_ended, transitions

QUARTERS = 96  # quarter hours in a day


def quarter(q: int) -> time:
    """Return the clock time `q` quarter hours after midnight (modulo a day)."""
    q %= QUARTERS
    return time(q // 4, q % 4 * 15)


clocks = st.builds(quarter, st.integers(0, QUARTERS - 1))
limits = st.sampled_from([30, 60, 90, 120, 180, 240, 300, 360])
zones = st.sampled_from(ODD_ZONES) | st.sampled_from(ALL_ZONES)


@st.composite
def session_ends(draw):
    """Draw a zone and a whole-minute session end, often in the day and a half before one of its clock changes."""
    zone = ZoneInfo(draw(zones))
    year = draw(st.integers(1990, 2037))
    changes = transitions(zone, year)
    if changes and draw(st.booleans()):
        end = draw(st.sampled_from(changes)) - timedelta(minutes=draw(st.integers(-120, 36 * 60)))
    else:
        end = datetime(year, 1, 1, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 365 * 24 * 60)))
    return zone, end


@st.composite
def night_and_quiet(draw):
    """Draw a night window and quiet hours (or none) that start before, inside or after it, or anywhere."""
    night_start, night_length = draw(st.integers(0, QUARTERS - 1)), draw(st.integers(0, QUARTERS - 1))
    where = draw(st.sampled_from(["before", "inside", "after", "anywhere", "none"]))
    if where == "none":
        return (quarter(night_start), quarter(night_start + night_length)), None
    if where == "before":
        quiet_start = night_start - draw(st.integers(1, QUARTERS // 2))
    elif where == "inside":
        quiet_start = night_start + draw(st.integers(0, max(night_length - 1, 0)))
    elif where == "after":
        quiet_start = night_start + night_length + draw(st.integers(0, QUARTERS // 2))
    else:
        quiet_start = draw(st.integers(0, QUARTERS - 1))
    quiet_end = quiet_start + draw(st.integers(1, QUARTERS - 1))
    return (quarter(night_start), quarter(night_start + night_length)), (quarter(quiet_start), quarter(quiet_end))


@settings(max_examples=300, deadline=None)
@given(session_ends(), limits, limits, night_and_quiet())
def test_gap_reminder_is_due_when_the_limit_in_force_is_reached(zone_end, day, night, windows):
    zone, end = zone_end
    (night_start, night_end), quiet = windows
    rule = GapRule(day, night, night_start, night_end)
    draft = gap_reminder(end, rule, zone, QuietHours(*quiet) if quiet else None, end)
    due, at_night = gap_due(end, day, night, (night_start, night_end), quiet, zone)
    assert (draft.due_at, draft.fires_in_quiet_hours) == (due, at_night)


def utc(*args) -> datetime:
    """Return a UTC moment."""
    return datetime(*args, tzinfo=UTC)


def local(zone: str, *args, fold: int = 0) -> datetime:
    """Return the UTC moment of a local wall-clock time (fold=1: the second pass of a repeated hour)."""
    return datetime(*args, tzinfo=ZoneInfo(zone), fold=fold).astimezone(UTC)


@pytest.mark.parametrize(
    ("zone", "end", "quiet", "expected"),
    [
        # Quiet hours end at 01:30 on a night 01:00-02:00 repeats: due 01:20 EST (second pass), sent 01:30 EST.
        ("America/New_York", utc(2026, 11, 1, 5, 50), (time(23), time(1, 30)), utc(2026, 11, 1, 6, 30)),
        # Chatham repeats 02:45-03:45 on 5 April 2026; quiet 03:00-03:30 is left at its second 03:30.
        (
            "Pacific/Chatham",
            local("Pacific/Chatham", 2026, 4, 5, 3, 35),
            (time(3), time(3, 30)),
            local("Pacific/Chatham", 2026, 4, 5, 3, 30, fold=1),
        ),
        # Casablanca repeats 02:00-03:00 on 7 February 2027; quiet 01:00-02:40 is left at its second 02:40.
        (
            "Africa/Casablanca",
            local("Africa/Casablanca", 2027, 2, 7, 2, 30),
            (time(1), time(2, 40)),
            local("Africa/Casablanca", 2027, 2, 7, 2, 40, fold=1),
        ),
    ],
)
def test_day_limit_reminder_leaves_quiet_hours_at_the_right_pass_of_a_repeated_hour(zone, end, quiet, expected):
    # A night window away from these hours, so the 30-minute day limit is in force.
    rule = GapRule(30, 300, time(12), time(13))
    draft = gap_reminder(end, rule, ZoneInfo(zone), QuietHours(*quiet), end)
    assert draft.due_at == expected and not draft.fires_in_quiet_hours


def test_new_york_reminder_says_how_long_it_has_been_when_it_arrives():
    draft = gap_reminder(
        utc(2026, 11, 1, 5, 50),
        GapRule(30, 300, time(12), time(13)),
        ZoneInfo("America/New_York"),
        QuietHours(time(23), time(1, 30)),
        utc(2026, 11, 1, 5, 50),
    )
    assert draft.title == "40 min since your last session"


def test_day_limit_takes_over_when_the_night_ends():
    sydney = "Australia/Sydney"
    end = local(sydney, 2026, 11, 28, 2, 13)
    draft = gap_reminder(end, GapRule(180, 300, time(22), time(6)), ZoneInfo(sydney), None, end)
    assert draft.due_at == local(sydney, 2026, 11, 28, 6, 0)
    assert draft.title == "3 h 47 min since your last session" and not draft.fires_in_quiet_hours


def test_night_limit_reminder_is_not_held_by_quiet_hours():
    end = utc(2026, 11, 28, 21)
    draft = gap_reminder(end, GapRule(180, 300, time(22), time(6)), ZoneInfo("UTC"), QuietHours(time(21), time(7)), end)
    assert draft.due_at == utc(2026, 11, 29, 2) and draft.fires_in_quiet_hours


def test_night_limit_is_kept_when_quiet_hours_start_before_the_night():
    # Kolkata: a session ended 19:20; the 3 h day limit falls in quiet hours (21:00-07:00) before the night
    # (23:00-05:00), so the 5 h night limit, reached at 00:20, is what reminds her.
    end, now = utc(2026, 6, 1, 13, 50), utc(2026, 6, 1, 14)
    rule = GapRule(180, 300, time(23), time(5))
    draft = gap_reminder(end, rule, ZoneInfo("Asia/Kolkata"), QuietHours(time(21), time(7)), now)
    assert draft.due_at == local("Asia/Kolkata", 2026, 6, 2, 0, 20)
    assert draft.title == "5 h since your last session" and draft.fires_in_quiet_hours


@st.composite
def moments_near_clock_changes(draw):
    """Draw a zone and a whole-minute moment, often within a day of one of its clock changes."""
    zone = ZoneInfo(draw(zones))
    year = draw(st.integers(1990, 2037))
    changes = transitions(zone, year)
    if changes and draw(st.booleans()):
        return zone, draw(st.sampled_from(changes)) + timedelta(minutes=draw(st.integers(-24 * 60, 24 * 60)))
    return zone, datetime(year, 1, 1, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 365 * 24 * 60)))


@settings(max_examples=200, deadline=None)
@given(moments_near_clock_changes(), clocks, clocks)
def test_quiet_hours_begin_and_end_where_the_local_clock_enters_and_leaves_them(zone_moment, start, end):
    zone, moment = zone_moment
    stretch = quiet_stretch(moment, QuietHours(start, end), zone)
    if not inside(clock_in(moment, zone), start, end):
        assert stretch is None
    else:
        assert stretch == (quiet_began(moment, (start, end), zone), quiet_ended(moment, (start, end), zone))
