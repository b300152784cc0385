"""The push API: the VAPID key, saving and removing subscriptions, and the test notification."""

from server.push import b64url_decode
from server.services.dispatch import dispatch_due
from server.timeutil import utcnow


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
