"""Goals and daily summaries in the user's time zone, across daylight-saving changes."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

DEFAULTS = {
    "daily_volume_ml": 750.0, "sessions_per_day": 8, "max_gap_day_min": 180, "max_gap_night_min": 300,
    "night_start": "22:00", "night_end": "06:00",
}


def test_goals_default_to_domain_figures_and_can_be_set(client, auth):
    assert client.get("/api/goals", headers=auth).json == DEFAULTS
    mine = {**DEFAULTS, "daily_volume_ml": 600.0, "sessions_per_day": 10, "night_start": "23:00"}
    assert client.put("/api/goals", json=mine, headers=auth).json == mine
    assert client.get("/api/goals", headers=auth).json == mine


def test_goals_out_of_range_answer_422_and_change_nothing(client, auth):
    bad = {**DEFAULTS, "sessions_per_day": 0, "night_end": "6pm"}
    response = client.put("/api/goals", json=bad, headers=auth)
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"sessions_per_day", "night_end"}
    assert client.get("/api/goals", headers=auth).json == DEFAULTS


def _log(client, headers, start_utc: datetime, minutes=15, left=50, right=50):
    """Log a session starting at a UTC time."""
    body = {"started_at": start_utc.isoformat(), "duration_min": minutes, "left_ml": left, "right_ml": right}
    response = client.post("/api/sessions", json=body, headers=headers)
    assert response.status_code == 201, response.json


@pytest.mark.parametrize("zone, day, hours, transition_utc", [
    ("America/New_York", "2026-03-08", 23, datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),
    ("America/New_York", "2026-11-01", 25, datetime(2026, 11, 1, 6, 0, tzinfo=UTC)),
    ("Europe/Berlin", "2026-03-29", 23, datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
    ("Europe/Berlin", "2026-10-25", 25, datetime(2026, 10, 25, 1, 0, tzinfo=UTC)),
])
def test_dst_days_are_counted_with_their_real_length(client, make_user, zone, day, hours, transition_utc):
    _, headers = make_user(time_zone=zone)
    # Sessions every 2 h of elapsed time through the whole local day, crossing the change.
    local_midnight = datetime.fromisoformat(day).replace(tzinfo=ZoneInfo(zone))
    start = local_midnight.astimezone(UTC) + timedelta(minutes=30)
    count = 0
    while start < local_midnight.astimezone(UTC) + timedelta(hours=hours):
        _log(client, headers, start)
        start += timedelta(hours=2)
        count += 1
    # One session just after the local day ends belongs to the next day.
    _log(client, headers, local_midnight.astimezone(UTC) + timedelta(hours=hours, minutes=1))
    next_day = (datetime.fromisoformat(day) + timedelta(days=1)).date().isoformat()
    body = client.get("/api/summary/daily", query_string={"from": day, "to": next_day}, headers=headers).json
    first, second = body["days"]
    assert body["time_zone"] == zone
    assert first["date"] == day and first["hours"] == hours
    assert first["sessions"] == count == (hours + 1) // 2
    assert first["total_ml"] == 100 * count
    assert first["pumping_min"] == 15 * count
    assert first["longest_gap_min"] == 105
    assert second["sessions"] == 1


def test_summary_counts_night_sessions_gaps_and_progress_in_local_time(client, make_user):
    _, headers = make_user(time_zone="Europe/Berlin")
    # 01:30 and 04:59 Berlin (winter, UTC+1) are night sessions; 05:00 is not.
    for hh, mm in ((0, 30), (3, 59), (4, 0), (10, 0)):
        _log(client, headers, datetime(2026, 1, 15, hh, mm, tzinfo=UTC), minutes=20, left=100, right=None)
    query = {"from": "2026-01-15", "to": "2026-01-15"}
    day = client.get("/api/summary/daily", query_string=query, headers=headers).json["days"][0]
    assert day["sessions"] == 4
    assert day["night_sessions"] == 2
    assert (day["left_ml"], day["right_ml"], day["total_ml"]) == (400, 0, 400)
    assert day["longest_gap_min"] == 360 - 20
    assert day["volume_progress"] == round(400 / 750, 3)
    assert day["sessions_progress"] == 0.5


@pytest.mark.parametrize("params", [
    {"from": "2026-01-10", "to": "2026-01-01"},
    {"from": "2025-01-01", "to": "2026-06-01"},
    {"from": "2026-02-30", "to": "2026-03-01"},
    {"to": "2026-03-01"},
])
def test_bad_summary_ranges_answer_422(client, auth, params):
    response = client.get("/api/summary/daily", query_string=params, headers=auth)
    assert response.status_code == 422
    assert response.json["error"]["fields"]
