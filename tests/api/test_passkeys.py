"""Passkeys through the HTTP API with a software authenticator: add one, sign in with it, and every refusal."""

import copy
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.models import ApiToken, Passkey, PasskeyChallenge
from server.services.passkeys import CHALLENGE_LIFETIME, user_handle
from server.timeutil import utcnow
from tests.api.passkey_helpers import SoftAuthenticator, add_passkey, b64, passkey_sign_in
from tests.conftest import PASSWORD

REFUSED = {"error": {"code": "unauthorized", "message": "This passkey could not sign you in.", "fields": {}}}


@pytest.fixture
def parent(make_user):
    """A parent signed in on one device: (user, headers)."""
    return make_user()


@pytest.fixture
def phone(client, parent):
    """The parent's phone, holding a passkey she added (sign count 0, as platform authenticators keep it)."""
    authenticator = SoftAuthenticator()
    add_passkey(client, parent[1], authenticator)
    return authenticator


def count(db, model) -> int:
    """Count the rows of a table."""
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


def test_registration_options_name_the_account_by_email_and_its_handle_by_id(client, parent):
    user, headers = parent
    options = client.post("/api/me/passkeys/options", headers=headers).json
    assert options["rp"] == {"id": "localhost", "name": "Pumpwell"}
    assert options["user"] == {"id": b64(user_handle(user["id"])), "name": user["email"],
                               "displayName": user["email"]}
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["excludeCredentials"] == []
    assert options["timeout"] == CHALLENGE_LIFETIME.total_seconds() * 1000


def test_a_parent_adds_a_passkey_and_signs_in_with_it_without_her_email(client, db, parent):
    user, headers = parent
    authenticator = SoftAuthenticator()
    added = add_passkey(client, headers, authenticator, name="Pixel 8")
    assert added["name"] == "Pixel 8" and added["last_used_at"] is None
    assert client.get("/api/me/passkeys", headers=headers).json["items"] == [added]
    options = client.post("/api/auth/passkey/options").json
    assert options["rpId"] == "localhost" and options["allowCredentials"] == []
    credential = authenticator.get(options)
    response = client.post("/api/auth/passkey", json={"credential": credential, "device_label": "Pixel 8"})
    assert response.status_code == 200
    assert response.json["user"] == user
    signed_in = {"Authorization": f"Bearer {response.json['token']}"}
    assert client.get("/api/me", headers=signed_in).json["email"] == user["email"]
    token = db.scalar(select(ApiToken).order_by(ApiToken.id.desc()))
    assert token.label == "Pixel 8" and token.expires_at - token.created_at == timedelta(days=90)
    passkey = db.scalar(select(Passkey))
    assert passkey.sign_count == 1 and passkey.last_used_at is not None
    assert count(db, PasskeyChallenge) == 0


def test_passwords_keep_working_beside_a_passkey(client, parent, phone):
    user, _ = parent
    response = client.post("/api/auth/login", json={"email": user["email"], "password": PASSWORD})
    assert response.status_code == 200


def test_a_passkey_added_already_is_excluded_from_the_next_options(client, parent, phone):
    options = client.post("/api/me/passkeys/options", headers=parent[1]).json
    assert options["excludeCredentials"] == [{"id": b64(phone.passkeys[0].credential_id), "type": "public-key"}]


def test_the_same_passkey_cannot_be_added_twice(client, make_user, parent, phone):
    _, bob = make_user()
    options = client.post("/api/me/passkeys/options", headers=bob).json
    again = SoftAuthenticator().create(options, credential_id=phone.passkeys[0].credential_id)
    response = client.post("/api/me/passkeys", json={"credential": again}, headers=bob)
    assert response.status_code == 409 and response.json["error"]["message"] == "This passkey is added already."
    assert client.get("/api/me/passkeys", headers=bob).json["items"] == []


def test_a_replayed_sign_in_is_refused_and_stores_nothing(client, db, phone):
    options = client.post("/api/auth/passkey/options").json
    body = {"credential": phone.get(options, sign_count=1)}
    assert client.post("/api/auth/passkey", json=body).status_code == 200
    tokens = count(db, ApiToken)
    replayed = client.post("/api/auth/passkey", json=body)
    assert replayed.status_code == 401 and replayed.json == REFUSED
    # Even signed afresh with a higher count, the used challenge signs nobody in.
    fresh = client.post("/api/auth/passkey", json={"credential": phone.get(options, sign_count=2)})
    assert fresh.status_code == 401
    assert count(db, ApiToken) == tokens


def test_a_challenge_is_consumed_by_a_failed_attempt_too(client, db, phone):
    options = client.post("/api/auth/passkey/options").json
    wrong = phone.get(options, origin="https://evil.example")
    assert client.post("/api/auth/passkey", json={"credential": wrong}).status_code == 401
    assert count(db, PasskeyChallenge) == 0
    assert client.post("/api/auth/passkey", json={"credential": phone.get(options)}).status_code == 401


def test_an_expired_challenge_is_refused_and_purged(app, client, db, phone):
    options = client.post("/api/auth/passkey/options").json
    later = utcnow() + CHALLENGE_LIFETIME + timedelta(seconds=1)
    app.config["CLOCK"] = lambda: later
    assert client.post("/api/auth/passkey", json={"credential": phone.get(options)}).json == REFUSED
    client.post("/api/auth/passkey/options")  # leaves a challenge that expires with the next hand-out
    app.config["CLOCK"] = lambda: later + CHALLENGE_LIFETIME
    client.post("/api/auth/passkey/options")
    assert count(db, PasskeyChallenge) == 1


def test_a_registration_challenge_cannot_sign_in(client, parent, phone):
    options = client.post("/api/me/passkeys/options", headers=parent[1]).json
    signed = phone.get({"challenge": options["challenge"], "rpId": "localhost"})
    assert client.post("/api/auth/passkey", json={"credential": signed}).json == REFUSED


def test_another_parents_challenge_cannot_add_a_passkey(client, make_user, parent):
    _, bob = make_user()
    options = client.post("/api/me/passkeys/options", headers=bob).json
    credential = SoftAuthenticator().create(options)
    response = client.post("/api/me/passkeys", json={"credential": credential}, headers=parent[1])
    assert response.status_code == 422
    assert response.json["error"]["message"] == "This passkey could not be added. Try again."
    assert client.get("/api/me/passkeys", headers=parent[1]).json["items"] == []


def test_another_account_can_neither_see_nor_remove_your_passkey(client, make_user, parent, phone):
    mine = client.get("/api/me/passkeys", headers=parent[1]).json["items"][0]
    _, bob = make_user()
    assert client.get("/api/me/passkeys", headers=bob).json["items"] == []
    response = client.delete(f"/api/me/passkeys/{mine['id']}", headers=bob)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    assert client.get("/api/me/passkeys", headers=parent[1]).json["items"] == [mine]


def test_a_removed_passkey_signs_nobody_in(client, parent, phone):
    mine = client.get("/api/me/passkeys", headers=parent[1]).json["items"][0]
    assert client.delete(f"/api/me/passkeys/{mine['id']}", headers=parent[1]).status_code == 204
    assert passkey_sign_in(client, phone).json == REFUSED
    assert client.delete(f"/api/me/passkeys/{mine['id']}", headers=parent[1]).status_code == 404


@pytest.mark.parametrize("tamper", [
    {"origin": "https://evil.example"},
    {"origin": "http://localhost:8080"},
    {"rp_id": "evil.example"},
], ids=["other site", "other port", "other rp id"])
def test_a_sign_in_made_for_another_site_is_refused(client, db, phone, tamper):
    tokens = count(db, ApiToken)
    response = passkey_sign_in(client, phone, **tamper)
    assert response.status_code == 401 and response.json == REFUSED
    assert count(db, ApiToken) == tokens


@pytest.mark.parametrize("tamper", [{"origin": "https://evil.example"}, {"rp_id": "evil.example"}])
def test_a_passkey_made_for_another_site_is_not_added(client, db, parent, tamper):
    options = client.post("/api/me/passkeys/options", headers=parent[1]).json
    credential = SoftAuthenticator().create(options, **tamper)
    response = client.post("/api/me/passkeys", json={"credential": credential}, headers=parent[1])
    assert response.status_code == 422
    assert count(db, Passkey) == 0


def test_a_sign_count_that_goes_backwards_is_refused(client, db, phone):
    assert passkey_sign_in(client, phone, sign_count=5).status_code == 200
    assert passkey_sign_in(client, phone, sign_count=3).json == REFUSED
    assert passkey_sign_in(client, phone, sign_count=5).json == REFUSED
    assert db.scalar(select(Passkey.sign_count)) == 5
    assert passkey_sign_in(client, phone, sign_count=6).status_code == 200


def test_a_sign_count_past_the_signed_32_bit_range_is_kept(client, db, phone):
    assert passkey_sign_in(client, phone, sign_count=2**32 - 2).status_code == 200
    db.expire_all()
    assert db.scalar(select(Passkey.sign_count)) == 2**32 - 2


def test_a_bad_signature_an_unknown_passkey_or_a_foreign_user_handle_is_refused(client, make_user, phone):
    options = client.post("/api/auth/passkey/options").json
    credential = phone.get(options)
    credential["response"]["signature"] = b64(b"\x30\x06\x02\x01\x01\x02\x01\x01")
    assert client.post("/api/auth/passkey", json={"credential": credential}).json == REFUSED
    stranger = SoftAuthenticator()
    stranger.create(client.post("/api/me/passkeys/options", headers=make_user()[1]).json)  # never sent
    assert passkey_sign_in(client, stranger).json == REFUSED
    options = client.post("/api/auth/passkey/options").json
    credential = phone.get(options)
    credential["response"]["userHandle"] = b64(user_handle(12345))
    assert client.post("/api/auth/passkey", json={"credential": credential}).json == REFUSED


def _valid_sign_in(client, phone) -> dict:
    """A sign-in body that would succeed."""
    return {"credential": phone.get(client.post("/api/auth/passkey/options").json)}


GARBAGE = {
    "credential not an object": lambda body: body.update(credential="yes"),
    "rawId a number": lambda body: body["credential"].update(rawId=12),
    "rawId not base64url": lambda body: body["credential"].update(rawId="ab+/"),
    "rawId of 4n+1 characters": lambda body: body["credential"].update(rawId="abcde"),
    "rawId empty": lambda body: body["credential"].update(rawId=""),
    "signature padded": lambda body: body["credential"]["response"].update(signature="abc="),
    "signature huge": lambda body: body["credential"]["response"].update(signature="A" * 40_000),
    "client data missing": lambda body: body["credential"]["response"].pop("clientDataJSON"),
    "response a list": lambda body: body["credential"].update(response=[]),
    "type unknown": lambda body: body["credential"].update(type="password"),
    "user handle a number": lambda body: body["credential"]["response"].update(userHandle=7),
    "device label huge": lambda body: body.update(device_label="x" * 101),
}


@pytest.mark.parametrize("garble", GARBAGE.values(), ids=GARBAGE.keys())
def test_garbage_in_a_sign_in_answers_422_in_the_one_shape(client, db, phone, garble):
    body = _valid_sign_in(client, phone)
    garble(body)
    response = client.post("/api/auth/passkey", json=body)
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "validation_error" and response.json["error"]["fields"]


@pytest.mark.parametrize("client_data", [b"not json", b"[]", b'{"type": "webauthn.get"}',
                                         b'{"type": "webauthn.get", "challenge": 5, "origin": "x"}'])
def test_client_data_that_is_not_webauthns_signs_nobody_in(client, phone, client_data):
    body = _valid_sign_in(client, phone)
    body["credential"]["response"]["clientDataJSON"] = b64(client_data)
    assert client.post("/api/auth/passkey", json=body).json == REFUSED


def test_garbage_in_a_new_passkey_answers_422_and_a_huge_body_413(client, parent):
    options = client.post("/api/me/passkeys/options", headers=parent[1]).json
    credential = SoftAuthenticator().create(options)
    for broken in ({**credential, "response": {**credential["response"], "attestationObject": "!!"}},
                   {**credential, "response": {**credential["response"], "clientDataJSON": b64(b"{}")}},
                   {**credential, "response": {**credential["response"], "attestationObject": b64(b"\xff")}},
                   {**credential, "id": "not-the-raw-id"}):
        response = client.post("/api/me/passkeys", json={"credential": broken}, headers=parent[1])
        assert response.status_code == 422, (broken, response.json)
    huge = copy.deepcopy(credential)
    huge["response"]["attestationObject"] = "A" * 70_000
    assert client.post("/api/me/passkeys", json={"credential": huge}, headers=parent[1]).status_code == 413


def test_public_url_names_the_relying_party(app, client, parent):
    app.config["PUBLIC_URL"] = "https://pumpwell.example"
    authenticator = SoftAuthenticator()
    options = client.post("/api/me/passkeys/options", headers=parent[1]).json
    assert options["rp"]["id"] == "pumpwell.example"
    credential = authenticator.create(options, origin="https://pumpwell.example")
    assert client.post("/api/me/passkeys", json={"credential": credential}, headers=parent[1]).status_code == 201
    assert passkey_sign_in(client, authenticator, origin="https://pumpwell.example").status_code == 200
    assert passkey_sign_in(client, authenticator, sign_count=2).json == REFUSED  # http://localhost is not it


def test_without_a_public_url_a_host_the_operator_does_not_allow_names_no_relying_party(app, client, parent):
    app.config["PUBLIC_URL"] = ""
    refused = client.post("/api/me/passkeys/options", headers={**parent[1], "Host": "attacker.example"})
    assert refused.status_code == 400 and refused.json["error"]["code"] == "bad_request"
    allowed = client.post("/api/me/passkeys/options", headers={**parent[1], "Host": "localhost:8443"})
    assert allowed.json["rp"]["id"] == "localhost"


def test_passkey_sign_in_is_limited_per_address_like_the_password(app, client):
    app.config["AUTH_RATE_LIMIT"] = "2 per minute"
    assert [client.post("/api/auth/passkey/options").status_code for _ in range(3)] == [200, 200, 429]
    statuses = [client.post("/api/auth/passkey", json={"credential": {}}) for _ in range(3)]
    assert [response.status_code for response in statuses] == [422, 422, 429]
    refused = statuses[-1]
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.json["error"]["code"] == "rate_limited"


def test_only_a_signed_in_parent_manages_passkeys(client):
    for method, path in [("POST", "/api/me/passkeys/options"), ("POST", "/api/me/passkeys"),
                         ("GET", "/api/me/passkeys"), ("DELETE", "/api/me/passkeys/1")]:
        assert client.open(path, method=method).status_code == 401
