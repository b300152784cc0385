"""When reminders are due and what they say: plan slots, phase changes, the gap since the last session, quiet hours."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.domain.languages import N_, Listed, Said, Text
from server.domain.plans import Phase, Slot

PLAN_SLOT = "plan_slot"
PHASE_CHANGE = "phase_change"
GAP = "gap"
GAP_DEDUPE_KEY = "gap"
DEFAULT_SNOOZE_MIN = 10
# A slot reminder still helps a little after the slot began; past its end it would only confuse.
PHASE_GRACE = timedelta(minutes=5)
# How far apart offset_changes looks at the zone's offset; no zone changes its offset twice within an hour.
OFFSET_PROBE = timedelta(minutes=30)


@dataclass(frozen=True)
class ReminderDraft:
    """A reminder to store: what, when, and the key that makes recomputing replace rather than add.

    Its title and body are English Texts (server/domain/languages.py): each phone they are sent to writes them in
    its account's language.
    """

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


# Each kind of phase, and the side pumped, as the first step of a list and as a later one.
PHASE_WORDS = {
    ("pump", "both"): (N_("Pump {minutes} min (both sides)"), N_("pump {minutes} min (both sides)")),
    ("pump", "left"): (N_("Pump {minutes} min (left)"), N_("pump {minutes} min (left)")),
    ("pump", "right"): (N_("Pump {minutes} min (right)"), N_("pump {minutes} min (right)")),
    ("pump", None): (N_("Pump {minutes} min"), N_("pump {minutes} min")),
    ("rest", None): (N_("Rest {minutes} min"), N_("rest {minutes} min")),
}


def plan_reminders(plan_id: int, plan_name: str, slots: Iterable[Slot], now: datetime) -> list[ReminderDraft]:
    """Return the reminders still ahead for a plan: each slot's start, and each phase change inside a block.

    `plan_name` is a template's name, which each reader sees in her language.
    """
    plan = Said(plan_name)
    drafts = []
    for slot in slots:
        url = "/#/plans"
        key = f"plan:{plan_id}:slot:{slot.index}"
        drafts.append(
            ReminderDraft(
                PLAN_SLOT, f"{key}:start", slot.starts_at, slot.ends_at,
                Text("{plan}: time to pump", plan=plan), describe_phases(slot.phases), url, slot.index, True,
            )
        )
        if len(slot.phases) > 1:
            moment = slot.starts_at
            for number, phase in enumerate(slot.phases):
                moment += timedelta(minutes=phase.minutes)
                following = slot.phases[number + 1] if number + 1 < len(slot.phases) else None
                title = _phase(following, first=True, sided=False) if following else Text("End of the block")
                body = (Text("{plan}: step {step} of {steps}", plan=plan, step=number + 2, steps=len(slot.phases))
                        if following else Text("{plan}: block done", plan=plan))
                drafts.append(
                    ReminderDraft(
                        PHASE_CHANGE, f"{key}:phase:{number + 1}", moment, moment + PHASE_GRACE,
                        title, body, url, slot.index, True,
                    )
                )
    return [d for d in drafts if d.due_at > now]


def describe_phases(phases: Iterable[Phase]) -> str:
    """Return phases as a line such as "Pump 20 min (both sides), rest 10 min, pump 10 min"."""
    return Listed(tuple(_phase(phase, first=number == 0) for number, phase in enumerate(phases)))


def _phase(phase: Phase, first: bool, sided: bool = True) -> Text:
    """Say one phase: what, how long, and on which side."""
    side = phase.side if sided and phase.kind == "pump" and phase.side in ("both", "left", "right") else None
    capitalised, later = PHASE_WORDS[(phase.kind, side)]
    return Text(capitalised if first else later, minutes=phase.minutes)


def gap_reminder(
    last_session_end: datetime | None, rule: GapRule, zone: ZoneInfo, quiet: QuietHours | None, now: datetime
) -> ReminderDraft | None:
    """Return the reminder due when the time since the last session reaches the limit in force, or None.

    It is due at the earlier of (a) the first instant inside the night window at which the time since the
    end reaches the night limit, and (b) the first instant outside both the night window and quiet hours at
    which it reaches the day limit. A night-limit reminder fires in quiet hours; a day-limit one never does.
    """
    if last_session_end is None:
        return None
    longest = timedelta(minutes=max(rule.max_gap_day_min, rule.max_gap_night_min))
    # Quiet hours are shorter than a day, so a moment that counts is at most a day (plus a clock change) away.
    clocks = (rule.night_start, rule.night_end) + ((quiet.start, quiet.end) if quiet else ())
    spans = local_spans(last_session_end, last_session_end + longest + timedelta(days=2), zone, clocks)
    due, at_night = next(_limit_reached(last_session_end, spans, rule, quiet, zone))
    if due <= now:
        # The reminder's moment is over: we do not nag after the fact on every recompute.
        return None
    waited = (due - last_session_end) // timedelta(minutes=1)
    return ReminderDraft(
        GAP, GAP_DEDUPE_KEY, due, None, Text("{waited} since your last session", waited=format_minutes(waited)),
        Text("Time to pump? Log it when you are done."), "/#/log", None, at_night,
    )


def _limit_reached(
    last_session_end: datetime, spans: list[tuple[datetime, datetime]], rule: GapRule, quiet: QuietHours | None,
    zone: ZoneInfo,
) -> Iterator[tuple[datetime, bool]]:
    """Yield (moment, at night) for each span in which the gap reaches the limit that span allows, in order.

    A night span allows the night limit; a span outside the night and quiet hours the day limit; a quiet
    span by day allows none.
    """
    for start, end in spans:
        at_night = in_window(start, rule.night_start, rule.night_end, zone)
        if not at_night and quiet is not None and in_window(start, quiet.start, quiet.end, zone):
            continue
        limit = timedelta(minutes=rule.max_gap_night_min if at_night else rule.max_gap_day_min)
        due = max(start, last_session_end + limit)
        if due < end:
            yield due, at_night


def quiet_stretch(moment: datetime, quiet: QuietHours, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    """Return the instants the quiet hours around `moment` began and end, or None outside them.

    They begin where the local clock entered the window and end where it leaves it, whether those clock
    times are skipped (the window is entered or left at the jump) or repeated (the pass that enters or
    leaves counts).
    """
    if not in_window(moment, quiet.start, quiet.end, zone):
        return None
    # A stretch lasts less than a day plus a clock change.
    margin = timedelta(days=2)
    spans = local_spans(moment - margin, moment + margin, zone, (quiet.start, quiet.end))
    inside = [in_window(start, quiet.start, quiet.end, zone) for start, _ in spans]
    here = next(n for n, (start, end) in enumerate(spans) if start <= moment < end)
    first = last = here
    while first > 0 and inside[first - 1]:
        first -= 1
    while last + 1 < len(spans) and inside[last + 1]:
        last += 1
    return spans[first][0], spans[last][1]


def after_quiet_hours(moment: datetime, quiet: QuietHours | None, zone: ZoneInfo) -> datetime:
    """Return `moment`, or the end of the quiet hours it falls in."""
    stretch = quiet_stretch(moment, quiet, zone) if quiet is not None else None
    return moment if stretch is None else stretch[1]


def in_window(moment: datetime, start: time, end: time, zone: ZoneInfo) -> bool:
    """Return whether the local time of `moment` is in [start, end), a window that may wrap midnight."""
    clock = moment.astimezone(zone).time().replace(tzinfo=None)
    if start == end:
        return False
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end


def local_spans(
    begin: datetime, stop: datetime, zone: ZoneInfo, clocks: Iterable[time]
) -> list[tuple[datetime, datetime]]:
    """Split [begin, stop) where the local clock passes one of `clocks` or the UTC offset changes.

    Inside each span, whether the local clock is in a window bounded by those clocks does not change, so its
    start tells for the whole span. A repeated hour is passed twice and gives two boundaries.
    """
    begin, stop = begin.astimezone(UTC), stop.astimezone(UTC)
    changes = offset_changes(begin, stop, zone)
    bounds = {begin, stop, *changes}
    edges = [begin, *changes, stop]
    for left, right in zip(edges, edges[1:], strict=False):
        offset = left.astimezone(zone).utcoffset()
        day = (left + offset).date() - timedelta(days=1)
        while datetime.combine(day, time()) - offset <= right.replace(tzinfo=None) + timedelta(days=1):
            for clock in clocks:
                moment = (datetime.combine(day, clock) - offset).replace(tzinfo=UTC)
                if left < moment < right:
                    bounds.add(moment)
            day += timedelta(days=1)
    ordered = sorted(bounds)
    return list(zip(ordered, ordered[1:], strict=False))


def offset_changes(begin: datetime, stop: datetime, zone: ZoneInfo) -> list[datetime]:
    """Return the instants in (begin, stop) at which the zone's UTC offset changes (transitions are whole seconds)."""
    changes = []
    second = timedelta(seconds=1)
    # Offsets change at most a few times a year, never twice within an hour.
    left = begin.replace(microsecond=0)
    while left < stop:
        right = left + OFFSET_PROBE
        if left.astimezone(zone).utcoffset() != right.astimezone(zone).utcoffset():
            low, high = left, right
            while high - low > second:
                middle = low + (high - low) // 2 // second * second
                if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = middle
                else:
                    high = middle
            if begin < high < stop:
                changes.append(high)
        left = right
    return changes


def snoozed_until(now: datetime, minutes: int | None) -> datetime:
    """Return when a reminder snoozed now fires again (10 min by default)."""
    return now + timedelta(minutes=DEFAULT_SNOOZE_MIN if minutes is None else minutes)


def format_minutes(minutes: int) -> str:
    """Return minutes as "3 h", "2 h 30 min" or "45 min"."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" if not rest else f"{hours} h {rest} min"
