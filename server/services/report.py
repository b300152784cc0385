"""The one-page report of a period for a consultant or a pediatrician: its figures, and the PDF of them."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.domain import report as rules
from server.domain.chart import daily_volume_chart
from server.domain.languages import DEFAULT_LANGUAGE
from server.domain.report import PeriodReport, PlanLine, StashLine, longest_gaps
from server.domain.storage import LOCATIONS, NOT_MEDICAL_ADVICE
from server.domain.summary import GoalFacts, day_bounds
from server.models import PumpSession
from server.services.access import Account
from server.services.equipment import equipment_range, period_changes
from server.services.goals import get_goals
from server.services.plans import PlanView, plan_overview
from server.services.stash import totals
from server.services.summary import daily_summary, previous_end

DEFAULT_DAYS = 28  # four weeks: a visit's usual look back


def report_range(user: Account, first: date | None, last: date | None, now: datetime) -> tuple[date, date]:
    """Fill in a local date range up to today (the last four weeks unless given) of at most a month."""
    return equipment_range(user, first, last, now, DEFAULT_DAYS, rules.MAX_DAYS)


def period_report(db: Session, user: Account, first: date | None, last: date | None, now: datetime,
                  include_stash: bool = True) -> PeriodReport:
    """Gather the figures of the report of the local days first..last; the stash only when it may be shown."""
    first, last = report_range(user, first, last, now)
    zone = ZoneInfo(user.time_zone)
    goal = get_goals(db, user)
    days = daily_summary(db, user, first, last, goal)
    start, end = day_bounds(first, zone)[0], day_bounds(last, zone)[1]
    times = db.execute(
        select(PumpSession.started_at, PumpSession.ended_at)
        .where(PumpSession.user_id == user.id, PumpSession.started_at >= start, PumpSession.started_at < end)
        .order_by(PumpSession.started_at, PumpSession.id)
    ).all()
    plan = plan_overview(db, user, now)
    return PeriodReport(
        zone, user.unit, first, last, now, GoalFacts(goal.daily_volume_ml, goal.sessions_per_day), days,
        daily_volume_chart([(day.date, day.total_ml) for day in days], goal.daily_volume_ml, user.unit),
        longest_gaps(times, previous_end(db, user, start)),
        _plan_line(plan) if plan and plan.starts_at < end and plan.ends_at > start else None,
        period_changes(db, user, first, last),
        _stash_line(db, user, now) if include_stash else None,
    )


def report_pdf(db: Session, user: Account, first: date | None, last: date | None, paper: str, now: datetime,
               include_stash: bool = True, language: str = DEFAULT_LANGUAGE) -> tuple[str, bytes]:
    """Return the file name and the one-page PDF of the account's local days first..last on A4 or Letter.

    The parent's download, a share link's and a consultant's all call this with the account they read, and the
    language of whoever reads it (a share link's: the parent's).
    """
    # Imported here: fpdf2 (and the cryptography it loads) serves only this download (tests/test_web_imports.py).
    from server.report_pdf import render_report

    report = period_report(db, user, first, last, now, include_stash)
    name = f"pumpwell-report_{report.first.isoformat()}_{report.last.isoformat()}.pdf"
    return name, render_report(report, paper, language=language)


def _plan_line(plan: PlanView) -> PlanLine:
    """Sum up a plan for the report."""
    progress = plan.progress
    return PlanLine(plan.name, plan.status, plan.starts_at, plan.ends_at, progress.done if progress else 0,
                    progress.missed if progress else 0, progress.upcoming if progress else 0, plan.evidence,
                    plan.disclaimer)


def _stash_line(db: Session, user: Account, now: datetime) -> StashLine:
    """Sum up the open containers for the report."""
    counted = totals(db, user, now)
    return StashLine(counted.overall.containers, counted.overall.ml,
                     {place: getattr(counted, place).ml for place in LOCATIONS}, counted.expired.containers,
                     counted.expired.ml, NOT_MEDICAL_ADVICE)
