"""Who is asking and what they may touch: the one sign-in path and the one owner check of every request."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import Session

from server.domain.errors import NotFound
from server.models import ApiToken, User
from server.services.tokens import hash_token

Row = TypeVar("Row")

# Don't write last_used_at on every request: once in a while is enough to show "last used" and to measure idleness.
LAST_USED_RESOLUTION = timedelta(minutes=5)
# Built once: every authenticated request runs it.
TOKEN_AND_ACCOUNT = select(ApiToken, User).join(User, ApiToken.user_id == User.id).where(
    ApiToken.token_hash == bindparam("token_hash"))


@dataclass(frozen=True)
class Principal:
    """A signed-in account on one device: what every authenticated view receives."""

    user: User
    token: ApiToken

    @property
    def account_id(self) -> int:
        """The account's id by the row's identity: readable after a rollback expired the row, even once deleted."""
        return inspect(self.user).identity[0]

    @property
    def device_id(self) -> int:
        """The device token's id by the row's identity, likewise."""
        return inspect(self.token).identity[0]


def sign_in(db: Session, token: str, idle: timedelta, now: datetime) -> Principal | None:
    """Return the principal a bearer token signs in, or None when the token is unknown, revoked or not live."""
    found = db.execute(TOKEN_AND_ACCOUNT, {"token_hash": hash_token(token)}).first()
    if found is None or not is_live(found.ApiToken, idle, now):
        return None
    token_row, user = found
    if token_row.last_used_at is None or now - token_row.last_used_at > LAST_USED_RESOLUTION:
        token_row.last_used_at = now
        db.commit()
    return Principal(user, token_row)


def is_live(token: ApiToken, idle: timedelta, now: datetime) -> bool:
    """Tell whether a device token still signs in: younger than its maximum age and used within the idle time.

    A revoked token is deleted, so it is never found. Use is noted every LAST_USED_RESOLUTION, so idleness is
    measured to within that.
    """
    return now < token.expires_at and now - (token.last_used_at or token.created_at) < idle


def owned(db: Session, model: type[Row], key, user: User, what: str, for_update: bool = False) -> Row:
    """Return the user's `model` row with this key; someone else's is NotFound, like a missing one."""
    row = db.get(model, key, with_for_update=for_update)
    if row is None or row.user_id != user.id:
        raise NotFound(f"No such {what}.")
    return row
