"""CSV export rows, parsed back with the csv module as a spreadsheet would read them."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from server.domain.export import (
    BOM,
    SessionRecord,
    csv_chunks,
    daily_header,
    daily_rows,
    export_filename,
    neutralise,
    session_header,
    session_rows,
)
from server.domain.summary import DaySummary, GoalFacts

NEW_YORK = ZoneInfo("America/New_York")


def utc(*parts: int) -> datetime:
    """Build an aware UTC datetime."""
    return datetime(*parts, tzinfo=UTC)


def parse(chunks) -> list[dict[str, str]]:
    """Join streamed chunks and read them back as a spreadsheet would."""
    text = "".join(chunks)
    assert text.startswith(BOM)
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM), newline="")))


def export_sessions(sessions, unit="ml", previous=None) -> list[dict[str, str]]:
    """Export sessions for a New York user and parse the file back."""
    return parse(csv_chunks(session_header(unit), session_rows(sessions, NEW_YORK, unit, previous)))


def test_sessions_across_spring_forward_keep_elapsed_minutes_and_offsets():
    # 2026-03-08 02:00 EST jumps to 03:00 EDT in New York.
    first = SessionRecord(utc(2026, 3, 8, 5, 30), utc(2026, 3, 8, 5, 50), 60.0, 55.5, "double")
    across = SessionRecord(utc(2026, 3, 8, 6, 45), utc(2026, 3, 8, 7, 15), 40.0, 42.0, "double")
    rows = export_sessions([first, across])

    assert rows[0] == {
        "date_local": "2026-03-08", "start_local": "2026-03-08 00:30", "start_utc_offset": "UTC-05:00",
        "end_local": "2026-03-08 00:50", "end_utc_offset": "UTC-05:00", "duration_min": "20",
        "since_previous_end_min": "", "left_ml": "60", "right_ml": "55.5", "total_ml": "115.5",
        "mode": "double", "pump": "", "flange_mm": "", "pump_setting": "", "pain_0_to_10": "", "notes": "",
        "plan": "", "plan_slot": "", "logged_by": "",
    }  # fmt: skip
    assert rows[1]["start_local"] == "2026-03-08 01:45"
    assert rows[1]["start_utc_offset"] == "UTC-05:00"
    assert rows[1]["end_local"] == "2026-03-08 03:15"
    assert rows[1]["end_utc_offset"] == "UTC-04:00"
    assert rows[1]["duration_min"] == "30"  # elapsed time, not wall-clock difference (90)
    assert rows[1]["since_previous_end_min"] == "55"


def test_sessions_across_fall_back_tell_the_repeated_hour_apart_by_offset():
    # 2026-11-01 01:00-02:00 happens twice in New York.
    early = SessionRecord(utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 5, 45), 50.0, 50.0, "double")
    late = SessionRecord(utc(2026, 11, 1, 6, 30), utc(2026, 11, 1, 6, 45), 50.0, 50.0, "double")
    rows = export_sessions([early, late])
    assert [(r["start_local"], r["start_utc_offset"]) for r in rows] == [
        ("2026-11-01 01:30", "UTC-04:00"),
        ("2026-11-01 01:30", "UTC-05:00"),
    ]
    assert rows[1]["since_previous_end_min"] == "45"


def test_oz_user_gets_oz_columns_beside_ml():
    session = SessionRecord(utc(2026, 1, 5, 14), utc(2026, 1, 5, 14, 15), 120.0, 29.5735295625, "double")
    [row] = export_sessions([session], unit="oz")
    assert session_header("oz")[7:13] == ["left_ml", "right_ml", "total_ml", "left_oz", "right_oz", "total_oz"]
    assert (row["left_ml"], row["right_ml"], row["total_ml"]) == ("120", "29.6", "149.6")
    assert (row["left_oz"], row["right_oz"], row["total_oz"]) == ("4.06", "1", "5.06")


def test_ml_user_gets_no_oz_columns():
    assert not any(name.endswith("_oz") for name in session_header("ml"))
    assert not any(name.endswith("_oz") for name in daily_header("ml"))


def test_session_without_right_volume_leaves_the_cell_empty_and_totals_the_left():
    session = SessionRecord(utc(2026, 1, 5, 14), utc(2026, 1, 5, 14, 12), 80.0, None, "left")
    [row] = export_sessions([session], unit="oz")
    assert (row["left_ml"], row["right_ml"], row["total_ml"]) == ("80", "", "80")
    assert (row["left_oz"], row["right_oz"], row["total_oz"]) == ("2.71", "", "2.71")
    assert row["mode"] == "left"


def test_session_without_any_volume_leaves_the_volume_cells_empty():
    session = SessionRecord(utc(2026, 1, 5, 14), utc(2026, 1, 5, 14, 20), None, None, "hand")
    [row] = export_sessions([session])
    assert (row["left_ml"], row["right_ml"], row["total_ml"]) == ("", "", "")


def test_overlapping_sessions_show_no_negative_gap():
    first = SessionRecord(utc(2026, 1, 5, 14), utc(2026, 1, 5, 14, 30), 10.0, None, "left")
    second = SessionRecord(utc(2026, 1, 5, 14, 10), utc(2026, 1, 5, 14, 20), None, 10.0, "right")
    third = SessionRecord(utc(2026, 1, 5, 15), utc(2026, 1, 5, 15, 20), 10.0, 10.0, "double")
    rows = export_sessions([first, second, third])
    assert [row["since_previous_end_min"] for row in rows] == ["", "0", "30"]


def test_every_other_session_column_is_written():
    session = SessionRecord(
        utc(2026, 1, 5, 14), utc(2026, 1, 5, 14, 17, 30), 70.26, 65.0, "double",
        pump="Spectra S1", flange_mm=24.0, pain=3, notes="ok", plan_name="Power hour", plan_slot=2,
    )  # fmt: skip
    [row] = export_sessions([session], previous=utc(2026, 1, 5, 11, 30))
    assert row["duration_min"] == "17.5"
    assert row["since_previous_end_min"] == "150"  # from the end of the session before the range
    assert row["left_ml"] == "70.3"
    assert (row["pump"], row["flange_mm"], row["pain_0_to_10"]) == ("Spectra S1", "24", "3")
    assert (row["notes"], row["plan"], row["plan_slot"]) == ("ok", "Power hour", "2")


def test_notes_with_commas_quotes_and_line_breaks_survive_the_round_trip():
    notes = 'left sore, "clogged"?\nswitched flange\r\nbetter; 5/10'
    session = SessionRecord(utc(2026, 1, 5, 14), utc(2026, 1, 5, 14, 15), 1.0, 1.0, "double", notes=notes)
    [row] = export_sessions([session])
    assert row["notes"] == notes
    assert row["plan_slot"] == ""  # the line breaks did not shift later columns


def test_formula_like_notes_and_labels_are_written_as_text():
    triggers = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
    sessions = [
        SessionRecord(utc(2026, 1, 5, i), utc(2026, 1, 5, i, 15), 10.0, 10.0, "double", pump=t, notes=t, plan_name=t)
        for i, t in enumerate(triggers)
    ]
    rows = export_sessions(sessions)
    for row, trigger in zip(rows, triggers, strict=True):
        assert row["notes"] == "'" + trigger
        assert row["pump"] == "'" + trigger
        assert row["plan"] == "'" + trigger


def test_numbers_we_write_are_not_neutralised():
    session = SessionRecord(utc(2026, 1, 5, 14), utc(2026, 1, 5, 14, 15), 100.0, 0.0, "double", pain=0)
    [row] = export_sessions([session], previous=utc(2026, 1, 5, 14, 5))
    assert row["right_ml"] == "0"
    assert row["since_previous_end_min"] == "0"
    assert not any(value.startswith("'") for value in row.values())


def test_neutralise_leaves_ordinary_text_alone():
    assert neutralise("pumped 2 = fine") == "pumped 2 = fine"
    assert neutralise(None) == ""
    assert neutralise("=1") == "'=1"


def test_file_is_crlf_terminated_with_a_bom():
    session = SessionRecord(utc(2026, 1, 5, 14), utc(2026, 1, 5, 14, 15), 1.0, 1.0, "double", notes="a\nb")
    text = "".join(csv_chunks(session_header("ml"), session_rows([session], NEW_YORK, "ml")))
    assert text.startswith(BOM + "date_local,")
    assert text.endswith("\r\n")
    assert text.count("\r\n") == 2  # header and one record; the note's "\n" stays inside quotes


def test_chunks_stream_without_reading_all_rows_first():
    def endless():
        """Yield sessions forever, like a cursor over a huge table."""
        start = utc(2026, 1, 1)
        while True:
            start += timedelta(hours=3)
            yield SessionRecord(start, start + timedelta(minutes=15), 1.0, 1.0, "double")

    chunks = csv_chunks(session_header("ml"), session_rows(endless(), NEW_YORK, "ml"))
    next(chunks)  # header
    body = next(chunks)
    assert body.count("\r\n") == 200


def test_daily_rows_carry_goal_and_units():
    days = [
        DaySummary(date(2026, 3, 8), 23, 8, 380.0, 370.0, 120.0, 210.0, 2),
        DaySummary(date(2026, 3, 9), 24),
    ]
    rows = parse(csv_chunks(daily_header("oz"), daily_rows(days, GoalFacts(750.0, 8), "oz")))
    assert rows[0] == {
        "date_local": "2026-03-08", "sessions": "8", "total_ml": "750", "left_ml": "380", "right_ml": "370",
        "total_oz": "25.36", "left_oz": "12.85", "right_oz": "12.51", "pumping_min": "120",
        "longest_gap_min": "210", "night_sessions_01_to_05": "2", "goal_volume_ml": "750",
        "goal_volume_oz": "25.36", "goal_sessions": "8", "volume_of_goal_pct": "100",
    }  # fmt: skip
    assert rows[1]["longest_gap_min"] == ""
    assert rows[1]["volume_of_goal_pct"] == "0"


def test_daily_rows_without_goal_leave_goal_cells_empty():
    days = [DaySummary(date(2026, 3, 8), 24, 1, 50.0, 50.0, 15.0)]
    [row] = parse(csv_chunks(daily_header("ml"), daily_rows(days, GoalFacts(0.0, 0), "ml")))
    assert (row["goal_volume_ml"], row["goal_sessions"], row["volume_of_goal_pct"]) == ("0", "0", "")


def test_file_name_carries_the_date_range():
    name = export_filename("sessions", date(2026, 1, 1), date(2026, 1, 31))
    assert name == "pumpwell-sessions_2026-01-01_2026-01-31.csv"
