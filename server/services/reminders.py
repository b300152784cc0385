"""Writing reminder rows (upserted on their dedupe key) and the user's actions on them."""

import functools
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Insert, Select, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.domain.delivery import Move, Status, move
from server.domain.languages import restored, stored
from server.domain.reminders import GAP_DEDUPE_KEY, GapRule, QuietHours, ReminderDraft, gap_reminder, snoozed_until
from server.domain.storage import Container, stash_dedupe_key, stash_reminder
from server.i18n import words
from server.models import PumpSession, Reminder
from server.services.access import Account, owned
from server.services.goals import get_goals

# The partial unique index on (user_id, dedupe_key) covers pending rows only; ON CONFLICT must name the same predicate.
# Reads and updates of pending rows write it in too, not bound: SQLite prepares a statement again at every run when
# a bound value could decide whether a partial index applies, and PostgreSQL's generic plan could not use the index.
PENDING_ONLY = text(f"status = '{Status.PENDING}'")
UPDATED_ON_CONFLICT = ("kind", "due_at", "send_after", "sending_at", "expires_at", "payload", "avoids_quiet_hours",
                       "plan_id", "plan_slot_id", "updated_at")


def pending_gap_reminder(owner) -> Select:
    """Select the pending gap reminder of `owner` (a user id, bound or read by the statement): a create's insert
    asks, so a cancel that would change nothing is not sent."""
    # PENDING_ONLY, not a bound status: bound, it made SQLite prepare the whole insert again at every run (140 us).
    return select(Reminder.id).where(Reminder.user_id == owner, PENDING_ONLY, Reminder.dedupe_key == GAP_DEDUPE_KEY)


def upsert_reminders(
    db: Session, user: Account, drafts: Iterable[tuple[ReminderDraft, int | None, int | None]], now: datetime
) -> None:
    """Write (draft, plan id, slot id) rows; a pending row with the same dedupe key is updated, never doubled."""
    rows = [
        {
            "user_id": user.id, "kind": d.kind, "status": Status.PENDING, "dedupe_key": d.dedupe_key,
            "due_at": d.due_at, "send_after": d.due_at, "sending_at": d.due_at, "expires_at": d.expires_at,
            "attempts": 0,
            "payload": reminder_payload(d.title, d.body, d.url),
            "avoids_quiet_hours": not d.fires_in_quiet_hours, "plan_id": plan_id, "plan_slot_id": slot_id,
            "created_at": now, "updated_at": now,
        }
        for d, plan_id, slot_id in drafts
    ]
    if rows:
        # One statement, run for each row: the database settles a race on the unique index, not a read-then-write
        # here. Through the connection: the ORM's bulk path adds nothing to plain rows.
        db.connection().execute(_upsert(db.get_bind().dialect.name), rows)


def reminder_payload(title: str, body: str, url: str) -> dict:
    """Return what a reminder row keeps of its words: English, and how to write them in each reader's language."""
    return {"title": title, "body": body, "url": url, "said": {"title": stored(title), "body": stored(body)}}


def reminder_words(payload: dict, language: str) -> tuple[str, str]:
    """Return a reminder's title and body in `language` (a row kept before languages has English only)."""
    said = payload.get("said")
    if said is None:
        return payload.get("title"), payload.get("body")
    written = words(language)
    return written.say(restored(said["title"])), written.say(restored(said["body"]))


@functools.cache
def _upsert(dialect: str) -> Insert:
    """Build, once per database, the insert of a reminder row that updates the pending row with its dedupe key."""
    # Built once with bound values, so it is compiled once: with the rows written into it (insert().values(rows)),
    # every call compiled it again, two thirds of the cost of moving the gap reminder after a session.
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Reminder)
    return statement.on_conflict_do_update(
        index_elements=["user_id", "dedupe_key"],
        index_where=PENDING_ONLY,
        set_={name: statement.excluded[name] for name in UPDATED_ON_CONFLICT},
    )


def refresh_gap_reminder(
    db: Session, user: Account, now: datetime, last_end: datetime | None = None, pending: bool = True,
) -> None:
    """Move the gap reminder to the day or night maximum after the latest session end (read unless given), or
    cancel it; `pending` False when the caller read, in this transaction, that none is pending."""
    if last_end is None:
        last_end = db.scalar(select(func.max(PumpSession.ended_at)).where(PumpSession.user_id == user.id))
    goals = get_goals(db, user)
    rule = GapRule(goals.max_gap_day_min, goals.max_gap_night_min, goals.night_start, goals.night_end)
    quiet = QuietHours(user.quiet_start, user.quiet_end) if user.quiet_start and user.quiet_end else None
    draft = gap_reminder(last_end, rule, ZoneInfo(user.time_zone), quiet, now)
    if draft is not None:
        upsert_reminders(db, user, [(draft, None, None)], now)
    elif pending:
        cancel_pending(db, user, now, Reminder.dedupe_key == GAP_DEDUPE_KEY)


def cancel_pending(db: Session, user: Account, now: datetime, *where) -> None:
    """Cancel the user's pending reminders that match `where`."""
    db.execute(
        update(Reminder)
        .where(Reminder.user_id == user.id, PENDING_ONLY, *where)
        .values(status=Status.CANCELLED, updated_at=now)
    )


def list_reminders(db: Session, user: Account, now: datetime) -> list[Reminder]:
    """Return the user's pending reminders, soonest first."""
    query = (
        select(Reminder)
        .where(Reminder.user_id == user.id, PENDING_ONLY)
        .where((Reminder.expires_at.is_(None)) | (Reminder.expires_at > now))
        .order_by(Reminder.send_after, Reminder.id)
        .limit(500)
    )
    return list(db.scalars(query))


def snooze_reminder(db: Session, user: Account, reminder_id: int, minutes: int | None, now: datetime) -> Reminder:
    """Send the reminder again `minutes` from now (10 by default), even if it was sent already."""
    reminder = owned(db, Reminder, reminder_id, user, "reminder")
    status = move(reminder.status, Move.SNOOZE)
    if reminder.status != Status.PENDING:
        # Back to pending: if another pending row holds this key, it is the newer reminder and wins.
        cancel_pending(db, user, now, Reminder.dedupe_key == reminder.dedupe_key, Reminder.id != reminder.id)
    reminder.status = status
    reminder.send_after = reminder.sending_at = snoozed_until(now, minutes)
    # She asked for it then, quiet hours or not.
    reminder.avoids_quiet_hours = False
    if reminder.expires_at is not None and reminder.expires_at <= reminder.send_after:
        reminder.expires_at = None
    reminder.lease_until = None
    reminder.updated_at = now
    db.commit()
    return reminder


def close_reminder(db: Session, user: Account, reminder_id: int, action: Move, now: datetime) -> Reminder:
    """Skip a reminder or mark it done (Move.SKIP, Move.DONE) so it is not sent (again)."""
    reminder = owned(db, Reminder, reminder_id, user, "reminder")
    reminder.status = move(reminder.status, action)
    reminder.updated_at = now
    db.commit()
    return reminder


def refresh_stash_reminder(db: Session, user: Account, batch_id, label: str, state: Container, now: datetime) -> None:
    """Move a container's reminder to what its state calls for, or cancel it (used, discarded, too late)."""
    quiet = QuietHours(user.quiet_start, user.quiet_end) if user.quiet_start and user.quiet_end else None
    draft = stash_reminder(batch_id, label, state, ZoneInfo(user.time_zone), quiet, now)
    if draft is None:
        cancel_pending(db, user, now, Reminder.dedupe_key == stash_dedupe_key(batch_id))
    else:
        upsert_reminders(db, user, [(draft, None, None)], now)
