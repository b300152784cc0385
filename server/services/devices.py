"""The devices signed in to an account (its device tokens): list them, sign one out, or all of them."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from server.domain.errors import CurrentDevice
from server.models import ApiToken
from server.services.access import Account, is_live, owned


@dataclass(frozen=True)
class Device:
    """A signed-in device as its owner sees it (its token is never shown again)."""

    id: int
    label: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    current: bool


def list_devices(db: Session, user: Account, current_id: int, idle: timedelta, now: datetime) -> list[Device]:
    """Return the account's devices that are still signed in, most recently used first, marking this one."""
    tokens = db.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                        .order_by(func.coalesce(ApiToken.last_used_at, ApiToken.created_at).desc(), ApiToken.id.desc()))
    return [
        Device(token.id, token.label, token.created_at, token.last_used_at, token.expires_at, token.id == current_id)
        for token in tokens if is_live(token, idle, now)
    ]


def sign_out_device(db: Session, user: Account, device_id: int, current_id: int) -> None:
    """Sign out one of the account's other devices; its push subscription goes with its token."""
    token = owned(db, ApiToken, device_id, user, "device")
    if token.id == current_id:
        # The phone must forget what it keeps too, which only its own Sign out does.
        raise CurrentDevice("This is the device you are using: sign out from it instead.")
    db.delete(token)
    db.commit()


def sign_out_others(db: Session, user: Account, keep: int | None) -> int:
    """Delete the account's device tokens except the one with id `keep` (all when None), without committing; count them.

    The foreign key's cascade deletes the push subscriptions those devices saved.
    """
    statement = delete(ApiToken).where(ApiToken.user_id == user.id)
    if keep is not None:
        statement = statement.where(ApiToken.id != keep)
    return db.execute(statement).rowcount


def sign_out_everywhere(db: Session, user: Account) -> None:
    """Sign out every device of the account, the one asking included."""
    sign_out_others(db, user, keep=None)
    db.commit()
