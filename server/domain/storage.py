"""Milk storage: the limits table with its sources, and a container's expiry, status and order of use.

A container's state is a pure function of its history (expressed, moved, used, offered, discarded),
the chosen guideline, the parent's time zone and `now`. A limit in hours or days is elapsed time, so a
daylight-saving change never stretches or shortens it; a limit in months is calendar months on the
parent's clock. None of this is medical advice.
"""

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.domain.errors import Conflict, InvalidInput
from server.domain.languages import N_, Counted, LocalTime, Said, Text
from server.domain.plans import local_to_utc
from server.domain.reminders import QuietHours, ReminderDraft, quiet_stretch

CDC, ABM, FIVE = "cdc", "abm", "555"
GUIDELINES = (CDC, ABM, FIVE)
# Names, sources and notes are marked N_: each reader sees them in her language (a source's title as published).
GUIDELINE_NAMES = {CDC: "CDC", ABM: N_("ABM protocol #8 (2017)"), FIVE: N_('"5-5-5" rule (informal)')}
SOURCES = {
    CDC: N_("CDC, Proper Storage and Preparation of Breast Milk (cdc.gov breastfeeding storage FAQ)"),
    ABM: N_("Academy of Breastfeeding Medicine, Clinical Protocol #8: Human Milk Storage (2017)"),
    FIVE: N_('The seed article\'s "5-5-5" paragraph: an informal rule of thumb, not a clinical guideline'),
}
NOT_MEDICAL_ADVICE = N_("Storage limits are general guidance, not medical advice; when in doubt, ask your IBCLC.")

ROOM, COOLER, FRIDGE, FREEZER = "room", "cooler", "fridge", "freezer"
LOCATIONS = (ROOM, COOLER, FRIDGE, FREEZER)
COLDNESS = {ROOM: 0, COOLER: 1, FRIDGE: 2, FREEZER: 3}
PLACE_NAMES = {ROOM: N_("room"), COOLER: N_("cooler"), FRIDGE: N_("fridge"), FREEZER: N_("freezer")}
# Conditions that have a limit of their own: the four places, plus milk that was thawed and leftovers.
THAWED_FRIDGE, THAWED_ROOM, LEFTOVER = "thawed_fridge", "thawed_room", "leftover"

FRESH, FROZEN, THAWED, LEFTOVER_STATUS = "fresh", "frozen", "thawed", "leftover"
EXPIRED, USED, DISCARDED = "expired", "used", "discarded"
STATUSES = (FRESH, FROZEN, THAWED, LEFTOVER_STATUS, EXPIRED, USED, DISCARDED)
STATUS_NAMES = {FRESH: N_("fresh"), FROZEN: N_("frozen"), THAWED: N_("thawed"), LEFTOVER_STATUS: N_("leftover"),
                EXPIRED: N_("expired"), USED: N_("used"), DISCARDED: N_("discarded")}

EXPRESSED, MOVED, USED_EVENT, OFFERED, DISCARDED_EVENT = "expressed", "moved", "used", "offered", "discarded"
EVENT_KINDS = (EXPRESSED, MOVED, USED_EVENT, OFFERED, DISCARDED_EVENT)

# Volumes are floats (oz converted to mL): a remainder this small is nothing left.
EMPTY_ML = 0.01
MAX_VOLUME_ML = 2000.0


@dataclass(frozen=True)
class Limit:
    """How long milk keeps in one condition under one guideline, and who says so: elapsed time, or calendar
    months (the sources' freezer figures), never both."""

    duration: timedelta
    words: str
    source: str
    note: str = ""
    months: int = 0

    def ends(self, start: datetime, zone: ZoneInfo) -> datetime:
        """Return when milk kept from `start` reaches this limit, months counted on the parent's calendar."""
        return months_later(start, self.months, zone) if self.months else start + self.duration

    def hours(self) -> float | None:
        """Return the limit in hours, or None for a limit in months (their length in hours varies)."""
        return None if self.months else self.duration / H


def _limit(duration: timedelta, words: str, guideline: str, note: str = "") -> Limit:
    """Build a limit attributed to a guideline's source."""
    return Limit(duration, words, SOURCES[guideline], note)


def _months(months: int, guideline: str, note: str) -> Limit:
    """Build a limit in calendar months attributed to a guideline's source."""
    return Limit(timedelta(0), Counted("{count} month", "{count} months", months), SOURCES[guideline], note, months)


def months_later(start: datetime, months: int, zone: ZoneInfo) -> datetime:
    """Return the same wall-clock time `months` calendar months later in `zone` (the month's last day when it is
    shorter; the earlier instant when that time is skipped or repeated), so a limit never runs long."""
    local = start.astimezone(zone)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    later = local.replace(tzinfo=None, year=year, month=month, day=day)
    return min(later.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))


H, D = timedelta(hours=1), timedelta(days=1)
# The one table of docs/consultants.md (Storage limits). A guideline that says nothing about a condition falls
# back to the CDC, and its source then says CDC, so every figure shown names the source that gives it.
LIMITS: dict[str, dict[str, Limit]] = {
    ROOM: {
        CDC: _limit(4 * H, "4 h", CDC, N_("at or below 25 °C / 77 °F")),
        ABM: _limit(4 * H, "4 h", ABM, N_("6–8 h if expressed very cleanly")),
        FIVE: _limit(5 * H, "5 h", FIVE),
    },
    COOLER: {
        CDC: _limit(24 * H, "24 h", CDC, N_("insulated cooler with ice packs")),
        ABM: _limit(24 * H, "24 h", ABM),
        FIVE: _limit(24 * H, "24 h", CDC, N_("the 5-5-5 rule says nothing about coolers")),
    },
    FRIDGE: {
        CDC: _limit(4 * D, N_("4 days"), CDC, N_("4 °C / 40 °F")),
        ABM: _limit(4 * D, N_("4 days"), ABM, N_("5–8 days if expressed very cleanly")),
        FIVE: _limit(5 * D, N_("5 days"), FIVE),
    },
    FREEZER: {
        CDC: _months(12, CDC, N_("−18 °C / 0 °F; best within 6 months; calendar months from the first freeze")),
        ABM: _months(12, ABM, N_("6 months best, 12 acceptable; calendar months from the first freeze")),
        FIVE: _months(5, FIVE, N_("calendar months from the first freeze")),
    },
    THAWED_ROOM: {
        g: _limit(1 * H, "1 h", CDC, N_("CDC says 1–2 h; we use 1 h; also milk brought from the fridge to room"))
        for g in GUIDELINES
    },
    # The CDC counts from when the milk is fully thawed, a moment Pumpwell cannot know: it counts from when the milk
    # left the freezer, which is sooner, and says so.
    THAWED_FRIDGE: {
        g: _limit(24 * H, "24 h", CDC, N_("CDC: 24 h from fully thawed; counted here from leaving the freezer, "
                                          "which is sooner; never refreeze"))
        for g in GUIDELINES
    },
    LEFTOVER: {
        g: _limit(2 * H, "2 h", CDC, N_("CDC: within 2 h after the baby finishes feeding, counted from when you "
                                        "mark it offered (the end of the feed); then discard"))
        for g in GUIDELINES
    },
}


class ThawedMilkCannotRefreeze(Conflict):
    """Thawed milk never goes back to the freezer."""


class MoveNotAllowed(Conflict):
    """A move the storage rules do not allow (leftovers, frozen or thawed milk into a cooler)."""


class MilkExpired(Conflict):
    """The container is past its limit: it can only be discarded."""


class ContainerClosed(Conflict):
    """The container was used up or discarded: it stays in the history, unchanged."""


def limit_for(condition: str, guideline: str) -> Limit:
    """Return the limit of a condition under a guideline."""
    return LIMITS[condition][guideline]


def cdc_beside(condition: str, guideline: str) -> Limit | None:
    """Return the CDC limit when the chosen guideline allows longer, else None."""
    chosen, cdc = limit_for(condition, guideline), limit_for(condition, CDC)
    return cdc if (chosen.months, chosen.duration) > (cdc.months, cdc.duration) else None


def limits_table(guideline: str) -> list[dict]:
    """Return every condition's limit under a guideline, with the CDC figure beside a longer one."""
    rows = []
    for condition in LIMITS:
        limit, cdc = limit_for(condition, guideline), cdc_beside(condition, guideline)
        rows.append({
            "condition": condition, "limit": limit.words, "hours": limit.hours(), "months": limit.months or None,
            "source": limit.source, "note": limit.note,
            "cdc_limit": cdc.words if cdc else None, "cdc_source": cdc.source if cdc else None,
        })
    return rows


@dataclass(frozen=True)
class Event:
    """One thing that happened to a container, in the order it happened."""

    kind: str
    at: datetime
    location: str | None = None
    volume_ml: float | None = None


@dataclass(frozen=True)
class Container:
    """A container's state after its history: where it is, how much is left, and when it expires."""

    expressed_at: datetime
    location: str
    location_since: datetime
    volume_ml: float
    remaining_ml: float
    expires_at: datetime
    condition: str  # the row of LIMITS that set the expiry
    first_frozen_at: datetime | None = None
    thawed_at: datetime | None = None
    offered_at: datetime | None = None
    closed: str | None = None  # USED or DISCARDED
    closed_at: datetime | None = None
    last_event_at: datetime | None = None
    warnings: tuple[str, ...] = field(default=())


def replay(events: Sequence[Event], guideline: str, zone: ZoneInfo, strict: bool = True) -> Container:
    """Return the state a history leads to under a guideline in the parent's zone; refuse a step the rules forbid.

    Not strict, a step taken after the milk expired is applied anyway: a guideline chosen later
    may count as expired what was in date when the step happened.
    """
    first = events[0]
    if first.kind != EXPRESSED:
        raise InvalidInput("A container's history starts when the milk was expressed.")
    state = express(first.at, first.location, first.volume_ml, guideline, zone)
    for event in events[1:]:
        state = apply(state, event, guideline, zone, strict)
    return state


def express(at: datetime, location: str, volume_ml: float, guideline: str, zone: ZoneInfo) -> Container:
    """Return a new container of milk expressed at `at` and put in `location`."""
    check_volume(volume_ml)
    expires_at = limit_for(location, guideline).ends(at, zone)
    frozen_at = at if location == FREEZER else None
    return Container(at, location, at, volume_ml, volume_ml, expires_at, location, first_frozen_at=frozen_at,
                     last_event_at=at)


def check_volume(volume_ml: float | None) -> None:
    """Refuse a volume that is not a positive amount a container could hold."""
    if volume_ml is None or not 0 < volume_ml <= MAX_VOLUME_ML:
        raise InvalidInput("A container holds more than 0 and at most 2000 mL.",
                           {"volume": ["More than 0 and at most 2000 mL (67.6 oz)."]})


# Why a closed container takes no more changes, a whole sentence for each way it closed.
ALREADY_CLOSED = {
    USED: N_("This container was used already; it stays in the history as it is."),
    DISCARDED: N_("This container was discarded already; it stays in the history as it is."),
}


def apply(state: Container, event: Event, guideline: str, zone: ZoneInfo, strict: bool = True) -> Container:
    """Return the state after one more event; refuse what the rules forbid."""
    if state.closed:
        raise ContainerClosed(ALREADY_CLOSED[state.closed])
    if state.last_event_at and event.at < state.last_event_at:
        raise InvalidInput("This happened before the container's last change.",
                           {"at": ["Must not be before the container's last change."]})
    if event.kind == DISCARDED_EVENT:
        return replace(state, closed=DISCARDED, closed_at=event.at, last_event_at=event.at)
    if strict and event.at >= state.expires_at:
        raise MilkExpired("This milk is past its storage limit; it can only be discarded.")
    state = replace(state, last_event_at=event.at)
    if event.kind == MOVED:
        return move(state, event.location, event.at, guideline, zone)
    if event.kind == OFFERED:
        return offer(state, event.at, guideline)
    if event.kind == USED_EVENT:
        return use(state, event.volume_ml, event.at)
    raise InvalidInput(f"Unknown event {event.kind!r}.")


def move(state: Container, location: str, at: datetime, guideline: str, zone: ZoneInfo) -> Container:
    """Move the container: freezing keeps the expression time, thawing starts the thawed clock."""
    if location == state.location:
        raise InvalidInput("The container is there already.", {"location": [f"Already in the {location}."]})
    if state.offered_at is not None:
        raise MoveNotAllowed("Milk left over from a feed is used within 2 h after the feed, then discarded.")
    moved = replace(state, location=location, location_since=at)
    if state.thawed_at is not None:
        return _move_thawed(moved, location, at, guideline)
    if state.location == FREEZER:
        return _thaw(moved, location, at, guideline)
    if location == FREEZER:
        # Freezer age counts from the first freeze; the expression time stays as it was.
        return replace(moved, first_frozen_at=at, expires_at=limit_for(FREEZER, guideline).ends(at, zone),
                       condition=FREEZER)
    if location == ROOM:
        # Milk brought out of the cold is treated like thawed milk at room temperature, never longer than before.
        limit = limit_for(THAWED_ROOM, guideline).duration
        return replace(moved, expires_at=min(state.expires_at, at + limit), condition=THAWED_ROOM)
    if state.condition == THAWED_ROOM:
        return replace(moved, expires_at=state.expires_at)
    limit = limit_for(location, guideline).duration
    if COLDNESS[location] > COLDNESS[state.location]:
        # Colder: the cooler and fridge limits count from expression (the CDC's "store within 4 hours").
        return replace(moved, expires_at=state.expressed_at + limit, condition=location)
    # Fridge to cooler: the cooler's limit runs from the move, never past the fridge's.
    return replace(moved, expires_at=min(state.expires_at, at + limit), condition=location)


def _thaw(moved: Container, location: str, at: datetime, guideline: str) -> Container:
    """Take frozen milk out: to the fridge (24 h from leaving the freezer) or to room temperature (1 h)."""
    if location == COOLER:
        raise MoveNotAllowed("Frozen milk goes to the fridge to thaw, or to room temperature for a feed.")
    condition = THAWED_FRIDGE if location == FRIDGE else THAWED_ROOM
    return replace(moved, thawed_at=at, expires_at=at + limit_for(condition, guideline).duration, condition=condition)


def _move_thawed(moved: Container, location: str, at: datetime, guideline: str) -> Container:
    """Move thawed milk between fridge and room; it never goes back to the freezer."""
    if location == FREEZER:
        raise ThawedMilkCannotRefreeze(
            "Thawed milk can never go back to the freezer: use it within 24 h of taking it out of the freezer.")
    if location == COOLER:
        raise MoveNotAllowed("Thawed milk stays in the fridge or at room temperature; no source gives a cooler limit.")
    if location == ROOM:
        limit = limit_for(THAWED_ROOM, guideline).duration
        return replace(moved, expires_at=min(moved.expires_at, at + limit), condition=THAWED_ROOM)
    # Back into the fridge: the clock that ran at room temperature keeps running.
    return moved


def offer(state: Container, at: datetime, guideline: str) -> Container:
    """Start the leftover clock at `at`, the end of the feed: what the baby did not finish keeps 2 h."""
    if state.offered_at is not None:
        return state
    if state.location == FREEZER:
        raise MoveNotAllowed("Frozen milk cannot be offered: thaw it first.")
    limit = limit_for(LEFTOVER, guideline).duration
    return replace(state, offered_at=at, expires_at=min(state.expires_at, at + limit), condition=LEFTOVER)


def use(state: Container, volume_ml: float | None, at: datetime) -> Container:
    """Take some (or all, when volume is None) milk out; at zero the container is used."""
    amount = state.remaining_ml if volume_ml is None else volume_ml
    if amount <= 0 or amount > state.remaining_ml + EMPTY_ML:
        raise InvalidInput("Use more than 0 and at most what is left.",
                           {"volume": [f"At most {state.remaining_ml:.1f} mL is left."]})
    left = state.remaining_ml - amount
    if left <= EMPTY_ML:
        return replace(state, remaining_ml=0.0, closed=USED, closed_at=at)
    return replace(state, remaining_ml=left)


def status(state: Container, now: datetime) -> str:
    """Return fresh, frozen, thawed, leftover, expired, used or discarded."""
    if state.closed:
        return state.closed
    if now >= state.expires_at:
        return EXPIRED
    if state.offered_at is not None:
        return LEFTOVER_STATUS
    if state.thawed_at is not None:
        return THAWED
    return FROZEN if state.location == FREEZER else FRESH


def time_left_words(expires_at: datetime, now: datetime) -> str:
    """Say how long is left, or how long ago it expired: "2 days 4 h left", "expired 3 h ago"."""
    left = expires_at - now
    if left > timedelta(0):
        return Text("{duration} left", duration=duration_words(left))
    return Text("expired {duration} ago", duration=duration_words(-left))


def duration_words(span: timedelta) -> str:
    """Write a length of time in its two largest units: "2 days 4 h", "3 h 20 min", "5 min"."""
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return Counted("{count} day {hours} h", "{count} days {hours} h", days, hours=hours) if hours else Counted(
            "{count} day", "{count} days", days)
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else Text("less than a minute")


def use_first(containers: Iterable[tuple[object, Container]], now: datetime) -> list[object]:
    """Order open, unexpired containers by expiry; ties by expression time, then by key."""
    usable = [(key, c) for key, c in containers if status(c, now) not in (EXPIRED, USED, DISCARDED)]
    usable.sort(key=lambda pair: (pair[1].expires_at, pair[1].expressed_at, str(pair[0])))
    return [key for key, _ in usable]


# Reminders: the evening before milk in the fridge, cooler or freezer expires; 3 h into room
# temperature; shortly before thawed or leftover milk expires.
STASH_REMINDER = "stash_expiry"
EVENING = time(19, 0)
ROOM_NUDGE_AFTER = 3 * H
SHORT_LEAD = timedelta(minutes=15)
THAWED_FRIDGE_LEAD = 2 * H
LATE_LEAD = 2 * H


def stash_dedupe_key(container_id: object) -> str:
    """Return the dedupe key of a container's one pending reminder."""
    return f"stash:{container_id}"


def stash_reminder(
    container_id: object, label: str, state: Container, zone: ZoneInfo, quiet: QuietHours | None, now: datetime
) -> ReminderDraft | None:
    """Return the next reminder for a container, or None when none is due any more."""
    if status(state, now) in (EXPIRED, USED, DISCARDED):
        return None
    name = label or Said(N_("A container"))
    key, url = stash_dedupe_key(container_id), "/#/stash"
    expires_at = state.expires_at
    if state.condition == ROOM:
        due = state.location_since + ROOM_NUDGE_AFTER
        body = (Text("Put it in the fridge or use it within the hour.") if expires_at - due <= H else
                Text("Put it in the fridge or use it within {duration}.", duration=duration_words(expires_at - due)))
        draft = ReminderDraft(STASH_REMINDER, key, due, expires_at, Text("{name}: 3 h at room temperature", name=name),
                              body, url, None, True)
    elif state.condition in (THAWED_ROOM, LEFTOVER):
        due = expires_at - SHORT_LEAD
        draft = ReminderDraft(STASH_REMINDER, key, due, expires_at, Text("{name}: use it within 15 min", name=name),
                              Text("After that it is past its storage limit."), url, None, True)
    elif state.condition == THAWED_FRIDGE:
        due = _before_quiet_hours(expires_at - THAWED_FRIDGE_LEAD, quiet, zone)
        draft = ReminderDraft(STASH_REMINDER, key, due, expires_at, Text("{name}: thawed milk expires soon", name=name),
                              Text("Use it by {when}; thawed milk is never refrozen.", when=_clock(expires_at, zone)),
                              url)
    else:
        due = _evening_before(expires_at, zone)
        if due <= now:
            due = expires_at - LATE_LEAD
        due = _before_quiet_hours(due, quiet, zone)
        draft = ReminderDraft(STASH_REMINDER, key, due, expires_at, Text("{name} expires tomorrow", name=name),
                              Text("Use it first: it keeps until {when}.", when=_clock(expires_at, zone)), url)
    return draft if draft.due_at > now else None


def _evening_before(moment: datetime, zone: ZoneInfo) -> datetime:
    """Return 19:00 local time on the day before `moment`'s local date."""
    day = moment.astimezone(zone).date() - timedelta(days=1)
    return local_to_utc(datetime.combine(day, EVENING), zone)


def _before_quiet_hours(due: datetime, quiet: QuietHours | None, zone: ZoneInfo) -> datetime:
    """Move a reminder that falls in quiet hours to the minute before they began: waiting would be too late."""
    stretch = quiet_stretch(due, quiet, zone) if quiet is not None else None
    return due if stretch is None else stretch[0] - timedelta(minutes=1)


def _clock(moment: datetime, zone: ZoneInfo) -> LocalTime:
    """Write a moment as local date and time, "Tue 01 Dec 19:00" in English."""
    return LocalTime(moment.astimezone(zone).replace(tzinfo=None))
