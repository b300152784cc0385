"""The gap reminder in every zone: due at the instant the rule defines, quiet hours left at the right pass."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.reminders import GapRule, QuietHours, gap_reminder
from tests.domain.oracle import ALL_ZONES, ODD_ZONES, gap_due, transitions

clocks = st.builds(lambda q: time(q // 4, q % 4 * 15), st.integers(0, 95))
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


@settings(max_examples=150, deadline=None)
@given(session_ends(), limits, limits, clocks, clocks, st.none() | st.tuples(clocks, clocks))
def test_gap_reminder_is_due_when_the_limit_in_force_is_reached(zone_end, day, night, night_start, night_end, quiet):
    zone, end = zone_end
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
