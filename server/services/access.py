"""Who is asking and what they may touch: the one sign-in path and the one owner check of every request."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from server.domain.errors import NotAllowed, NotFound
from server.domain.household import Permission, permissions
from server.domain.languages import DEFAULT_LANGUAGE, N_, Said, Text
from server.models import ApiToken, Grant, User
from server.services.tokens import hash_token

Row = TypeVar("Row")

# Account ids are the database's 32-bit keys: a larger one names nobody (PostgreSQL would refuse to compare it).
LARGEST_ID = 2**31 - 1
# Don't write last_used_at on every request: once in a while is enough to show "last used" and to measure idleness.
LAST_USED_RESOLUTION = timedelta(minutes=5)
TOKENS, USERS = ApiToken.__table__.c, User.__table__.c
# In Account's order, so a row's account part builds an Account.
ACCOUNT_COLUMNS = (USERS.id, USERS.email, USERS.time_zone, USERS.unit, USERS.quiet_start, USERS.quiet_end,
                   USERS.stash_guideline, USERS.birth_date, USERS.caregivers_see_pumping, USERS.language)
# Built once: every authenticated request runs it. Table columns, not ORM entities: plain values skip the ORM's
# loading, and a commit does not expire them, so a view never reads the account twice.
TOKEN_AND_ACCOUNT = select(
    TOKENS.id.label("device_id"), TOKENS.created_at, TOKENS.last_used_at, TOKENS.expires_at, *ACCOUNT_COLUMNS,
).join_from(ApiToken.__table__, User.__table__, TOKENS.user_id == USERS.id).where(
    TOKENS.token_hash == bindparam("token_hash"))
# What a missing (or someone else's) row answers, a whole sentence each so that every language words it its own way.
NO_SUCH = {
    "container": N_("No such container."), "device": N_("No such device."), "passkey": N_("No such passkey."),
    "plan proposal": N_("No such plan proposal."), "plan": N_("No such plan."),
    "push subscription": N_("No such push subscription."), "reminder": N_("No such reminder."),
    "session": N_("No such session."), "share": N_("No such share."),
}
GRANTS = Grant.__table__.c
# The parent's account as a grantee sees it, with the role she granted: read only when a request acts for her.
GRANT_AND_OWNER = select(GRANTS.role, *ACCOUNT_COLUMNS).join_from(
    Grant.__table__, User.__table__, GRANTS.owner_id == USERS.id).where(
    GRANTS.owner_id == bindparam("owner_id"), GRANTS.grantee_id == bindparam("grantee_id"))
NOTE_USE = update(ApiToken.__table__).where(TOKENS.id == bindparam("device_id")).values(
    last_used_at=bindparam("now", type_=TOKENS.last_used_at.type))


@dataclass(frozen=True)
class Account:
    """What the services read of an account: its id and settings, as plain values (a User row reads the same)."""

    id: int
    email: str
    time_zone: str
    unit: str
    quiet_start: time | None
    quiet_end: time | None
    stash_guideline: str
    birth_date: date | None = None
    caregivers_see_pumping: bool = False
    language: str = DEFAULT_LANGUAGE

    @classmethod
    def of(cls, user: User) -> "Account":
        """Return the account's values as they are in a User row."""
        return cls(user.id, user.email, user.time_zone, user.unit, user.quiet_start, user.quiet_end,
                   user.stash_guideline, user.birth_date, user.caregivers_see_pumping, user.language)

    @classmethod
    def of_row(cls, row) -> "Account":
        """Return the account read by a statement of ACCOUNT_COLUMNS (and others before them)."""
        return cls(*row[-len(ACCOUNT_COLUMNS):])


@dataclass(frozen=True)
class Principal:
    """A signed-in account on one device: what every authenticated view receives."""

    account: Account
    device_id: int

    @property
    def account_id(self) -> int:
        """The account's id."""
        return self.account.id


# The who-did-what columns of a row the parent wrote herself (read only, never changed).
PARENTS_OWN = {"logged_by_id": None, "logged_by_role": None}


@dataclass(frozen=True)
class Household:
    """Whose data a request acts on (`account`, the parent), and who acts: the principal, in a role or as herself."""

    account: Account
    actor_id: int
    # None when the principal is the parent herself.
    role: str | None

    @property
    def logged_by(self) -> dict:
        """Return the who-did-what columns of a row written in this household (both None for the parent's own)."""
        if self.role is None:
            return PARENTS_OWN
        return {"logged_by_id": self.actor_id, "logged_by_role": self.role}


def act_for(db: Session, principal: Principal, owner_id: int | None, permission: Permission) -> Household:
    """Return the household a request acts in: the principal's own, or a parent's that granted her `permission`.

    Someone who holds no grant from that parent gets NotFound, as for a missing account; a grant whose role lacks the
    permission gets NotAllowed. Read at every such request, so a revoked grant stops at the next one.
    """
    if owner_id is None or owner_id == principal.account.id:
        return Household(principal.account, principal.account.id, None)
    if owner_id > LARGEST_ID:
        raise NotFound("No such account.")
    found = db.connection().execute(GRANT_AND_OWNER, {"owner_id": owner_id, "grantee_id": principal.account.id}).first()
    if found is None:
        raise NotFound("No such account.")
    if permission not in permissions(found.role, found.caregivers_see_pumping):
        raise NotAllowed(Text("As {role} you cannot do this; the parent decides what each role may do.",
                              role=Said(found.role)))
    return Household(Account.of_row(found), principal.account.id, found.role)


def sign_in(db: Session, token: str, idle: timedelta, now: datetime) -> Principal | None:
    """Return the principal a bearer token signs in, or None when the token is unknown, revoked or not live."""
    # Through the connection: the session's ORM execution adds nothing to a statement of table columns.
    found = db.connection().execute(TOKEN_AND_ACCOUNT, {"token_hash": hash_token(token)}).first()
    if found is None or not is_live(found, idle, now):
        return None
    if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
        db.execute(NOTE_USE, {"device_id": found.device_id, "now": now})
        db.commit()
    return Principal(Account.of_row(found), found.device_id)


def is_live(token: ApiToken, idle: timedelta, now: datetime) -> bool:
    """Tell whether a device token still signs in: younger than its maximum age and used within the idle time.

    A revoked token is deleted, so it is never found. Use is noted every LAST_USED_RESOLUTION, so idleness is
    measured to within that. `token` is an ApiToken row or a row of its columns.
    """
    return now < token.expires_at and now - (token.last_used_at or token.created_at) < idle


def owned(db: Session, model: type[Row], key, user: Account, what: str, for_update: bool = False) -> Row:
    """Return the user's `model` row with this key; someone else's is NotFound, like a missing one."""
    row = db.get(model, key, with_for_update=for_update)
    if row is None or row.user_id != user.id:
        raise NotFound(NO_SUCH[what])
    return row
