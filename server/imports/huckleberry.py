"""Huckleberry's CSV export: its pump rows become sessions, every other kind of row is passed over."""

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import BinaryIO
from zoneinfo import ZoneInfo

from server.imports.checks import digest_key, local_to_utc, parse_local_time, parse_number, session_or_reason, to_ml
from server.imports.csv_file import csv_records
from server.imports.rows import Row, Unreadable

# The layout, as the open-source trackers that import it read it from real exports: a header
#   Type,Start,End,Duration,Start Condition,Start Location,End Condition,Notes[,Logged By]
# (newer exports add "Logged By"); times like "2026-09-28 06:35" on the phone's clock, without a zone; Duration
# "0:30" or "01:50" (hours:minutes); a pump row has Type "Pump", the left amount in Start Condition and the right
# one in End Condition ("20ml", "0.25oz"), and often no End or Duration. Sources: ausmarton/datababe
# lib/import/csv_parser.dart (columns, "2026-03-01 08:00", "0:15") and its tests; Woyken/py-huckleberry-api
# src/huckleberry_api/firebase_types.py and tests/test_pump.py (a pump entry has leftAmount and rightAmount in ml or
# oz; one entered as a total is stored as two halves); other importers' fixtures with rows such as
# "Pump,2026-09-28 06:35,,,0ml,,20ml,," and "Pump,2026-01-01 07:00,2026-01-01 07:30,0:30,30ml,,10ml,".
COLUMNS = ("Type", "Start", "End", "Duration", "Start Condition", "Start Location", "End Condition", "Notes")
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")
AMOUNT = re.compile(r"(?P<number>.*?)\s*(?P<unit>ml|oz)", re.IGNORECASE)
DURATION = re.compile(r"(?P<hours>\d{1,3}):(?P<minutes>[0-5]\d)")


def read_huckleberry_csv(stream: BinaryIO, zone: ZoneInfo, now: datetime) -> Iterator[Row]:
    """Yield a session or an unreadable line for each pump row of a Huckleberry export, its times read in `zone`."""
    for line, cells in csv_records(stream, COLUMNS, "a Huckleberry export"):
        if cells.get("Type", "").strip().casefold() == "pump":
            yield _pump(line, cells, zone, now)


def _pump(line: int, cells: dict[str, str], zone: ZoneInfo, now: datetime) -> Row:
    """Return the session a pump row describes, or why it cannot be read."""
    start_text, end_text, duration_text = (cells.get(name, "").strip() for name in ("Start", "End", "Duration"))
    start = parse_local_time(start_text, TIME_FORMATS)
    if start is None:
        return Unreadable(line, f"The start time {start_text!r} is not a date and time like 2026-09-28 06:35.")
    started_at = local_to_utc(start, zone)
    length = end = None
    if duration_text:
        length = _duration(duration_text)
        if length is None:
            return Unreadable(line, f"The duration {duration_text!r} is not hours and minutes like 0:25.")
        # Elapsed time is exact whatever the zone does; an end read on the wall clock is an hour off across a
        # change to or from summer time.
        ended_at = started_at + length
    elif end_text:
        end = parse_local_time(end_text, TIME_FORMATS)
        if end is None:
            return Unreadable(line, f"The end time {end_text!r} is not a date and time like 2026-09-28 06:55.")
        ended_at = local_to_utc(end, zone)
    else:
        ended_at = started_at
    sides = []
    for column in ("Start Condition", "End Condition"):
        text = cells.get(column, "").strip()
        ml = _amount(text) if text else None
        if text and ml is None:
            return Unreadable(line, f"The amount {text!r} is not a volume like 20ml or 0.25oz.")
        sides.append(ml)
    left_ml, right_ml = sides
    notes = cells.get("Notes", "").strip() or None
    # The row as Huckleberry wrote it, times on its own clock: the key stays the same whichever zone she picks.
    key = digest_key("huckleberry", start, end, length, left_ml, right_ml, notes)
    return session_or_reason(line, key, started_at, ended_at, (left_ml, right_ml, None), notes, now)


def _duration(text: str) -> timedelta | None:
    """Return the duration written as hours:minutes, or None."""
    match = DURATION.fullmatch(text)
    return timedelta(hours=int(match["hours"]), minutes=int(match["minutes"])) if match else None


def _amount(text: str) -> float | None:
    """Return the volume written as "20ml" or "0.25oz" in millilitres, or None when it is not one."""
    match = AMOUNT.fullmatch(text)
    number = parse_number(match["number"]) if match else None
    return None if number is None else to_ml(number, match["unit"].lower())
