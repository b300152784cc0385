"""A CSV upload that is not what it claims gets a clear refusal (UnreadableFile), never another exception."""

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.imports.babybuddy import read_babybuddy_csv
from server.imports.csv_file import MAX_LINE_CHARS
from server.imports.huckleberry import read_huckleberry_csv
from server.imports.rows import ImportedSession, Unreadable, UnreadableFile

HEADER = "Type,Start,End,Duration,Start Condition,Start Location,End Condition,Notes\r\n"
PUMP = "Pump,2026-01-01 07:00,,,20ml,,25ml,{notes}\r\n"
ZONE = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def read(data: bytes) -> list:
    """Read bytes as a Huckleberry export."""
    return list(read_huckleberry_csv(io.BytesIO(data), ZONE, NOW))


def refusal(data: bytes) -> str:
    """Return the message a file is refused with."""
    with pytest.raises(UnreadableFile) as refused:
        read(data)
    return str(refused.value)


def test_a_bom_is_accepted():
    [row] = read(b"\xef\xbb\xbf" + (HEADER + PUMP.format(notes="")).encode())

    assert row.left_ml == 20.0


def test_lines_ending_in_a_lone_carriage_return_are_read():
    [row] = read((HEADER + PUMP.format(notes="")).replace("\r\n", "\r").encode())

    assert row.right_ml == 25.0


def test_text_in_another_encoding_is_refused_saying_so():
    data = (HEADER + PUMP.format(notes="café au lait")).encode("cp1252")

    assert refusal(data) == "The file is not UTF-8 text: export it again from the app, or save it as CSV UTF-8."


@pytest.mark.parametrize(
    ("head", "says"),
    [
        (b"\xff\xfe", "saved as UTF-16"),
        (b"PK\x03\x04", "is a spreadsheet or zip file, not a CSV file"),
        (b"\xd0\xcf\x11\xe0", "old Excel file (.xls)"),
        (b"%PDF-1.7", "is a PDF"),
    ],
)
def test_a_file_that_is_not_text_is_named(head, says):
    assert says in refusal(head + b"\x00" * 100)


def test_missing_columns_are_named():
    message = refusal(b"Kind,When,Amount\r\nPump,2026-01-01 07:00,20ml\r\n")

    assert message.startswith("This is not a Huckleberry export: it has no column Type, Start, End, Duration,")


def test_an_empty_file_is_refused():
    assert refusal(b"") == "The file is empty."


@pytest.mark.parametrize("size", [MAX_LINE_CHARS + 1, 10 * 1024 * 1024])
def test_a_line_over_a_megabyte_is_refused(size):
    data = (HEADER + PUMP.format(notes="")).encode() + b"Pump," + b"x" * size + b"\r\n"

    assert refusal(data) == "Line 3 is longer than 1 MB: this is not a file an app exports."


def test_a_quote_left_open_is_refused_before_it_swallows_the_file():
    data = (HEADER + PUMP.format(notes='"never closed')).encode() + (PUMP.format(notes="x") * 20_000).encode()

    assert "is not a CSV file the app writes" in refusal(data)


def test_stray_nul_characters_make_a_line_unreadable_not_the_reader_fail():
    rows = read((HEADER + "Pump,2026-01-01 07:00,,,2\x000ml,,,\r\n").encode())

    assert isinstance(rows[0], Unreadable) and rows[0].line == 2


def test_the_callers_stream_is_left_open():
    stream = io.BytesIO((HEADER + PUMP.format(notes="")).encode())

    list(read_huckleberry_csv(stream, ZONE, NOW))

    assert not stream.closed


@given(st.binary(max_size=400))
def test_any_bytes_give_rows_or_a_refusal(data):
    try:
        rows = read(HEADER.encode() + data)
    except UnreadableFile:
        return
    assert all(isinstance(row, ImportedSession | Unreadable) for row in rows)


@given(st.lists(st.lists(st.text(max_size=12), min_size=0, max_size=10), max_size=8))
def test_any_cells_give_rows_or_a_refusal(records):
    text = HEADER + "".join(",".join(cells).join(("Pump,", "\r\n")) for cells in records)
    try:
        huckleberry = read(text.encode())
        as_babybuddy = io.BytesIO(text.replace("Type,", "amount,start,").encode())
        babybuddy = list(read_babybuddy_csv(as_babybuddy, ZONE, "oz", NOW))
    except UnreadableFile:
        return
    assert all(isinstance(row, ImportedSession | Unreadable) for row in huckleberry + babybuddy)
