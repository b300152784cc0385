"""Brute-force answers, written apart from the code they check: walk time minute by minute."""

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

MINUTE = timedelta(minutes=1)
# Zones with odd rules: Dublin's negative DST, Casablanca's Ramadan change, Chatham's +12:45,
# Lord Howe's 30-minute shift, St John's -03:30, Kiritimati's skipped day.
ODD_ZONES = (
    "Europe/Dublin", "Africa/Casablanca", "Pacific/Chatham", "Australia/Lord_Howe", "America/St_Johns",
    "Pacific/Kiritimati",
)  # fmt: skip
ALL_ZONES = tuple(sorted(available_timezones() - {"Factory", "localtime"}))


def clock_in(moment: datetime, zone: ZoneInfo) -> time:
    """Return the wall-clock time of a moment in a zone, without a zone."""
    local = moment.astimezone(zone)
    return time(local.hour, local.minute, local.second)


def inside(clock: time, start: time, end: time) -> bool:
    """Return whether a wall-clock time is in [start, end), wrapping midnight when end is before start."""
    if start == end:
        return False
    return start <= clock < end if start < end else not end <= clock < start


def gap_due(
    end: datetime,
    day_min: int,
    night_min: int,
    night: tuple[time, time],
    quiet: tuple[time, time] | None,
    zone: ZoneInfo,
) -> tuple[datetime, bool]:
    """Return (when the gap reminder is due, whether the night limit applies), minute by minute.

    Due at the first minute that is either at night with the night limit reached, or neither at night nor in
    quiet hours with the day limit reached.
    """
    moment = end + MINUTE
    while True:
        clock, waited = clock_in(moment, zone), moment - end
        at_night = inside(clock, *night)
        if at_night and waited >= timedelta(minutes=night_min):
            return moment, True
        quiet_now = quiet is not None and inside(clock, *quiet)
        if not at_night and not quiet_now and waited >= timedelta(minutes=day_min):
            return moment, False
        moment += MINUTE


def quiet_began(moment: datetime, quiet: tuple[time, time], zone: ZoneInfo) -> datetime:
    """Return the first minute of the run of quiet minutes that holds `moment`, walking back."""
    while inside(clock_in(moment - MINUTE, zone), *quiet):
        moment -= MINUTE
    return moment


def quiet_ended(moment: datetime, quiet: tuple[time, time], zone: ZoneInfo) -> datetime:
    """Return the first minute after `moment` that is not quiet, walking forward."""
    while inside(clock_in(moment, zone), *quiet):
        moment += MINUTE
    return moment


@cache
def transitions(zone: ZoneInfo, year: int) -> list[datetime]:
    """Return the whole-minute instants in a year at which the zone's UTC offset changes, by an hourly scan."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    while moment.year == year:
        after = moment + timedelta(hours=1)
        if moment.astimezone(zone).utcoffset() != after.astimezone(zone).utcoffset():
            probe = moment
            while probe.astimezone(zone).utcoffset() == moment.astimezone(zone).utcoffset():
                probe += MINUTE
            found.append(probe)
        moment = after
    return found



def first_moment_of(day: date, zone: ZoneInfo) -> datetime:
    """Return the first instant whose local date is `day` or later: between two of the zone's offset changes the
    wall clock is UTC plus one offset, so each such stretch has its own first instant at or after local midnight."""
    changes = sorted(change for year in (day.year - 1, day.year, day.year + 1) for change in transitions(zone, year))
    bounds = [datetime(day.year - 1, 1, 1, tzinfo=UTC), *changes, datetime(day.year + 2, 1, 1, tzinfo=UTC)]
    midnight = datetime.combine(day, time(0), tzinfo=UTC)
    firsts = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        candidate = max(start, midnight - start.astimezone(zone).utcoffset())
        if candidate < end:
            firsts.append(candidate)
    return min(firsts)


def day_hours(day: date, zone: ZoneInfo) -> float:
    """Return how long the local day lasts, from its first instant to the next day's (0 for a date a zone skipped)."""
    return (first_moment_of(day + timedelta(days=1), zone) - first_moment_of(day, zone)).total_seconds() / 3600
