"""Logging, replaying, listing, editing and deleting pumping sessions."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from server.models import PumpSession


def _body(**overrides) -> dict:
    """A valid session an hour ago, overridable field by field."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    body = {"started_at": start.isoformat(), "duration_min": 15, "left_ml": 60, "right_ml": 55.5, "mode": "double"}
    return {**body, **overrides}


def _count(db) -> int:
    """How many sessions are stored."""
    return db.scalar(select(func.count()).select_from(PumpSession))


def test_log_a_session_with_duration_and_read_it_back(client, auth):
    body = _body(pump="Spectra S1", flange_mm=24, pain=2, notes="ok")
    created = client.post("/api/sessions", json=body, headers=auth)
    assert created.status_code == 201
    session = created.json
    assert session["duration_min"] == 15
    assert session["total_ml"] == 115.5
    assert session["started_at"].endswith("+00:00")
    assert client.get(f"/api/sessions/{session['id']}", headers=auth).json == session


def test_log_with_end_time_and_a_single_side(client, auth):
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    body = {
        "started_at": "2026-01-05T10:00:00+01:00", "ended_at": "2026-01-05T10:20:00+01:00",
        "left_ml": 80, "mode": "left",
    }
    session = client.post("/api/sessions", json=body, headers=auth).json
    assert session["started_at"] == start.isoformat()
    assert session["right_ml"] is None and session["total_ml"] == 80
    assert session["duration_min"] == 20


def test_replaying_the_same_id_and_body_stores_nothing_new(client, auth, db):
    body = _body(id=str(uuid.uuid4()))
    first = client.post("/api/sessions", json=body, headers=auth)
    again = client.post("/api/sessions", json=body, headers=auth)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json
    assert _count(db) == 1


def test_the_same_id_with_a_different_body_answers_409(client, auth, db):
    session_id = str(uuid.uuid4())
    client.post("/api/sessions", json=_body(id=session_id), headers=auth)
    clash = client.post("/api/sessions", json=_body(id=session_id, left_ml=1), headers=auth)
    assert clash.status_code == 409
    assert clash.json["error"]["code"] == "conflict"
    assert client.get(f"/api/sessions/{session_id}", headers=auth).json["left_ml"] == 60
    assert _count(db) == 1


@pytest.mark.parametrize("overrides, field", [
    ({"left_ml": -1}, "left_ml"),
    ({"right_ml": 1000.5}, "right_ml"),
    ({"duration_min": 0.5}, "duration_min"),
    ({"duration_min": 241}, "duration_min"),
    ({"pain": 11}, "pain"),
    ({"notes": "x" * 2001}, "notes"),
    ({"mode": "triple"}, "mode"),
    ({"started_at": "2026-01-05T10:00:00"}, "started_at"),
    ({"started_at": "yesterday"}, "started_at"),
    ({"id": "not-a-uuid"}, "id"),
])
def test_out_of_range_values_answer_422_naming_the_field(client, auth, db, overrides, field):
    response = client.post("/api/sessions", json=_body(**overrides), headers=auth)
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert _count(db) == 0


def test_end_must_follow_start_and_length_must_be_1_min_to_4_h(client, auth, db):
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    too_long = start + timedelta(hours=4, minutes=1)
    for end in (start, start - timedelta(minutes=5), start + timedelta(seconds=30), too_long):
        body = {"started_at": start.isoformat(), "ended_at": end.isoformat()}
        response = client.post("/api/sessions", json=body, headers=auth)
        assert response.status_code == 422
        assert "ended_at" in response.json["error"]["fields"]
    both = client.post("/api/sessions", json=_body(ended_at=start.isoformat()), headers=auth)
    assert both.status_code == 422
    neither = {k: v for k, v in _body().items() if k != "duration_min"}
    assert client.post("/api/sessions", json=neither, headers=auth).status_code == 422
    assert _count(db) == 0


def test_start_may_be_at_most_5_minutes_in_the_future(client, auth):
    soon = datetime.now(UTC) + timedelta(minutes=4)
    later = datetime.now(UTC) + timedelta(minutes=6)
    assert client.post("/api/sessions", json=_body(started_at=soon.isoformat()), headers=auth).status_code == 201
    too_late = client.post("/api/sessions", json=_body(started_at=later.isoformat()), headers=auth)
    assert too_late.status_code == 422
    assert "started_at" in too_late.json["error"]["fields"]


def test_edit_moves_the_start_keeping_the_duration_and_checks_the_rules(client, auth):
    session = client.post("/api/sessions", json=_body(), headers=auth).json
    new_start = datetime.fromisoformat(session["started_at"]) - timedelta(hours=2)
    changes = {"started_at": new_start.isoformat(), "notes": "moved"}
    edited = client.patch(f"/api/sessions/{session['id']}", json=changes, headers=auth)
    assert edited.status_code == 200
    assert edited.json["duration_min"] == 15 and edited.json["notes"] == "moved"
    bad = client.patch(f"/api/sessions/{session['id']}", json={"duration_min": 500}, headers=auth)
    assert bad.status_code == 422
    assert client.get(f"/api/sessions/{session['id']}", headers=auth).json == edited.json


def test_delete_removes_the_session(client, auth):
    session = client.post("/api/sessions", json=_body(), headers=auth).json
    assert client.delete(f"/api/sessions/{session['id']}", headers=auth).status_code == 204
    assert client.get(f"/api/sessions/{session['id']}", headers=auth).status_code == 404


def test_another_users_session_answers_404_for_read_update_and_delete(client, make_user, db):
    _, alice = make_user()
    _, bob = make_user()
    session = client.post("/api/sessions", json=_body(), headers=alice).json
    url = f"/api/sessions/{session['id']}"
    for response in (client.get(url, headers=bob), client.patch(url, json={"notes": "mine"}, headers=bob),
                     client.delete(url, headers=bob)):
        assert response.status_code == 404
        assert response.json["error"]["code"] == "not_found"
    assert client.get(url, headers=alice).json == session
    assert client.get("/api/sessions", headers=bob).json["items"] == []
    # Alice's id used by Bob for a new session is refused, not merged.
    assert client.post("/api/sessions", json=_body(id=session["id"]), headers=bob).status_code == 409


def test_list_is_newest_first_with_a_time_range_and_keyset_pages(client, auth):
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for hour in range(12):
        client.post("/api/sessions", json=_body(started_at=(base + timedelta(hours=hour)).isoformat()), headers=auth)
    seen, cursor = [], None
    while True:
        window = {"from": (base + timedelta(hours=2)).isoformat(), "to": (base + timedelta(hours=10)).isoformat()}
        params = {"limit": 5, **window}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/sessions", query_string=params, headers=auth).json
        seen += [item["started_at"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    expected = [(base + timedelta(hours=h)).isoformat() for h in range(9, 1, -1)]
    assert seen == expected


def test_bad_list_parameters_answer_422(client, auth):
    for params in ({"limit": 0}, {"limit": 201}, {"cursor": "garbage!"}, {"from": "2026-01-01T00:00:00"}):
        response = client.get("/api/sessions", query_string=params, headers=auth)
        assert response.status_code == 422, params
        assert response.json["error"]["fields"]
