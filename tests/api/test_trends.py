"""Trends through the API: the summary's days in the user's zone and unit, a birth date she may set, clear,
export and import, and clear 422s for what it refuses."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # 10:00 in New York, three weeks after its clocks went back


@pytest.fixture
def fixed_clock(app):
    """The app's clock stopped at NOW."""
    app.config["CLOCK"] = lambda: NOW


def _log(client, headers, start: datetime, left=60, right=40, minutes=20):
    """Log a session."""
    body = {"started_at": start.isoformat(), "duration_min": minutes, "left_ml": left, "right_ml": right}
    assert client.post("/api/sessions", json=body, headers=headers).status_code == 201


def test_trends_count_the_days_exactly_as_the_summary_in_her_zone_and_unit(client, make_user, fixed_clock):
    _, headers = make_user(time_zone="America/New_York", unit="oz")
    for days_ago in range(30, 0, -1):
        for n in range(6 if days_ago > 7 else 8):
            _log(client, headers, NOW - timedelta(days=days_ago, minutes=30 * n))
    trends = client.get("/api/trends", headers=headers)
    assert trends.status_code == 200, trends.json
    trends = trends.json
    assert (trends["weeks"], trends["unit"], trends["time_zone"]) == (4, "oz", "America/New_York")
    assert (trends["first"], trends["last"]) == ("2026-10-24", "2026-11-20")
    summary = client.get(f"/api/summary/daily?from={trends['first']}&to={trends['last']}", headers=headers).json
    assert [(d["date"], d["sessions"], d["total_ml"], d["hours"]) for d in trends["days"]] == [
        (d["date"], d["sessions"], d["total_ml"], d["hours"]) for d in summary["days"]]
    clocks_back = next(d for d in trends["days"] if d["date"] == "2026-11-01")
    assert clocks_back["hours"] == 25
    assert clocks_back["sessions_per_24h"] == pytest.approx(clocks_back["sessions"] * 24 / 25)
    assert trends["days"][-1]["complete"] is False and trends["days"][-1]["rolling_mean_ml"] is None
    [total] = [s for s in trends["statements"] if s["kind"] == "total"]
    assert total["change_pct"] == 33 and "oz" in total["text"] and "33% higher" in total["text"]
    assert "not medical advice" in trends["not_advice"]
    assert {r["source"] for r in trends["references"]} >= {"ameda.com", "Mago-Shah et al., J Perinatol 2023;43:629"}


def test_another_parent_s_sessions_never_reach_her_trends(client, make_user, fixed_clock):
    _, mine = make_user()
    _, theirs = make_user()
    _log(client, theirs, NOW - timedelta(days=2))
    trends = client.get("/api/trends?weeks=12", headers=mine).json
    assert len(trends["days"]) == 84
    assert sum(d["sessions"] for d in trends["days"]) == 0 and trends["logging_since"] is None
    assert [s["kind"] for s in trends["statements"]] == ["nothing-logged"]


@pytest.mark.parametrize("query", ["weeks=5", "weeks=0", "weeks=abc", "weeks=99999999999999999999", "weeks=-4"])
def test_weeks_other_than_4_8_or_12_answer_422_with_the_field(client, auth, query):
    response = client.get(f"/api/trends?{query}", headers=auth)
    assert response.status_code == 422
    assert "weeks" in response.json["error"]["fields"]


def test_trends_need_a_signed_in_parent(client):
    assert client.get("/api/trends").status_code == 401


def test_a_birth_date_gives_days_of_life_and_markers_and_can_be_cleared(client, auth, fixed_clock):
    changed = client.patch("/api/me", json={"birth_date": "2026-11-01"}, headers=auth)
    assert changed.status_code == 200 and changed.json["birth_date"] == "2026-11-01"
    assert client.get("/api/me", headers=auth).json["birth_date"] == "2026-11-01"
    trends = client.get("/api/trends", headers=auth).json
    assert trends["birth_date"] == "2026-11-01"
    days = {d["date"]: d["day_of_life"] for d in trends["days"]}
    assert (days["2026-10-31"], days["2026-11-01"], days["2026-11-20"]) == (None, 0, 19)
    assert trends["markers"] == [{"day_of_life": 7, "date": "2026-11-08"}, {"day_of_life": 14, "date": "2026-11-15"}]
    assert client.patch("/api/me", json={"birth_date": None}, headers=auth).json["birth_date"] is None
    assert client.get("/api/trends", headers=auth).json["markers"] == []


@pytest.mark.parametrize("value", ["2026-11-21", "2026-13-01", "yesterday", 20261101, "0001-01-01"])
def test_a_birth_date_after_today_or_not_a_date_answers_422_and_changes_nothing(client, auth, fixed_clock, value):
    assert client.patch("/api/me", json={"birth_date": "2026-11-02"}, headers=auth).status_code == 200
    response = client.patch("/api/me", json={"birth_date": value}, headers=auth)
    assert response.status_code == 422
    assert "birth_date" in response.json["error"]["fields"]
    assert client.get("/api/me", headers=auth).json["birth_date"] == "2026-11-02"


def test_today_is_her_local_today_so_a_birth_date_of_her_today_is_taken(client, make_user, fixed_clock):
    _, headers = make_user(time_zone="Pacific/Kiritimati")  # UTC+14: already 21 November there
    assert client.patch("/api/me", json={"birth_date": "2026-11-21"}, headers=headers).status_code == 200
    assert client.get("/api/trends", headers=headers).json["last"] == "2026-11-21"


def test_the_birth_date_leaves_in_the_export_and_comes_back_with_an_import(client, make_user):
    _, old = make_user()
    client.patch("/api/me", json={"birth_date": "2026-10-30"}, headers=old)
    document = json.loads(client.get("/api/account/export", headers=old).get_data(as_text=True))
    assert document["account"]["birth_date"] == "2026-10-30"
    _, new = make_user()
    answer = client.post("/api/account/imports?source=pumpwell&zone=UTC", data=json.dumps(document), headers=new)
    assert answer.status_code == 201, answer.json
    assert client.get("/api/me", headers=new).json["birth_date"] == "2026-10-30"
    # A file written before the format had a birth date leaves hers as it is.
    del document["account"]["birth_date"]
    client.post("/api/account/imports?source=pumpwell&zone=UTC", data=json.dumps(document), headers=new)
    assert client.get("/api/me", headers=new).json["birth_date"] == "2026-10-30"
    assert date.fromisoformat(client.get("/api/me", headers=new).json["birth_date"]) == date(2026, 10, 30)
