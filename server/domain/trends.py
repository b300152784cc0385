"""Supply trends over 4, 8 or 12 weeks of the summary's local days: the daily total with its 7-day rolling mean,
sessions per 24 h, pumping minutes, output per pumping minute, the left/right share, days of life, the published
daily-volume figures with their sources, and plain statements of change. Never advice."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from server.domain.errors import InvalidInput
from server.domain.languages import N_, Figure, Said, Text, volume_figure
from server.domain.summary import DaySummary

WEEKS = (4, 8, 12)
WINDOW = 7  # days in the rolling mean, and in each of the two weeks compared
NOT_MEDICAL_ADVICE = N_(
    "General information, not medical advice: ask a lactation consultant (IBCLC) or your healthcare provider.")
# Days of life on which a reference figure falls: the birth date is day 0, so day 14 is two weeks after it.
MARKER_DAYS = (7, 14)


@dataclass(frozen=True)
class Reference:
    """A published daily-volume figure, as its source gives it (domain.md, "Daily volume reference")."""

    key: str
    day_of_life: int
    low_ml: float
    high_ml: float | None
    min_sessions_per_day: int | None
    text: str
    source: str


REFERENCES = (
    Reference("coming-to-volume", 14, 500, None, None, N_("Coming to volume: more than 500 mL a day by day 14."),
              "Mago-Shah et al., J Perinatol 2023;43:629"),
    Reference("two-weeks", 14, 750, 1050, 8,
              N_("750–1,050 mL (25–35 US fl oz) a day by about 2 weeks, with at least 8 sessions a day."),
              "ameda.com"),
    Reference("nicu-week-1", 7, 300, None, None, N_("NICU minimum: at least 300 mL a day by the end of week 1."),
              "muschealth.com"),
    Reference("nicu-week-2", 14, 500, None, None, N_("NICU minimum: 500 mL a day after 2 weeks."),
              "muschealth.com"),
)


@dataclass(frozen=True)
class TrendDay:
    """One local day's figures as Trends shows them (the summary's day, with the rates worked out)."""

    date: date
    complete: bool
    day_of_life: int | None
    hours: float
    total_ml: float
    rolling_mean_ml: float | None
    sessions: int
    sessions_per_24h: float | None
    pumping_min: float
    ml_per_min: float | None
    left_ml: float
    right_ml: float
    left_share: float | None


@dataclass(frozen=True)
class WeekFigures:
    """Seven whole local days together."""

    first: date
    last: date
    total_ml: float
    sessions_per_24h: float | None
    pumping_min_per_day: float
    ml_per_min: float | None
    left_share: float | None
    unsided_ml: float


@dataclass(frozen=True)
class Statement:
    """A plain sentence about the latest week, with the figures it states (None where it states none)."""

    kind: str
    text: str
    latest: float | None = None
    previous: float | None = None
    change_pct: int | None = None


@dataclass(frozen=True)
class Marker:
    """A day of life a reference figure falls on, inside the weeks shown."""

    day_of_life: int
    date: date


@dataclass(frozen=True)
class Trends:
    """What the Trends screen shows."""

    weeks: int
    first: date
    last: date
    unit: str
    birth_date: date | None
    logging_since: date | None
    days: list[TrendDay]
    latest_week: WeekFigures | None
    previous_week: WeekFigures | None
    statements: list[Statement]
    markers: list[Marker]
    references: tuple[Reference, ...] = REFERENCES
    not_advice: str = NOT_MEDICAL_ADVICE


def check_birth_date(day: date | None, today: date) -> date | None:
    """Return a birth date that is not after today (local), or refuse it."""
    if day is not None and day > today:
        raise InvalidInput("The birth date is after today.", {"birth_date": ["Must not be after today."]})
    return day


def check_weeks(weeks: int) -> int:
    """Return weeks if Trends offers that many, or refuse it."""
    if weeks not in WEEKS:
        raise InvalidInput("Trends show 4, 8 or 12 weeks.", {"weeks": ["Must be 4, 8 or 12."]})
    return weeks


def days_needed(today: date, weeks: int) -> tuple[date, date]:
    """Return the first and last local day whose summary the trends of `weeks` weeks up to today read."""
    # The first day shown needs the WINDOW - 1 days before it for its rolling mean.
    return today - timedelta(days=7 * weeks - 1 + WINDOW - 1), today


def _ratio(part: float, whole: float) -> float | None:
    """Return part / whole, or None when the whole is nothing."""
    return part / whole if whole > 0 else None


def _week(days: Sequence[DaySummary]) -> WeekFigures:
    """Add up seven days."""
    total = sum(day.total_ml for day in days)
    left, right = sum(day.left_ml for day in days), sum(day.right_ml for day in days)
    minutes = sum(day.pumping_min for day in days)
    return WeekFigures(
        first=days[0].date, last=days[-1].date, total_ml=total,
        sessions_per_24h=_ratio(24 * sum(day.sessions for day in days), sum(day.hours for day in days)),
        pumping_min_per_day=minutes / len(days), ml_per_min=_ratio(total, minutes),
        left_share=_ratio(left, left + right), unsided_ml=sum(day.unsided_ml for day in days))


def trends(days: Sequence[DaySummary], today: date, weeks: int, unit: str, birth_date: date | None,
           logging_since: date | None) -> Trends:
    """Work out the trends of `weeks` weeks up to today from the summary's days over days_needed(today, weeks).

    A day before `logging_since` (the local day of the first session ever logged) is no day of zero milk but a day
    before logging began: no rolling mean, and no week, reaches back to it. Today is not over: it has no rolling
    mean, and the weeks compared are the 7 days to yesterday and the 7 before them.
    """
    check_weeks(weeks)
    first, last = days_needed(today, weeks)
    by_date = {day.date: day for day in days}
    every = [by_date[first + timedelta(days=n)] for n in range((last - first).days + 1)]
    shown = every[WINDOW - 1:]

    def logged_from(day: date) -> bool:
        return logging_since is not None and day >= logging_since

    trend_days = []
    for index, day in enumerate(shown):
        window = every[index:index + WINDOW]
        complete = day.date < today
        trend_days.append(TrendDay(
            date=day.date, complete=complete,
            day_of_life=(day.date - birth_date).days if birth_date and day.date >= birth_date else None,
            hours=day.hours, total_ml=day.total_ml,
            rolling_mean_ml=sum(d.total_ml for d in window) / WINDOW
            if complete and logged_from(window[0].date) else None,
            sessions=day.sessions, sessions_per_24h=_ratio(24 * day.sessions, day.hours),
            pumping_min=day.pumping_min, ml_per_min=_ratio(day.total_ml, day.pumping_min),
            left_ml=day.left_ml, right_ml=day.right_ml, left_share=_ratio(day.left_ml, day.left_ml + day.right_ml),
        ))
    # The two weeks before today: every[-1] is today.
    latest_days, previous_days = every[-1 - WINDOW:-1], every[-1 - 2 * WINDOW:-1 - WINDOW]
    latest = _week(latest_days) if logged_from(latest_days[0].date) else None
    previous = _week(previous_days) if logged_from(previous_days[0].date) else None
    markers = [Marker(n, birth_date + timedelta(days=n)) for n in MARKER_DAYS
               if birth_date and shown[0].date <= birth_date + timedelta(days=n) <= last]
    return Trends(weeks=weeks, first=shown[0].date, last=last, unit=unit, birth_date=birth_date,
                  logging_since=logging_since, days=trend_days, latest_week=latest, previous_week=previous,
                  statements=statements(latest, previous, logging_since, unit), markers=markers)


def change_pct(latest: float, previous: float) -> int | None:
    """Return the change from previous to latest in whole percent, or None when previous is nothing."""
    return round(100 * (latest - previous) / previous) if previous > 0 else None


def _minutes(total: float) -> str:
    """Write minutes as "1 h 05 min" or "25 min" (as frontend/js/format.js does)."""
    whole = max(0, round(total))
    return f"{whole // 60} h {whole % 60:02d} min" if whole >= 60 else f"{whole} min"


def _per_minute(ml: float, unit: str) -> Figure:
    """Write an output per pumping minute: a tenth of a mL, or a thousandth of an oz."""
    return volume_figure(ml, unit, 1 if unit == "ml" else 3)


# How a figure of the latest week compares with the week before, as whole sentences.
FIGURE_WORDS = {
    None: N_("{label}: {value} in the 7 days to yesterday."),
    "same": N_("{label}: {value} in the 7 days to yesterday, the same as the week before."),
    "up": N_("{label}: {value} in the 7 days to yesterday, up from {previous} the week before."),
    "down": N_("{label}: {value} in the 7 days to yesterday, down from {previous} the week before."),
}
LEFT_SHARE_WORDS = {  # (compared with the week before, some milk without a side)
    (False, False): N_("Left gives {left}% of your milk in the 7 days to yesterday, right {right}%."),
    (True, False): N_("Left gives {left}% of your milk in the 7 days to yesterday, right {right}% (left {previous}% "
                      "the week before)."),
    (False, True): N_("Left gives {left}% of your milk in the 7 days to yesterday, right {right}%; amounts without a "
                      "side are left out."),
    (True, True): N_("Left gives {left}% of your milk in the 7 days to yesterday, right {right}% (left {previous}% "
                     "the week before); amounts without a side are left out."),
}


def statements(latest: WeekFigures | None, previous: WeekFigures | None, logging_since: date | None,
               unit: str) -> list[Statement]:
    """Say plainly how the 7 days to yesterday compare with the 7 before them; no advice."""
    if latest is None:
        if logging_since is None:
            return [Statement("nothing-logged", Text("Nothing logged yet: trends start with your first session."))]
        ready = logging_since + timedelta(days=WINDOW)
        return [Statement("too-early", Text("Weekly figures start on {date}, once 7 whole days are logged.",
                                            date=ready.isoformat()))]
    said: list[Statement] = []
    total = volume_figure(latest.total_ml, unit)
    if previous is None:
        ready = logging_since + timedelta(days=2 * WINDOW)
        said.append(Statement("total", Text(
            "7-day total {total} in the 7 days to yesterday; comparisons with the week before start on {date}, once "
            "14 whole days are logged.", total=total, date=ready.isoformat()), latest.total_ml))
    else:
        pct = change_pct(latest.total_ml, previous.total_ml)
        before = volume_figure(previous.total_ml, unit)
        if pct is None:
            text = Text("7-day total {total} in the 7 days to yesterday; nothing was logged the week before.",
                        total=total)
        elif pct == 0:
            text = Text("7-day total about the same as the week before: {total} in the 7 days to yesterday, "
                        "{previous} in the 7 days before.", total=total, previous=before)
        elif pct > 0:
            text = Text("7-day total {pct}% higher than the week before: {total} in the 7 days to yesterday, "
                        "{previous} in the 7 days before.", pct=pct, total=total, previous=before)
        else:
            text = Text("7-day total {pct}% lower than the week before: {total} in the 7 days to yesterday, "
                        "{previous} in the 7 days before.", pct=-pct, total=total, previous=before)
        said.append(Statement("total", text, latest.total_ml, previous.total_ml, pct))
    compared = previous is not None

    def figure(kind: str, label: str, now: float | None, before: float | None, write) -> None:
        if now is None:
            return
        change = None
        if compared and before is not None:
            change = "same" if write(now) == write(before) else "up" if now > before else "down"
        text = Text(FIGURE_WORDS[change], label=Said(label), value=write(now),
                    **({"previous": write(before)} if change in ("up", "down") else {}))
        said.append(Statement(kind, text, now, before if compared else None,
                              change_pct(now, before) if compared and before is not None else None))

    figure("sessions_per_24h", N_("Sessions per 24 h"), latest.sessions_per_24h,
           previous and previous.sessions_per_24h, lambda value: Figure(value, 1))
    figure("pumping_min_per_day", N_("Pumping time a day"), latest.pumping_min_per_day,
           previous and previous.pumping_min_per_day, _minutes)
    figure("ml_per_min", N_("Output per pumping minute"), latest.ml_per_min, previous and previous.ml_per_min,
           lambda value: _per_minute(value, unit))
    if latest.left_share is not None:
        left = round(100 * latest.left_share)
        with_previous = compared and previous.left_share is not None
        text = Text(LEFT_SHARE_WORDS[(with_previous, bool(latest.unsided_ml))], left=left, right=100 - left,
                    **({"previous": round(100 * previous.left_share)} if with_previous else {}))
        said.append(Statement("left_share", text, latest.left_share, previous.left_share if compared else None))
    return said
