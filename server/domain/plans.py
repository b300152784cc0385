"""Expand a plan template into concrete slots in a time zone, and measure how a plan is followed."""

import enum
import math
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.domain.errors import InvalidPlanParams, UnknownTemplate
from server.domain.languages import N_
from server.domain.templates import TEMPLATES, Phase, Template, TimedPhases, local_to_utc, parse_clock

# A session from 30 min before a slot counts for it (people start a little early).
EARLY_TOLERANCE = timedelta(minutes=30)
# A plan may start a little in the past (the user is filling in the form) and at most this far ahead.
MAX_START_IN_PAST = timedelta(days=1)
MAX_START_AHEAD = timedelta(days=90)


# The sessions that can count for a plan: from a week before it (the baseline volume) to a day after it.
WINDOW_BEFORE = timedelta(days=7)
WINDOW_AFTER = timedelta(days=1)


class PlanStatus(enum.StrEnum):
    """A plan's status; FINISHED is only ever derived (plan_status), and stored once a new plan needs the room."""

    ACTIVE = "active"
    CANCELLED = "cancelled"
    FINISHED = "finished"


STATUS_NAMES = {PlanStatus.ACTIVE: N_("active"), PlanStatus.CANCELLED: N_("cancelled"),
                PlanStatus.FINISHED: N_("finished")}


def session_window(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    """Return [from, to) of the session starts that can count for a plan."""
    return starts_at - WINDOW_BEFORE, ends_at + WINDOW_AFTER


def is_over(ends_at: datetime, now: datetime) -> bool:
    """Tell whether a plan's last slot is over: the one meaning of "finished"."""
    return now >= ends_at


@dataclass(frozen=True)
class Slot:
    """One planned pumping block, in UTC."""

    index: int
    starts_at: datetime
    ends_at: datetime
    phases: tuple[Phase, ...]
    note: str | None = None  # why the slot is not at its usual time, when it is not


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
        fields = template.check(values)
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
    timed = _in_order(template.expand(starts_at, zone, params))
    if template.gap_limit_param:
        held = _hold_gap_limit(timed, int(params[template.gap_limit_param]), zone)
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


def follows_wall_clock(template_key: str) -> bool:
    """Tell whether a template's slots are set by local times of day (a daily 07:00), not only by elapsed time."""
    return any(spec.type == "time" for spec in get_template(template_key).params)


def keep_local_times(
    slots: Iterable[Slot], ends_at: datetime, old: ZoneInfo, new: ZoneInfo, now: datetime
) -> tuple[list[Slot], datetime]:
    """Move slots to the same local date and time in a new zone, and the plan's end likewise; a slot that would
    then have begun already is dropped (travelling east, that day's time has passed), as is one a skipped hour
    would put at the instant of the slot before it."""
    moved: list[Slot] = []
    for slot in slots:
        start = local_to_utc(slot.starts_at.astimezone(old).replace(tzinfo=None), new)
        if start > now and (not moved or start > moved[-1].starts_at):
            moved.append(Slot(slot.index, start, start + (slot.ends_at - slot.starts_at), slot.phases, slot.note))
    end = local_to_utc(ends_at.astimezone(old).replace(tzinfo=None), new)
    return moved, max([end, *(slot.ends_at for slot in moved)])


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


