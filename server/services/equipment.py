"""How output went before and after each change of pump or flange size, over a period of local days."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.domain.equipment import OBSERVATION, EquipmentChange, EquipmentFacts, equipment_changes
from server.domain.errors import InvalidInput
from server.domain.summary import day_bounds
from server.models import PumpSession
from server.services.access import Account

DEFAULT_DAYS = 90  # equipment changes are rare: a season shows a few
MAX_DAYS = 366


@dataclass(frozen=True)
class EquipmentView:
    """The changes in a period of local days, with the note that they are observations."""

    first: date
    last: date
    changes: list[EquipmentChange]
    observation: str = OBSERVATION


def equipment_range(user: Account, first: date | None, last: date | None, now: datetime,
                    default_days: int = DEFAULT_DAYS, max_days: int = MAX_DAYS) -> tuple[date, date]:
    """Fill in a local date range up to today and refuse one that ends before it starts or is too long."""
    last = last or now.astimezone(ZoneInfo(user.time_zone)).date()
    first = first or last - timedelta(days=default_days - 1)
    if last < first:
        raise InvalidInput("The range ends before it starts.", {"to": ["Must not be before from."]})
    if (last - first).days >= max_days:
        raise InvalidInput("The range is too long.", {"to": [f"At most {max_days} days."]})
    return first, last


def equipment_comparison(db: Session, user: Account, first: date | None, last: date | None,
                         now: datetime) -> EquipmentView:
    """Compare output before and after each change of pump or flange size in the local days first..last."""
    first, last = equipment_range(user, first, last, now)
    return EquipmentView(first, last, period_changes(db, user, first, last))


def period_changes(db: Session, user: Account, first: date, last: date) -> list[EquipmentChange]:
    """Return the equipment changes among the sessions started on the local days first..last."""
    zone = ZoneInfo(user.time_zone)
    start, end = day_bounds(first, zone)[0], day_bounds(last, zone)[1]
    query = (
        select(PumpSession.started_at, PumpSession.ended_at, PumpSession.left_ml, PumpSession.right_ml,
               PumpSession.unsided_ml, PumpSession.pump, PumpSession.flange_mm)
        .where(PumpSession.user_id == user.id, PumpSession.started_at >= start, PumpSession.started_at < end)
        .order_by(PumpSession.started_at, PumpSession.id)
    )
    return equipment_changes(EquipmentFacts(*row) for row in db.execute(query))
