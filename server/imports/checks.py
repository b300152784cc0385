"""What every reader does to a row before it becomes a session: times to UTC, amounts checked, a provenance key."""

import hashlib
import json
import math
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from server.domain.sessions import FUTURE_TOLERANCE
from server.domain.units import UNITS, format_volume, oz_to_ml
from server.imports.rows import ImportedSession, Row, Unreadable

# The API takes at most 1000 mL from one side (server/api/sessions.py); two sides together, twice that. A larger
# figure is a typing slip (an extra zero) or the wrong unit, and storing it would wreck her totals.
MAX_SIDE_ML = 1000.0
MAX_TOTAL_ML = 2 * MAX_SIDE_ML
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
# Years a date is read in at all: far from datetime's limits, so a zone's offset or a duration cannot overflow it.
YEARS = range(1900, 3000)
# One decimal separator, either kind: Baby Buddy writes numbers in the parent's language ("7,5" in German).
NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?|[+-]?[.,]\d+")


def local_to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """Read a wall-clock time without a zone as a time in `zone`, and return it in UTC."""
    # PEP 495 as zoneinfo implements it, with fold 0: a time that happens twice when clocks go back (01:30 on the
    # night summer time ends) is the first of the two; a time that never happens when they go forward (02:30 on
    # the night it starts) is read with the offset before the change, so it lands an hour later on the new clock.
    # A phone never writes a skipped time in its own zone, so one means she logged it elsewhere: keeping it an hour
    # off beats losing it.
    return local.replace(tzinfo=zone).astimezone(UTC)


def parse_local_time(text: str, formats: tuple[str, ...]) -> datetime | None:
    """Return the wall-clock time written in one of `formats`, or None."""
    for layout in formats:
        try:
            parsed = datetime.strptime(text.strip(), layout)
        except ValueError:
            continue
        return parsed if parsed.year in YEARS else None
    return None


def parse_number(text: str) -> float | None:
    """Return the number written with a point or a comma as decimal separator, or None."""
    text = text.strip()
    if not NUMBER.fullmatch(text):
        return None
    return float(text.replace(",", "."))


def check_unit(unit: str) -> None:
    """Raise ValueError unless `unit` is one Pumpwell knows ("ml" or "oz"): the caller chose it, not the file."""
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}")


def to_ml(amount: float, unit: str) -> float:
    """Return an amount written in `unit` ("ml" or "oz") in millilitres."""
    check_unit(unit)
    return amount if unit == "ml" else oz_to_ml(amount)


def amount_problem(ml: float, what: str, limit: float) -> str | None:
    """Say what is wrong with an amount in millilitres, or return None when it is plausible."""
    if not math.isfinite(ml):
        return f"The {what} is not a number."
    if ml < 0:
        return f"The {what} is negative."
    if ml > limit:
        return f"The {what}, {format_volume(ml, 'ml')}, is more than a pump collects (at most {limit:.0f} mL)."
    return None


def digest_key(source: str, *fields: object) -> str:
    """Return "<source>:" and a digest of the row's own normalised fields: reading the same row gives the same key."""
    # The line number is left out on purpose: a later export of the same history, with rows added above, must give
    # each old row the key it had, so a re-import skips it. Two rows alike in every field get the same key and the
    # second counts as already there: the same start to the minute, amounts and notes is one session entered twice.
    text = json.dumps([None if field is None else str(field) for field in fields], ensure_ascii=False)
    return f"{source}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def session_or_reason(
    line: int,
    key: str,
    started_at: datetime,
    ended_at: datetime,
    amounts: tuple[float | None, float | None, float | None],
    notes: str | None,
    now: datetime,
) -> Row:
    """Return the session (times aware, amounts in mL as left, right, total), or the reason it cannot be stored."""
    left_ml, right_ml, total_ml = amounts
    if ended_at < started_at:
        return Unreadable(line, "It ends before it starts.")
    if started_at < EARLIEST:
        return Unreadable(line, "Its date is before 1970.")
    if ended_at > now + FUTURE_TOLERANCE:
        return Unreadable(line, "It is dated in the future.")
    for ml, what, limit in (
        (left_ml, "left amount", MAX_SIDE_ML),
        (right_ml, "right amount", MAX_SIDE_ML),
        (total_ml, "amount", MAX_TOTAL_ML),
    ):
        problem = None if ml is None else amount_problem(ml, what, limit)
        if problem:
            return Unreadable(line, problem)
    return ImportedSession(line, key, started_at, ended_at, left_ml, right_ml, total_ml, notes or None)

