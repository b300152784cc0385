"""The push API: the VAPID key, saving and removing subscriptions, and the test notification."""

from server.models import PushSubscription
from server.push import b64url_decode
from server.services.dispatch import dispatch_due
from server.timeutil import utcnow
from tests.conftest import PASSWORD


def test_key_is_the_raw_base64url_point_the_push_service_trusts(client, push_service):
    key = client.get("/api/push/key").json["public_key"]
    assert key == push_service.vapid_public_key == client.get("/api/push/key").json["public_key"]
    raw = b64url_decode(key)
    assert len(raw) == 65 and raw[0] == 4


def test_saving_the_same_endpoint_again_updates_it(client, auth, push_service):
    sub = push_service.subscribe()
    first = client.post("/api/push/subscriptions", json={**sub.as_json(), "user_agent": "Firefox"}, headers=auth)
    assert first.status_code == 201 and first.json["user_agent"] == "Firefox" and "keys" not in first.json
    again = client.post("/api/push/subscriptions", json={**sub.as_json(), "user_agent": "Firefox 2"}, headers=auth)
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    items = client.get("/api/push/subscriptions", headers=auth).json["items"]
    assert [(i["id"], i["user_agent"]) for i in items] == [(first.json["id"], "Firefox 2")]


def test_delete_removes_only_your_own(client, make_user, push_service):
    _, mine = make_user()
    _, theirs = make_user()
    saved = client.post("/api/push/subscriptions", json=push_service.subscribe().as_json(), headers=mine).json
    assert client.delete(f"/api/push/subscriptions/{saved['id']}", headers=theirs).status_code == 404
    assert client.delete(f"/api/push/subscriptions/{saved['id']}", headers=mine).status_code == 204
    assert client.get("/api/push/subscriptions", headers=mine).json["items"] == []
    assert client.delete(f"/api/push/subscriptions/{saved['id']}", headers=mine).status_code == 404


def test_disallowed_endpoint_answers_422_and_is_never_contacted(app, client, auth, push_service):
    app.config["PUSH_ALLOW_LOOPBACK_HTTP"] = False
    sub = push_service.subscribe()
    response = client.post("/api/push/subscriptions", json=sub.as_json(), headers=auth)
    assert response.status_code == 422 and response.json["error"]["code"] == "validation_error"
    assert "endpoint" in response.json["error"]["fields"]
    for endpoint in ("https://evil.example/push", "https://user@fcm.googleapis.com/x", "javascript:alert(1)"):
        body = {**sub.as_json(), "endpoint": endpoint}
        assert client.post("/api/push/subscriptions", json=body, headers=auth).status_code == 422
    assert push_service.requests == []
    assert client.get("/api/push/subscriptions", headers=auth).json["items"] == []


def test_bad_keys_answer_422(client, auth, push_service):
    sub = push_service.subscribe().as_json()
    for keys in ({"p256dh": sub["keys"]["p256dh"], "auth": "c2hvcnQ"},
                 {"p256dh": "BAAA", "auth": sub["keys"]["auth"]},
                 {"p256dh": sub["keys"]["p256dh"]}):
        response = client.post("/api/push/subscriptions", json={**sub, "keys": keys}, headers=auth)
        assert response.status_code == 422, keys
        assert "keys" in response.json["error"]["fields"]


def test_subscriptions_need_a_signed_in_user(client, push_service):
    assert client.post("/api/push/subscriptions", json=push_service.subscribe().as_json()).status_code == 401
    assert client.get("/api/push/subscriptions").status_code == 401
    assert client.post("/api/push/test").status_code == 401


def test_test_notification_is_queued_then_delivered_to_every_device(client, db, make_user, device,
                                                                    push_service, push_client):
    _, headers = make_user()
    phone, laptop = device(headers), device(headers)
    response = client.post("/api/push/test", headers=headers)
    assert response.status_code == 202
    dispatch_due(db, push_client, utcnow())
    for sub in (phone, laptop):
        [got] = push_service.delivered(sub)
        assert got.json()["kind"] == "test" and got.json()["reminder_id"] == response.json["reminder_id"]


def test_another_account_posting_a_held_endpoint_with_other_keys_gets_409(client, make_user, push_service):
    _, mine = make_user()
    _, theirs = make_user()
    sub = push_service.subscribe().as_json()
    saved = client.post("/api/push/subscriptions", json=sub, headers=mine).json
    forged = {**sub, "keys": push_service.subscribe().as_json()["keys"]}
    response = client.post("/api/push/subscriptions", json=forged, headers=theirs)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict" and "endpoint" in response.json["error"]["fields"]
    assert [i["id"] for i in client.get("/api/push/subscriptions", headers=mine).json["items"]] == [saved["id"]]
    assert client.get("/api/push/subscriptions", headers=theirs).json["items"] == []
    # The owner may change the keys of her own endpoint (the browser re-subscribed).
    assert client.post("/api/push/subscriptions", json=forged, headers=mine).status_code == 200


def test_the_same_keys_from_another_account_move_the_subscription_to_it(client, make_user, push_service):
    _, first = make_user()
    _, second = make_user()
    sub = push_service.subscribe().as_json()
    saved = client.post("/api/push/subscriptions", json=sub, headers=first).json
    moved = client.post("/api/push/subscriptions", json=sub, headers=second)
    assert moved.status_code == 200 and moved.json["id"] == saved["id"] and moved.json["current_device"]
    assert client.get("/api/push/subscriptions", headers=first).json["items"] == []


def test_the_list_names_each_device_and_marks_the_one_asking(client, push_service):
    tokens = {}
    for label in ("Phone", "Laptop"):
        body = {"email": "devices@example.com", "password": PASSWORD, "device_label": label}
        if not tokens:
            response = client.post("/api/auth/register", json=body)
        else:
            response = client.post("/api/auth/login", json=body)
        tokens[label] = {"Authorization": f"Bearer {response.json['token']}"}
        saved = client.post("/api/push/subscriptions", json=push_service.subscribe().as_json(),
                            headers=tokens[label])
        assert saved.status_code == 201 and saved.json["device_label"] == label and saved.json["current_device"]
    items = client.get("/api/push/subscriptions", headers=tokens["Phone"]).json["items"]
    assert [(i["device_label"], i["current_device"], i["state"]) for i in items] == [
        ("Laptop", False, "active"), ("Phone", True, "active")]
    assert all(i["stopped_at"] is None and i["stop_reason"] is None for i in items)


def test_signing_out_removes_that_devices_subscription_only(client, make_user, push_service):
    _, phone = make_user(email="twodevices@example.com")
    laptop_token = client.post("/api/auth/login", json={"email": "twodevices@example.com",
                                                        "password": PASSWORD}).json["token"]
    laptop = {"Authorization": f"Bearer {laptop_token}"}
    client.post("/api/push/subscriptions", json=push_service.subscribe().as_json(), headers=phone)
    kept = client.post("/api/push/subscriptions", json=push_service.subscribe().as_json(), headers=laptop).json
    assert client.post("/api/auth/logout", headers=phone).status_code == 204
    assert [i["id"] for i in client.get("/api/push/subscriptions", headers=laptop).json["items"]] == [kept["id"]]


def test_saving_again_turns_a_stopped_subscription_on(client, db, auth, push_service):
    sub = push_service.subscribe().as_json()
    saved = client.post("/api/push/subscriptions", json=sub, headers=auth).json
    row = db.get(PushSubscription, saved["id"])
    row.stopped_at, row.stop_reason, row.failures, row.refusals = utcnow(), "Refused.", 3, 3
    db.commit()
    stopped = client.get("/api/push/subscriptions", headers=auth).json["items"][0]
    assert stopped["state"] == "stopped" and stopped["stop_reason"] == "Refused." and stopped["stopped_at"]
    again = client.post("/api/push/subscriptions", json=sub, headers=auth).json
    assert (again["state"], again["stopped_at"], again["stop_reason"], again["failures"]) == ("active", None, None, 0)
    db.refresh(row)
    assert row.refusals == 0
