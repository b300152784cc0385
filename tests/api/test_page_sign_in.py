"""A page of sessions checks its bearer token in its own statement, and answers exactly as the sign-in would."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from server.models import ApiToken
from server.services.accounts import hash_token
from tests.statements import recorded

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
def at_now(app):
    """The app's clock stopped at NOW."""
    app.config["CLOCK"] = lambda: NOW


def _token(headers: dict) -> str:
    """The token in an Authorization header."""
    return headers["Authorization"].removeprefix("Bearer ")


def _log(client, headers, started_at: datetime):
    """Log a 15-minute session."""
    response = client.post("/api/sessions", headers=headers, json={
        "started_at": started_at.isoformat(), "duration_min": 15, "left_ml": 40, "right_ml": 50})
    assert response.status_code == 201, response.json


def test_a_page_reads_its_sign_in_and_its_sessions_in_one_statement(app, client, make_user, at_now):
    _, headers = make_user()
    for hours in (5, 3, 1):
        _log(client, headers, NOW - timedelta(hours=hours))
    with recorded(app.extensions["engine"]) as sent:
        response = client.get("/api/sessions?limit=2", headers=headers)
    assert response.status_code == 200
    assert [item["started_at"] for item in response.json["items"]] == [
        (NOW - timedelta(hours=1)).isoformat(), (NOW - timedelta(hours=3)).isoformat()]
    assert len(sent) == 1, sent


def test_no_session_yet_is_an_empty_page_not_a_refusal(client, make_user, at_now):
    _, headers = make_user()
    response = client.get("/api/sessions", headers=headers)
    assert response.status_code == 200
    assert response.json == {"items": [], "next_cursor": None}


def _refusals(client, headers: dict, url: str):
    """The answers to the same refused token at a page of sessions and at an endpoint signed in first."""
    page = client.get(url, headers=headers)
    me = client.get("/api/me", headers=headers)
    return page, me


@pytest.mark.parametrize("how", ["expired", "signed out", "unknown"])
# A page with sessions reads the sign-in with them; an empty one (nothing in the range) reads it alone.
@pytest.mark.parametrize("url", ["/api/sessions", "/api/sessions?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z"])
def test_a_token_that_is_not_live_is_refused_as_everywhere_else(client, db, make_user, at_now, how, url):
    _, headers = make_user()
    _log(client, headers, NOW - timedelta(hours=2))
    token = _token(headers)
    if how == "expired":
        db.execute(update(ApiToken).where(ApiToken.token_hash == hash_token(token)).values(expires_at=NOW))
        db.commit()
    elif how == "signed out":
        assert client.post("/api/auth/logout", headers=headers).status_code == 204
    else:
        headers = {"Authorization": f"Bearer {token[:-1]}{'A' if token[-1] != 'A' else 'B'}"}
    page, me = _refusals(client, headers, url)
    assert page.status_code == me.status_code == 401
    assert page.json == me.json and page.json["error"]["code"] == "unauthorized"
    assert page.headers["WWW-Authenticate"] == me.headers["WWW-Authenticate"]


def test_a_signed_out_device_with_a_bad_query_is_told_to_sign_in_not_about_the_query(client, make_user, at_now):
    _, headers = make_user()
    for url in ("/api/sessions?limit=0", "/api/sessions?cursor=not-a-cursor", "/api/sessions?from=yesterday"):
        assert client.get(url, headers=headers).status_code == 422, url
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    for url in ("/api/sessions?limit=0", "/api/sessions?cursor=not-a-cursor", "/api/sessions?from=yesterday"):
        response = client.get(url, headers=headers)
        assert response.status_code == 401, url
        assert response.json["error"]["code"] == "unauthorized" and "WWW-Authenticate" in response.headers


def test_a_page_notes_the_tokens_use_once_in_a_while_as_the_sign_in_does(app, client, db, make_user, at_now):
    _, headers = make_user()
    token_hash = hash_token(_token(headers))

    def last_used(at: datetime | None = None):
        """Set (when given) and read the token's last use."""
        if at is not None:
            db.execute(update(ApiToken).where(ApiToken.token_hash == token_hash).values(last_used_at=at))
            db.commit()
        db.expire_all()
        return db.scalar(select(ApiToken.last_used_at).where(ApiToken.token_hash == token_hash))

    last_used(NOW - timedelta(minutes=6))
    assert client.get("/api/sessions", headers=headers).status_code == 200
    assert last_used() == NOW
    last_used(NOW - timedelta(minutes=4))
    assert client.get("/api/sessions", headers=headers).status_code == 200
    assert last_used() == NOW - timedelta(minutes=4)


def test_a_token_sees_only_its_own_owners_sessions(client, make_user, at_now):
    _, mine = make_user()
    _, theirs = make_user()
    _log(client, mine, NOW - timedelta(hours=2))
    _log(client, theirs, NOW - timedelta(hours=1))
    _log(client, theirs, NOW - timedelta(hours=3))
    assert len(client.get("/api/sessions", headers=mine).json["items"]) == 1
    assert len(client.get("/api/sessions", headers=theirs).json["items"]) == 2
