"""The pumping plan templates: what each schedules (its expander), its parameters, their checks, its sources."""

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.domain.languages import N_, Said, Text

DISCLAIMER = N_(
    "This plan is general information, not medical advice. Pumping plans vary and evidence for some is limited; "
    "talk to a lactation consultant (IBCLC) or your healthcare provider about what suits you and your baby."
)

# Evidence labels say what the sources are and nothing stronger: none of them grades its evidence.
ONE_ARTICLE = N_("limited evidence: one article")
ONE_BLOG_POST = N_("limited evidence: one blog post")
ONE_WEBSITE = N_("limited evidence: one website")
TWO_WEBSITES = N_("guidance from two websites; evidence not graded")
MANUFACTURER_AND_HOSPITAL = N_("manufacturer, hospital and guide websites; evidence not graded")
NO_STANDARD_PROTOCOL = N_("no standard protocol")
# The labels the app marks as limited evidence.
LIMITED_EVIDENCE = frozenset({ONE_ARTICLE, ONE_BLOG_POST, ONE_WEBSITE, NO_STANDARD_PROTOCOL})


@dataclass(frozen=True)
class ParamSpec:
    """One tunable parameter of a template, with its default and limits."""

    name: str
    type: str  # "integer" or "time" ("HH:MM" local wall-clock time)
    default: int | str
    min: int | str | None
    max: int | str | None
    unit: str | None
    description: str
    # A time at which a daily block or window begins (not a first session): starting now starts the block now.
    opens_block: bool = False


DAY_MIN = 24 * 60


@dataclass(frozen=True)
class Phase:
    """A stretch of a slot: pumping (which side) or resting."""

    kind: str  # "pump" | "rest"
    side: str | None  # "both" | "left" | "right" for pumping, None for rest
    minutes: int

    def as_dict(self) -> dict:
        """Return the phase as JSON-ready values."""
        return {"kind": self.kind, "side": self.side, "minutes": self.minutes}


TimedPhases = tuple[datetime, tuple[Phase, ...]]


def local_to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """Return the UTC moment of a naive local wall-clock time in `zone`."""
    # Deliberate, as RFC 5545 (3.3.5) reads calendar times, so the .ics export agrees with us: a nonexistent time
    # (in a spring-forward gap) takes the offset from before the gap, landing as much later as the gap is long
    # (02:30 -> 03:30); an ambiguous time (fall-back) means its first occurrence, so no slot is doubled.
    # fold=0 does both.
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _no_clash(params: dict) -> dict[str, list[str]]:
    """Return no errors: the template's parameters cannot clash."""
    return {}


def _two_blocks_apart(params: dict) -> dict[str, list[str]]:
    """Return an error when a second daily block starts less than 2 hours after the first."""
    if params["blocks_per_day"] == 2:
        if _minute_of_day(params["second_start_time"]) - _minute_of_day(params["start_time"]) < 120:
            return {"params.second_start_time": ["Must be at least 2 hours after start_time, the same day."]}
    return {}


def _an_hour_between_sessions(params: dict) -> dict[str, list[str]]:
    """Return an error when the day's window leaves less than an hour between weaning sessions."""
    window = _minute_of_day(params["end_time"]) - _minute_of_day(params["start_time"])
    if window < 60 * (int(params["sessions_per_day"]) - 1):
        return {"params.end_time": ["Leave at least 1 hour between sessions after start_time, the same day."]}
    return {}


def _minute_of_day(text: str) -> int:
    """Return minutes since midnight of an "HH:MM" string."""
    clock = parse_clock(text)
    return clock.hour * 60 + clock.minute


def _pump(minutes: int) -> Phase:
    """Return a pumping phase on both breasts."""
    return Phase("pump", "both", int(minutes))


def _rest(minutes: int) -> Phase:
    """Return a rest phase."""
    return Phase("rest", None, int(minutes))


def _frequent_boost(starts_at: datetime, zone: ZoneInfo, p: dict) -> Iterator[TimedPhases]:
    """Yield a session every interval of elapsed time, so a DST change neither stretches nor shrinks it."""
    interval = timedelta(minutes=int(p["interval_min"]))
    for k in range(int(p["hours"]) * 60 // int(p["interval_min"])):
        yield starts_at + interval * k, (_pump(p["pump_min"]),)


def _power_hour(starts_at: datetime, zone: ZoneInfo, p: dict) -> Iterator[TimedPhases]:
    """Yield the daily 20/10/10/10/10 block at its local time."""
    phases = (_pump(20), _rest(10), _pump(10), _rest(10), _pump(10))
    yield from _daily(starts_at, zone, [(_minute_of_day(p["start_time"]), phases)], int(p["days"]))


def _power_hour_long(starts_at: datetime, zone: ZoneInfo, p: dict) -> Iterator[TimedPhases]:
    """Yield the 20/10/15/10/15 block once or twice a day at its local times."""
    phases = (_pump(20), _rest(10), _pump(15), _rest(10), _pump(15))
    times = [p["start_time"], p["second_start_time"]][: int(p["blocks_per_day"])]
    yield from _daily(starts_at, zone, [(_minute_of_day(t), phases) for t in times], int(p["days"]))


def _cluster_evening(starts_at: datetime, zone: ZoneInfo, p: dict) -> Iterator[TimedPhases]:
    """Yield one evening block of short pump/rest cycles that fits the window and ends with pumping."""
    pump, rest = int(p["pump_min"]), int(p["rest_min"])
    pumps = (int(p["window_min"]) + rest) // (pump + rest)
    phases = (_pump(pump),) + (_rest(rest), _pump(pump)) * (pumps - 1)
    yield from _daily(starts_at, zone, [(_minute_of_day(p["start_time"]), phases)], int(p["days"]))


def _exclusive(starts_at: datetime, zone: ZoneInfo, p: dict) -> Iterator[TimedPhases]:
    """Yield n sessions a day, evenly spaced by day, leaving the night gap at most the chosen length."""
    n = int(p["sessions_per_day"])
    # Rounding the spacing up to 5 min keeps the night gap at or under its limit, never over.
    spacing = 5 * math.ceil((DAY_MIN - int(p["night_gap_h"]) * 60) / (n - 1) / 5)
    first = _minute_of_day(p["start_time"])
    routine = [(first + k * spacing, (_pump(p["pump_min"]),)) for k in range(n)]
    yield from _daily(starts_at, zone, routine, int(p["days"]))


def _wean(starts_at: datetime, zone: ZoneInfo, p: dict) -> Iterator[TimedPhases]:
    """Yield each day's sessions, one fewer at each drop, until the last single session's stage ends."""
    first_day = starts_at.astimezone(zone).date()
    day = 0
    for count in range(int(p["sessions_per_day"]), 0, -1):
        stage_days = int(p["drop_every_days"] if count > 3 else p["drop_every_days_low"])
        routine = _spread(_minute_of_day(p["start_time"]), _minute_of_day(p["end_time"]), count)
        for _ in range(stage_days):
            for minute in routine:
                moment = _at(first_day + timedelta(days=day), minute, zone)
                if moment >= starts_at:
                    yield moment, (_pump(p["pump_min"]),)
            day += 1


def _spread(first: int, last: int, count: int) -> list[int]:
    """Return `count` minutes of the day from `first`, evenly spaced (5-min steps) up to `last`."""
    if count == 1:
        return [first]
    spacing = 5 * ((last - first) // (count - 1) // 5)
    return [first + k * spacing for k in range(count)]


def _daily(
    starts_at: datetime, zone: ZoneInfo, routine: list[tuple[int, tuple[Phase, ...]]], days: int
) -> Iterator[TimedPhases]:
    """Yield the first days x len(routine) routine slots at or after the start, at local wall-clock times."""
    wanted = days * len(routine)
    # Begin the day before: a routine that runs past midnight has its last slots on the next date.
    day = starts_at.astimezone(zone).date() - timedelta(days=1)
    last = None
    while wanted:
        for minute, phases in routine:
            moment = _at(day, minute, zone)
            # A day the clocks skip (Kiritimati, 1994-12-31) maps its times onto the next day's: count them once.
            if moment >= starts_at and wanted and (last is None or moment > last):
                wanted -= 1
                last = moment
                yield moment, phases
        day += timedelta(days=1)


def _at(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """Return the UTC moment `minute` minutes of wall-clock time after local midnight of `day`."""
    return local_to_utc(datetime.combine(day, time()) + timedelta(minutes=minute), zone)


@dataclass(frozen=True)
class Template:
    """A named pumping schedule and where it comes from."""

    key: str
    name: str
    description: str
    evidence: str
    source: str
    params: tuple[ParamSpec, ...]
    # Its slots from a start, a zone and the checked parameters, in elapsed or local wall-clock time.
    expand: Callable[[datetime, ZoneInfo, dict], Iterator[TimedPhases]]
    # The values of each parameter that the sources give; a plan outside them is an adaptation.
    source_figures: tuple[tuple[str, int, int], ...] = ()
    # Errors of parameters that are each fine but clash together.
    check: Callable[[dict], dict[str, list[str]]] = _no_clash
    # The parameter (hours) of a wall-clock template whose longest gap is a limit in elapsed time.
    gap_limit_param: str | None = None

    @property
    def evidence_limited(self) -> bool:
        """Whether its sources are one article, post or site, or say there is no standard protocol."""
        return self.evidence in LIMITED_EVIDENCE

    def param(self, name: str) -> ParamSpec:
        """Return the parameter called `name`."""
        return next(spec for spec in self.params if spec.name == name)

    def evidence_for(self, params: dict) -> str:
        """Return the evidence label of a plan with these parameters: adapted where they leave the source's figures."""
        adapted = [name for name, low, high in self.source_figures if not low <= int(params[name]) <= high]
        if not adapted:
            return self.evidence
        return Text("adaptation: {params} outside the source's figures ({evidence})", params=", ".join(adapted),
                    evidence=Said(self.evidence))


def _days(default: int, low: int, high: int) -> ParamSpec:
    """Return the plan length parameter in days."""
    return ParamSpec("days", "integer", default, low, high, "days", N_("How many days the plan lasts."))


def _clock(name: str, default: str, description: str, opens_block: bool = False) -> ParamSpec:
    """Return a local wall-clock time parameter."""
    return ParamSpec(name, "time", default, "00:00", "23:59", None, description, opens_block)


def _minutes(name: str, default: int, low: int, high: int, description: str) -> ParamSpec:
    """Return a duration parameter in minutes."""
    return ParamSpec(name, "integer", default, low, high, "min", description)


TEMPLATES: dict[str, Template] = {
    t.key: t
    for t in (
        Template(
            key="frequent-boost",
            expand=_frequent_boost,
            name=N_("Frequent pumping boost"),
            description=N_(
                'The source says: "both breasts for 15 minutes every two hours for 48-72 hours". Pumpwell counts '
                "the 2 hours in elapsed time from the start you choose, so slots run round the clock, and ends "
                "the plan exactly 48 to 72 hours later (default 48). Another interval or pumping time is an "
                "adaptation, not the source's figures, and is labelled so."
            ),
            evidence=ONE_ARTICLE,
            source=N_('Seed article "Where is breast milk made in the body?" (author an IBCLC); single source.'),
            params=(
                ParamSpec("hours", "integer", 48, 48, 72, "h", N_("How many hours the plan lasts.")),
                _minutes("interval_min", 120, 60, 180, N_("Elapsed time from the start of one session to the next.")),
                _minutes("pump_min", 15, 10, 30, N_("Pumping time per session, both breasts.")),
            ),
            source_figures=(("hours", 48, 72), ("interval_min", 120, 120), ("pump_min", 15, 15)),
        ),
        Template(
            key="power-hour",
            expand=_power_hour,
            name=N_("Power pumping hour"),
            description=N_(
                "One 60-minute block a day: pump 20, rest 10, pump 10, rest 10, pump 10 minutes, for 5 to 7 days "
                "(default 7). It usually replaces one regular session; default start 07:00."
            ),
            evidence=TWO_WEBSITES,
            source=N_(
                "thebreastpumpingmom.com power-pumping guide; huckleberrycare.com power-pumping schedule "
                '("one hour each day for 5-7 days").'
            ),
            params=(
                _days(7, 5, 7),
                _clock("start_time", "07:00", N_("Local time the daily block starts."), opens_block=True),
            ),
        ),
        Template(
            key="power-hour-long",
            expand=_power_hour_long, check=_two_blocks_apart,
            name=N_("Long power pumping block"),
            description=N_(
                "A 70-minute block: pump 20, rest 10, pump 15, rest 10, pump 15 minutes, once or twice a day "
                "for 2 to 3 days."
            ),
            evidence=ONE_BLOG_POST,
            source=N_("parentingthefuture.wordpress.com (2015); single source."),
            params=(
                _days(3, 2, 3),
                ParamSpec("blocks_per_day", "integer", 1, 1, 2, None, N_("One or two blocks a day.")),
                _clock("start_time", "07:00", N_("Local time the first daily block starts."), opens_block=True),
                _clock(
                    "second_start_time",
                    "19:00",
                    N_("Local time the second block starts (with two blocks a day); at least 2 h after the first."),
                ),
            ),
        ),
        Template(
            key="cluster-evening",
            expand=_cluster_evening,
            name=N_("Evening cluster pumping"),
            description=N_(
                "A 2 to 3 hour evening window of short sessions: pump 5 to 15 minutes, rest 10 to 20 minutes, "
                "repeated across the window."
            ),
            evidence=NO_STANDARD_PROTOCOL,
            source=N_("aeroflowbreastpumps.com; lactationmamas.com. There is no standard protocol."),
            params=(
                _days(3, 1, 14),
                _clock("start_time", "18:00", N_("Local time the evening window opens."), opens_block=True),
                _minutes("window_min", 120, 120, 180, N_("Length of the evening window.")),
                _minutes("pump_min", 10, 5, 15, N_("Pumping time of each short session.")),
                _minutes("rest_min", 15, 10, 20, N_("Rest between short sessions.")),
            ),
        ),
        Template(
            key="exclusive-newborn",
            expand=_exclusive, gap_limit_param="night_gap_h",
            name=N_("Exclusive pumping, newborn"),
            description=N_(
                "The sources say: 8 to 12 sessions per 24 hours, every 2 to 3 hours by day, 15 to 20 minutes each "
                "(exclusivepumping.com); a night gap no longer than about 5 hours (ameda.com); at least 8 sessions "
                "and 100 pumping minutes a day (womans.org). The 4-hour night gap is a stricter option of ours. "
                "Pumpwell spreads the sessions evenly by day and leaves one night gap within the limit: with 8 to "
                "10 sessions they come 2 h 10 min to 2 h 55 min apart; with 11 or 12, 1 h 45 min to 2 h apart, "
                "closer than every 2 hours. The night gap stays within its limit in elapsed time, also on a night "
                "the clocks go back (the morning session then comes earlier)."
            ),
            evidence=MANUFACTURER_AND_HOSPITAL,
            source=N_(
                'exclusivepumping.com newborn guide; ameda.com ("no longer than about 5 hours"); '
                "womans.org NICU guidance (8+ sessions, 100+ minutes)."
            ),
            params=(
                _days(7, 1, 28),
                ParamSpec("sessions_per_day", "integer", 8, 8, 12, "sessions", N_("Sessions per 24 hours.")),
                _minutes("pump_min", 20, 15, 20, N_("Pumping time per session.")),
                ParamSpec("night_gap_h", "integer", 5, 4, 5, "h", N_("Longest gap, once a night.")),
                _clock("start_time", "06:00", N_("Local time of the first session of the day.")),
            ),
        ),
        Template(
            key="exclusive-established",
            expand=_exclusive, gap_limit_param="night_gap_h",
            name=N_("Exclusive pumping, established supply"),
            description=N_(
                "The source says: 7 to 8 sessions per 24 hours, about every 3 hours, with one night gap of up to 5 "
                "to 6 hours. Pumpwell spreads the sessions evenly by day, 2 h 35 min to 3 h 10 min apart, and keeps "
                "the night gap within the limit in elapsed time, also on a night the clocks go back. The source "
                "gives no session length: choose your own."
            ),
            evidence=ONE_WEBSITE,
            source=N_("restonyc.com exclusive-pumping frequency."),
            params=(
                _days(7, 1, 28),
                ParamSpec("sessions_per_day", "integer", 7, 7, 8, "sessions", N_("Sessions per 24 hours.")),
                _minutes("pump_min", 20, 15, 30, N_("Pumping time per session.")),
                ParamSpec("night_gap_h", "integer", 6, 5, 6, "h", N_("Longest gap, once a night.")),
                _clock("start_time", "06:00", N_("Local time of the first session of the day.")),
            ),
        ),
        Template(
            key="wean",
            expand=_wean, check=_an_hour_between_sessions,
            name=N_("Weaning from pumping"),
            description=N_(
                "Drop one session every 3 to 7 days (default 4); at 3 or fewer sessions a day, wait 7 to 14 days "
                "between drops. Pumpwell spreads the remaining sessions evenly (5-minute steps) from the first time "
                "you choose up to, at most, the last; the sources give no session length or times."
            ),
            evidence=TWO_WEBSITES,
            source=N_("fedisbestbook.org weaning from pumping; pumpmommapump.com."),
            params=(
                ParamSpec("sessions_per_day", "integer", 6, 2, 12, "sessions",
                          N_("Sessions a day when weaning starts.")),
                ParamSpec("drop_every_days", "integer", 4, 3, 7, "days",
                          N_("Days between drops above 3 sessions a day.")),
                ParamSpec(
                    "drop_every_days_low", "integer", 7, 7, 14, "days",
                    N_("Days between drops at 3 or fewer sessions a day."),
                ),
                _minutes("pump_min", 15, 5, 30, N_("Pumping time per session.")),
                _clock("start_time", "06:00", N_("Local time of the first session of the day.")),
                _clock("end_time", "22:00", N_("Local time of the last session of the day (with two or more).")),
            ),
        ),
    )
}


def parse_clock(text: str) -> time:
    """Return the time of an "HH:MM" string; raise ValueError if it is not one."""
    hours, sep, minutes = text.partition(":")
    if not sep or len(hours) != 2 or len(minutes) != 2 or not (hours + minutes).isascii():
        raise ValueError(f"{text!r} is not HH:MM")
    if not (hours + minutes).isdigit():
        raise ValueError(f"{text!r} is not HH:MM")
    return time(int(hours), int(minutes))
