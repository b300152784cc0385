"""When reminders are due and what they say: plan slots, phase changes, the gap since the last session, quiet hours."""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.domain.plans import Phase, Slot, local_to_utc

PLAN_SLOT = "plan_slot"
PHASE_CHANGE = "phase_change"
GAP = "gap"
GAP_DEDUPE_KEY = "gap"
DEFAULT_SNOOZE_MIN = 10
# A slot reminder still helps a little after the slot began; past its end it would only confuse.
PHASE_GRACE = timedelta(minutes=5)


@dataclass(frozen=True)
class ReminderDraft:
    """A reminder to store: what, when, and the key that makes recomputing replace rather than add."""

    kind: str
    dedupe_key: str
    due_at: datetime
    expires_at: datetime | None
    title: str
    body: str
    url: str
    slot_index: int | None = None
    # Night-gap and plan reminders may fire in quiet hours; everything else waits for them to end.
    fires_in_quiet_hours: bool = False


@dataclass(frozen=True)
class GapRule:
    """The longest gaps a user wants between sessions, by day and by night (night window in local time)."""

    max_gap_day_min: int
    max_gap_night_min: int
    night_start: time
    night_end: time


@dataclass(frozen=True)
class QuietHours:
    """A local time window (it may wrap midnight) in which only night-gap and plan reminders fire."""

    start: time
    end: time


def plan_reminders(plan_id: int, plan_name: str, slots: Iterable[Slot], now: datetime) -> list[ReminderDraft]:
    """Return the reminders still ahead for a plan: each slot's start, and each phase change inside a block."""
    drafts = []
    for slot in slots:
        url = "/#/plans"
        key = f"plan:{plan_id}:slot:{slot.index}"
        drafts.append(
            ReminderDraft(
                PLAN_SLOT, f"{key}:start", slot.starts_at, slot.ends_at,
                f"{plan_name}: time to pump", describe_phases(slot.phases), url, slot.index, True,
            )
        )
        if len(slot.phases) > 1:
            moment = slot.starts_at
            for number, phase in enumerate(slot.phases):
                moment += timedelta(minutes=phase.minutes)
                following = slot.phases[number + 1] if number + 1 < len(slot.phases) else None
                title = f"{following.kind.capitalize()} {following.minutes} min" if following else "Done"
                step = f"step {number + 2} of {len(slot.phases)}" if following else "block done"
                body = f"{plan_name}: {step}"
                drafts.append(
                    ReminderDraft(
                        PHASE_CHANGE, f"{key}:phase:{number + 1}", moment, moment + PHASE_GRACE,
                        title, body, url, slot.index, True,
                    )
                )
    return [d for d in drafts if d.due_at > now]


def describe_phases(phases: Iterable[Phase]) -> str:
    """Return phases as a line such as "Pump 20 min (both sides), rest 10 min, pump 10 min"."""
    parts = []
    for phase in phases:
        side = {"both": " (both sides)", "left": " (left)", "right": " (right)"}.get(phase.side or "", "")
        parts.append(f"{phase.kind} {phase.minutes} min{side}")
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


def gap_reminder(
    last_session_end: datetime | None, rule: GapRule, zone: ZoneInfo, quiet: QuietHours | None, now: datetime
) -> ReminderDraft | None:
    """Return the reminder due when the gap since the last session reaches the day (or night) maximum, or None."""
    if last_session_end is None:
        return None
    due = last_session_end + timedelta(minutes=rule.max_gap_day_min)
    night = in_window(due, rule.night_start, rule.night_end, zone)
    # A gap that ends at night is measured against the longer night maximum.
    gap_min = rule.max_gap_night_min if night else rule.max_gap_day_min
    due = last_session_end + timedelta(minutes=gap_min)
    if due <= now:
        # The gap is already over: we do not nag after the fact on every recompute.
        return None
    draft = ReminderDraft(
        GAP, GAP_DEDUPE_KEY, due, None, f"{format_minutes(gap_min)} since your last session",
        "Time to pump? Log it when you are done.", "/#/log", None, night,
    )
    return defer_for_quiet_hours(draft, quiet, zone)


def defer_for_quiet_hours(draft: ReminderDraft, quiet: QuietHours | None, zone: ZoneInfo) -> ReminderDraft:
    """Return the draft moved to the end of quiet hours, unless it may fire in them or falls outside them."""
    if quiet is None or draft.fires_in_quiet_hours or not in_window(draft.due_at, quiet.start, quiet.end, zone):
        return draft
    return replace(draft, due_at=next_local_time(draft.due_at, quiet.end, zone))


def in_window(moment: datetime, start: time, end: time, zone: ZoneInfo) -> bool:
    """Return whether the local time of `moment` is in [start, end), a window that may wrap midnight."""
    clock = moment.astimezone(zone).time().replace(tzinfo=None)
    if start == end:
        return False
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end


def next_local_time(moment: datetime, clock: time, zone: ZoneInfo) -> datetime:
    """Return the first moment after `moment` at which local wall-clock time reads `clock`."""
    local = moment.astimezone(zone)
    candidate = local_to_utc(datetime.combine(local.date(), clock), zone)
    while candidate <= moment:
        local_day = candidate.astimezone(zone).date() + timedelta(days=1)
        candidate = local_to_utc(datetime.combine(local_day, clock), zone)
    return candidate


def snoozed_until(now: datetime, minutes: int | None) -> datetime:
    """Return when a reminder snoozed now fires again (10 min by default)."""
    return now + timedelta(minutes=DEFAULT_SNOOZE_MIN if minutes is None else minutes)


def format_minutes(minutes: int) -> str:
    """Return minutes as "3 h", "2 h 30 min" or "45 min"."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" if not rest else f"{hours} h {rest} min"
