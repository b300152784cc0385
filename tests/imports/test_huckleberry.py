"""Huckleberry's CSV export read into sessions: its layout, its zone-less times, its amounts in ml and oz."""

import io
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.units import format_number, in_unit, oz_to_ml
from server.imports.huckleberry import read_huckleberry_csv
from server.imports.rows import ImportedSession, Unreadable

# fixtures/huckleberry.csv is in the layout of Huckleberry's export as the open-source importers read it (see
# server/imports/huckleberry.py for the sources): the newer header with "Logged By", CRLF line ends, a pump row
# without End or Duration, one with both and amounts in oz, a note with a line break, other kinds of row between.
FIXTURES = Path(__file__).parent / "fixtures"
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 1, tzinfo=UTC)
HEADER = "Type,Start,End,Duration,Start Condition,Start Location,End Condition,Notes\n"  # the older 8 columns


def read(text: str | bytes, zone: ZoneInfo = NEW_YORK, now: datetime = NOW) -> list:
    """Read a Huckleberry export given as text or bytes."""
    data = text.encode() if isinstance(text, str) else text
    return list(read_huckleberry_csv(io.BytesIO(data), zone, now))


def test_pump_rows_of_the_export_become_sessions_in_utc_and_millilitres():
    with open(FIXTURES / "huckleberry.csv", "rb") as stream:
        rows = list(read_huckleberry_csv(stream, NEW_YORK, NOW))

    assert [row.line for row in rows] == [2, 6, 8, 10]
    assert all(isinstance(row, ImportedSession) for row in rows)
    first, ounces, two_lines, unmeasured = rows
    assert first.started_at == first.ended_at == datetime(2026, 9, 28, 10, 35, tzinfo=UTC)
    assert (first.left_ml, first.right_ml, first.total_ml) == (0.0, 20.0, None)
    assert ounces.started_at == datetime(2026, 9, 27, 16, 1, tzinfo=UTC)
    assert ounces.ended_at == datetime(2026, 9, 27, 16, 21, tzinfo=UTC)
    assert (ounces.left_ml, ounces.right_ml) == (oz_to_ml(0.25), oz_to_ml(0.5))
    assert ounces.notes == 'left sore, "new" flange'
    assert two_lines.notes == "first line\r\nsecond line"
    assert (two_lines.left_ml, two_lines.right_ml) == (60.0, 55.0)
    assert (unmeasured.left_ml, unmeasured.right_ml, unmeasured.notes) == (None, None, None)


def test_the_older_header_without_logged_by_reads_alike():
    rows = read(HEADER + "Pump,2026-01-01 07:00,2026-01-01 07:30,0:30,30ml,,10ml,\n")

    assert rows == [
        ImportedSession(
            2, rows[0].key, datetime(2026, 1, 1, 12, tzinfo=UTC), datetime(2026, 1, 1, 12, 30, tzinfo=UTC),
            30.0, 10.0, None, None,
        )
    ]


def test_an_end_without_a_duration_gives_the_end():
    [row] = read(HEADER + "Pump,2026-01-01 07:00,2026-01-01 07:12,,30ml,,,\n")

    assert row.ended_at == datetime(2026, 1, 1, 12, 12, tzinfo=UTC)


def test_quoted_cells_spaces_and_capitals_are_read():
    [row] = read('"Type","Start","End","Duration","Start Condition","Start Location","End Condition","Notes"\n'
                 '"Pump","2026-02-25 10:30",,"1:05","20 mL",,"1,5oz",\n')

    assert (row.left_ml, row.right_ml) == (20.0, oz_to_ml(1.5))
    assert row.ended_at - row.started_at == (datetime(2000, 1, 1, 1, 5) - datetime(2000, 1, 1))


@given(st.integers(min_value=0, max_value=3381))
def test_ounces_read_back_as_the_ounces_written(hundredths):
    ounces = hundredths / 100
    [row] = read(HEADER + f"Pump,2026-01-01 07:00,,,{ounces}oz,,,\n")

    assert row.left_ml == oz_to_ml(ounces)
    # Stored to 0.01 mL, shown to 0.01 oz: the figure she typed comes back.
    assert format_number(in_unit(round(row.left_ml, 2), "oz"), 2) == format_number(ounces, 2)


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ("Pump,2026-13-01 07:00,,,20ml,,,", "The start time '2026-13-01 07:00' is not a date and time"),
        ("Pump,01/02/2026 07:00,,,20ml,,,", "is not a date and time"),
        ("Pump,,,,20ml,,,", "The start time '' is not"),
        ("Pump,2026-01-01 07:00,,half an hour,20ml,,,", "The duration 'half an hour' is not hours and minutes"),
        ("Pump,2026-01-01 07:00,tomorrow,,20ml,,,", "The end time 'tomorrow' is not"),
        ("Pump,2026-01-01 07:00,2026-01-01 06:00,,20ml,,,", "It ends before it starts."),
        ("Pump,2026-01-01 07:00,,,twenty,,,", "The amount 'twenty' is not a volume like 20ml or 0.25oz."),
        ("Pump,2026-01-01 07:00,,,20,,,", "The amount '20' is not a volume"),
        ("Pump,2026-01-01 07:00,,,20l,,,", "The amount '20l' is not a volume"),
        ('Pump,2026-01-01 07:00,,,"=HYPERLINK(""http://x"",""20ml"")",,,', "The amount '=HYPERLINK"),
        ("Pump,2026-01-01 07:00,,,-20ml,,,", "The left amount is negative."),
        ("Pump,2026-01-01 07:00,,,20ml,,-1oz,", "The right amount is negative."),
        ("Pump,2026-01-01 07:00,,,2000ml,,,", "The left amount, 2000 mL, is more than a pump collects"),
        ("Pump,2026-01-01 07:00,,,20ml,,40oz,", "The right amount, 1183 mL, is more than a pump collects"),
        ("Pump,2027-01-01 07:00,,,20ml,,,", "It is dated in the future."),
        ("Pump,1969-12-31 07:00,,,20ml,,,", "Its date is before 1970."),
    ],
)
def test_a_row_that_cannot_be_stored_says_why_with_its_line(cells, reason):
    rows = read(HEADER + "Pump,2026-01-01 07:00,,,20ml,,,\n" + cells + "\n")

    assert isinstance(rows[0], ImportedSession)
    assert isinstance(rows[1], Unreadable) and rows[1].line == 3
    assert reason in rows[1].reason


def test_a_formula_in_the_notes_stays_text():
    [row] = read(HEADER + 'Pump,2026-01-01 07:00,,,20ml,,,"=HYPERLINK(""http://x"",""click"")"\n')

    assert row.notes == '=HYPERLINK("http://x","click")'


def test_a_session_a_few_minutes_ahead_of_the_clock_is_kept():
    # A phone a little fast is not the future; the domain's tolerance is five minutes.
    [row] = read(HEADER + "Pump,2026-01-01 07:00,,0:03,20ml,,,\n", now=datetime(2026, 1, 1, 12, 0, tzinfo=UTC))

    assert isinstance(row, ImportedSession)


def test_the_same_file_read_again_gives_the_same_keys_whatever_the_zone():
    data = (FIXTURES / "huckleberry.csv").read_bytes()

    keys = [row.key for row in read(data)]

    assert keys == [row.key for row in read(data)]
    assert keys == [row.key for row in read(data, zone=ZoneInfo("Europe/Berlin"))]
    assert len(set(keys)) == len(keys) and all(key.startswith("huckleberry:") for key in keys)


def test_a_key_follows_the_row_not_its_line():
    row = "Pump,2026-01-01 07:00,,0:20,20ml,,25ml,\n"

    [alone] = read(HEADER + row)
    [_, moved, twin] = read(HEADER + "Pump,2026-01-02 07:00,,0:20,20ml,,25ml,\n" + row + row)
    [other] = read(HEADER + row.replace("25ml", "26ml"))

    # Added rows above move it, not its key; the same row twice is one session entered twice (the pipeline skips
    # the second as already there); any field changed is another session.
    assert alone.key == moved.key == twin.key
    assert other.key != alone.key


class TestChangesOfClock:
    """Times written on the wall clock of a zone that changes to and from summer time (America/New_York, 2026)."""

    def test_a_time_skipped_when_clocks_go_forward_lands_an_hour_later(self):
        # 02:30 on 8 March never happens in New York: it is read with the offset before the change (EST), which is
        # 03:30 on the new clock.
        [row] = read(HEADER + "Pump,2026-03-08 02:30,,,20ml,,,\n")

        assert row.started_at == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)

    def test_a_time_repeated_when_clocks_go_back_is_the_first_of_the_two(self):
        [row] = read(HEADER + "Pump,2026-11-01 01:30,,,20ml,,,\n")

        assert row.started_at == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, not 01:30 EST

    def test_a_session_across_the_change_lasts_its_duration(self):
        # 01:50 EDT plus 30 minutes is 01:20 EST: the elapsed time, not the wall clock, gives the end.
        [row] = read(HEADER + "Pump,2026-11-01 01:50,2026-11-01 01:20,0:30,20ml,,,\n")

        assert row.ended_at - row.started_at == datetime(2000, 1, 1, 0, 30) - datetime(2000, 1, 1)
        assert row.ended_at == datetime(2026, 11, 1, 6, 20, tzinfo=UTC)

    def test_a_zone_without_summer_time_reads_the_clock_as_it_is(self):
        [row] = read(HEADER + "Pump,2026-11-01 01:30,,,20ml,,,\n", zone=ZoneInfo("Asia/Kolkata"))

        assert row.started_at == datetime(2026, 10, 31, 20, 0, tzinfo=UTC)


@pytest.mark.parametrize("start", ["0001-01-01 00:00", "9999-12-31 23:59", "1850-01-01 07:00"])
def test_dates_at_the_ends_of_the_calendar_are_unreadable_not_an_overflow(start):
    [row] = read(HEADER + f"Pump,{start},,999:59,20ml,,,\n", zone=ZoneInfo("Asia/Tokyo"))

    assert isinstance(row, Unreadable) and "is not a date and time" in row.reason
