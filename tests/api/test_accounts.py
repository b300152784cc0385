"""Registering, signing in and out, settings, and the error shape for bad input."""

import pytest
from sqlalchemy import select

from server.models import ApiToken, User
from tests.conftest import PASSWORD


def test_register_returns_a_token_that_works_and_is_stored_only_as_a_hash(client, db):
    response = client.post("/api/auth/register", json={"email": " Ada@Example.com ", "password": PASSWORD})
    assert response.status_code == 201
    token = response.json["token"]
    assert len(token) >= 43  # 256 bits in base64url
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json["email"] == "ada@example.com"
    stored = db.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored and len(stored) == 1
    assert db.scalar(select(User.password_hash)).startswith("$argon2id$")


def test_each_device_gets_its_own_token_and_logout_revokes_only_that_one(client):
    client.post("/api/auth/register", json={"email": "a@example.com", "password": PASSWORD})
    phone = client.post("/api/auth/login", json={"email": "a@example.com", "password": PASSWORD}).json["token"]
    tablet = client.post("/api/auth/login", json={"email": "a@example.com", "password": PASSWORD}).json["token"]
    assert phone != tablet
    assert client.post("/api/auth/logout", headers={"Authorization": f"Bearer {phone}"}).status_code == 204
    assert client.get("/api/me", headers={"Authorization": f"Bearer {phone}"}).status_code == 401
    assert client.get("/api/me", headers={"Authorization": f"Bearer {tablet}"}).status_code == 200


def test_failed_login_does_not_reveal_whether_the_email_exists(client):
    client.post("/api/auth/register", json={"email": "a@example.com", "password": PASSWORD})
    wrong_password = client.post("/api/auth/login", json={"email": "a@example.com", "password": "wrong-password"})
    unknown_email = client.post("/api/auth/login", json={"email": "b@example.com", "password": "wrong-password"})
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json == unknown_email.json


def test_registering_an_email_twice_answers_409_and_keeps_one_account(client, db):
    client.post("/api/auth/register", json={"email": "a@example.com", "password": PASSWORD})
    again = client.post("/api/auth/register", json={"email": "A@example.com", "password": PASSWORD})
    assert again.status_code == 409
    assert again.json["error"]["code"] == "conflict"
    assert len(db.scalars(select(User)).all()) == 1


def test_settings_change_time_zone_unit_and_quiet_hours(client, auth):
    response = client.patch(
        "/api/me", headers=auth,
        json={"time_zone": "America/New_York", "unit": "oz", "quiet_hours": {"start": "22:30", "end": "06:00"}},
    )
    assert response.status_code == 200
    assert response.json["time_zone"] == "America/New_York"
    assert response.json["unit"] == "oz"
    assert response.json["quiet_hours"] == {"start": "22:30", "end": "06:00"}
    cleared = client.patch("/api/me", headers=auth, json={"quiet_hours": None})
    assert cleared.json["quiet_hours"] is None


@pytest.mark.parametrize("body, field", [
    ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"unit": "cups"}, "unit"),
    ({"quiet_hours": {"start": "25:00", "end": "06:00"}}, "quiet_hours"),
])
def test_bad_settings_answer_422_with_the_field_and_change_nothing(client, auth, body, field):
    response = client.patch("/api/me", headers=auth, json=body)
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert client.get("/api/me", headers=auth).json["time_zone"] == "UTC"


@pytest.mark.parametrize("sent, stored", [
    ("Europe/Berlin", "Europe/Berlin"), ("UTC", "UTC"), ("Etc/UTC", "UTC"), ("Europe/Oslo", "Europe/Oslo"),
    ("Asia/Calcutta", "Asia/Kolkata"), ("US/Eastern", "America/New_York"), ("Europe/Kiev", "Europe/Kyiv"),
])
def test_a_time_zone_is_stored_by_its_name_today(client, auth, sent, stored):
    assert client.patch("/api/me", headers=auth, json={"time_zone": sent}).json["time_zone"] == stored


@pytest.mark.parametrize("zone", ["localtime", "Factory", "EST5EDT", "UCT", "GMT+0", "Etc/GMT+5", "EST", "Zulu",
                                  "europe/berlin", "Europe/Berlin ", "posixrules", ""])
def test_a_time_zone_no_person_would_choose_answers_422(client, auth, zone):
    response = client.patch("/api/me", headers=auth, json={"time_zone": zone})
    assert response.status_code == 422
    assert response.json["error"]["fields"]["time_zone"] == [
        "Not the time zone of a place (for example Europe/Berlin), nor UTC."]
    assert client.get("/api/me", headers=auth).json["time_zone"] == "UTC"


def test_registering_in_an_old_zone_name_stores_today_s(client):
    body = {"email": "old.zone@example.com", "password": "correct horse battery", "time_zone": "Asia/Calcutta"}
    assert client.post("/api/auth/register", json=body).json["user"]["time_zone"] == "Asia/Kolkata"


def test_register_rejects_short_password_and_bad_email_with_one_message_per_field(client):
    response = client.post("/api/auth/register", json={"email": "not-an-email", "password": "short"})
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"email", "password"}


@pytest.mark.parametrize("method, url", [
    ("get", "/api/me"), ("patch", "/api/me"), ("post", "/api/auth/logout"),
    ("get", "/api/sessions"), ("post", "/api/sessions"), ("get", "/api/goals"), ("put", "/api/goals"),
    ("get", "/api/summary/daily?from=2026-01-01&to=2026-01-02"),
])
def test_protected_urls_answer_401_without_a_valid_token(client, method, url):
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        response = getattr(client, method)(url, headers=headers)
        assert response.status_code == 401
        assert response.json["error"]["code"] == "unauthorized"


def test_malformed_json_answers_400_and_wrong_content_type_415(client, auth):
    bad = client.post("/api/sessions", data="{not json", headers={**auth, "Content-Type": "application/json"})
    assert bad.status_code == 400
    assert bad.json["error"] == {"code": "bad_request", "message": "The body is not valid JSON.", "fields": {}}
    form_headers = {**auth, "Content-Type": "application/x-www-form-urlencoded"}
    form = client.post("/api/sessions", data="a=1", headers=form_headers)
    assert form.status_code == 415
    assert form.json["error"]["code"] == "unsupported_media_type"


def test_a_json_array_or_oversized_body_is_refused_in_the_error_shape(client, auth):
    array = client.post("/api/sessions", json=[1, 2], headers=auth)
    assert array.status_code == 422
    assert array.json["error"]["code"] == "validation_error"
    huge = client.post("/api/sessions", json={"notes": "x" * 100_000}, headers=auth)
    assert huge.status_code == 413
    assert huge.json["error"]["code"] == "too_large"


def test_health_checks_the_database_and_docs_need_no_cdn(client):
    assert client.get("/healthz").json == {"status": "ok"}
    spec = client.get("/api/openapi.json").json
    assert "/api/sessions" in spec["paths"]
    docs = client.get("/api/docs").get_data(as_text=True)
    assert "cdn" not in docs and "/api/docs/assets/swagger-ui-bundle.js" in docs
    assert client.get("/api/docs/assets/swagger-ui-bundle.js").status_code == 200


@pytest.mark.parametrize("url", [
    "/api/summary/daily?from=9999-12-31&to=9999-12-31",
    "/api/summary/daily?from=0001-01-01&to=0001-01-01",
    "/api/sessions?from=0001-01-01T00:00:00%2B01:00",
])
def test_dates_at_the_calendars_ends_answer_422_not_500(client, auth, url):
    response = client.get(url, headers=auth)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "validation_error"


def test_a_session_in_year_one_answers_422(client, auth):
    body = {"started_at": "0001-01-01T00:00:00+01:00", "duration_min": 15}
    assert client.post("/api/sessions", json=body, headers=auth).status_code == 422


@pytest.mark.parametrize("method, url", [
    ("get", "/api/plans/99999999999999999999"), ("post", "/api/plans/2147483648/cancel"),
    ("post", "/api/reminders/99999999999999999999/skip"), ("delete", "/api/shares/99999999999999999999"),
    ("delete", "/api/push/subscriptions/99999999999999999999"),
])
def test_ids_beyond_the_database_range_answer_404(client, auth, method, url):
    response = getattr(client, method)(url, headers=auth)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


@pytest.mark.parametrize(("sent", "accept", "stored"), [
    ("es", "fr-FR,fr;q=0.9", "es"),  # what the app sends (the phone's language) wins
    (None, "fr-CA,fr;q=0.9,en;q=0.5", "fr"),
    (None, "de-DE,es;q=0.5", "es"),
    (None, "de-DE", "en"),
    (None, None, "en"),
])
def test_a_new_account_speaks_the_language_asked_for_else_the_phones_else_english(client, sent, accept, stored):
    body = {"email": f"{stored}-{sent}-{accept}@example.com".replace(",", "").replace(";", ""), "password": PASSWORD}
    if sent:
        body["language"] = sent
    answer = client.post("/api/auth/register", json=body, headers={"Accept-Language": accept} if accept else {})
    assert answer.status_code == 201, answer.json
    assert answer.json["user"]["language"] == stored


def test_the_language_is_changed_in_settings_and_an_unknown_one_answers_422(client, auth):
    assert client.patch("/api/me", json={"language": "fr"}, headers=auth).json["language"] == "fr"
    for wrong in ("de", "FR", "", None, 3):
        answer = client.patch("/api/me", json={"language": wrong}, headers=auth)
        assert answer.status_code == 422 and "language" in answer.json["error"]["fields"], wrong
    assert client.get("/api/me", headers=auth).json["language"] == "fr"
