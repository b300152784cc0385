"""Daily summaries of a user's sessions in their own time zone, with each computed day kept until it changes."""

import functools
import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from operator import attrgetter, itemgetter
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Connection,
    Insert,
    and_,
    bindparam,
    delete,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from server.db import all_rows
from server.domain import sessions as session_rules
from server.domain import summary as summary_rules
from server.domain.errors import InvalidInput
from server.domain.sessions import MAX_DURATION
from server.domain.summary import DaySummary, GoalFacts, SessionFacts, measure, sessions_span, summarize_days
from server.logs import describe
from server.models import Goal, PumpSession, SummaryDay, User
from server.services.access import Account
from server.services.goals import get_goals
from server.zone_data import zone_fingerprint

MAX_DAYS = 366
# Days kept: up to today, and back as far as two of the longest ranges, so a user's kept rows stay bounded
# whatever ranges a client asks for. Older days are computed on each read.
KEEP_DAYS = 2 * MAX_DAYS
NO_GOAL = GoalFacts(0, 0)

log = logging.getLogger(__name__)

# Kept days (models.SummaryDay) are tagged with the version of the rules that computed them: a digest of the modules
# the rules live in, so any change to them has every kept day computed again, with no number to remember to raise.
# Four bytes less one bit: the column is a signed 32-bit integer.
RULES = int.from_bytes(hashlib.sha256(b"".join(
    Path(module.__file__).read_bytes() for module in (summary_rules, session_rules))).digest()[:4]) >> 1

# Built once (a statement's construction costs about as much as SQLite's run of it). Plain rows through the
# connection (db.all_rows): the ORM adds nothing to four columns but cost per row.
SESSIONS_IN_RANGE = (
    select(PumpSession.started_at, PumpSession.ended_at, PumpSession.left_ml, PumpSession.right_ml,
           PumpSession.unsided_ml)
    .where(
        PumpSession.user_id == bindparam("user_id"), PumpSession.started_at >= bindparam("start"),
        PumpSession.started_at < bindparam("end"),
    )
    .order_by(PumpSession.started_at)
)
# No session lasts longer than MAX_DURATION, so the (user_id, ended_at) index is read backwards from
# start + MAX_DURATION and stops at the first match, instead of visiting every earlier session.
LATEST_END_BEFORE = (
    select(PumpSession.ended_at)
    .where(
        PumpSession.user_id == bindparam("user_id"), PumpSession.ended_at <= bindparam("horizon"),
        PumpSession.started_at < bindparam("start"),
    )
    .order_by(PumpSession.ended_at.desc())
    .limit(literal(1, literal_execute=True))  # written in, not bound: see sessions._page_query
)
# In DaySummary's order, so a row is a day's figures as they are.
KEPT_COLUMNS = (
    SummaryDay.day, SummaryDay.hours, SummaryDay.sessions, SummaryDay.left_ml, SummaryDay.right_ml,
    SummaryDay.pumping_min, SummaryDay.longest_gap_min, SummaryDay.night_sessions, SummaryDay.unsided_ml,
)
KEPT_IN_RANGE = and_(
    SummaryDay.user_id == bindparam("user_id"), SummaryDay.day >= bindparam("first"),
    SummaryDay.day <= bindparam("last"), SummaryDay.time_zone == bindparam("time_zone"),
    SummaryDay.zone_data == bindparam("zone_data"), SummaryDay.rules == RULES,
)
KEPT_DAYS = select(*KEPT_COLUMNS).where(KEPT_IN_RANGE)
# The recent sessions and the latest end before them of many accounts at once (a consultant's clients): a read each.
SESSIONS_OF_MANY = (
    select(PumpSession.user_id, PumpSession.started_at, PumpSession.ended_at, PumpSession.left_ml,
           PumpSession.right_ml, PumpSession.unsided_ml)
    .where(PumpSession.user_id.in_(bindparam("user_ids", expanding=True)),
           PumpSession.started_at >= bindparam("start"), PumpSession.started_at < bindparam("end"))
)
LATEST_ENDS_BEFORE = select(User.id, (
    select(PumpSession.ended_at)
    .where(PumpSession.user_id == User.id, PumpSession.ended_at <= bindparam("horizon"),
           PumpSession.started_at < bindparam("start"))
    .order_by(PumpSession.ended_at.desc()).limit(1).scalar_subquery()
)).where(User.id.in_(bindparam("user_ids", expanding=True)))
FORGET_DAYS = delete(SummaryDay).where(SummaryDay.user_id == bindparam("user_id"), SummaryDay.day >= bindparam("since"))


@dataclass(frozen=True)
class SummaryView:
    """Days of a summary, the goal they are measured against, and the zone and unit they are written in."""

    time_zone: str
    unit: str
    goal: Goal
    days: list[DaySummary]


def summary_view(db: Session, user: Account, first: date, last: date, now: datetime) -> SummaryView:
    """Return the user's summary as the API shows it, keeping the days it had to compute."""
    kept, missing = _kept(db, user, first, last)
    days = _keep_missing(db, user, first, last, now) if missing else kept
    goal = get_goals(db, user)
    return SummaryView(user.time_zone, user.unit, goal, _measured(days, goal))


def daily_summary(db: Session, user: Account, first: date, last: date, goal: Goal | None = None) -> list[DaySummary]:
    """Summarize the local days first..last (inclusive) of the user's sessions, against `goal` (read if not given)."""
    kept, missing = _kept(db, user, first, last)
    return _measured(kept + _computed(db, user, missing), goal or get_goals(db, user))


@dataclass(frozen=True)
class RecentDays:
    """An account's last local days, the sessions read for them (by start) and the latest end before those."""

    days: list[DaySummary]
    sessions: list[SessionFacts]
    previous_end: datetime | None


def recent_days_of_many(db: Session, accounts: list[tuple[Account, Goal]], count: int,
                        now: datetime) -> dict[int, RecentDays]:
    """Summarize the last `count` local days (today included) of each account against its goal, in two reads for
    all of them; return them by account id. The days are the daily summary's, computed from the sessions."""
    if not accounts:
        return {}
    bounds = {}
    for user, _ in accounts:
        zone = ZoneInfo(user.time_zone)
        today = now.astimezone(zone).date()
        bounds[user.id] = (today - timedelta(days=count - 1), today, zone)
    # One window covering every account's days; sessions before an account's first day only move its first gap.
    start = min(sessions_span(first, last, zone)[0] for first, last, zone in bounds.values())
    end = max(sessions_span(first, last, zone)[1] for first, last, zone in bounds.values())
    ids = list(bounds)
    rows: dict[int, list[SessionFacts]] = {user_id: [] for user_id in ids}
    for user_id, *facts in all_rows(db.connection(), SESSIONS_OF_MANY, {"user_ids": ids, "start": start, "end": end}):
        rows[user_id].append(SessionFacts(*facts))
    ends = dict(db.connection().execute(
        LATEST_ENDS_BEFORE, {"user_ids": ids, "start": start, "horizon": start + MAX_DURATION}).all())
    found = {}
    for user, goal in accounts:
        first, last, zone = bounds[user.id]
        sessions = sorted(rows[user.id], key=itemgetter(0))
        days = summarize_days(sessions, first, last, zone, GoalFacts(goal.daily_volume_ml, goal.sessions_per_day),
                              ends.get(user.id))
        found[user.id] = RecentDays(days, sessions, ends.get(user.id))
    return found


def _measured(days: list[DaySummary], goal: Goal) -> list[DaySummary]:
    """Return the days in date order, measured against the goal."""
    return measure(sorted(days, key=attrgetter("date")), GoalFacts(goal.daily_volume_ml, goal.sessions_per_day))


def _check_range(first: date, last: date) -> None:
    """Refuse a range that ends before it starts or is longer than MAX_DAYS."""
    if last < first:
        raise InvalidInput("The range ends before it starts.", {"to": ["Must not be before from."]})
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput("The range is too long.", {"to": [f"At most {MAX_DAYS} days."]})


def _kept_params(user: Account, first: date, last: date) -> dict:
    """Return the parameters of the reads of the range's kept days (KEPT_IN_RANGE)."""
    return {"user_id": user.id, "first": first, "last": last, "time_zone": user.time_zone,
            "zone_data": zone_fingerprint(user.time_zone)}


def _kept(db: Session, user: Account, first: date, last: date) -> tuple[list[DaySummary], list[date]]:
    """Return the range's kept days and the dates none is kept for."""
    _check_range(first, last)
    kept = [DaySummary(*row) for row in all_rows(db.connection(), KEPT_DAYS, _kept_params(user, first, last))]
    return kept, _missing(kept, first, last)


def _missing(kept: list[DaySummary], first: date, last: date) -> list[date]:
    """Return the dates of the range that no kept day covers."""
    if len(kept) == (last - first).days + 1:
        return []
    have = {day.date for day in kept}
    return [day for day in (first + timedelta(days=n) for n in range((last - first).days + 1)) if day not in have]


def _computed(db: Session, user: Account, missing: list[date]) -> list[DaySummary]:
    """Compute the missing days from the sessions (without progress: the caller measures)."""
    if not missing:
        return []
    # One read from the first missing day to the last: a few kept days inside it cost less than a read each.
    first, last = missing[0], missing[-1]
    zone = ZoneInfo(user.time_zone)
    start, end = sessions_span(first, last, zone)
    rows = all_rows(db.connection(), SESSIONS_IN_RANGE, {"user_id": user.id, "start": start, "end": end})
    # In start order: all_rows promises none (on SQLite the rows come through an aggregate).
    rows.sort(key=itemgetter(0))
    # The rows are already in SessionFacts' order; naming each one would cost more than the summary's pass.
    days = summarize_days(rows, first, last, zone, NO_GOAL, previous_end(db, user, start))
    wanted = set(missing)
    return [day for day in days if day.date in wanted]


def _keep_missing(db: Session, user: Account, first: date, last: date, now: datetime) -> list[DaySummary]:
    """With changes to the user's sessions held off, read the range again, compute and keep the missing days (up
    to today) and commit; return every day of the range. If keeping fails, the days are still returned."""
    time_zone, user_id = user.time_zone, user.id
    try:
        _hold_off_changes(db.connection(), user_id)
        # Read under the lock: what was read before it may predate a change since committed.
        kept, missing = _kept(db, user, first, last)
        computed = _computed(db, user, missing)
        today = now.astimezone(ZoneInfo(time_zone)).date()
        rows = [
            {"user_id": user_id, "day": day.date, "time_zone": time_zone, "zone_data": zone_fingerprint(time_zone),
             "rules": RULES, "hours": day.hours,
             "sessions": day.sessions, "left_ml": day.left_ml, "right_ml": day.right_ml,
             "pumping_min": day.pumping_min, "longest_gap_min": day.longest_gap_min,
             "night_sessions": day.night_sessions, "unsided_ml": day.unsided_ml}
            for day in computed if today - timedelta(days=KEEP_DAYS) <= day.date <= today
        ]
        if rows:
            db.connection().execute(_keep_statement(db.get_bind().dialect.name), rows)
        db.commit()
        return kept + computed
    except SQLAlchemyError as error:
        # Keeping days only saves the next read some work: answer from the sessions without it.
        log.warning("could not keep the summary days of user %s (%s)", user_id, describe(error))
        db.rollback()
        kept, missing = _kept(db, user, first, last)
        return kept + _computed(db, user, missing)


def _hold_off_changes(connection: Connection, user_id: int) -> None:
    """Make changes to the user's sessions wait until this transaction ends, and wait for those under way."""
    if connection.dialect.name == "postgresql":
        # FOR UPDATE conflicts with the key-share lock on the user's row that every change holds until it commits:
        # a new session's foreign key takes it, and update and delete take it (hold_for_change).
        connection.execute(select(User.id).where(User.id == user_id).with_for_update())
    else:
        # SQLite lets one transaction write at a time: a first write makes this transaction that one.
        connection.execute(update(User).where(User.id == user_id).values(time_zone=User.time_zone))


def hold_for_change(db: Session, user: Account) -> None:
    """Take the lock a new session's foreign key takes (PostgreSQL), for a change that inserts none."""
    if db.get_bind().dialect.name == "postgresql":
        db.connection().execute(select(User.id).where(User.id == user.id).with_for_update(key_share=True))


def forget_days(db: Session, user_id: int, since: datetime) -> None:
    """Forget the kept days a change to the sessions from `since` on can reach, inside the caller's transaction
    (which holds the key-share lock on the user's row: see hold_for_change)."""
    # A session changes its own day and the gaps of later ones. Local days of any zone start at most a day
    # before the UTC date.
    db.connection().execute(
        FORGET_DAYS, {"user_id": user_id, "since": since.astimezone(UTC).date() - timedelta(days=1)})


@functools.cache
def _keep_statement(dialect: str) -> Insert:
    """Build, once per database, the insert that keeps a day or replaces one kept in other zone data or rules."""
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(SummaryDay.__table__)
    replaced = {column.name: insert.excluded[column.name] for column in SummaryDay.__table__.columns
                if not column.primary_key}
    return insert.on_conflict_do_update(index_elements=["user_id", "day"], set_=replaced)


def previous_end(db: Session, user: Account, start: datetime) -> datetime | None:
    """Return the latest end among the user's sessions started before `start` (the first gap runs from it)."""
    # The latest end, not the end of the latest start: an earlier, longer session can end after a later, shorter
    # one, and only the latest end makes a day's gaps the same whatever range it is asked in.
    return db.scalar(LATEST_END_BEFORE, {"user_id": user.id, "horizon": start + MAX_DURATION, "start": start})
