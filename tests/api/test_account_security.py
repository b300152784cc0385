"""Account security: change the password, see and sign out devices, reset by e-mail, refuse common passwords,
and the per-account limits on writes that cost."""

import logging
import os
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import func, select

from server.models import PasswordReset, PushSubscription
from tests.conftest import PASSWORD
from tests.pushservice import TestSubscription
from tests.smtpserver import free_port, reset_link, reset_token, smtp_server, smtp_settings

NEW_PASSWORD = "a quiet night at last"


def bearer(token: str) -> dict:
    """Authorization header of a device token."""
    return {"Authorization": f"Bearer {token}"}


def sign_in(client, email: str, password: str = PASSWORD, label: str = "") -> str:
    """Sign a device in and return its token."""
    response = client.post("/api/auth/login", json={"email": email, "password": password, "device_label": label})
    assert response.status_code == 200, response.json
    return response.json["token"]


def signs_in(client, email: str, password: str) -> bool:
    """Tell whether the e-mail and password sign in."""
    return client.post("/api/auth/login", json={"email": email, "password": password}).status_code == 200


def save_subscription(client, token: str) -> None:
    """Save a push subscription from the device of this token."""
    device = TestSubscription("t", f"http://127.0.0.1:9/wpush/{os.urandom(6).hex()}",
                              ec.generate_private_key(ec.SECP256R1()), os.urandom(16))
    assert client.post("/api/push/subscriptions", json=device.as_json(), headers=bearer(token)).status_code == 201


@pytest.fixture
def parent(client, make_user):
    """A parent signed in on her phone and on a tablet: (email, phone token, tablet token)."""
    user, headers = make_user()
    tablet = sign_in(client, user["email"], label="Tablet")
    return user["email"], headers["Authorization"].split()[1], tablet


# Changing the password


def test_changing_the_password_signs_out_the_other_devices_and_their_reminders(client, db, parent):
    email, phone, tablet = parent
    save_subscription(client, tablet)
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert client.post("/api/me/password", json=body, headers=bearer(phone)).status_code == 204
    assert client.get("/api/me", headers=bearer(phone)).status_code == 200
    assert client.get("/api/me", headers=bearer(tablet)).status_code == 401
    assert db.scalar(select(func.count()).select_from(PushSubscription)) == 0
    assert signs_in(client, email, NEW_PASSWORD) and not signs_in(client, email, PASSWORD)


def test_changing_the_password_can_keep_the_other_devices_signed_in(client, parent):
    email, phone, tablet = parent
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "keep_other_devices": True}
    assert client.post("/api/me/password", json=body, headers=bearer(phone)).status_code == 204
    assert client.get("/api/me", headers=bearer(tablet)).status_code == 200
    assert signs_in(client, email, NEW_PASSWORD)


def test_a_wrong_current_password_answers_403_and_changes_nothing(client, parent):
    email, phone, tablet = parent
    body = {"current_password": "not my password", "new_password": NEW_PASSWORD}
    response = client.post("/api/me/password", json=body, headers=bearer(phone))
    # 403, not 401: the app signs a phone out on 401.
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert response.json["error"]["fields"] == {"current_password": ["Wrong password."]}
    assert client.get("/api/me", headers=bearer(phone)).status_code == 200
    assert client.get("/api/me", headers=bearer(tablet)).status_code == 200
    assert signs_in(client, email, PASSWORD)


# Common passwords


@pytest.mark.parametrize("password", ["123456789", "password1", "PassWord1", "iloveyou2"])
def test_common_passwords_are_refused_at_sign_up_change_and_reset(client, auth, password):
    register = client.post("/api/auth/register", json={"email": "new@example.com", "password": password})
    change = client.post("/api/me/password", json={"current_password": PASSWORD, "new_password": password},
                         headers=auth)
    reset = client.post("/api/auth/password-reset/confirm", json={"token": "x", "new_password": password})
    for response, field in ((register, "password"), (change, "new_password"), (reset, "new_password")):
        assert response.status_code == 422
        assert response.json["error"]["code"] == "validation_error"
        assert response.json["error"]["fields"] == {
            field: ["This password is one of the most common ones; choose another."]}
    assert client.post("/api/auth/login", json={"email": "new@example.com", "password": password}).status_code == 401


def test_an_uncommon_password_of_eight_characters_or_more_is_accepted(client):
    response = client.post("/api/auth/register", json={"email": "new@example.com", "password": PASSWORD})
    assert response.status_code == 201
    short = client.post("/api/auth/register", json={"email": "b@example.com", "password": "kx7#qa"})
    assert short.status_code == 422 and "password" in short.json["error"]["fields"]


# Devices


def test_the_device_list_shows_each_signed_in_device_and_marks_this_one(client, parent):
    _, phone, tablet = parent
    items = client.get("/api/me/devices", headers=bearer(phone)).json["items"]
    assert len(items) == 2
    assert {item["label"]: item["current"] for item in items} == {"": True, "Tablet": False}
    assert set(items[0]) == {"id", "label", "created_at", "last_used_at", "expires_at", "current"}
    assert "token" not in str(items)


def test_signing_out_another_device_revokes_only_that_one(client, db, parent):
    _, phone, tablet = parent
    save_subscription(client, tablet)
    other = next(d for d in client.get("/api/me/devices", headers=bearer(phone)).json["items"] if not d["current"])
    assert client.delete(f"/api/me/devices/{other['id']}", headers=bearer(phone)).status_code == 204
    assert client.get("/api/me", headers=bearer(tablet)).status_code == 401
    assert client.get("/api/me", headers=bearer(phone)).status_code == 200
    assert db.scalar(select(func.count()).select_from(PushSubscription)) == 0
    assert client.delete(f"/api/me/devices/{other['id']}", headers=bearer(phone)).status_code == 404


def test_this_device_is_signed_out_with_sign_out_not_from_the_list(client, parent):
    _, phone, _ = parent
    this = next(d for d in client.get("/api/me/devices", headers=bearer(phone)).json["items"] if d["current"])
    response = client.delete(f"/api/me/devices/{this['id']}", headers=bearer(phone))
    assert response.status_code == 409 and response.json["error"]["code"] == "conflict"
    assert client.get("/api/me", headers=bearer(phone)).status_code == 200


def test_another_parents_device_is_not_found(client, make_user, parent):
    _, phone, _ = parent
    _, other_headers = make_user()
    theirs = client.get("/api/me/devices", headers=other_headers).json["items"][0]
    response = client.delete(f"/api/me/devices/{theirs['id']}", headers=bearer(phone))
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    assert client.get("/api/me", headers=other_headers).status_code == 200


def test_signing_out_everywhere_revokes_every_device_this_one_included(client, make_user, parent):
    email, phone, tablet = parent
    _, other_headers = make_user()
    assert client.post("/api/auth/logout-everywhere", headers=bearer(phone)).status_code == 204
    for token in (phone, tablet):
        assert client.get("/api/me", headers=bearer(token)).status_code == 401
    assert client.get("/api/me", headers=other_headers).status_code == 200
    assert signs_in(client, email, PASSWORD)


# Password reset by e-mail


@pytest.fixture
def inbox(app):
    """A real SMTP server on loopback that the app sends through."""
    with smtp_server() as (inbox, port):
        app.config.update(smtp_settings(port))
        yield inbox


def ask_for_reset(client, email: str):
    """Ask for a reset link and close the response, as a server does once it has sent it (the e-mail goes then)."""
    response = client.post("/api/auth/password-reset", json={"email": email})
    response.close()
    return response


def test_a_reset_link_by_e_mail_sets_a_new_password_and_signs_out_every_other_device(client, inbox, parent, caplog):
    caplog.set_level(logging.DEBUG)
    email, phone, tablet = parent
    assert ask_for_reset(client, f" {email.upper()} ").status_code == 202
    [message] = inbox.wait_for(1)
    assert message["To"] == email and message["From"] == "Pumpwell <no-reply@pumpwell.test>"
    text = message.get_content()
    assert "30 minutes" in text and "nothing changes" in text
    assert reset_link(message).startswith("http://localhost/#/reset/")
    token = reset_token(message)
    confirm = {"token": token, "new_password": NEW_PASSWORD, "device_label": "Laptop"}
    response = client.post("/api/auth/password-reset/confirm", json=confirm)
    assert response.status_code == 200
    assert response.json["user"]["email"] == email
    assert client.get("/api/me", headers=bearer(response.json["token"])).status_code == 200
    for old in (phone, tablet):
        assert client.get("/api/me", headers=bearer(old)).status_code == 401
    assert signs_in(client, email, NEW_PASSWORD) and not signs_in(client, email, PASSWORD)
    # Used once: the same link now answers like an unknown one.
    again = client.post("/api/auth/password-reset/confirm", json={**confirm, "new_password": "another fine night"})
    unknown = client.post("/api/auth/password-reset/confirm", json={**confirm, "token": "no-such-token"})
    assert again.status_code == unknown.status_code == 422
    assert again.json == unknown.json and "token" in again.json["error"]["fields"]
    # No log line of the app names the address, the link or a password (the test's SMTP server logs its own).
    logged = "\n".join(record.getMessage() for record in caplog.records if not record.name.startswith("mail."))
    for secret in (email, token, NEW_PASSWORD, PASSWORD):
        assert secret not in logged


def test_the_answer_is_the_same_whether_or_not_an_account_uses_the_address(client, inbox, parent, db):
    email, _, _ = parent
    unknown = ask_for_reset(client, "nobody@example.com")
    known = ask_for_reset(client, email)
    assert unknown.status_code == known.status_code == 202
    assert unknown.json == known.json
    assert [m["To"] for m in inbox.wait_for(1)] == [email]
    assert db.scalar(select(func.count()).select_from(PasswordReset)) == 1


def test_the_e_mail_goes_after_the_answer(client, inbox, parent):
    email, _, _ = parent
    response = client.post("/api/auth/password-reset", json={"email": email})
    assert response.status_code == 202
    assert inbox.messages == []  # the answer is out; the server has not closed it yet
    response.close()
    inbox.wait_for(1)


def test_the_link_uses_the_public_url(app, client, inbox, parent):
    app.config["PUBLIC_URL"] = "https://pumpwell.example/"
    ask_for_reset(client, parent[0])
    assert reset_link(inbox.wait_for(1)[0]).startswith("https://pumpwell.example/#/reset/")


def test_without_a_public_url_no_link_names_the_host_a_request_claims(app, client, inbox, parent, caplog):
    app.config["PUBLIC_URL"] = ""
    response = client.post("/api/auth/password-reset", json={"email": parent[0]},
                           headers={"Host": "pumpwell.attacker.example"})
    response.close()
    assert response.status_code == 202
    assert "PUBLIC_URL is not set" in caplog.text
    assert inbox.messages == []


def test_an_expired_link_answers_like_an_unknown_one(app, client, inbox, parent):
    ask_for_reset(client, parent[0])
    token = reset_token(inbox.wait_for(1)[0])
    later = datetime.now(UTC) + timedelta(minutes=31)
    app.config["CLOCK"] = lambda: later
    expired = client.post("/api/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD})
    unknown = client.post("/api/auth/password-reset/confirm", json={"token": "nope", "new_password": NEW_PASSWORD})
    assert expired.status_code == 422 and expired.json == unknown.json
    assert signs_in(client, parent[0], PASSWORD)


def test_a_refused_new_password_leaves_the_link_usable(client, inbox, parent):
    ask_for_reset(client, parent[0])
    token = reset_token(inbox.wait_for(1)[0])
    common = client.post("/api/auth/password-reset/confirm", json={"token": token, "new_password": "password1"})
    assert common.status_code == 422 and "new_password" in common.json["error"]["fields"]
    good = client.post("/api/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD})
    assert good.status_code == 200


def test_changing_the_password_voids_a_link_asked_for_before(client, inbox, parent):
    email, phone, _ = parent
    ask_for_reset(client, email)
    token = reset_token(inbox.wait_for(1)[0])
    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert client.post("/api/me/password", json=change, headers=bearer(phone)).status_code == 204
    late = client.post("/api/auth/password-reset/confirm", json={"token": token, "new_password": "another fine night"})
    assert late.status_code == 422
    assert signs_in(client, email, NEW_PASSWORD)


def test_the_link_is_stored_only_as_its_hash(client, db, inbox, parent):
    ask_for_reset(client, parent[0])
    token = reset_token(inbox.wait_for(1)[0])
    stored = db.scalars(select(PasswordReset.token_hash)).all()
    assert len(stored) == 1 and token not in stored[0] and len(stored[0]) == 64


def test_smtp_login_is_used_when_a_username_is_set(app, client, parent):
    with smtp_server(username="mailer", password="s3cret-smtp") as (inbox, port):
        app.config.update(smtp_settings(port, SMTP_USERNAME="mailer", SMTP_PASSWORD="s3cret-smtp"))
        ask_for_reset(client, parent[0])
        assert inbox.wait_for(1)[0]["To"] == parent[0]


def test_without_smtp_the_request_answers_the_same_and_warns_the_operator(client, parent, caplog):
    caplog.set_level(logging.WARNING)
    response = ask_for_reset(client, parent[0])
    assert response.status_code == 202
    assert any("e-mail is not configured" in record.getMessage() for record in caplog.records)
    assert parent[0] not in caplog.text


def test_an_unreachable_smtp_server_is_logged_without_the_address(app, client, parent, caplog):
    app.config.update(smtp_settings(free_port()))
    caplog.set_level(logging.WARNING)
    assert ask_for_reset(client, parent[0]).status_code == 202
    assert any("password reset e-mail not sent" in record.getMessage() for record in caplog.records)
    assert parent[0] not in caplog.text


def test_reset_requests_are_limited_per_e_mail(app, client, inbox):
    app.config["PASSWORD_RESET_EMAIL_RATE_LIMIT"] = "2 per hour"
    statuses = [ask_for_reset(client, "a@example.com").status_code for _ in range(3)]
    assert statuses == [202, 202, 429]
    limited = ask_for_reset(client, " A@example.com")
    assert limited.status_code == 429 and limited.json["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0
    assert ask_for_reset(client, "b@example.com").status_code == 202


def test_reset_requests_are_limited_per_client_address(app, client, inbox):
    app.config["PASSWORD_RESET_RATE_LIMIT"] = "3 per hour"
    statuses = [ask_for_reset(client, f"{n}@example.com").status_code for n in range(4)]
    assert statuses == [202, 202, 202, 429]
    other_address = client.post("/api/auth/password-reset", json={"email": "x@example.com"},
                                environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other_address.status_code == 202


# Per-account limits on writes that cost


@pytest.mark.parametrize("setting, method, url, body", [
    ("SHARE_LINK_RATE_LIMIT", "post", "/api/shares", {"label": "IBCLC"}),
    ("PUSH_TEST_RATE_LIMIT", "post", "/api/push/test", None),
    ("INVITATION_RATE_LIMIT", "post", "/api/household/invitations", {"role": "caregiver"}),
    ("EXPORT_RATE_LIMIT", "get", "/api/account/export", None),
    ("EXPORT_RATE_LIMIT", "get", "/api/export/sessions.csv", None),
    ("PASSWORD_CHANGE_RATE_LIMIT", "post", "/api/me/password",
     {"current_password": "not mine", "new_password": NEW_PASSWORD}),
])
def test_writes_that_cost_are_limited_per_account_not_per_address(app, client, make_user, setting, method, url, body):
    app.config[setting] = "2 per hour"
    _, alice = make_user()
    _, bob = make_user()
    call = getattr(client, method)
    answers = [call(url, json=body, headers=alice) if body else call(url, headers=alice) for _ in range(3)]
    assert [a.status_code < 429 for a in answers] == [True, True, False]
    limited = answers[2]
    assert limited.status_code == 429
    assert limited.json["error"]["code"] == "rate_limited" and "try again in" in limited.json["error"]["message"]
    assert 0 < int(limited.headers["Retry-After"]) <= 3600
    # Bob, from the same address, is not limited by Alice.
    bob_answer = call(url, json=body, headers=bob) if body else call(url, headers=bob)
    assert bob_answer.status_code < 429


def test_the_downloads_share_one_count(app, client, auth):
    app.config["EXPORT_RATE_LIMIT"] = "2 per hour"
    assert client.get("/api/account/export", headers=auth).status_code == 200
    assert client.get("/api/export/stash.csv", headers=auth).status_code == 200
    assert client.get("/api/export/daily.csv", headers=auth).status_code == 429


def test_an_invalid_request_does_not_use_up_the_limit(app, client, auth):
    app.config["SHARE_LINK_RATE_LIMIT"] = "1 per hour"
    assert client.post("/api/shares", json={"label": ""}, headers=auth).status_code == 422
    assert client.post("/api/shares", json={"label": "IBCLC"}, headers=auth).status_code == 201


def test_the_limits_are_documented(client):
    paths = client.get("/api/openapi.json").json["paths"]
    for path, method in [("/api/shares", "post"), ("/api/push/test", "post"), ("/api/account/export", "get"),
                         ("/api/export/sessions.csv", "get"), ("/api/export/daily.csv", "get"),
                         ("/api/export/stash.csv", "get"), ("/api/me/password", "post"),
                         ("/api/auth/password-reset", "post"), ("/api/auth/password-reset/confirm", "post")]:
        assert "429" in paths[path][method]["responses"], (path, method)
