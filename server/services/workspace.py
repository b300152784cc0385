"""The consultant's workspace: every parent who granted her the consultant role, each with what asks for a look."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.domain import workspace as rules
from server.domain.goals import DEFAULT_GOALS
from server.domain.household import PRESETS, Role
from server.models import Goal, Grant, User
from server.services.access import Account
from server.services.plans import PlanAdherence, active_plans_of_many
from server.services.summary import RecentDays, recent_days_of_many

CONSULTANT_PERMISSIONS = sorted(PRESETS[Role.CONSULTANT])


@dataclass(frozen=True)
class TrendDay:
    """A local day's total volume."""

    date: date
    total_ml: float


@dataclass(frozen=True)
class ClientView:
    """One client as her consultant's workspace lists her."""

    account_id: int
    email: str
    # The role she granted and what it allows: the app opens her log with them (household.js).
    role: str
    permissions: list[str]
    time_zone: str
    unit: str
    since: datetime
    goal_ml: float
    last_24h: rules.LastDay
    goal_progress: float
    trend: list[TrendDay]
    plan: PlanAdherence | None
    last_logged_at: datetime | None
    flags: list[rules.FlagFound]


def workspace(db: Session, consultant: Account, sort: str, now: datetime) -> list[ClientView]:
    """Return every parent who granted `consultant` the consultant role, with her recent figures and flags, sorted.

    A constant number of reads whatever the number of clients: the grants with accounts and goals, the recent
    sessions, the latest end before them, the active plans with their slots and their sessions.
    """
    found = db.execute(
        select(User, Goal, Grant.created_at).join(Grant, Grant.owner_id == User.id)
        .outerjoin(Goal, Goal.user_id == User.id)
        .where(Grant.grantee_id == consultant.id, Grant.role == Role.CONSULTANT)
    ).all()
    clients = [(Account.of(user), goal or Goal(user_id=user.id, **DEFAULT_GOALS), since) for user, goal, since in found]
    recent = recent_days_of_many(db, [(account, goal) for account, goal, _ in clients], rules.TREND_DAYS, now)
    plans = active_plans_of_many(db, [account.id for account, _, _ in clients], now)
    views = [_client(account, goal, since, recent[account.id], plans.get(account.id), now)
             for account, goal, since in clients]
    return sorted(views, key=SORT_KEYS[sort])


def _client(account: Account, goal: Goal, since: datetime, recent: RecentDays, plan: PlanAdherence | None,
            now: datetime) -> ClientView:
    """Return one client's view from her recent days and sessions."""
    zone = ZoneInfo(account.time_zone)
    last = rules.last_day(recent.sessions, recent.previous_end, now)
    night = (goal.night_start, goal.night_end, goal.max_gap_night_min)
    flags = rules.flags(recent.days, recent.sessions, recent.previous_end, goal.daily_volume_ml, night, zone, now)
    progress = round(last.total_ml / goal.daily_volume_ml, 3) if goal.daily_volume_ml else 0.0
    trend = [TrendDay(day.date, day.total_ml) for day in recent.days]
    return ClientView(account.id, account.email, Role.CONSULTANT.value, CONSULTANT_PERMISSIONS, account.time_zone,
                      account.unit, since, goal.daily_volume_ml, last, progress, trend, plan, last.last_logged_at,
                      flags)


def _by_flags(client: ClientView) -> tuple:
    """Most pressing flags first: the most flags, then the most pressing one."""
    weights = [rules.FLAG_ORDER.index(flag.code) for flag in client.flags]
    return -len(weights), min(weights, default=len(rules.FLAG_ORDER)), client.email


# Sorts a consultant can ask for; each but name lists the clients who most need a look first, then by e-mail.
SORT_KEYS = {
    "flags": _by_flags,
    "name": lambda client: client.email,
    # Longest silence first; never logged before everyone.
    "last_logged": lambda client: (client.last_logged_at is not None, client.last_logged_at or client.since,
                                   client.email),
    # Furthest below her goal over the last 24 hours first.
    "total": lambda client: (client.goal_progress, client.email),
}
