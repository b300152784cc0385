"""The household around a parent: invitations she sends, the grants they become, and leaving or revoking them."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.domain.errors import Conflict, NotFound
from server.domain.household import INVITATION_LIFETIME_HOURS, MAX_OPEN_INVITATIONS, Permission, permissions
from server.domain.languages import Text
from server.models import Grant, Invitation, User
from server.services.access import Account
from server.services.tokens import hash_token

TOKEN_BYTES = 32  # as a share link's: guessing is hopeless, so a leaked link is the only risk


class TooManyInvitations(Conflict):
    """The parent holds as many open invitations as she may; she withdraws one or waits for them to expire."""


class OwnInvitation(Conflict):
    """The invitee opened her own invitation: nobody can be in her own household."""


@dataclass(frozen=True)
class Member:
    """Someone the parent let in: the grant's id, her account and email, the role, since when."""

    id: int
    account_id: int
    email: str
    role: str
    since: datetime


@dataclass(frozen=True)
class Membership:
    """A household the account belongs to: the parent's account and email, the role, since when, what it may do."""

    account_id: int
    email: str
    role: str
    since: datetime
    permissions: list[Permission]


def _open(owner_id: int, now: datetime):
    """Return the condition of the owner's invitations that can still be accepted."""
    return (Invitation.owner_id == owner_id, Invitation.used_at.is_(None), Invitation.expires_at > now)


def create_invitation(db: Session, user: Account, role: str, now: datetime) -> tuple[Invitation, str]:
    """Create a single-use invitation for a role; return it and its token, shown once and stored only as a hash."""
    # Lock the parent's row (PostgreSQL): two requests at once count each other's invitations.
    db.execute(select(User.id).where(User.id == user.id).with_for_update())
    if db.scalar(select(func.count()).where(*_open(user.id, now))) >= MAX_OPEN_INVITATIONS:
        raise TooManyInvitations(Text("You have {count} open invitations: withdraw one first.",
                                      count=MAX_OPEN_INVITATIONS))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = Invitation(owner_id=user.id, role=role, token_hash=hash_token(token), created_at=now,
                            expires_at=now + timedelta(hours=INVITATION_LIFETIME_HOURS))
    db.add(invitation)
    db.commit()
    return invitation, token


def list_invitations(db: Session, user: Account, now: datetime) -> list[Invitation]:
    """Return the parent's invitations still open, newest first."""
    return list(db.scalars(select(Invitation).where(*_open(user.id, now)).order_by(Invitation.id.desc())))


def withdraw_invitation(db: Session, user: Account, invitation_id: int) -> None:
    """Withdraw one of the parent's invitations: its link answers 'not found' from now on."""
    gone = db.execute(delete(Invitation).where(Invitation.id == invitation_id, Invitation.owner_id == user.id))
    if not gone.rowcount:
        raise NotFound("No such invitation.")
    db.commit()


def join(db: Session, invitee: Account, token: str, now: datetime) -> Membership:
    """Accept an invitation: the invitee gets its role in the parent's household (replacing any role she had)."""
    invitation = db.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= now:
        raise NotFound("This invitation has been used, has expired or does not exist.")
    if invitation.owner_id == invitee.id:
        raise OwnInvitation("This is your own invitation: send it to the person you are inviting.")
    # Claimed in one statement: of two accepts at once, only one finds it unused.
    claimed = db.execute(update(Invitation).where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
                         .values(used_at=now))
    if not claimed.rowcount:
        db.rollback()
        raise NotFound("This invitation has been used, has expired or does not exist.")
    grant = _grant(db, invitation.owner_id, invitee.id, invitation.role, now)
    db.commit()
    owner = db.get_one(User, grant.owner_id)
    return Membership(owner.id, owner.email, grant.role, grant.created_at,
                      sorted(permissions(grant.role, owner.caregivers_see_pumping)))


def _grant(db: Session, owner_id: int, grantee_id: int, role: str, now: datetime) -> Grant:
    """Give the grantee the role in the owner's household, or change the role she holds there."""
    grant = db.scalar(select(Grant).where(Grant.owner_id == owner_id, Grant.grantee_id == grantee_id))
    if grant is not None:
        grant.role = role
        return grant
    grant = Grant(owner_id=owner_id, grantee_id=grantee_id, role=role, created_at=now)
    try:
        with db.begin_nested():
            db.add(grant)
    except IntegrityError:
        # She accepted two invitations of this parent at once: the other grant stands, with this role.
        grant = db.scalars(select(Grant).where(Grant.owner_id == owner_id, Grant.grantee_id == grantee_id)).one()
        grant.role = role
    return grant


def list_members(db: Session, user: Account) -> list[Member]:
    """Return who has access to the parent's data, in what role and since when, oldest first."""
    query = (select(Grant.id, Grant.grantee_id, User.email, Grant.role, Grant.created_at)
             .join(User, User.id == Grant.grantee_id).where(Grant.owner_id == user.id).order_by(Grant.id))
    return [Member(*row) for row in db.execute(query)]


def revoke_member(db: Session, user: Account, grant_id: int) -> None:
    """Take access away from a member; her next request for the parent's data is refused."""
    gone = db.execute(delete(Grant).where(Grant.id == grant_id, Grant.owner_id == user.id))
    if not gone.rowcount:
        raise NotFound("No such member.")
    db.commit()


def list_parents(db: Session, user: Account) -> list[Membership]:
    """Return the households the account belongs to, with the role and what it may do in each, oldest first."""
    query = (select(User.id, User.email, Grant.role, Grant.created_at, User.caregivers_see_pumping)
             .join(User, User.id == Grant.owner_id).where(Grant.grantee_id == user.id).order_by(Grant.id))
    return [Membership(owner_id, email, role, since, sorted(permissions(role, sees)))
            for owner_id, email, role, since, sees in db.execute(query)]


def leave(db: Session, user: Account, owner_id: int) -> None:
    """Leave a parent's household: the account no longer sees or changes anything of hers."""
    gone = db.execute(delete(Grant).where(Grant.owner_id == owner_id, Grant.grantee_id == user.id))
    if not gone.rowcount:
        raise NotFound("No such account.")
    db.commit()
