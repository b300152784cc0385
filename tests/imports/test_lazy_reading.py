"""Readers yield one row at a time: a 100,000-row export is read in memory that does not grow with it."""

import tracemalloc
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from server.imports.babybuddy import read_babybuddy_xlsx
from server.imports.huckleberry import read_huckleberry_csv
from server.imports.rows import ImportedSession

ZONE = ZoneInfo("America/New_York")
NOW = datetime(2030, 1, 1, tzinfo=UTC)
FIRST = datetime(2020, 1, 1, 6, 0)
# Held at once, 100,000 sessions take about 48 MB (each with two datetimes, a key and floats); read one at a time,
# the reader needs well under a megabyte. A reader that collected its rows, or a sheet loaded whole, fails these.
CSV_PEAK_BYTES = 4 * 1024 * 1024
XLSX_PEAK_BYTES = 3 * 1024 * 1024


def peak_while_counting(rows) -> tuple[int, int]:
    """Count the sessions among the rows, and return the count and the peak of memory allocated meanwhile."""
    tracemalloc.start()
    try:
        count = sum(isinstance(row, ImportedSession) for row in rows)
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_100000_row_huckleberry_export_is_read_in_bounded_memory(tmp_path):
    path = tmp_path / "huckleberry.csv"
    with open(path, "w", newline="") as export:
        export.write("Type,Start,End,Duration,Start Condition,Start Location,End Condition,Notes,Logged By\r\n")
        for number in range(100_000):
            start = f"{FIRST + timedelta(minutes=37 * number):%Y-%m-%d %H:%M}"
            export.write(f"Pump,{start},,0:20,{number % 90}ml,,0.{number % 100:02d}oz,note {number},\r\n")

    with open(path, "rb") as export:
        count, peak = peak_while_counting(read_huckleberry_csv(export, ZONE, NOW))

    assert count == 100_000
    assert peak < CSV_PEAK_BYTES, f"{peak / 1e6:.1f} MB"


def test_a_baby_buddy_workbook_is_streamed_not_loaded_whole(tmp_path):
    # 10,000 rows keep the test quick: loaded whole, their 90,000 cells alone take over 10 MB.
    path = tmp_path / "pumping.xlsx"
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["id", "child_id", "child_first_name", "child_last_name", "start", "end", "amount", "notes", "tags"])
    for number in range(10_000):
        start = FIRST + timedelta(minutes=37 * number)
        sheet.append([number + 1, 1, "Fake", "Child", start, start + timedelta(minutes=20), 90.5, None, None])
    book.save(path)

    with open(path, "rb") as export:
        count, peak = peak_while_counting(read_babybuddy_xlsx(export, ZONE, "ml", NOW))

    assert count == 10_000
    assert peak < XLSX_PEAK_BYTES, f"{peak / 1e6:.1f} MB"
