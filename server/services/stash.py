"""The milk stash: add containers, move, use and discard them, list them in use-first order."""

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.domain import storage
from server.domain.errors import Conflict, InvalidInput
from server.domain.export import csv_chunks
from server.domain.languages import DEFAULT_LANGUAGE
from server.domain.sessions import total_volume_ml
from server.domain.stash_export import BatchRecord, stash_header, stash_rows
from server.domain.units import oz_to_ml
from server.models import MilkBatch, MilkBatchEvent, PumpSession, User
from server.services.access import PARENTS_OWN, Account, owned
from server.services.cursors import decode_cursor, encode_cursor
from server.services.export import YIELD_PER, header
from server.services.reminders import refresh_stash_reminder

# A phone's clock may run a little fast; anything later than this is a typo, not a clock.
CLOCK_SKEW = timedelta(minutes=5)


class StashIdReused(Conflict):
    """A client-chosen container or action id was sent again with a different body."""


def _digest(values: dict) -> str:
    """Hash a request's parsed values so a replay can be compared with the original."""
    canonical = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items() if k != "id"}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str).encode()).hexdigest()


def _to_ml(volume: float, unit: str) -> float:
    """Return an entered volume in millilitres."""
    return oz_to_ml(volume) if unit == "oz" else volume


def _check_not_future(moment: datetime, now: datetime, field: str) -> datetime:
    """Refuse a time in the future (beyond a phone clock's skew); return it in UTC."""
    if moment > now + CLOCK_SKEW:
        raise InvalidInput("That time is in the future.", {field: ["Must not be in the future."]})
    return moment.astimezone(UTC)


def add_batch(
    db: Session, user: Account, values: dict, now: datetime, logged_by: dict = PARENTS_OWN,
) -> tuple[MilkBatch, bool]:
    """Store a new container, added by the parent or for her (`logged_by`: Household.logged_by); return it and
    whether it is new (False for an identical replay)."""
    batch_id = values.get("id") or uuid.uuid4()
    digest = _digest(values)
    existing = db.get(MilkBatch, batch_id)
    if existing is not None:
        return _replayed_batch(existing, user, digest), False
    expressed_at = values.get("expressed_at")
    session = None
    if values.get("session_id") is not None:
        session, volume_ml = _session_with_room_for(
            db, user, values["session_id"], values.get("volume"), values["unit"], batch_id)
        expressed_at = expressed_at or session.ended_at
    elif values.get("volume") is None:
        raise InvalidInput("Say how much milk.", {"volume": ["Missing data for required field."]})
    else:
        volume_ml = _to_ml(values["volume"], values["unit"])
    if expressed_at is None:
        raise InvalidInput("Say when the milk was expressed.", {"expressed_at": ["Missing data for required field."]})
    expressed_at = _check_not_future(expressed_at, now, "expressed_at")
    events = [storage.Event(storage.EXPRESSED, expressed_at, values["location"], volume_ml)]
    state = storage.replay(events, user.stash_guideline, ZoneInfo(user.time_zone))
    batch = MilkBatch(
        id=batch_id, user_id=user.id, session_id=session.id if session else None, label=values.get("label") or "",
        # Left out with a session, the volume is all of its milk not yet stashed, as millilitres.
        entered_volume=volume_ml if values.get("volume") is None else values["volume"],
        entered_unit="ml" if values.get("volume") is None else values["unit"], request_digest=digest,
        created_at=now, **_columns(state, now),
    )
    batch.events.append(_event_row(uuid.uuid4(), batch, user, 0, events[0], None, digest, now, logged_by))
    db.add(batch)
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        winner = db.get(MilkBatch, batch_id)
        if winner is None:
            raise
        # Another request with the same id won the race: ours is its replay.
        return _replayed_batch(winner, user, digest), False
    refresh_stash_reminder(db, user, batch.id, batch.label, state, now)
    db.commit()
    return batch, True


def _replayed_batch(existing: MilkBatch, user: Account, digest: str) -> MilkBatch:
    """Return the stored container for an identical replay, or refuse a reused id."""
    if existing.user_id != user.id or existing.request_digest != digest:
        raise StashIdReused("This container id was already used with different values.")
    return existing


def _session_with_room_for(
    db: Session, user: Account, session_id: uuid.UUID, volume: float | None, unit: str, batch_id: uuid.UUID,
) -> tuple[PumpSession, float]:
    """Return the user's session and the mL to stash from it: `volume`, or all its milk not yet stashed if None."""
    session = owned(db, PumpSession, session_id, user, "session")
    expressed = total_volume_ml(session.left_ml, session.right_ml, session.unsided_ml) or 0.0
    # Not counting a container of this id: a replay racing its twin (the page and the service worker both send
    # the outbox when the phone comes back online) would find its own milk taken, and be refused instead of
    # answered as the replay it is when its insert meets the twin's key.
    stashed = db.scalar(select(func.coalesce(func.sum(MilkBatch.volume_ml), 0.0))
                        .where(MilkBatch.session_id == session.id, MilkBatch.id != batch_id)) or 0.0
    free = max(expressed - stashed, 0.0)
    if volume is None:
        if free <= storage.EMPTY_ML:
            raise InvalidInput("All of this session's milk is in the stash already.",
                               {"volume": ["Nothing of this session is left to stash."]})
        return session, free
    volume_ml = _to_ml(volume, unit)
    if volume_ml > free + storage.EMPTY_ML:
        raise InvalidInput("That is more than the session's milk not yet stashed.",
                           {"volume": [f"At most {free:.0f} mL of this session is left to stash."]})
    return session, volume_ml


def _columns(state: storage.Container, now: datetime) -> dict:
    """Return the MilkBatch columns that cache a container's state."""
    return {
        "volume_ml": state.volume_ml, "remaining_ml": state.remaining_ml, "expressed_at": state.expressed_at,
        "location": state.location, "location_since": state.location_since,
        "first_frozen_at": state.first_frozen_at, "thawed_at": state.thawed_at, "offered_at": state.offered_at,
        "expires_at": state.expires_at, "condition": state.condition,
        "closed": state.closed, "closed_at": state.closed_at, "updated_at": now,
    }


def _event_row(event_id, batch, user, seq, event: storage.Event, reason, digest, now, logged_by) -> MilkBatchEvent:
    """Build the row of one history event."""
    return MilkBatchEvent(
        id=event_id, batch=batch, user_id=user.id, seq=seq, kind=event.kind, at=event.at,
        location=event.location, volume_ml=event.volume_ml, reason=reason, request_digest=digest, created_at=now,
        **logged_by,
    )


def _history(batch: MilkBatch) -> list[storage.Event]:
    """Return a container's stored history as domain events."""
    return [storage.Event(e.kind, e.at, e.location, e.volume_ml) for e in batch.events]


def get_batch(db: Session, user: Account, batch_id: uuid.UUID) -> MilkBatch:
    """Return one of the user's containers; someone else's is 'not found'."""
    return owned(db, MilkBatch, batch_id, user, "container")


def move_batch(
    db: Session, user: Account, batch_id: uuid.UUID, values: dict, now: datetime, logged_by: dict = PARENTS_OWN,
) -> tuple[MilkBatch, bool]:
    """Move a container to another place (freezing, thawing and their rules apply)."""
    at = values.get("at") or now
    events = [storage.Event(storage.MOVED, at, values["location"])]
    return _record(db, user, batch_id, values, events, None, now, logged_by)


def use_batch(
    db: Session, user: Account, batch_id: uuid.UUID, values: dict, now: datetime, logged_by: dict = PARENTS_OWN,
) -> tuple[MilkBatch, bool]:
    """Take milk out: all of it by default; offered for a feed, the rest becomes a leftover."""
    at = values.get("at") or now
    events = []
    if values.get("offered"):
        events.append(storage.Event(storage.OFFERED, at))
    if values.get("volume") is not None:
        events.append(storage.Event(storage.USED_EVENT, at, None, _to_ml(values["volume"], values["unit"])))
    elif not values.get("offered"):
        events.append(storage.Event(storage.USED_EVENT, at))
    return _record(db, user, batch_id, values, events, None, now, logged_by)


def discard_batch(
    db: Session, user: Account, batch_id: uuid.UUID, values: dict, now: datetime, logged_by: dict = PARENTS_OWN,
) -> tuple[MilkBatch, bool]:
    """Discard a container with a reason; it stays in the history."""
    at = values.get("at") or now
    events = [storage.Event(storage.DISCARDED_EVENT, at)]
    return _record(db, user, batch_id, values, events, values.get("reason") or "", now, logged_by)


def _record(
    db: Session, user: Account, batch_id: uuid.UUID, values: dict, events: list[storage.Event], reason, now: datetime,
    logged_by: dict,
) -> tuple[MilkBatch, bool]:
    """Append events to a container's history once per action id, and refresh what depends on it."""
    # Lock the row (PostgreSQL): two actions on one container replay its history one after the other.
    batch = owned(db, MilkBatch, batch_id, user, "container", for_update=True)
    action_id = values.get("id") or uuid.uuid4()
    digest = _digest({**values, "batch": str(batch_id)})
    if _already_recorded(db, user, batch, action_id, digest):
        return batch, False
    for event in events:
        _check_not_future(event.at, now, "at")
    state = storage.replay([*_history(batch), *events], user.stash_guideline, ZoneInfo(user.time_zone))
    seq = len(batch.events)
    for number, event in enumerate(events):
        # One request may add two events (offered, then used); the second gets an id derived from the first.
        event_id = action_id if number == 0 else uuid.uuid5(action_id, event.kind)
        batch.events.append(_event_row(event_id, batch, user, seq + number, event, reason, digest, now, logged_by))
    for name, value in _columns(state, now).items():
        setattr(batch, name, value)
    if reason is not None:
        batch.discard_reason = reason
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        batch = get_batch(db, user, batch_id)
        # The same action raced itself: the first one counts, if it was the same request.
        if _already_recorded(db, user, batch, action_id, digest):
            return batch, False
        raise
    refresh_stash_reminder(db, user, batch.id, batch.label, state, now)
    db.commit()
    return batch, True


def _already_recorded(db: Session, user: Account, batch: MilkBatch, action_id: uuid.UUID, digest: str) -> bool:
    """Tell whether this action id was recorded already with the same body; refuse it with another."""
    stored = db.get(MilkBatchEvent, action_id)
    if stored is None:
        return False
    if stored.user_id != user.id or stored.batch_id != batch.id or stored.request_digest != digest:
        raise StashIdReused("This action id was already used with different values.")
    return True


def state_of(batch) -> storage.Container:
    """Return the domain state a stored container caches."""
    return storage.Container(
        batch.expressed_at, batch.location, batch.location_since, batch.volume_ml, batch.remaining_ml,
        batch.expires_at, batch.condition, batch.first_frozen_at, batch.thawed_at, batch.offered_at,
        batch.closed, batch.closed_at,
    )


@dataclass(frozen=True)
class Limit:
    """How long milk in a condition keeps under the chosen guideline, with its source and the CDC's figure beside."""

    condition: str
    limit: str
    source: str
    note: str
    cdc_limit: str | None
    cdc_source: str | None


@dataclass(frozen=True)
class ContainerView:
    """A stored container and what the guideline says of it now; its columns read through from the row."""

    row: MilkBatch
    status: str
    expired: bool
    time_left: str | None
    limit: Limit
    # Its history, each step with who took it when it was not the parent.
    events: list

    def __getattr__(self, name: str):
        """Read a column of the container's row (label, remaining_ml, expires_at...)."""
        if name == "row":  # not set yet (a copy being made): no row to read through
            raise AttributeError(name)
        return getattr(self.row, name)


@dataclass(frozen=True)
class Total:
    """Containers and the milk left in them."""

    containers: int = 0
    ml: float = 0.0


@dataclass(frozen=True)
class Totals:
    """The milk left in open containers per place and overall, in date; expired milk apart."""

    room: Total
    cooler: Total
    fridge: Total
    freezer: Total
    overall: Total
    expired: Total


@dataclass(frozen=True)
class StashPage:
    """A page of containers in use-first order, the totals, and the guideline they are measured by."""

    items: list[ContainerView]
    next_cursor: str | None
    totals: Totals
    guideline: str
    not_medical_advice: str = storage.NOT_MEDICAL_ADVICE


@dataclass(frozen=True)
class GuidelineView:
    """The chosen guideline with every limit it sets, each with its source, and the choices."""

    guideline: str
    name: str
    choices: list[dict]
    limits: list[dict]
    not_medical_advice: str = storage.NOT_MEDICAL_ADVICE


def batch_view(batch: MilkBatch, guideline: str, now: datetime, events: list | None = None) -> ContainerView:
    """Return a container as the API shows it: status, time left in words, the limit and its source, and its history
    (`events`, read from a stored container when not given)."""
    status = storage.status(state_of(batch), now)
    limit = storage.limit_for(batch.condition, guideline)
    cdc = storage.cdc_beside(batch.condition, guideline)
    return ContainerView(
        batch, status, status == storage.EXPIRED,
        None if batch.closed else storage.time_left_words(batch.expires_at, now),
        Limit(batch.condition, limit.words, limit.source, limit.note, cdc.words if cdc else None,
              cdc.source if cdc else None),
        batch.events if events is None else events,
    )


def list_batches(
    db: Session, user: Account, which: str, limit: int, cursor: str | None, now: datetime
) -> StashPage:
    """Return a page of containers in use-first order (expiry, then expression time), the totals and next cursor."""
    query = select(MilkBatch).where(MilkBatch.user_id == user.id)
    if which == "open":
        query = query.where(MilkBatch.closed.is_(None))
    elif which == "closed":
        query = query.where(MilkBatch.closed.is_not(None))
    if cursor:
        expires, expressed, batch_id = decode_cursor(cursor, datetime, datetime, uuid.UUID)
        # A row-value comparison, like the sessions cursor, so the (user, expiry, expressed, id) index serves it.
        query = query.where(
            tuple_(MilkBatch.expires_at, MilkBatch.expressed_at, MilkBatch.id) > (expires, expressed, batch_id)
        )
    query = query.order_by(MilkBatch.expires_at, MilkBatch.expressed_at, MilkBatch.id).limit(limit + 1)
    # Rows, not entities: a page is only read and shown, and the ORM's bookkeeping per row cost more than the read.
    rows = db.connection().execute(query.with_only_columns(*MilkBatch.__table__.columns)).all()
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = encode_cursor(last.expires_at, last.expressed_at, last.id) if last else None
    guideline = user.stash_guideline
    events = _events_of(db, [row.id for row in rows[:limit]])
    return StashPage([batch_view(b, guideline, now, events.get(b.id, [])) for b in rows[:limit]], next_cursor,
                     totals(db, user, now), guideline)


EVENT_COLUMNS = [MilkBatchEvent.__table__.c[name] for name in (
    "batch_id", "kind", "at", "location", "volume_ml", "reason", "logged_by_role", "logged_by_id")]


def _events_of(db: Session, batch_ids: list[uuid.UUID]) -> dict[uuid.UUID, list]:
    """Return the histories of a page of containers, by container id, each in order (one query for the page)."""
    found: dict[uuid.UUID, list] = {}
    if batch_ids:
        query = (select(*EVENT_COLUMNS).where(MilkBatchEvent.batch_id.in_(batch_ids))
                 .order_by(MilkBatchEvent.batch_id, MilkBatchEvent.seq))
        for event in db.connection().execute(query):
            found.setdefault(event.batch_id, []).append(event)
    return found


def totals(db: Session, user: Account, now: datetime) -> Totals:
    """Sum the milk left in open containers per place and overall; expired milk is counted apart."""
    expired = (MilkBatch.expires_at <= now).label("expired")
    query = (
        select(MilkBatch.location, expired, func.count(), func.sum(MilkBatch.remaining_ml))
        .where(MilkBatch.user_id == user.id, MilkBatch.closed.is_(None))
        .group_by(MilkBatch.location, expired)
    )
    counted = {place: Total() for place in (*storage.LOCATIONS, "overall", "expired")}
    for location, expired, count, ml in db.execute(query):
        for key in ("expired",) if expired else (location, "overall"):
            counted[key] = Total(counted[key].containers + count, counted[key].ml + (ml or 0.0))
    return Totals(**counted)


def guideline_view(user: Account) -> GuidelineView:
    """Return the user's guideline with every limit it sets, each with its source and the CDC figure beside it."""
    return GuidelineView(
        user.stash_guideline, storage.GUIDELINE_NAMES[user.stash_guideline],
        [{"key": key, "name": storage.GUIDELINE_NAMES[key], "source": storage.SOURCES[key]}
         for key in storage.GUIDELINES],
        storage.limits_table(user.stash_guideline),
    )


def set_guideline(db: Session, account: Account, guideline: str, now: datetime) -> GuidelineView:
    """Choose the guideline; every open container's expiry and reminder follow it."""
    user = db.get_one(User, account.id)
    user.stash_guideline = guideline
    batches = db.scalars(select(MilkBatch).where(MilkBatch.user_id == user.id, MilkBatch.closed.is_(None)))
    for batch in batches:
        # A step the new guideline would call too late was in date when taken: replay it anyway.
        state = storage.replay(_history(batch), guideline, ZoneInfo(user.time_zone), strict=False)
        for name, value in _columns(state, now).items():
            setattr(batch, name, value)
        refresh_stash_reminder(db, user, batch.id, batch.label, state, now)
    db.commit()
    return guideline_view(user)


def export_stash_csv(db: Session, user: Account, now: datetime, language: str = DEFAULT_LANGUAGE
                     ) -> tuple[str, Iterator[str]]:
    """Return the file name and the streamed CSV of every container, oldest expression first, its header in the
    language of whoever asks."""
    zone = ZoneInfo(user.time_zone)
    # Plain rows, not ORM objects: the body streams after the request's teardown closed the session.
    added_by = (select(MilkBatchEvent.logged_by_role)
                .where(MilkBatchEvent.batch_id == MilkBatch.id, MilkBatchEvent.seq == 0).scalar_subquery())
    query = (
        select(*MilkBatch.__table__.columns, added_by.label("added_by")).where(MilkBatch.user_id == user.id)
        .order_by(MilkBatch.expressed_at, MilkBatch.id).execution_options(yield_per=YIELD_PER)
    )

    def records() -> Iterator[BatchRecord]:
        """Run the query when the body is streamed, on the session the response closes."""
        for b in db.execute(query):
            yield BatchRecord(b.label, b.entered_volume, b.entered_unit, b.volume_ml, state_of(b), b.discard_reason,
                              b.added_by)

    rows = stash_rows(records(), user.stash_guideline, zone, user.unit, now)
    today = now.astimezone(zone).date().isoformat()
    return f"pumpwell-stash_{today}.csv", csv_chunks(header(stash_header(user.unit), language), rows)
