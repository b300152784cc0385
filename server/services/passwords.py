"""Changing a password, and choosing a new one through a link sent by e-mail."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from server.domain.errors import ResetLinkInvalid, WrongPassword
from server.mail import password_reset_message
from server.models import ApiToken, PasswordReset, User
from server.services.access import Account
from server.services.accounts import Passwords, issue_token, normalize_email
from server.services.common_passwords import refuse_common_password
from server.services.devices import sign_out_others
from server.services.tokens import hash_token, new_token

RESET_LINK_INVALID = "This link has expired or was used already. Ask for a new one from the sign-in screen."


@dataclass(frozen=True)
class ResetLink:
    """Where a reset link goes: the app's address that opens the reset screen, and how long links live."""

    app_url: str
    lifetime: timedelta

    def url(self, token: str) -> str:
        """Return the link that opens the app's reset screen with this token."""
        return f"{self.app_url.rstrip('/')}/#/reset/{token}"


def change_password(
    db: Session, passwords: Passwords, device_id: int, current_password: str, new_password: str,
    keep_other_devices: bool, now: datetime,
) -> None:
    """Check the current password, store the new one, and sign out the other devices unless asked not to."""
    user = db.get_one(ApiToken, device_id).user
    if not passwords.verify(user.password_hash, current_password):
        raise WrongPassword("Your current password is not right.", {"current_password": ["Wrong password."]})
    refuse_common_password(new_password, "new_password")
    user.password_hash = passwords.hash(new_password)
    if not keep_other_devices:
        sign_out_others(db, user, keep=device_id)
    # A reset link asked for earlier would undo the change she just made.
    _void_links(db, user, now)
    db.commit()


def request_reset(
    db: Session, email: str, link: ResetLink, now: datetime, deliver: Callable[[EmailMessage], None],
) -> None:
    """Make a single-use reset link for the account of this e-mail, if there is one, and hand its e-mail to `deliver`.

    Whether an account exists is never told: the caller answers the same either way.
    """
    user = db.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        return
    # Links she can no longer use are of no more use to anyone.
    db.execute(delete(PasswordReset).where(
        PasswordReset.user_id == user.id, (PasswordReset.expires_at <= now) | PasswordReset.used_at.is_not(None)))
    token = new_token()
    db.add(PasswordReset(user_id=user.id, token_hash=hash_token(token), created_at=now, expires_at=now + link.lifetime))
    db.commit()
    deliver(password_reset_message(user.email, link.url(token), int(link.lifetime.total_seconds() // 60)))


def reset_password(
    db: Session, passwords: Passwords, token: str, new_password: str, device_label: str, token_lifetime: timedelta,
    now: datetime,
) -> tuple[User, str]:
    """Use a reset link once: set the new password, sign out every device, sign this one in; return user and token."""
    # Before the link is used up: a refused password leaves the link for a better one.
    refuse_common_password(new_password, "new_password")
    # One statement claims the link, so two requests with it cannot both succeed.
    user_id = db.scalar(
        update(PasswordReset)
        .where(PasswordReset.token_hash == hash_token(token), PasswordReset.used_at.is_(None),
               PasswordReset.expires_at > now)
        .values(used_at=now).returning(PasswordReset.user_id)
    )
    if user_id is None:
        db.rollback()
        raise ResetLinkInvalid(RESET_LINK_INVALID, {"token": [RESET_LINK_INVALID]})
    user = db.get(User, user_id)
    user.password_hash = passwords.hash(new_password)
    sign_out_others(db, user, keep=None)
    _void_links(db, user, now)
    device_token = issue_token(db, user, device_label, token_lifetime, now)
    db.commit()
    return user, device_token


def _void_links(db: Session, user: Account, now: datetime) -> None:
    """Mark every unused reset link of the account as used: the password they would reset has just changed."""
    db.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
               .values(used_at=now))
