"""Expand a plan template into concrete slots in a time zone, and measure how a plan is followed."""

import enum
import math
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.domain.errors import InvalidPlanParams, UnknownTemplate
from server.domain.templates import TEMPLATES, Template, parse_clock

# A session from 30 min before a slot counts for it (people start a little early).
EARLY_TOLERANCE = timedelta(minutes=30)
# A plan may start a little in the past (the user is filling in the form) and at most this far ahead.
MAX_START_IN_PAST = timedelta(days=1)
MAX_START_AHEAD = timedelta(days=90)
DAY_MIN = 24 * 60
# Wall-clock templates whose longest gap is a limit in elapsed time, and the parameter that holds it (hours).
GAP_LIMIT_PARAMS = {"exclusive-newborn": "night_gap_h", "exclusive-established": "night_gap_h"}


# The sessions that can count for a plan: from a week before it (the baseline volume) to a day after it.
WINDOW_BEFORE = timedelta(days=7)
WINDOW_AFTER = timedelta(days=1)


class PlanStatus(enum.StrEnum):
    """A plan's status; FINISHED is only ever derived (plan_status), and stored once a new plan needs the room."""

    ACTIVE = "active"
    CANCELLED = "cancelled"
    FINISHED = "finished"


def session_window(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    """Return [from, to) of the session starts that can count for a plan."""
    return starts_at - WINDOW_BEFORE, ends_at + WINDOW_AFTER


def is_over(ends_at: datetime, now: datetime) -> bool:
    """Tell whether a plan's last slot is over: the one meaning of "finished"."""
    return now >= ends_at


@dataclass(frozen=True)
class Phase:
    """A stretch of a slot: pumping (which side) or resting."""

    kind: str  # "pump" | "rest"
    side: str | None  # "both" | "left" | "right" for pumping, None for rest
    minutes: int

    def as_dict(self) -> dict:
        """Return the phase as JSON-ready values."""
        return {"kind": self.kind, "side": self.side, "minutes": self.minutes}


@dataclass(frozen=True)
class Slot:
    """One planned pumping block, in UTC."""

    index: int
    starts_at: datetime
    ends_at: datetime
    phases: tuple[Phase, ...]
    note: str | None = None  # why the slot is not at its usual time, when it is not


TimedPhases = tuple[datetime, tuple[Phase, ...]]


@dataclass(frozen=True)
class PlanDraft:
    """A template expanded for a start time and zone; nothing stored yet."""

    template: str
    params: dict
    time_zone: str
    starts_at: datetime
    ends_at: datetime
    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class LoggedSession:
    """The facts of a logged session that adherence needs."""

    id: str
    started_at: datetime
    total_ml: float


@dataclass(frozen=True)
class SlotProgress:
    """How one slot went."""

    index: int
    status: str  # "done" | "missed" | "upcoming" | "cancelled"
    late_min: int | None
    session_id: str | None


@dataclass(frozen=True)
class Progress:
    """How a plan is being followed."""

    slots: tuple[SlotProgress, ...]
    done: int
    missed: int
    upcoming: int
    daily_volume_during_ml: float | None
    daily_volume_before_ml: float


def get_template(key: str) -> Template:
    """Return the template called `key` or raise UnknownTemplate."""
    try:
        return TEMPLATES[key]
    except (KeyError, TypeError):
        raise UnknownTemplate(
            "No plan template has this key.", {"template": [f"Pick one of {', '.join(TEMPLATES)}."]}
        ) from None


def resolve_params(template: Template, overrides: dict | None) -> dict:
    """Return the template's defaults with the user's overrides, each checked against its limits."""
    overrides = overrides or {}
    if not isinstance(overrides, dict):
        raise InvalidPlanParams("Parameters must be an object.", {"params": ["Must be an object."]})
    known = {spec.name for spec in template.params}
    fields = {f"params.{name}": ["Unknown parameter."] for name in overrides if name not in known}
    values = {}
    for spec in template.params:
        value = overrides.get(spec.name, spec.default)
        error = _check_param(spec.type, value, spec.min, spec.max)
        if error:
            fields[f"params.{spec.name}"] = [error]
        else:
            values[spec.name] = int(value) if spec.type == "integer" else value
    if not fields:
        fields = _check_together(template.key, values)
    if fields:
        raise InvalidPlanParams("The plan's parameters are not valid.", fields)
    return values


def check_start(starts_at: datetime, now: datetime) -> None:
    """Raise InvalidPlanParams unless the start is aware and from a day ago to 90 days ahead."""
    if starts_at.tzinfo is None:
        raise InvalidPlanParams("The start needs a UTC offset.", {"starts_at": ["Give a time with an offset."]})
    if not now - MAX_START_IN_PAST <= starts_at <= now + MAX_START_AHEAD:
        raise InvalidPlanParams(
            "The plan must start between a day ago and 90 days ahead.",
            {"starts_at": ["Must be between 24 hours ago and 90 days ahead."]},
        )


def expand_plan(template_key: str, starts_at: datetime, overrides: dict | None, time_zone: str) -> PlanDraft:
    """Return the plan's slots, in UTC, from its template, start, parameter overrides and IANA zone."""
    template = get_template(template_key)
    params = resolve_params(template, overrides)
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidPlanParams("Unknown time zone.", {"time_zone": ["Not an IANA time zone."]}) from None
    if starts_at.tzinfo is None:
        raise InvalidPlanParams("The start needs a UTC offset.", {"starts_at": ["Give a time with an offset."]})
    # Whole minutes: a calendar (.ics) keeps whole seconds only, and the plan and its calendar must agree.
    starts_at = starts_at.astimezone(UTC).replace(second=0, microsecond=0)
    timed = _in_order(_EXPANDERS[template.key](starts_at, zone, params))
    if template.key in GAP_LIMIT_PARAMS:
        held = _hold_gap_limit(timed, int(params[GAP_LIMIT_PARAMS[template.key]]), zone)
    else:
        held = [(start, phases, None) for start, phases in timed]
    slots = tuple(
        Slot(index, start, start + timedelta(minutes=sum(p.minutes for p in phases)), phases, note)
        for index, (start, phases, note) in enumerate(held)
    )
    ends_at = max(slots[-1].ends_at, _chosen_end(starts_at, zone, params))
    return PlanDraft(template.key, params, time_zone, starts_at, ends_at, slots)


def _chosen_end(starts_at: datetime, zone: ZoneInfo, params: dict) -> datetime:
    """Return when the length the parent chose runs out: hours of elapsed time, or days of the local calendar."""
    if "hours" in params:
        return starts_at + timedelta(hours=int(params["hours"]))
    if "days" in params:
        local = starts_at.astimezone(zone).replace(tzinfo=None)
        return local_to_utc(local + timedelta(days=int(params["days"])), zone)
    return starts_at


def _in_order(timed: Iterable[TimedPhases]) -> list[TimedPhases]:
    """Keep each slot that starts after the one before: where the clocks skip, two local times can be one instant."""
    kept: list[TimedPhases] = []
    for start, phases in timed:
        if not kept or start > kept[-1][0]:
            kept.append((start, phases))
    return kept


def _hold_gap_limit(
    timed: list[TimedPhases], limit_h: int, zone: ZoneInfo
) -> list[tuple[datetime, tuple[Phase, ...], str | None]]:
    """Move a slot earlier where the elapsed gap before it would pass the limit (a night the clocks go back)."""
    limit = timedelta(hours=limit_h)
    held: list[tuple[datetime, tuple[Phase, ...], str | None]] = []
    for start, phases in timed:
        note = None
        if held and start - held[-1][0] > limit:
            usual = start.astimezone(zone).strftime("%H:%M")
            start = held[-1][0] + limit
            note = (
                f"Earlier than the usual {usual}: the clocks went back, and this keeps the time since the "
                f"last session within the plan's {limit_h} h limit."
            )
        held.append((start, phases, note))
    return held


def local_to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """Return the UTC moment of a naive local wall-clock time in `zone`."""
    # Deliberate, as RFC 5545 (3.3.5) reads calendar times, so the .ics export agrees with us: a nonexistent time
    # (in a spring-forward gap) takes the offset from before the gap, landing as much later as the gap is long
    # (02:30 -> 03:30); an ambiguous time (fall-back) means its first occurrence, so no slot is doubled.
    # fold=0 does both.
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def plan_status(status: str, ends_at: datetime, now: datetime) -> PlanStatus:
    """Return FINISHED for an active plan whose last slot is over, else the stored status."""
    return PlanStatus.FINISHED if status == PlanStatus.ACTIVE and is_over(ends_at, now) else PlanStatus(status)


def plan_progress(
    slots: Iterable[Slot],
    sessions: Iterable[LoggedSession],
    starts_at: datetime,
    now: datetime,
    cancelled_at: datetime | None = None,
) -> Progress:
    """Return each slot's status and the daily volume during the plan against the 7 days before it."""
    slots = sorted(slots, key=lambda s: s.starts_at)
    ordered = sorted(sessions, key=lambda s: s.started_at)
    starts = [s.started_at for s in ordered]
    results = []
    for i, slot in enumerate(slots):
        opens = slot.starts_at - EARLY_TOLERANCE
        closes = _window_close(slots, i)
        found = bisect_left(starts, opens)
        session = ordered[found] if found < len(ordered) and starts[found] < closes else None
        if session is not None:
            late = max(0, math.floor((session.started_at - slot.starts_at).total_seconds() / 60))
            results.append(SlotProgress(slot.index, "done", late, session.id))
        elif cancelled_at is not None and slot.starts_at >= cancelled_at:
            results.append(SlotProgress(slot.index, "cancelled", None, None))
        else:
            results.append(SlotProgress(slot.index, "missed" if now >= closes else "upcoming", None, None))
    end = min(now, cancelled_at or now, slots[-1].ends_at if slots else now)
    return Progress(
        slots=tuple(results),
        done=sum(r.status == "done" for r in results),
        missed=sum(r.status == "missed" for r in results),
        upcoming=sum(r.status == "upcoming" for r in results),
        daily_volume_during_ml=_daily_volume(ordered, starts_at, end) if now > starts_at else None,
        daily_volume_before_ml=_daily_volume(ordered, starts_at - timedelta(days=7), starts_at),
    )


def _window_close(slots: list[Slot], i: int) -> datetime:
    """Return when slot i stops accepting a session: where the next slot's window opens."""
    if i + 1 < len(slots):
        return slots[i + 1].starts_at - EARLY_TOLERANCE
    if i > 0:
        # The last slot gets as long as the one before it, as if the schedule went on.
        return slots[i].starts_at + (slots[i].starts_at - slots[i - 1].starts_at) - EARLY_TOLERANCE
    return slots[i].ends_at + timedelta(hours=1)


def _daily_volume(sessions: list[LoggedSession], start: datetime, end: datetime) -> float:
    """Return the mean mL per day of sessions started in [start, end), over at least one day."""
    total = sum(s.total_ml for s in sessions if start <= s.started_at < end)
    days = max((end - start) / timedelta(days=1), 1.0)
    return round(total / days, 1)


def _check_param(kind: str, value, low, high) -> str | None:
    """Return why a parameter value is wrong, or None."""
    if kind == "time":
        try:
            parse_clock(value)
        except (ValueError, AttributeError, TypeError):
            return "Must be a local time as HH:MM."
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value != int(value):
        return "Must be a whole number."
    if not low <= value <= high:
        return f"Must be from {low} to {high}."
    return None


def _check_together(key: str, params: dict) -> dict[str, list[str]]:
    """Return errors of parameters that are fine alone but clash together."""
    if key == "power-hour-long" and params["blocks_per_day"] == 2:
        if _minute_of_day(params["second_start_time"]) - _minute_of_day(params["start_time"]) < 120:
            return {"params.second_start_time": ["Must be at least 2 hours after start_time, the same day."]}
    if key == "wean":
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


_EXPANDERS: dict[str, Callable[[datetime, ZoneInfo, dict], Iterator[TimedPhases]]] = {
    "frequent-boost": _frequent_boost,
    "power-hour": _power_hour,
    "power-hour-long": _power_hour_long,
    "cluster-evening": _cluster_evening,
    "exclusive-newborn": _exclusive,
    "exclusive-established": _exclusive,
    "wean": _wean,
}
