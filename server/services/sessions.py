"""Logging, listing, editing and deleting pumping sessions."""

import functools
import hashlib
import json
import uuid
from collections import namedtuple
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Insert, Integer, Row, Select, bindparam, func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.domain.errors import SessionIdReused
from server.domain.sessions import check_times, resolve_end
from server.models import PumpSession
from server.services.access import PARENTS_OWN, Account, owned
from server.services.cursors import decode_cursor, encode_cursor
from server.services.plans import plans_to_relink, relink_plan_sessions, relink_since
from server.services.reminders import pending_gap_reminder, refresh_gap_reminder
from server.services.summary import forget_days, hold_for_change

DETAIL_FIELDS = ("left_ml", "right_ml", "mode", "pump", "flange_mm", "pain", "notes")
# A listed session: the database row as a named tuple, whose attributes read in C. A page's dump reads 13 of them per
# session, and a SQLAlchemy Row answers each through a Python __getattr__ (the dump took twice as long). A page reads
# only what it shows: not the owner, nor the digest that settles a replayed create.
PAGE_COLUMNS = [column for column in PumpSession.__table__.columns if column.name not in ("user_id", "request_digest")]
SessionRow = namedtuple("SessionRow", [column.name for column in PAGE_COLUMNS])


def _digest(values: dict) -> str:
    """Hash a create request's parsed values so a replay can be compared with the original."""
    canonical = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items() if k != "id"}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str).encode()).hexdigest()


def create_session(
    db: Session, user: Account, values: dict, now: datetime, logged_by: dict = PARENTS_OWN,
) -> tuple[PumpSession | Row, bool]:
    """Store a session for the user, logged by her or for her (`logged_by`: Household.logged_by); return it (its
    stored row when new) and whether it is new (False for an identical replay)."""
    session_id = values.get("id") or uuid.uuid4()
    digest = _digest(values)
    started_at = values["started_at"].astimezone(UTC)
    ended_at = resolve_end(started_at, values.get("ended_at"), values.get("duration_min")).astimezone(UTC)
    check_times(started_at, ended_at, now)
    # The primary key settles a replay or a race on the client's id in the same statement: no read first. Through
    # the connection, as a row: the ORM's bulk insert path cost more than the rest of the create. The row comes
    # back with the latest end among the user's other sessions, whether a plan is near and whether a gap reminder
    # is pending, read by the same statement.
    stored = db.connection().execute(_insert_new(db.get_bind().dialect.name), {
        "id": session_id, "user_id": user.id, "started_at": started_at, "ended_at": ended_at,
        "request_digest": digest, "created_at": now, "updated_at": now, "since": relink_since(now),
        **{name: values.get(name) for name in DETAIL_FIELDS}, **logged_by,
    }).first()
    if stored is None:
        db.rollback()
        return _replayed(db, user, session_id, digest), False
    # The steps of sessions_changed, each skipped when the insert's own answers show it would change nothing.
    forget_days(db, user.id, started_at)
    # A session ending before the latest end leaves the gap since then, and so the gap reminder, as it was; one
    # ending after it is the new latest end.
    if stored.others_latest_end is None or ended_at > stored.others_latest_end:
        refresh_gap_reminder(db, user, now, ended_at, stored.gap_pending)
    relinked = stored.plans_near and relink_plan_sessions(db, user, now)
    db.commit()
    # Near a plan the new session may now fulfil one of its blocks: read it again to show the block.
    return (db.get(PumpSession, session_id) if relinked else stored), True


@functools.cache
def _insert_new(dialect: str) -> Insert:
    """Build, once per database, the insert that stores a session unless its id exists, returning it if stored."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = PumpSession.__table__
    owner = bindparam("user_id", type_=table.c.user_id.type)
    columns = ("id", "started_at", "ended_at", "request_digest", "created_at", "updated_at", *DETAIL_FIELDS,
               "logged_by_id", "logged_by_role")
    # The other sessions' latest end (an index look-up), whether or not the statement's own row is visible to it.
    others_latest_end = (
        select(func.max(table.c.ended_at))
        .where(table.c.user_id == owner, table.c.id != bindparam("id", type_=table.c.id.type))
        .scalar_subquery()
    )
    return (
        insert(table)
        .values(user_id=owner, **{name: bindparam(name, type_=table.c[name].type) for name in columns})
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(*table.columns, others_latest_end.label("others_latest_end"),
                   plans_to_relink(owner).exists().label("plans_near"),
                   pending_gap_reminder(owner).exists().label("gap_pending"))
    )


def _replayed(db: Session, user: Account, session_id: uuid.UUID, digest: str) -> PumpSession:
    """Return the stored session for an identical replay, or refuse a reused id (also one deleted meanwhile, or
    another user's)."""
    existing = db.get(PumpSession, session_id)
    if existing is None or existing.user_id != user.id or existing.request_digest != digest:
        raise SessionIdReused("This session id was already used with different values.")
    return existing


def get_session(db: Session, user: Account, session_id: uuid.UUID) -> PumpSession:
    """Return one of the user's sessions; someone else's is 'not found'."""
    return owned(db, PumpSession, session_id, user, "session")


def update_session(db: Session, user: Account, session_id: uuid.UUID, changes: dict, now: datetime) -> PumpSession:
    """Apply a partial update; times are checked again as a whole."""
    session = get_session(db, user, session_id)
    hold_for_change(db, user)
    was_started_at = session.started_at
    started_at = changes.get("started_at", session.started_at).astimezone(UTC)
    if "duration_min" in changes or "ended_at" in changes:
        ended_at = resolve_end(started_at, changes.get("ended_at"), changes.get("duration_min")).astimezone(UTC)
    else:
        # Moving the start keeps the duration, as a user dragging a session expects.
        ended_at = started_at + (session.ended_at - session.started_at)
    check_times(started_at, ended_at, now)
    session.started_at, session.ended_at = started_at, ended_at
    for name in DETAIL_FIELDS:
        if name in changes:
            setattr(session, name, changes[name])
    session.updated_at = now
    db.flush()
    sessions_changed(db, user, now, min(was_started_at, started_at))
    db.commit()
    return session


def delete_session(db: Session, user: Account, session_id: uuid.UUID, now: datetime) -> None:
    """Delete one of the user's sessions."""
    session = get_session(db, user, session_id)
    hold_for_change(db, user)
    db.delete(session)
    db.flush()
    sessions_changed(db, user, now, session.started_at)
    db.commit()


def sessions_changed(db: Session, user: Account, now: datetime, since: datetime) -> None:
    """Recompute what depends on the user's sessions from `since` on, inside the caller's transaction: the kept
    summary days, the gap reminder and the plan blocks sessions fulfil."""
    forget_days(db, user.id, since)
    refresh_gap_reminder(db, user, now)
    relink_plan_sessions(db, user, now)


def list_sessions(
    db: Session, user: Account, start: datetime | None, end: datetime | None, limit: int, cursor: str | None,
) -> tuple[Sequence[SessionRow], str | None]:
    """Return a page of the user's session rows, newest first, started in [start, end), and the next page's
    cursor."""
    params = {"user_id": user.id, "start": start, "end": end, "limit": limit + 1}
    if cursor:
        params["cursor_started_at"], params["cursor_id"] = decode_cursor(cursor, datetime, uuid.UUID)
    query = _page_query(start is not None, end is not None, bool(cursor))
    page = [SessionRow._make(row) for row in db.connection().execute(query, params).all()]
    next_cursor = encode_cursor(page[limit - 1].started_at, page[limit - 1].id) if len(page) > limit else None
    return page[:limit], next_cursor


@functools.cache
def _page_query(from_start: bool, to_end: bool, after_cursor: bool) -> Select:
    """Build, once per combination of conditions, the statement of a page of a user's sessions."""
    # Rows, not entities: a page is only read and dumped, and the ORM's identity bookkeeping per row costs more.
    # Built once: constructing it costs about as much as SQLite's run of it.
    query = select(*PAGE_COLUMNS).where(PumpSession.user_id == bindparam("user_id"))
    if from_start:
        query = query.where(PumpSession.started_at >= bindparam("start"))
    if to_end:
        query = query.where(PumpSession.started_at < bindparam("end"))
    if after_cursor:
        # A row-value comparison is an index condition on (user_id, started_at, id); the OR form is a filter.
        query = query.where(
            tuple_(PumpSession.started_at, PumpSession.id)
            < tuple_(bindparam("cursor_started_at", type_=PumpSession.started_at.type),
                     bindparam("cursor_id", type_=PumpSession.id.type))
        )
    # The limit is written into the SQL, not bound: PostgreSQL re-plans a prepared statement with a bound LIMIT at
    # every run (its generic plan, not knowing how many rows are wanted, never looks cheaper), and planning it cost
    # twice as much as running it. With the number written in, it plans the statement once per connection.
    return query.order_by(PumpSession.started_at.desc(), PumpSession.id.desc()).limit(
        bindparam("limit", type_=Integer, literal_execute=True))
