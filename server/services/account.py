"""Everything stored about a parent, found by walking the models: export it as JSON, or delete it."""

import json
import uuid
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Table, delete, select
from sqlalchemy.orm import Session

from server.domain.errors import PasswordRequired
from server.models import ApiToken, Base, User
from server.services.access import Account
from server.services.accounts import Passwords

# Columns that are secrets (or capabilities) and never leave the server, not even to their owner.
SECRET_COLUMNS = {
    "users": {"password_hash"},
    "api_tokens": {"token_hash"},
    "push_subscriptions": {"p256dh", "auth"},
    "shares": {"token_hash"},
    "password_resets": {"token_hash"},
    # A passkey's public key proves nothing to anyone but this server; a challenge is a one-time capability.
    "passkeys": {"public_key"},
    "passkey_challenges": {"challenge"},
    "pump_sessions": {"request_digest"},
    "milk_batches": {"request_digest"},
    "milk_batch_events": {"request_digest"},
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
    """Render a column value as JSON."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"cannot export {type(value).__name__}")


def _exported_columns(table: Table) -> list:
    """Return the columns of a table that may be exported."""
    hidden = SECRET_COLUMNS.get(table.name, set())
    return [column for column in table.columns if column.name not in hidden]


def export_account(db: Session, user: Account, now: datetime) -> Iterator[str]:
    """Yield one JSON document of everything stored about the user, table by table, a few rows at a time."""
    dumps = json.JSONEncoder(default=_json_value, ensure_ascii=False).encode
    yield '{"exported_at": ' + dumps(now.isoformat())
    for table in personal_tables():
        columns = _exported_columns(table)
        names = [column.name for column in columns]
        query = (select(*columns).where(owner_condition(table, user.id))
                 .order_by(*table.primary_key.columns).execution_options(yield_per=ROWS_PER_FETCH))
        yield f', {dumps(table.name)}: ['
        for n, row in enumerate(db.execute(query)):
            yield ("," if n else "") + dumps(dict(zip(names, row, strict=True)))
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
