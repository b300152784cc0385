"""CSV exports of a user's sessions and daily summary, streamed from the database."""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from server.domain.errors import InvalidInput
from server.domain.export import (
    SessionRecord,
    csv_chunks,
    daily_header,
    daily_rows,
    export_filename,
    session_header,
    session_rows,
)
from server.domain.languages import DEFAULT_LANGUAGE
from server.domain.summary import GoalFacts, day_bounds
from server.domain.templates import TEMPLATES
from server.i18n import texts
from server.models import Plan, PlanSlot, PumpSession
from server.services.access import Account
from server.services.goals import get_goals
from server.services.summary import daily_summary, previous_end

DEFAULT_DAYS = 30  # what a consultant usually reviews; from/to choose any other range
# Rows fetched per round trip: PostgreSQL streams them through a server-side cursor,
# so memory stays flat however many years a range covers.
YIELD_PER = 500


def export_range(user: Account, first: date | None, last: date | None, now: datetime) -> tuple[date, date]:
    """Fill in a local date range: up to today, the last DEFAULT_DAYS days unless given."""
    last = last or now.astimezone(ZoneInfo(user.time_zone)).date()
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise InvalidInput("The range ends before it starts.", {"to": ["Must not be before from."]})
    return first, last


def export_sessions_csv(
    db: Session, user: Account, first: date | None, last: date | None, now: datetime, language: str = DEFAULT_LANGUAGE
) -> tuple[str, Iterator[str]]:
    """Return the file name and the streamed CSV of the sessions started on local days first..last, its header in
    the language of whoever asks."""
    first, last = export_range(user, first, last, now)
    zone = ZoneInfo(user.time_zone)
    start, end = day_bounds(first, zone)[0], day_bounds(last, zone)[1]
    rows = session_rows(session_records(db, user, start, end), zone, user.unit, previous_end(db, user, start))
    return export_filename("sessions", first, last), csv_chunks(header(session_header(user.unit), language), rows)


def export_daily_csv(
    db: Session, user: Account, first: date | None, last: date | None, now: datetime, language: str = DEFAULT_LANGUAGE
) -> tuple[str, Iterator[str]]:
    """Return the file name and the CSV of the daily summary (at most a year, as the summary allows), its header in
    the language of whoever asks."""
    first, last = export_range(user, first, last, now)
    days = daily_summary(db, user, first, last)
    goal = get_goals(db, user)
    rows = daily_rows(days, GoalFacts(goal.daily_volume_ml, goal.sessions_per_day), user.unit)
    return export_filename("daily", first, last), csv_chunks(header(daily_header(user.unit), language), rows)


def header(names: list[str], language: str) -> list[str]:
    """Name a CSV's columns in `language`; the values below stay as a spreadsheet reads them (ISO dates, '.')."""
    _, _n = texts(language)
    return [_(name) for name in names]


def session_records(db: Session, user: Account, start: datetime, end: datetime) -> Iterator[SessionRecord]:
    """Yield the user's sessions started in [start, end) in start order, with their plan, a batch at a time."""
    # Only this user's slots: joining every plan slot made PostgreSQL hash the whole table.
    slots = (select(PlanSlot.id, PlanSlot.index, Plan.template)
             .join(Plan, and_(Plan.id == PlanSlot.plan_id, Plan.user_id == user.id)).subquery())
    query = (
        select(
            PumpSession.started_at, PumpSession.ended_at, PumpSession.left_ml, PumpSession.right_ml,
            PumpSession.mode, PumpSession.pump, PumpSession.flange_mm, PumpSession.pain, PumpSession.notes,
            slots.c.template, slots.c.index, PumpSession.unsided_ml, PumpSession.pump_setting,
            PumpSession.logged_by_role,
        )
        .outerjoin(slots, slots.c.id == PumpSession.plan_slot_id)
        .where(PumpSession.user_id == user.id, PumpSession.started_at >= start, PumpSession.started_at < end)
        .order_by(PumpSession.started_at, PumpSession.id)
        .execution_options(yield_per=YIELD_PER)
    )
    for *facts, template, slot_index, unsided_ml, pump_setting, logged_by in db.execute(query):
        yield SessionRecord(
            *facts, plan_name=plan_name(template), plan_slot=None if slot_index is None else slot_index + 1,
            unsided_ml=unsided_ml, pump_setting=pump_setting, logged_by=logged_by,
        )


def plan_name(template: str | None) -> str | None:
    """Name a plan by its template, as the user saw it when starting it."""
    if template is None:
        return None
    known = TEMPLATES.get(template)
    return known.name if known else template
