"""Read-only links for a consultant: create, list, revoke, open, and what the page shows."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.domain.chart import Chart, daily_volume_chart
from server.domain.equipment import EquipmentChange
from server.domain.errors import NotFound
from server.domain.export import SessionRecord
from server.domain.summary import DaySummary, day_bounds
from server.models import Goal, Share, User
from server.services.access import Account, owned
from server.services.accounts import hash_token
from server.services.equipment import period_changes
from server.services.export import export_range, session_records
from server.services.goals import get_goals
from server.services.plans import PlanView, plan_overview
from server.services.stash import list_batches
from server.services.summary import daily_summary

STASH_ROWS = 200  # open containers shown on the page, in use-first order
TOKEN_BYTES = 32  # 256 bits: guessing is hopeless, so a leaked link is the only risk


@dataclass(frozen=True)
class ShareOverview:
    """Everything the consultant's page shows, in the user's zone and unit."""

    time_zone: ZoneInfo
    unit: str
    first: date
    last: date
    days: list[DaySummary]
    goal: Goal
    chart: Chart
    sessions: list[SessionRecord]  # newest first
    plan: PlanView | None  # the active or last plan, as the plans API shows it
    stash: dict | None = None  # the stash API's list, only when the parent ticked "include my stash"
    equipment: tuple[EquipmentChange, ...] = ()  # changes of pump or flange size in these days


def create_share(
    db: Session, user: Account, label: str, expires_in_days: int, now: datetime, include_stash: bool = False
) -> tuple[Share, str]:
    """Create a link; return it and its token, which is shown once and stored only as a hash."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    share = Share(
        user_id=user.id, label=label, token_hash=hash_token(token), include_stash=include_stash,
        created_at=now, expires_at=now + timedelta(days=expires_in_days),
    )
    db.add(share)
    db.commit()
    return share, token


def list_shares(db: Session, user: Account) -> list[Share]:
    """Return the user's links, newest first, revoked and expired ones included."""
    return list(db.scalars(select(Share).where(Share.user_id == user.id).order_by(Share.id.desc())))


def revoke_share(db: Session, user: Account, share_id: int, now: datetime) -> None:
    """Revoke one of the user's links at once; revoking twice keeps the first time."""
    share = owned(db, Share, share_id, user, "share")
    share.revoked_at = share.revoked_at or now
    db.commit()


def open_share(db: Session, token: str, now: datetime) -> User:
    """Return the user behind a live link and note its use; unknown, expired or revoked is 'not found'."""
    return db.get(User, open_link(db, token, now).user_id)


def open_link(db: Session, token: str, now: datetime) -> Share:
    """Return a live link and note its use; unknown, expired or revoked is 'not found'."""
    share = db.scalar(select(Share).where(Share.token_hash == hash_token(token)))
    if share is None or share.revoked_at is not None or share.expires_at <= now:
        raise NotFound("This link has expired or does not exist.")
    share.last_used_at = now
    db.commit()
    return share


def share_overview(db: Session, user: Account, now: datetime, include_stash: bool = False) -> ShareOverview:
    """Gather the last days' summary, chart, sessions and plan (and the stash if shared) for the consultant's page."""
    zone = ZoneInfo(user.time_zone)
    first, last = export_range(user, None, None, now)
    days = daily_summary(db, user, first, last)
    goal = get_goals(db, user)
    chart = daily_volume_chart([(day.date, day.total_ml) for day in days], goal.daily_volume_ml, user.unit)
    start, end = day_bounds(first, zone)[0], day_bounds(last, zone)[1]
    sessions = list(session_records(db, user, start, end))[::-1]
    stash = list_batches(db, user, "open", STASH_ROWS, None, now) if include_stash else None
    plan = plan_overview(db, user, now)
    equipment = tuple(period_changes(db, user, first, last))
    return ShareOverview(zone, user.unit, first, last, days, goal, chart, sessions, plan, stash, equipment)
