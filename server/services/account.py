"""Everything stored about a parent: export it in the documented format, or delete it (found by walking the models)."""

import json
import uuid
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Table, bindparam, delete, literal, or_, select
from sqlalchemy.orm import Session

from server.domain.errors import PasswordRequired
from server.domain.export_format import FORMAT, VERSION
from server.domain.household import Role
from server.models import (
    ApiToken,
    Base,
    Goal,
    Grant,
    Invitation,
    MilkBatch,
    Passkey,
    Plan,
    PlanProposal,
    PlanSlot,
    PumpSession,
    PushSubscription,
    Reminder,
    Share,
    User,
)
from server.services.access import Account
from server.services.accounts import Passwords

# Where each table's rows go in the export (server/domain/export_format.py), or why they stay out. A new table must
# be listed here: the test of the export checks that every personal table is.
EXPORTED_AS = {
    "users": "account", "goals": "goals", "plans": "plans", "plan_slots": "plans",
    "pump_sessions": "sessions", "milk_batches": "containers", "milk_batch_events": "containers",
    "reminders": "reminders", "shares": "shares", "api_tokens": "devices", "passkeys": "passkeys",
    "push_subscriptions": "push_subscriptions",
    "grants": "members",  # and "parents": the grants she gave, and those she holds
    "invitations": "invitations", "plan_proposals": "proposals",
    "summary_days": None,  # figures computed from the sessions, kept to answer faster
    "password_resets": None,  # single-use capabilities, good for minutes
    "passkey_challenges": None,  # single-use capabilities, good for minutes
}
# Tables that hold nothing about any one parent; a table must be listed here or be owned through users.id.
# Rate-limit windows are counters that end within the hour: per client address, per e-mail digest, or per account
# id (writes that cost); they hold no data of the parent's and are not exported.
NOT_PERSONAL = {"rate_limit_counters"}
# A token this young proves a fresh sign-in, so deletion needs no password.
FRESH_SIGN_IN = timedelta(minutes=5)
ROWS_PER_FETCH = 500


class NoOwnerPath(LookupError):
    """A table holds rows that belong to no parent we can find."""


def owner_condition(table: Table, user_id: int) -> ColumnElement[bool]:
    """Return the WHERE clause selecting a table's rows of one parent, following foreign keys to users."""
    if table.name == User.__tablename__:
        return table.c.id == user_id
    # A row that requires two accounts (a grant: the parent's and the helper's) belongs to each of them. A nullable
    # key to users (who logged a row for her) does not make the row hers: it is set to NULL when she goes.
    required = [fk.parent == user_id for fk in table.foreign_keys
                if fk.column.table.name == User.__tablename__ and not fk.parent.nullable]
    if required:
        return or_(*required)
    # Prefer a required key: a nullable one (e.g. a session's plan slot) misses rows that have none.
    keys = sorted(table.foreign_keys, key=lambda fk: fk.parent.nullable)
    for fk in keys:
        if fk.column.table.name == User.__tablename__:
            return fk.parent == user_id
    for fk in keys:
        parent = fk.column.table
        if parent is not table:
            try:
                return fk.parent.in_(select(fk.column).where(owner_condition(parent, user_id)))
            except NoOwnerPath:
                continue
    raise NoOwnerPath(f"table {table.name} has no foreign-key path to users")


def personal_tables() -> list[Table]:
    """Return every table holding a parent's rows, parents before children."""
    return [t for t in Base.metadata.sorted_tables if t.name not in NOT_PERSONAL]


def _json_value(value):
    """Render a value JSON has no type for."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"cannot export {type(value).__name__}")


SLOT_OF_SESSION = (
    select(PlanSlot.id, PlanSlot.plan_id, PlanSlot.index).join(Plan, Plan.id == PlanSlot.plan_id)
    .where(Plan.user_id == bindparam("user_id")).subquery()
)


def _sessions(db: Session, user_id: int) -> Iterator[dict]:
    """Yield the user's sessions in start order, a few hundred rows at a time."""
    columns = [PumpSession.id, PumpSession.started_at, PumpSession.ended_at, PumpSession.left_ml,
               PumpSession.right_ml, PumpSession.unsided_ml, PumpSession.mode, PumpSession.pump,
               PumpSession.flange_mm, PumpSession.pump_setting, PumpSession.pain, PumpSession.notes]
    query = (
        select(*columns, SLOT_OF_SESSION.c.plan_id, SLOT_OF_SESSION.c.index, PumpSession.created_at,
               PumpSession.updated_at, PumpSession.logged_by_role)
        .outerjoin(SLOT_OF_SESSION, SLOT_OF_SESSION.c.id == PumpSession.plan_slot_id)
        .where(PumpSession.user_id == user_id).order_by(PumpSession.started_at, PumpSession.id)
        .execution_options(yield_per=ROWS_PER_FETCH)
    )
    names = [column.key for column in columns]
    for *facts, plan_id, index, created_at, updated_at, logged_by_role in db.execute(query, {"user_id": user_id}):
        yield {**dict(zip(names, facts, strict=True)),
               "plan_slot": None if plan_id is None else {"plan": plan_id, "index": index},
               "created_at": created_at, "updated_at": updated_at, "logged_by_role": logged_by_role}


def _plans(db: Session, user_id: int) -> Iterator[dict]:
    """Yield the user's plans in start order, each with its blocks."""
    plans = db.scalars(select(Plan).where(Plan.user_id == user_id).order_by(Plan.starts_at, Plan.id))
    for plan in plans:
        yield {
            "id": plan.id, "template": plan.template, "status": plan.status, "params": plan.params,
            "time_zone": plan.time_zone, "starts_at": plan.starts_at, "ends_at": plan.ends_at,
            "created_at": plan.created_at, "cancelled_at": plan.cancelled_at,
            "slots": [{"index": s.index, "starts_at": s.starts_at, "ends_at": s.ends_at, "phases": s.phases,
                       "note": s.note} for s in plan.slots],
            "logged_by_role": plan.logged_by_role,
        }
        db.expunge(plan)


CONTAINER_COLUMNS = ("id", "label", "entered_volume", "entered_unit", "volume_ml", "remaining_ml", "expressed_at",
                     "location", "location_since", "first_frozen_at", "thawed_at", "offered_at", "expires_at",
                     "condition", "closed", "closed_at", "discard_reason", "created_at", "updated_at")
GOAL_COLUMNS = ("daily_volume_ml", "sessions_per_day", "max_gap_day_min", "max_gap_night_min", "night_start",
                "night_end", "updated_at")


EVENT_COLUMNS = ("id", "seq", "kind", "at", "location", "volume_ml", "reason", "logged_by_role")


def _containers(db: Session, user_id: int) -> Iterator[dict]:
    """Yield the user's stash containers in the order they were pumped, each with its history."""
    batches = (select(MilkBatch).where(MilkBatch.user_id == user_id)
               .order_by(MilkBatch.expressed_at, MilkBatch.id).execution_options(yield_per=ROWS_PER_FETCH))
    for batch in db.scalars(batches):
        yield {"id": batch.id, "session": batch.session_id,
               **{name: getattr(batch, name) for name in CONTAINER_COLUMNS[1:]},
               "events": [{name: getattr(event, name) for name in EVENT_COLUMNS} for event in batch.events]}
        db.expunge(batch)


def _rows(db: Session, hers: ColumnElement[bool], order, **names) -> Iterator[dict]:
    """Yield the user's rows (those `hers` selects), each as {name in the export: column}."""
    query = select(*names.values()).where(hers).order_by(*order)
    for row in db.execute(query):
        yield dict(zip(names, row, strict=True))


def _sections(db: Session, user_id: int) -> Iterator[tuple[str, Iterator[dict]]]:
    """Yield each list of the export by name, in the format's order."""
    yield "plans", _plans(db, user_id)
    yield "sessions", _sessions(db, user_id)
    yield "containers", _containers(db, user_id)
    yield "reminders", _rows(db, Reminder.user_id == user_id, (Reminder.due_at, Reminder.id), kind=Reminder.kind,
                             status=Reminder.status, due_at=Reminder.due_at, expires_at=Reminder.expires_at,
                             sent_at=Reminder.sent_at, plan=Reminder.plan_id)
    yield "shares", _rows(db, Share.user_id == user_id, (Share.created_at, Share.id), label=Share.label,
                          created_at=Share.created_at, expires_at=Share.expires_at, revoked_at=Share.revoked_at,
                          last_used_at=Share.last_used_at, include_stash=Share.include_stash)
    yield "devices", _rows(db, ApiToken.user_id == user_id, (ApiToken.created_at, ApiToken.id), label=ApiToken.label,
                           created_at=ApiToken.created_at, last_used_at=ApiToken.last_used_at,
                           expires_at=ApiToken.expires_at)
    yield "passkeys", _rows(db, Passkey.user_id == user_id, (Passkey.created_at, Passkey.id), name=Passkey.name,
                            created_at=Passkey.created_at, last_used_at=Passkey.last_used_at)
    yield "push_subscriptions", _rows(
        db, PushSubscription.user_id == user_id, (PushSubscription.created_at, PushSubscription.id),
        user_agent=PushSubscription.user_agent, created_at=PushSubscription.created_at,
        last_success_at=PushSubscription.last_success_at, stopped_at=PushSubscription.stopped_at)
    yield "members", _grants(db, Grant.owner_id == user_id, Grant.grantee_id)
    yield "parents", _grants(db, Grant.grantee_id == user_id, Grant.owner_id)
    yield "invitations", _rows(db, Invitation.owner_id == user_id, (Invitation.created_at, Invitation.id),
                               role=Invitation.role, created_at=Invitation.created_at,
                               expires_at=Invitation.expires_at, used_at=Invitation.used_at)
    yield "proposals", _rows(db, PlanProposal.user_id == user_id, (PlanProposal.created_at, PlanProposal.id),
                             template=PlanProposal.template, starts_at=PlanProposal.starts_at,
                             overrides=PlanProposal.overrides, note=PlanProposal.note, status=PlanProposal.status,
                             # Only the consultant's role may propose (server/domain/household.py).
                             proposed_by_role=literal(Role.CONSULTANT.value), created_at=PlanProposal.created_at,
                             decided_at=PlanProposal.decided_at, plan=PlanProposal.plan_id)


def _grants(db: Session, mine, other) -> Iterator[dict]:
    """Yield grants of hers (given or held) with the other account's email, oldest first."""
    query = (select(User.email, Grant.role, Grant.created_at).join(User, User.id == other).where(mine)
             .order_by(Grant.created_at, Grant.id))
    for email, role, since in db.execute(query):
        yield {"email": email, "role": role, "since": since}


def export_account(db: Session, user: Account, now: datetime) -> Iterator[str]:
    """Yield the user's data as one pumpwell-export document (server/domain/export_format.py), a few rows at a
    time."""
    dumps = json.JSONEncoder(default=_json_value, ensure_ascii=False).encode
    row = db.get_one(User, user.id)
    settings = {"email": row.email, "created_at": row.created_at, "time_zone": row.time_zone, "unit": row.unit,
                "quiet_start": row.quiet_start, "quiet_end": row.quiet_end, "stash_guideline": row.stash_guideline,
                "birth_date": row.birth_date, "language": row.language}
    goal = db.get(Goal, user.id)
    goals = None if goal is None else {name: getattr(goal, name) for name in GOAL_COLUMNS}
    yield (f'{{"format": {dumps(FORMAT)}, "version": {VERSION}, "exported_at": {dumps(now.isoformat())}, '
           f'"account": {dumps(settings)}, "goals": {dumps(goals)}')
    for name, records in _sections(db, user.id):
        yield f', {dumps(name)}: ['
        for n, record in enumerate(records):
            yield ("," if n else "") + dumps(record)
        yield "]"
    yield "}\n"
    db.rollback()


def delete_account(db: Session, passwords: Passwords, device_id: int, password: str | None,
                   now: datetime) -> dict[str, int]:
    """Delete every row of the device's account in one transaction, children first; return the count per table.

    The password is needed unless this device signed in moments ago.
    """
    token = db.get_one(ApiToken, device_id)
    user = token.user
    fresh = password is None and now - token.created_at <= FRESH_SIGN_IN
    if not fresh and not passwords.verify(user.password_hash, password or ""):
        raise PasswordRequired("Enter your password to delete the account.", {"password": ["Wrong password."]})
    user_id = user.id
    db.expunge_all()
    # The account's row first: writes of its other devices then wait for the deletion, then find no account (a
    # write takes a key-share lock on it through its foreign key). Locked last, it deadlocked with such a write.
    db.execute(select(User.id).where(User.id == user_id).with_for_update())
    counts = {}
    for table in reversed(personal_tables()):
        counts[table.name] = db.execute(delete(table).where(owner_condition(table, user_id))).rowcount
    db.commit()
    return counts
