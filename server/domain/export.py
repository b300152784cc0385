"""CSV exports for a lactation consultant: rows, headers with units, safe cells, streamed lines.

Everything here is pure: records come in as plain values, text lines go out one chunk at a
time, so an export of ten years holds no more in memory than an export of one day.

CSV injection: a spreadsheet runs a cell that begins with = + - @ (or a tab or carriage
return before one) as a formula. Every cell that holds text a person typed (notes, pump,
plan name, labels) is prefixed with a single quote when it begins with one of those
characters, which Excel, LibreOffice and Google Sheets show as text. Numbers we format
ourselves are left alone: they are not user text, they never begin with one of those
characters (volumes, minutes and counts are not negative, and UTC offsets are written
"UTC-05:00"), and quoting them would turn them into text that no longer sums.
"""

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from server.domain.languages import N_
from server.domain.sessions import duration_min, total_volume_ml
from server.domain.summary import DaySummary, GoalFacts
from server.domain.units import EXPORT_PLACES, format_number, ml_to_oz

BOM = "\ufeff"  # lets Excel recognise UTF-8
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 200  # lines joined per yielded chunk: fewer writes, memory still flat


class SessionRecord(NamedTuple):
    """One pumping session as the export needs it (times aware UTC, volumes mL)."""

    started_at: datetime
    ended_at: datetime
    left_ml: float | None
    right_ml: float | None
    mode: str
    pump: str | None = None
    flange_mm: float | None = None
    pain: int | None = None
    notes: str | None = None
    plan_name: str | None = None
    plan_slot: int | None = None  # 1-based number of the slot in its plan
    unsided_ml: float | None = None  # one amount without sides (an import): in the total, in neither side
    pump_setting: str | None = None  # suction or setting, as the pump names it
    logged_by: str | None = None  # the role of whoever logged it for the parent; None when she did


def neutralise(text: str | None) -> str:
    """Return user text so that a spreadsheet shows it as text and never runs it as a formula."""
    if not text:
        return ""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def session_header(unit: str) -> list[str]:
    """Name the session columns, each with its unit; oz columns are added for an oz user (N_: the reader's language
    names them)."""
    volumes = [N_("left_ml"), N_("right_ml"), N_("total_ml")]
    if unit == "oz":
        volumes += [N_("left_oz"), N_("right_oz"), N_("total_oz")]
    return [
        N_("date_local"), N_("start_local"), N_("start_utc_offset"), N_("end_local"), N_("end_utc_offset"),
        N_("duration_min"), N_("since_previous_end_min"), *volumes,
        N_("mode"), N_("pump"), N_("flange_mm"), N_("pump_setting"), N_("pain_0_to_10"), N_("notes"), N_("plan"),
        N_("plan_slot"), N_("logged_by"),
    ]  # fmt: skip


def session_rows(
    sessions: Iterable[SessionRecord],
    time_zone: ZoneInfo,
    unit: str,
    previous_end: datetime | None = None,
) -> Iterator[list[str]]:
    """Turn sessions in start order into CSV rows.

    Minutes since the previous session run from its end to this start, as the daily
    summary's gaps do, from the latest end among all earlier sessions; `previous_end` is the
    latest end among the sessions started before the range.
    Overlapping sessions (a second pump) show 0, never a negative gap.
    """
    for session in sessions:
        start = session.started_at.astimezone(time_zone)
        end = session.ended_at.astimezone(time_zone)
        gap = max(session.started_at - previous_end, timedelta(0)) if previous_end else None
        volumes = [session.left_ml, session.right_ml,
                   total_volume_ml(session.left_ml, session.right_ml, session.unsided_ml)]
        cells = [
            start.date().isoformat(),
            _local(start),
            _offset(start),
            _local(end),
            _offset(end),
            format_number(duration_min(session.started_at, session.ended_at), 1),
            _minutes(gap) if gap is not None else "",
            *(_volume(ml, "ml") for ml in volumes),
        ]
        if unit == "oz":
            cells += [_volume(ml, "oz") for ml in volumes]
        cells += [
            session.mode,
            neutralise(session.pump),
            _number(session.flange_mm, 1),
            neutralise(session.pump_setting),
            _number(session.pain, 0),
            neutralise(session.notes),
            neutralise(session.plan_name),
            _number(session.plan_slot, 0),
            session.logged_by or "",
        ]
        previous_end = session.ended_at if previous_end is None else max(previous_end, session.ended_at)
        yield cells


def daily_header(unit: str) -> list[str]:
    """Name the daily columns, each with its unit; oz columns are added for an oz user."""
    volumes = [N_("total_ml"), N_("left_ml"), N_("right_ml")]
    goal = [N_("goal_volume_ml")]
    if unit == "oz":
        volumes += [N_("total_oz"), N_("left_oz"), N_("right_oz")]
        goal += [N_("goal_volume_oz")]
    return [
        N_("date_local"), N_("sessions"), *volumes, N_("pumping_min"), N_("longest_gap_min"),
        N_("night_sessions_01_to_05"), *goal, N_("goal_sessions"), N_("volume_of_goal_pct"),
    ]  # fmt: skip


def daily_rows(days: Iterable[DaySummary], goal: GoalFacts, unit: str) -> Iterator[list[str]]:
    """Turn daily summaries into CSV rows with the goal beside each day."""
    goal_ml = goal.daily_volume_ml
    for day in days:
        volumes = [day.total_ml, day.left_ml, day.right_ml]
        cells = [day.date.isoformat(), str(day.sessions), *(_volume(ml, "ml") for ml in volumes)]
        if unit == "oz":
            cells += [_volume(ml, "oz") for ml in volumes]
        cells += [_number(day.pumping_min, 1), _number(day.longest_gap_min, 1), str(day.night_sessions)]
        cells.append(_volume(goal_ml, "ml"))
        if unit == "oz":
            cells.append(_volume(goal_ml, "oz"))
        cells.append(_number(goal.sessions_per_day, 0))
        cells.append(_number(100 * day.total_ml / goal_ml, 0) if goal_ml else "")
        yield cells


def csv_chunks(header: list[str], rows: Iterable[list[str]]) -> Iterator[str]:
    """Yield RFC 4180 text (CRLF, quoted where needed) starting with a BOM, a few rows at a time."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield BOM + writer.writerow(header)
    batch: list[str] = []
    for row in rows:
        batch.append(writer.writerow(row))
        if len(batch) == ROWS_PER_CHUNK:
            yield "".join(batch)
            batch.clear()
    if batch:
        yield "".join(batch)


def export_filename(kind: str, first: date, last: date) -> str:
    """Name an export file by its kind and local date range, e.g. pumpwell-sessions_2026-01-01_2026-01-31.csv."""
    return f"pumpwell-{kind}_{first.isoformat()}_{last.isoformat()}.csv"


class _Echo:
    """A file-like object whose write hands the line back, so csv.writer formats without buffering."""

    def write(self, line: str) -> str:
        """Return the formatted line unchanged."""
        return line


def _volume(ml: float | None, unit: str) -> str:
    """Write a volume stored in mL in the given unit; empty when unknown."""
    if ml is None:
        return ""
    return format_number(ml if unit == "ml" else ml_to_oz(ml), EXPORT_PLACES[unit])


def _number(value: float | None, places: int) -> str:
    """Write a number we computed, empty when unknown."""
    return "" if value is None else format_number(value, places)


def _minutes(delta: timedelta) -> str:
    """Write a length of time in minutes to one decimal."""
    return format_number(delta.total_seconds() / 60, 1)


def _local(moment: datetime) -> str:
    """Write a local time the way spreadsheets read it as a date and time."""
    return moment.strftime("%Y-%m-%d %H:%M")


def _offset(moment: datetime) -> str:
    """Write the UTC offset as "UTC+01:00"; a bare "-05:00" would look like a formula or a number."""
    total = int(moment.utcoffset().total_seconds()) // 60
    sign = "-" if total < 0 else "+"
    hours, minutes = divmod(abs(total), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"
