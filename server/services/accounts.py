"""Registering, signing in and out, bearer tokens and a user's settings."""

import secrets
from datetime import datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.domain.errors import BadCredentials, EmailTaken
from server.domain.trends import check_birth_date
from server.models import ApiToken, User
from server.services.access import Account
from server.services.common_passwords import refuse_common_password
from server.services.reminders import refresh_gap_reminder
from server.services.tokens import hash_token, new_token


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


def normalize_email(email: str) -> str:
    """Compare emails case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def register(
    db: Session, passwords: Passwords, email: str, password: str, time_zone: str, unit: str, language: str,
    device_label: str, token_lifetime: timedelta, now: datetime,
) -> tuple[User, str]:
    """Create an account and a first device token; return the user and the token."""
    refuse_common_password(password)
    user = User(
        email=normalize_email(email), password_hash=passwords.hash(password),
        time_zone=time_zone, unit=unit, language=language, created_at=now,
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
    token = issue_token(db, user, device_label, token_lifetime, now)
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
    token = issue_token(db, user, device_label, token_lifetime, now)
    db.commit()
    return user, token


def issue_token(db: Session, user: User, label: str, lifetime: timedelta, now: datetime) -> str:
    """Store a new device token's hash, good for `lifetime` at the most, and return the token itself.

    Every way of signing in (password, sign-up, passkey) ends here, so each device token is made alike.
    """
    token = new_token()
    db.add(ApiToken(
        user=user, token_hash=hash_token(token), label=label, created_at=now, expires_at=now + lifetime,
    ))
    return token


def logout(db: Session, device_id: int) -> None:
    """Revoke one device's token."""
    db.execute(delete(ApiToken).where(ApiToken.id == device_id))
    db.commit()


def update_settings(db: Session, account: Account, changes: dict, now: datetime) -> User:
    """Apply settings changes (time zone, unit, language, quiet hours, birth date, what caregivers see); return its
    row."""
    user = db.get_one(User, account.id)
    for name in ("time_zone", "unit", "language", "caregivers_see_pumping"):
        if name in changes:
            setattr(user, name, changes[name])
    if "birth_date" in changes:
        # Checked against today in the zone the account ends up in.
        user.birth_date = check_birth_date(changes["birth_date"], now.astimezone(ZoneInfo(user.time_zone)).date())
    if "quiet_hours" in changes:
        quiet: dict[str, time] | None = changes["quiet_hours"]
        user.quiet_start = quiet["start"] if quiet else None
        user.quiet_end = quiet["end"] if quiet else None
    # Quiet hours and the time zone decide when the gap reminder may fire.
    refresh_gap_reminder(db, user, now)
    db.commit()
    return user
