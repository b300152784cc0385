"""Brute-force answers, written apart from the code they check: walk time minute by minute."""

from datetime import UTC, datetime, time, timedelta
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
    """Return (when the gap reminder is due, whether the night limit applies), minute by minute."""
    moment = end + MINUTE
    while True:
        at_night = inside(clock_in(moment, zone), *night)
        if moment - end >= timedelta(minutes=night_min if at_night else day_min):
            break
        moment += MINUTE
    if quiet and not at_night:
        while inside(clock_in(moment, zone), *quiet):
            moment += MINUTE
    return moment, at_night


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
