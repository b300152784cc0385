"""CSV downloads, parsed back with the csv module as a spreadsheet would read them."""

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

from server.models import Plan, PlanSlot, PumpSession

BOM = "\ufeff"
NEW_YORK = "America/New_York"


def log(client, headers, start: datetime, minutes: float = 15, **fields) -> str:
    """Log a session starting at an aware time and return its id."""
    body = {"started_at": start.isoformat(), "duration_min": minutes, "left_ml": 50, "right_ml": 50, **fields}
    response = client.post("/api/sessions", json=body, headers=headers)
    assert response.status_code == 201, response.json
    return response.json["id"]


def read_csv(response) -> list[dict[str, str]]:
    """Check the download's framing and parse its rows."""
    assert response.status_code == 200, response.data
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = response.data.decode("utf-8")
    # A streamed response keeps its request (and database transaction) open until closed, as a server would.
    response.close()
    assert text.startswith(BOM)
    assert text.endswith("\r\n")
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM), newline="")))


def test_sessions_csv_across_spring_forward_writes_every_column(client, make_user):
    _, headers = make_user(time_zone=NEW_YORK)
    # New York springs forward at 2026-03-08 07:00 UTC (02:00 EST -> 03:00 EDT).
    log(client, headers, datetime(2026, 3, 8, 3, 0, tzinfo=UTC), 15)  # 22:00 on the 7th: outside the range
    log(client, headers, datetime(2026, 3, 8, 5, 30, tzinfo=UTC), 20, left_ml=60, right_ml=55.5,
        pump="Spectra S1", flange_mm=24, pain=2, notes="first")  # fmt: skip
    log(client, headers, datetime(2026, 3, 8, 6, 45, tzinfo=UTC), 30, right_ml=None, mode="left")
    response = client.get("/api/export/sessions.csv?from=2026-03-08&to=2026-03-08", headers=headers)
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="pumpwell-sessions_2026-03-08_2026-03-08.csv"'
    )
    first, across = read_csv(response)
    assert first == {
        "date_local": "2026-03-08", "start_local": "2026-03-08 00:30", "start_utc_offset": "UTC-05:00",
        "end_local": "2026-03-08 00:50", "end_utc_offset": "UTC-05:00", "duration_min": "20",
        "since_previous_end_min": "135", "left_ml": "60", "right_ml": "55.5", "total_ml": "115.5",
        "mode": "double", "pump": "Spectra S1", "flange_mm": "24", "pump_setting": "", "pain_0_to_10": "2",
        "notes": "first", "plan": "", "plan_slot": "", "logged_by": "",
    }  # fmt: skip
    assert across == {
        "date_local": "2026-03-08", "start_local": "2026-03-08 01:45", "start_utc_offset": "UTC-05:00",
        "end_local": "2026-03-08 03:15", "end_utc_offset": "UTC-04:00", "duration_min": "30",
        "since_previous_end_min": "55", "left_ml": "50", "right_ml": "", "total_ml": "50",
        "mode": "left", "pump": "", "flange_mm": "", "pump_setting": "", "pain_0_to_10": "", "notes": "", "plan": "",
        "plan_slot": "", "logged_by": "",
    }  # fmt: skip


def test_sessions_csv_range_is_local_days(client, make_user):
    _, headers = make_user(time_zone=NEW_YORK)
    log(client, headers, datetime(2026, 3, 8, 4, 59, tzinfo=UTC))  # 23:59 on the 7th in New York
    log(client, headers, datetime(2026, 3, 8, 5, 0, tzinfo=UTC))  # 00:00 on the 8th
    rows = read_csv(client.get("/api/export/sessions.csv?from=2026-03-08&to=2026-03-08", headers=headers))
    assert [row["start_local"] for row in rows] == ["2026-03-08 00:00"]


def test_sessions_csv_writes_every_column_for_an_oz_user(client, make_user, db):
    _, headers = make_user(time_zone=NEW_YORK, unit="oz")
    start = datetime(2026, 6, 1, 14, 0, tzinfo=UTC)
    log(client, headers, start - timedelta(hours=3), 15)
    session_id = log(client, headers, start, 17.5, left_ml=120, right_ml=None, mode="left", pump="Elvie",
                     flange_mm=21, pump_setting="=level 3", pain=0, notes="a, b")  # fmt: skip
    _attach_plan_slot(db, session_id)
    rows = read_csv(client.get("/api/export/sessions.csv?from=2026-06-01&to=2026-06-01", headers=headers))
    assert list(rows[0]) == [
        "date_local", "start_local", "start_utc_offset", "end_local", "end_utc_offset", "duration_min",
        "since_previous_end_min", "left_ml", "right_ml", "total_ml", "left_oz", "right_oz", "total_oz",
        "mode", "pump", "flange_mm", "pump_setting", "pain_0_to_10", "notes", "plan", "plan_slot", "logged_by",
    ]
    assert rows[1] == {
        "date_local": "2026-06-01", "start_local": "2026-06-01 10:00", "start_utc_offset": "UTC-04:00",
        "end_local": "2026-06-01 10:17", "end_utc_offset": "UTC-04:00", "duration_min": "17.5",
        "since_previous_end_min": "165", "left_ml": "120", "right_ml": "", "total_ml": "120",
        "left_oz": "4.06", "right_oz": "", "total_oz": "4.06", "mode": "left", "pump": "Elvie",
        "flange_mm": "21", "pump_setting": "'=level 3", "pain_0_to_10": "0", "notes": "a, b",
        "plan": "Power pumping hour", "plan_slot": "3", "logged_by": "",
    }


def _attach_plan_slot(db, session_id: str) -> None:
    """Store a plan whose third slot the session fulfilled."""
    session = db.get(PumpSession, uuid.UUID(session_id))
    start = session.started_at
    plan = Plan(user_id=session.user_id, template="power-hour", status="active", params={}, time_zone=NEW_YORK,
                starts_at=start, ends_at=start + timedelta(hours=1), created_at=start)  # fmt: skip
    plan.slots = [PlanSlot(index=2, starts_at=start, ends_at=start + timedelta(hours=1), phases=[])]
    db.add(plan)
    db.flush()
    session.plan_slot_id = plan.slots[0].id
    db.commit()


def test_notes_with_commas_quotes_and_line_breaks_come_back_whole(client, make_user):
    _, headers = make_user()
    notes = 'sore left, "clogged" duct?\nswitched to 21 mm\r\nbetter'
    log(client, headers, datetime(2026, 6, 1, 14, 0, tzinfo=UTC), notes=notes)
    [row] = read_csv(client.get("/api/export/sessions.csv?from=2026-06-01&to=2026-06-01", headers=headers))
    assert row["notes"] == notes
    assert row["plan_slot"] == ""


def test_formula_like_notes_and_pump_labels_are_written_as_text(client, make_user):
    _, headers = make_user()
    payloads = ['=HYPERLINK("http://evil.example","x")', "+SUM(1)", "-1+2", "@cmd", "\t=1", "\r=1"]
    for minute, payload in enumerate(payloads):
        log(client, headers, datetime(2026, 6, 1, 14, minute * 5, tzinfo=UTC), 2, notes=payload, pump=payload)
    rows = read_csv(client.get("/api/export/sessions.csv?from=2026-06-01&to=2026-06-01", headers=headers))
    assert [row["notes"] for row in rows] == ["'" + payload for payload in payloads]
    assert [row["pump"] for row in rows] == ["'" + payload for payload in payloads]


def test_daily_csv_has_goal_night_sessions_and_units(client, make_user):
    _, headers = make_user(time_zone=NEW_YORK, unit="oz")
    client.put("/api/goals", headers=headers, json={
        "daily_volume_ml": 600, "sessions_per_day": 4, "max_gap_day_min": 180, "max_gap_night_min": 300,
        "night_start": "22:00", "night_end": "06:00",
    })  # fmt: skip
    # 01:30 and 09:00 local on 2026-11-01 (fall back day, 25 hours).
    log(client, headers, datetime(2026, 11, 1, 5, 30, tzinfo=UTC), 20, left_ml=100, right_ml=80)
    log(client, headers, datetime(2026, 11, 1, 14, 0, tzinfo=UTC), 15, left_ml=120, right_ml=None)
    response = client.get("/api/export/daily.csv?from=2026-11-01&to=2026-11-02", headers=headers)
    assert 'filename="pumpwell-daily_2026-11-01_2026-11-02.csv"' in response.headers["Content-Disposition"]
    first, second = read_csv(response)
    assert first == {
        "date_local": "2026-11-01", "sessions": "2", "total_ml": "300", "left_ml": "220", "right_ml": "80",
        "total_oz": "10.14", "left_oz": "7.44", "right_oz": "2.71", "pumping_min": "35",
        "longest_gap_min": "490", "night_sessions_01_to_05": "1", "goal_volume_ml": "600",
        "goal_volume_oz": "20.29", "goal_sessions": "4", "volume_of_goal_pct": "50",
    }  # fmt: skip
    assert (second["sessions"], second["longest_gap_min"], second["total_ml"]) == ("0", "", "0")


def test_exports_default_to_the_last_30_days(client, auth):
    rows = read_csv(client.get("/api/export/daily.csv", headers=auth))
    assert len(rows) == 30
    assert rows[-1]["date_local"] == datetime.now(UTC).date().isoformat()


def test_exports_need_a_signed_in_user(client):
    for path in ("/api/export/sessions.csv", "/api/export/daily.csv"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.json["error"]["code"] == "unauthorized"


def test_bad_ranges_answer_422_in_the_error_shape(client, auth):
    backwards = client.get("/api/export/sessions.csv?from=2026-06-02&to=2026-06-01", headers=auth)
    assert backwards.status_code == 422 and backwards.json["error"]["code"] == "validation_error"
    not_a_date = client.get("/api/export/daily.csv?from=June", headers=auth)
    assert not_a_date.status_code == 422 and "from" in not_a_date.json["error"]["fields"]
    too_long = client.get("/api/export/daily.csv?from=2024-01-01&to=2026-01-01", headers=auth)
    assert too_long.status_code == 422
    for kind in ("sessions", "daily"):
        at_the_calendars_end = client.get(f"/api/export/{kind}.csv?from=9999-12-30&to=9999-12-31", headers=auth)
        assert at_the_calendars_end.status_code == 422, kind
        before_anything = client.get(f"/api/export/{kind}.csv?from=0001-01-01&to=0001-01-02", headers=auth)
        assert before_anything.status_code == 422, kind


def test_export_shows_only_the_users_own_sessions(client, make_user):
    _, mine = make_user()
    _, theirs = make_user()
    log(client, theirs, datetime(2026, 6, 1, 14, 0, tzinfo=UTC), notes="not yours")
    assert read_csv(client.get("/api/export/sessions.csv?from=2026-06-01&to=2026-06-01", headers=mine)) == []


def test_a_day_reads_the_same_alone_and_in_a_wider_range_in_summary_and_both_csvs(client, make_user):
    _, headers = make_user(time_zone="Asia/Kolkata")
    ist = "+05:30"
    log(client, headers, datetime.fromisoformat(f"2026-07-09T23:00:00{ist}"), 50)
    log(client, headers, datetime.fromisoformat(f"2026-07-09T23:10:00{ist}"), 10)
    log(client, headers, datetime.fromisoformat(f"2026-07-10T00:30:00{ist}"), 15)

    def summary(first, last):
        query = {"from": first, "to": last}
        return client.get("/api/summary/daily", query_string=query, headers=headers).json["days"]

    assert summary("2026-07-09", "2026-07-10")[1]["longest_gap_min"] == 40
    assert summary("2026-07-10", "2026-07-10")[0]["longest_gap_min"] == 40
    for first in ("2026-07-09", "2026-07-10"):
        daily = read_csv(client.get(f"/api/export/daily.csv?from={first}&to=2026-07-10", headers=headers))
        assert daily[-1]["longest_gap_min"] == "40"
        rows = read_csv(client.get(f"/api/export/sessions.csv?from={first}&to=2026-07-10", headers=headers))
        assert rows[-1]["since_previous_end_min"] == "40"


def test_quarter_ounces_read_back_as_entered_in_the_csv(client, make_user):
    _, headers = make_user(unit="oz")
    ml = round(1.25 * 29.5735295625, 2)
    log(client, headers, datetime(2026, 7, 10, 12, tzinfo=UTC), left_ml=ml, right_ml=None)
    [row] = read_csv(client.get("/api/export/sessions.csv?from=2026-07-10&to=2026-07-10", headers=headers))
    assert row["left_oz"] == "1.25"
