"""Baby Buddy's export of pumping entries, as CSV and as an Excel workbook, read into sessions."""

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.styles import Font

from server.domain.units import format_number, in_unit
from server.imports.babybuddy import read_babybuddy_csv, read_babybuddy_xlsx
from server.imports.rows import ImportedSession, Unreadable, UnreadableFile

# Layouts from babybuddy/babybuddy and django-import-export 4.4 (see server/imports/babybuddy.py):
# fixtures/babybuddy_pumping.csv is today's export (id, child columns, start, end, amount, notes, tags; Django's
# "2017-11-17 15:03:00"; the entries of Baby Buddy's own API test fixture); babybuddy_pumping_2022.csv is one from
# before start and end replaced time, written in German ("45,5").
FIXTURES = Path(__file__).parent / "fixtures"
EASTERN = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 1, tzinfo=UTC)
COLUMNS = ["id", "child_id", "child_first_name", "child_last_name", "start", "end", "amount", "notes", "tags"]


def workbook(rows: list[list[object]], header: list[str] = COLUMNS) -> io.BytesIO:
    """Return a workbook written as tablib writes django-import-export's: one sheet, a bold header, native cells."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Tablib Dataset"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def csv_rows(text: str, unit: str = "ml") -> list:
    """Read CSV text as a Baby Buddy export."""
    return list(read_babybuddy_csv(io.BytesIO(text.encode()), EASTERN, unit, NOW))


def test_todays_csv_export_gives_totals_keyed_by_baby_buddys_ids():
    with open(FIXTURES / "babybuddy_pumping.csv", "rb") as stream:
        rows = list(read_babybuddy_csv(stream, EASTERN, "ml", NOW))

    assert rows[1] == ImportedSession(
        3, "babybuddy:pumping:2", datetime(2017, 11, 17, 20, 3, tzinfo=UTC), datetime(2017, 11, 17, 20, 22, tzinfo=UTC),
        None, None, 9.0, "new device",
    )
    assert [row.key for row in rows] == ["babybuddy:pumping:3", "babybuddy:pumping:2", "babybuddy:pumping:1"]
    assert [row.total_ml for row in rows] == [120.5, 9.0, 5.0]
    assert rows[0].notes is None


def test_an_export_from_before_start_and_end_reads_its_one_time_and_its_commas():
    with open(FIXTURES / "babybuddy_pumping_2022.csv", "rb") as stream:
        rows = list(read_babybuddy_csv(stream, ZoneInfo("Europe/Berlin"), "ml", NOW))

    assert rows[0].started_at == rows[0].ended_at == datetime(2022, 4, 5, 4, 30, tzinfo=UTC)
    assert [row.total_ml for row in rows] == [45.5, 100.2]
    assert rows[1].notes == "vor dem Schlafen"


def test_an_export_without_ids_keys_each_row_by_its_fields():
    text = "amount,start,end\n9,2017-11-17 15:03:00,2017-11-17 15:22:00\n9,2017-11-17 15:03:00,2017-11-17 15:22:00\n"

    first, again = csv_rows(text)

    assert first.key == again.key and first.key.startswith("babybuddy:") and ":pumping:" not in first.key


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ("x,1,2017-11-17 15:03:00,,9,", "The id 'x' is not one Baby Buddy gives."),
        ("2.5,1,2017-11-17 15:03:00,,9,", "The id '2.5' is not one"),
        ("4,1,17/11/2017 15:03,,9,", "The start time '17/11/2017 15:03' is not a date and time"),
        ("4,1,2017-11-17 15:03:00,soon,9,", "The end time 'soon' is not"),
        ("4,1,2017-11-17 15:03:00,,,", "The amount '' is not a number."),
        ("4,1,2017-11-17 15:03:00,,=1+1,", "The amount '=1+1' is not a number."),
        ("4,1,2017-11-17 15:03:00,,-9,", "The amount is negative."),
        ("4,1,2017-11-17 15:03:00,,9000,", "The amount, 9000 mL, is more than a pump collects"),
        ("4,1,2027-11-17 15:03:00,,9,", "It is dated in the future."),
        ("4,1,2017-11-17 15:03:00,2017-11-17 15:00:00,9,", "It ends before it starts."),
    ],
)
def test_a_row_that_cannot_be_stored_says_why(cells, reason):
    [row] = csv_rows("id,child_id,start,end,amount,notes\n" + cells + "\n")

    assert isinstance(row, Unreadable) and row.line == 2 and reason in row.reason


def test_a_csv_without_the_columns_names_them():
    with pytest.raises(UnreadableFile, match="has no column amount, start or time"):
        csv_rows("id,child_id,when\n1,1,2017-11-17 15:03:00\n")


def test_a_unit_pumpwell_does_not_know_is_the_callers_mistake():
    with pytest.raises(ValueError, match="unknown unit"):
        csv_rows("amount,start\n9,2017-11-17 15:03:00\n", unit="cups")


@given(st.integers(min_value=0, max_value=6762))
def test_ounces_read_back_as_the_ounces_written(hundredths):
    ounces = hundredths / 100
    [row] = csv_rows(f"amount,start\n{ounces},2017-11-17 15:03:00\n", unit="oz")

    assert format_number(in_unit(round(row.total_ml, 2), "oz"), 2) == format_number(ounces, 2)


class TestWorkbook:
    """The same export as an Excel workbook (.xlsx)."""

    def test_native_dates_and_numbers_are_read(self):
        stream = workbook([[2, 1, "Fake", "Child", datetime(2017, 11, 17, 15, 3), datetime(2017, 11, 17, 15, 22),
                            9.0, "new device", None]])

        [row] = read_babybuddy_xlsx(stream, EASTERN, "ml", NOW)

        assert row == ImportedSession(
            2, "babybuddy:pumping:2", datetime(2017, 11, 17, 20, 3, tzinfo=UTC),
            datetime(2017, 11, 17, 20, 22, tzinfo=UTC), None, None, 9.0, "new device",
        )

    def test_dates_written_as_text_by_older_versions_are_read(self):
        header = ["id", "child_id", "child_first_name", "child_last_name", "amount", "time", "notes"]
        stream = workbook([[1, 1, "Fake", "Child", "100.2", "2022-04-04 21:15:00", None]], header)

        [row] = read_babybuddy_xlsx(stream, EASTERN, "ml", NOW)

        assert row.started_at == row.ended_at == datetime(2022, 4, 5, 1, 15, tzinfo=UTC)
        assert row.total_ml == 100.2

    def test_a_formula_cell_is_kept_as_its_text_and_never_computed(self):
        stream = workbook([
            [1, 1, "A", "B", datetime(2017, 11, 17, 15, 3), datetime(2017, 11, 17, 15, 22), 9, '=HYPERLINK("x","y")'],
            [2, 1, "A", "B", datetime(2017, 11, 17, 16, 3), datetime(2017, 11, 17, 16, 22), "=2*900", None],
        ])

        first, second = read_babybuddy_xlsx(stream, EASTERN, "ml", NOW)

        assert first.notes == '=HYPERLINK("x","y")'
        assert second == Unreadable(3, "The amount '=2*900' is not a number.")

    def test_blank_rows_are_passed_over_and_lines_are_sheet_rows(self):
        stream = workbook([
            [1, 1, "A", "B", datetime(2017, 11, 17, 15, 3), datetime(2017, 11, 17, 15, 22), 9],
            [None] * 9,
            [2, 1, "A", "B", "yesterday", None, 9],
        ])

        rows = list(read_babybuddy_xlsx(stream, EASTERN, "ml", NOW))

        assert [row.line for row in rows] == [2, 4] and isinstance(rows[1], Unreadable)

    def test_missing_columns_are_named(self):
        with pytest.raises(UnreadableFile, match="has no column amount"):
            list(read_babybuddy_xlsx(workbook([], ["id", "start"]), EASTERN, "ml", NOW))

    @pytest.mark.parametrize(
        "data",
        [
            b"id,child_id,start,end,amount\n1,1,2017-11-17 15:03:00,,9\n",
            b"",
            b"PK\x03\x04" + b"\x00" * 60,
            b"\xd0\xcf\x11\xe0" + b"\x00" * 60,
        ],
    )
    def test_what_is_not_a_workbook_is_refused(self, data):
        with pytest.raises(UnreadableFile, match="not an Excel workbook"):
            list(read_babybuddy_xlsx(io.BytesIO(data), EASTERN, "ml", NOW))

    def test_a_truncated_workbook_is_refused(self):
        data = workbook([[1, 1, "A", "B", datetime(2017, 11, 17, 15, 3), None, 9]]).getvalue()

        with pytest.raises(UnreadableFile):
            list(read_babybuddy_xlsx(io.BytesIO(data[: len(data) // 2]), EASTERN, "ml", NOW))

    def test_a_sheet_of_broken_xml_is_refused(self):
        source = zipfile.ZipFile(workbook([[1, 1, "A", "B", datetime(2017, 11, 17, 15, 3), None, 9]]))
        damaged = io.BytesIO()
        with zipfile.ZipFile(damaged, "w") as target:
            for item in source.infolist():
                data = source.read(item)
                target.writestr(item, b"<worksheet><sheetData><row>" if "worksheets/sheet" in item.filename else data)
        damaged.seek(0)

        with pytest.raises(UnreadableFile):
            list(read_babybuddy_xlsx(damaged, EASTERN, "ml", NOW))

    def test_an_xml_bomb_is_refused(self):
        entities = b"".join(b'<!ENTITY e%d "%s">' % (i, b"&e%d;" % (i - 1) * 10) for i in range(1, 9))
        cell = b'<c t="inlineStr"><is><t>&e8;</t></is></c>'
        bomb = b'<!DOCTYPE w [<!ENTITY e0 "lol">%s]><worksheet><sheetData><row>%s</row></sheetData></worksheet>' % (
            entities, cell
        )
        source = zipfile.ZipFile(workbook([]))
        hostile = io.BytesIO()
        with zipfile.ZipFile(hostile, "w") as target:
            for item in source.infolist():
                target.writestr(item, bomb if "worksheets/sheet" in item.filename else source.read(item))
        hostile.seek(0)

        with pytest.raises(UnreadableFile):
            list(read_babybuddy_xlsx(hostile, EASTERN, "ml", NOW))


def test_a_workbook_date_at_the_end_of_the_calendar_is_unreadable_not_an_overflow():
    stream = workbook([[1, 1, "A", "B", datetime(9999, 12, 31, 23, 0), None, 9]])

    [row] = read_babybuddy_xlsx(stream, ZoneInfo("America/Los_Angeles"), "ml", NOW)

    assert isinstance(row, Unreadable) and "is not a date and time" in row.reason
