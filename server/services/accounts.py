"""Registering, signing in and out, bearer tokens and a user's settings."""

import hashlib
import secrets
from collections import namedtuple
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import FromClause, Row, Select, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.domain.errors import BadCredentials, EmailTaken, NotSignedIn
from server.models import ApiToken, User
from server.services.reminders import refresh_gap_reminder

# Don't write last_used_at on every request: once in a while is enough to show "last used".
LAST_USED_RESOLUTION = timedelta(minutes=5)
BY_HASH = ApiToken.token_hash == bindparam("token_hash")
# Every authenticated request but a page of sessions runs this: built once, it skips rebuilding the statement and
# its joined eager load each time (about 0.15 ms of a request's CPU time).
TOKEN_BY_HASH = select(ApiToken).where(BY_HASH)
# A read that checks its own bearer token (see Bearer) finds its owner's rows by TOKEN_OWNER, and signed_in puts
# these columns first in each of its rows: the sign-in and the read are one statement, one round trip, not two.
SIGN_IN_COLUMNS = (
    ApiToken.id.label("token_id"), ApiToken.expires_at.label("token_expires_at"),
    ApiToken.last_used_at.label("token_last_used_at"),
)
SIGNED = len(SIGN_IN_COLUMNS)
# The same columns as read from a row that holds them first (a tuple, not a SQLAlchemy Row): see check_sign_in.
SignIn = namedtuple("SignIn", [column.name for column in SIGN_IN_COLUMNS])
SIGN_IN = select(*SIGN_IN_COLUMNS).where(BY_HASH)
TOKEN_OWNER = select(ApiToken.user_id).where(BY_HASH).scalar_subquery()
# The same columns for a write's RETURNING, which names only its own table's columns: each read by itself.
SIGN_IN_RETURNED = tuple(select(column.element).where(BY_HASH).scalar_subquery().label(column.name)
                         for column in SIGN_IN_COLUMNS)


@dataclass(frozen=True)
class Bearer:
    """A bearer token not checked yet: what a view hands a service that checks it in its own statement."""

    token_hash: str


class Passwords:
    """Argon2id hashing with one dummy hash so unknown emails cost as much as wrong passwords."""

    def __init__(self, memory_kib: int = 65536, time_cost: int = 3):
        self.hasher = PasswordHasher(memory_cost=memory_kib, time_cost=time_cost)

    @cached_property
    def dummy_hash(self) -> str:
        """Hash a random password at the first sign-in that needs it, not while the app starts (0.3-0.6 s)."""
        return self.hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        """Hash a password for storage."""
        return self.hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """Check a password; with no stored hash, spend the same time and fail."""
        try:
            return self.hasher.verify(stored_hash or self.dummy_hash, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest under which a bearer token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    """Compare emails case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def register(
    db: Session, passwords: Passwords, email: str, password: str, time_zone: str, unit: str,
    device_label: str, token_lifetime: timedelta, now: datetime,
) -> tuple[User, str]:
    """Create an account and a first device token; return the user and the token."""
    user = User(
        email=normalize_email(email), password_hash=passwords.hash(password),
        time_zone=time_zone, unit=unit, created_at=now,
    )
    db.add(user)
    try:
        db.flush()
    except IntegrityError:
        # The unique email index, not a look-up first, decides: two sign-ups can race.
        db.rollback()
        raise EmailTaken(
            "An account with this email exists already.", {"email": ["Already registered."]}
        ) from None
    token = _issue_token(db, user, device_label, token_lifetime, now)
    db.commit()
    return user, token


def login(
    db: Session, passwords: Passwords, email: str, password: str, device_label: str,
    token_lifetime: timedelta, now: datetime,
) -> tuple[User, str]:
    """Check the credentials and issue a token for this device."""
    user = db.scalar(select(User).where(User.email == normalize_email(email)))
    if not passwords.verify(user.password_hash if user else None, password):
        raise BadCredentials("Email or password is wrong.")
    token = _issue_token(db, user, device_label, token_lifetime, now)
    db.commit()
    return user, token


def _issue_token(db: Session, user: User, label: str, lifetime: timedelta, now: datetime) -> str:
    """Store a new 256-bit token's hash and return the token itself."""
    token = secrets.token_urlsafe(32)
    db.add(ApiToken(
        user=user, token_hash=hash_token(token), label=label, created_at=now, expires_at=now + lifetime,
    ))
    return token


def authenticate(db: Session, token: str, now: datetime) -> ApiToken | None:
    """Return the live token row for a bearer token, noting its use."""
    row = db.scalar(TOKEN_BY_HASH, {"token_hash": hash_token(token)})
    if row is None or not _live(row.expires_at, now):
        return None
    if _note_use(row.last_used_at, now):
        row.last_used_at = now
        db.commit()
    return row


def check_sign_in(db: Session, sign_in: Row | None, now: datetime) -> None:
    """Refuse a read whose SIGN_IN_COLUMNS (None: no such token) are not a live token's, noting the token's use."""
    if note_sign_in(db, sign_in, now):
        db.commit()


def note_sign_in(db: Session, sign_in: Row | None, now: datetime) -> bool:
    """Refuse a request whose SIGN_IN_COLUMNS (None: no such token) are not a live token's, rolling back what it
    wrote; else note the token's use in the caller's transaction and return whether it was written."""
    if sign_in is None or not _live(sign_in.token_expires_at, now):
        db.rollback()
        raise NotSignedIn("Sign in again: this device's token is unknown, expired or revoked.")
    if not _note_use(sign_in.token_last_used_at, now):
        return False
    db.execute(update(ApiToken).where(ApiToken.id == sign_in.token_id).values(last_used_at=now))
    return True


def signed_in(rows: FromClause, *columns) -> Select:
    """Select a bearer token's SIGN_IN_COLUMNS in front of `columns` of each row: the read's own conditions find
    its owner's rows (TOKEN_OWNER), and a read that finds none says nothing of the token (read_sign_in then)."""
    return select(*SIGN_IN_COLUMNS, *columns).join_from(rows, ApiToken, BY_HASH)


def read_sign_in(db: Session, bearer: Bearer) -> Row | None:
    """Return a bearer token's SIGN_IN_COLUMNS on their own: for a read that found no row, or an answer given
    before the read."""
    return db.connection().execute(SIGN_IN, {"token_hash": bearer.token_hash}).first()


def _live(expires_at: datetime, now: datetime) -> bool:
    """Whether a stored token is still good (a revoked one is deleted)."""
    return expires_at > now


def _note_use(last_used_at: datetime | None, now: datetime) -> bool:
    """Whether to write the token's last use: not on every request, once in a while is enough."""
    return last_used_at is None or now - last_used_at > LAST_USED_RESOLUTION


def logout(db: Session, token: ApiToken) -> None:
    """Revoke one device's token."""
    db.delete(token)
    db.commit()


def update_settings(db: Session, user: User, changes: dict, now: datetime) -> User:
    """Apply settings changes (time zone, unit, quiet hours) to the user."""
    for name in ("time_zone", "unit"):
        if name in changes:
            setattr(user, name, changes[name])
    if "quiet_hours" in changes:
        quiet: dict[str, time] | None = changes["quiet_hours"]
        user.quiet_start = quiet["start"] if quiet else None
        user.quiet_end = quiet["end"] if quiet else None
    # Quiet hours and the time zone decide when the gap reminder may fire.
    refresh_gap_reminder(db, user, now)
    db.commit()
    return user
