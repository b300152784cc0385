"""The milk stash over HTTP: add, replay, list in use-first order, move, use, discard, reminders, guideline."""

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from server.domain.units import ML_PER_US_FL_OZ
from server.models import MilkBatch, MilkBatchEvent, Reminder


def _ago(**delta) -> str:
    """An ISO time that long ago."""
    return (datetime.now(UTC).replace(microsecond=0) - timedelta(**delta)).isoformat()


def _add(client, auth, **overrides):
    """Add a container (120 mL in the fridge, expressed an hour ago) and return the response; None leaves out."""
    body = {"volume": 120, "location": "fridge", "expressed_at": _ago(hours=1), **overrides}
    body = {name: value for name, value in body.items() if value is not None}
    return client.post("/api/stash", json=body, headers=auth)


def _pending(db, batch_id) -> list[Reminder]:
    """The container's pending reminders."""
    db.expire_all()
    return list(db.scalars(select(Reminder).where(Reminder.dedupe_key == f"stash:{batch_id}",
                                                  Reminder.status == "pending")))


def test_add_a_container_in_oz_keeps_what_was_entered_and_shows_its_limit_and_source(client, auth):
    created = _add(client, auth, volume=4, unit="oz", label="Mon am", location="room", expressed_at=_ago(minutes=30))
    assert created.status_code == 201
    batch = created.json
    assert (batch["entered_volume"], batch["entered_unit"]) == (4, "oz")
    assert batch["volume_ml"] == pytest.approx(4 * ML_PER_US_FL_OZ)
    assert batch["status"] == "fresh" and not batch["expired"]
    assert batch["time_left"] in ("3 h 30 min left", "3 h 29 min left")
    assert batch["limit"]["limit"] == "4 h" and batch["limit"]["source"].startswith("CDC")
    assert client.get(f"/api/stash/{batch['id']}", headers=auth).json["id"] == batch["id"]


def test_replaying_an_add_stores_nothing_twice_and_another_body_is_409(client, auth, db):
    body = {"id": str(uuid.uuid4()), "volume": 90, "location": "freezer", "expressed_at": _ago(hours=2)}
    first = client.post("/api/stash", json=body, headers=auth)
    again = client.post("/api/stash", json=body, headers=auth)
    clash = client.post("/api/stash", json={**body, "volume": 91}, headers=auth)
    assert (first.status_code, again.status_code, clash.status_code) == (201, 200, 409)
    assert clash.json["error"]["code"] == "conflict"
    assert db.scalar(select(func.count()).select_from(MilkBatch)) == 1


def test_another_users_container_is_not_found(client, auth, make_user):
    batch_id = _add(client, auth).json["id"]
    _, other = make_user()
    for response in (
        client.get(f"/api/stash/{batch_id}", headers=other),
        client.post(f"/api/stash/{batch_id}/move", json={"location": "freezer"}, headers=other),
        client.post(f"/api/stash/{batch_id}/use", json={}, headers=other),
        client.post(f"/api/stash/{batch_id}/discard", json={}, headers=other),
    ):
        assert response.status_code == 404
        assert response.json["error"]["code"] == "not_found"


def test_moving_to_the_freezer_keeps_the_expression_time_and_thawed_milk_cannot_go_back(client, auth, db):
    created = _add(client, auth).json
    frozen = client.post(f"/api/stash/{created['id']}/move", json={"location": "freezer"}, headers=auth).json
    assert frozen["status"] == "frozen" and frozen["expressed_at"] == created["expressed_at"]
    assert frozen["first_frozen_at"] is not None
    thawed = client.post(f"/api/stash/{created['id']}/move", json={"location": "fridge"}, headers=auth).json
    assert thawed["status"] == "thawed" and thawed["time_left"] == "23 h 59 min left"
    refused = client.post(f"/api/stash/{created['id']}/move", json={"location": "freezer"}, headers=auth)
    assert refused.status_code == 409
    assert refused.json["error"]["message"].startswith("Thawed milk can never go back to the freezer")
    kinds = [e.kind for e in db.scalars(select(MilkBatchEvent).order_by(MilkBatchEvent.seq))]
    assert kinds == ["expressed", "moved", "moved"]


def test_a_replayed_action_counts_once(client, auth, db):
    batch_id = _add(client, auth, volume=100).json["id"]
    action = {"id": str(uuid.uuid4()), "volume": 30}
    first = client.post(f"/api/stash/{batch_id}/use", json=action, headers=auth)
    again = client.post(f"/api/stash/{batch_id}/use", json=action, headers=auth)
    clash = client.post(f"/api/stash/{batch_id}/use", json={**action, "volume": 31}, headers=auth)
    assert (first.status_code, again.status_code, clash.status_code) == (200, 200, 409)
    assert again.json["remaining_ml"] == 70


def test_partial_use_down_to_zero_and_used_containers_stay_in_the_history(client, auth):
    batch_id = _add(client, auth, volume=100).json["id"]
    for amount, left in ((40, 60), (60, 0)):
        used = client.post(f"/api/stash/{batch_id}/use", json={"volume": amount}, headers=auth).json
        assert used["remaining_ml"] == left
    assert used["status"] == "used"
    again = client.post(f"/api/stash/{batch_id}/use", json={"volume": 1}, headers=auth)
    assert again.status_code == 409
    assert client.get("/api/stash", headers=auth).json["items"] == []
    history = client.get("/api/stash?which=closed", headers=auth).json["items"]
    assert [b["id"] for b in history] == [batch_id]


def test_using_more_than_is_left_is_a_field_error(client, auth):
    batch_id = _add(client, auth, volume=100).json["id"]
    response = client.post(f"/api/stash/{batch_id}/use", json={"volume": 101}, headers=auth)
    assert response.status_code == 422 and "volume" in response.json["error"]["fields"]


def test_offering_a_bottle_starts_the_two_hour_leftover_clock(client, auth):
    batch_id = _add(client, auth, volume=100).json["id"]
    fed = client.post(f"/api/stash/{batch_id}/use", json={"volume": 70, "offered": True}, headers=auth).json
    assert fed["status"] == "leftover" and fed["remaining_ml"] == 30
    assert fed["time_left"] in ("2 h left", "1 h 59 min left")


def test_discard_keeps_the_reason_and_cancels_the_reminder(client, auth, db):
    batch_id = _add(client, auth, location="room", expressed_at=_ago(minutes=10)).json["id"]
    assert len(_pending(db, batch_id)) == 1
    gone = client.post(f"/api/stash/{batch_id}/discard", json={"reason": "left in the car"}, headers=auth).json
    assert gone["status"] == "discarded" and gone["discard_reason"] == "left in the car"
    assert _pending(db, batch_id) == []


def test_reminders_are_created_and_moved_with_the_container_and_cancelled_when_used(client, auth, db):
    batch_id = _add(client, auth, location="room", expressed_at=_ago(minutes=10)).json["id"]
    [room] = _pending(db, batch_id)
    assert room.payload["body"] == "Put it in the fridge or use it within the hour."
    room_id, room_due = room.id, room.due_at
    client.post(f"/api/stash/{batch_id}/move", json={"location": "fridge"}, headers=auth)
    [fridge] = _pending(db, batch_id)
    assert fridge.id == room_id and fridge.due_at > room_due + timedelta(days=2)
    assert fridge.payload["title"].endswith("expires tomorrow")
    client.post(f"/api/stash/{batch_id}/use", json={}, headers=auth)
    assert _pending(db, batch_id) == []


def test_the_list_is_in_use_first_order_with_totals_and_pages_by_cursor(client, auth):
    ids = {
        "freezer": _add(client, auth, location="freezer", volume=150).json["id"],
        "fridge": _add(client, auth, location="fridge", volume=100).json["id"],
        "room": _add(client, auth, location="room", volume=60, expressed_at=_ago(minutes=5)).json["id"],
        "expired": _add(client, auth, location="room", volume=10, expressed_at=_ago(hours=5)).json["id"],
    }
    page = client.get("/api/stash?limit=2", headers=auth).json
    rest = client.get(f"/api/stash?limit=2&cursor={page['next_cursor']}", headers=auth).json
    order = [b["id"] for b in page["items"] + rest["items"]]
    assert order == [ids["expired"], ids["room"], ids["fridge"], ids["freezer"]]
    assert page["items"][0]["expired"] and page["items"][0]["time_left"].startswith("expired 1 h")
    assert rest["next_cursor"] is None
    totals = page["totals"]
    assert totals["overall"] == {"containers": 3, "ml": 310}
    assert totals["freezer"]["ml"] == 150 and totals["room"]["ml"] == 60 and totals["expired"]["ml"] == 10
    assert "not medical advice" in page["not_medical_advice"]


def test_a_bad_cursor_is_a_field_error(client, auth):
    response = client.get("/api/stash?cursor=bm9wZQ", headers=auth)
    assert response.status_code == 422 and "cursor" in response.json["error"]["fields"]


def test_choosing_the_5_5_5_rule_moves_expiries_and_shows_the_cdc_limit_beside_a_longer_one(client, auth):
    batch_id = _add(client, auth).json["id"]
    assert client.get("/api/stash/guideline", headers=auth).json["guideline"] == "cdc"
    chosen = client.put("/api/stash/guideline", json={"guideline": "555"}, headers=auth).json
    fridge = next(row for row in chosen["limits"] if row["condition"] == "fridge")
    assert (fridge["limit"], fridge["cdc_limit"]) == ("5 days", "4 days")
    batch = client.get(f"/api/stash/{batch_id}", headers=auth).json
    assert batch["limit"]["limit"] == "5 days" and batch["limit"]["cdc_limit"] == "4 days"
    assert batch["time_left"].startswith("4 days 22 h")


def test_a_session_can_be_split_across_containers_but_never_beyond_its_volume(client, auth):
    start = _ago(hours=1)
    session = client.post("/api/sessions", json={"started_at": start, "duration_min": 15, "left_ml": 60,
                                                 "right_ml": 60}, headers=auth).json
    first = _add(client, auth, volume=70, session_id=session["id"], expressed_at=None)
    assert first.status_code == 201 and first.json["expressed_at"] == session["ended_at"]
    assert _add(client, auth, volume=50, session_id=session["id"]).status_code == 201
    too_much = _add(client, auth, volume=1, session_id=session["id"])
    assert too_much.status_code == 422 and "volume" in too_much.json["error"]["fields"]


def test_a_container_from_a_session_without_a_volume_holds_all_its_milk_not_yet_stashed(client, auth):
    session = client.post("/api/sessions", json={"started_at": _ago(hours=1), "duration_min": 15, "left_ml": 60,
                                                 "right_ml": 52.5}, headers=auth).json
    assert _add(client, auth, volume=30, session_id=session["id"]).status_code == 201
    rest = _add(client, auth, volume=None, expressed_at=None, session_id=session["id"])
    assert rest.status_code == 201, rest.json
    assert rest.json["volume_ml"] == pytest.approx(82.5) and rest.json["expressed_at"] == session["ended_at"]
    nothing_left = _add(client, auth, volume=None, session_id=session["id"])
    assert nothing_left.status_code == 422 and "volume" in nothing_left.json["error"]["fields"]
    no_volume = _add(client, auth, volume=None)
    assert no_volume.status_code == 422 and "volume" in no_volume.json["error"]["fields"]


@pytest.mark.parametrize("body", [
    {"volume": 0, "location": "fridge", "expressed_at": "2026-01-01T00:00:00Z"},
    {"volume": 50, "location": "shelf", "expressed_at": "2026-01-01T00:00:00Z"},
    {"volume": 50, "location": "fridge", "expressed_at": "2026-01-01T00:00:00"},
    {"volume": 50, "location": "fridge"},
    {"volume": 50, "location": "fridge", "expressed_at": "2099-01-01T00:00:00Z"},
    {"volume": "50", "location": "fridge", "expressed_at": "2026-01-01T00:00:00Z", "unit": "cups"},
])
def test_invalid_containers_are_refused_with_the_one_error_shape(client, auth, body):
    response = client.post("/api/stash", json=body, headers=auth)
    assert response.status_code == 422
    assert set(response.json["error"]) == {"code", "message", "fields"}


def test_the_stash_export_names_units_in_headers_and_neutralises_typed_text(client, make_user):
    _, auth = make_user(unit="oz", time_zone="America/New_York")
    _add(client, auth, volume=4, unit="oz", label="=HYPERLINK(1)")
    used = _add(client, auth, volume=2, unit="oz", label="+1").json["id"]
    client.post(f"/api/stash/{used}/discard", json={"reason": "-spilled"}, headers=auth)
    response = client.get("/api/export/stash.csv", headers=auth)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert {"volume_ml", "remaining_ml", "volume_oz", "remaining_oz", "limit_source"} <= set(rows[0])
    assert {row["label"] for row in rows} == {"'=HYPERLINK(1)", "'+1"}
    discarded = next(row for row in rows if row["status"] == "discarded")
    assert discarded["discard_reason"] == "'-spilled" and discarded["volume_oz"] == "2"
    assert discarded["expressed_utc_offset"] == "UTC-05:00"


def test_the_share_page_shows_the_stash_only_when_the_parent_ticked_include_my_stash(client, auth):
    _add(client, auth, label="Freezer bag 3", location="freezer")
    without = client.post("/api/shares", json={"label": "IBCLC"}, headers=auth).json
    with_stash = client.post("/api/shares", json={"label": "IBCLC", "include_stash": True}, headers=auth).json
    assert (without["include_stash"], with_stash["include_stash"]) == (False, True)
    hidden = client.get(f"/share/{without['token']}").get_data(as_text=True)
    shown = client.get(f"/share/{with_stash['token']}").get_data(as_text=True)
    assert "Freezer bag 3" not in hidden and "stash" not in hidden.lower()
    assert "Freezer bag 3" in shown and "Milk stash" in shown and "CDC" in shown


def test_switching_to_a_shorter_guideline_keeps_the_history_and_flags_what_is_now_expired(client, auth):
    client.put("/api/stash/guideline", json={"guideline": "555"}, headers=auth)
    batch_id = _add(client, auth, volume=100, expressed_at=_ago(days=4, hours=12)).json["id"]
    used = client.post(f"/api/stash/{batch_id}/use", json={"volume": 30}, headers=auth).json
    assert used["status"] == "fresh" and used["limit"]["cdc_limit"] == "4 days"
    client.put("/api/stash/guideline", json={"guideline": "cdc"}, headers=auth)
    batch = client.get(f"/api/stash/{batch_id}", headers=auth).json
    assert batch["status"] == "expired" and batch["remaining_ml"] == 70
    assert batch["time_left"].startswith("expired 12 h")
