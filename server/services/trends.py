"""Supply trends of a user's sessions, read from the summary's local days."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.domain import trends as trend_rules
from server.domain.trends import Trends
from server.models import PumpSession
from server.services.access import Account
from server.services.summary import summary_view


@dataclass(frozen=True)
class TrendsView:
    """Trends, and the time zone their days are in."""

    time_zone: str
    trends: Trends


def trends_view(db: Session, user: Account, weeks: int, now: datetime) -> TrendsView:
    """Return the user's trends over `weeks` weeks up to today, in their zone and unit."""
    zone = ZoneInfo(user.time_zone)
    today = now.astimezone(zone).date()
    first, last = trend_rules.days_needed(today, trend_rules.check_weeks(weeks))
    # The summary's days, kept or computed and kept: Trends counts days exactly as the summary does.
    days = summary_view(db, user, first, last, now).days
    found = trend_rules.trends(days, today, weeks, user.unit, user.birth_date, logging_since(db, user, zone))
    return TrendsView(user.time_zone, found)


def logging_since(db: Session, user: Account, zone: ZoneInfo) -> date | None:
    """Return the local day of the user's first session, or None before any (an index look-up)."""
    first = db.scalar(select(func.min(PumpSession.started_at)).where(PumpSession.user_id == user.id))
    return None if first is None else first.astimezone(zone).date()
