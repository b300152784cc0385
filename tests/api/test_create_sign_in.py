"""A create checks its bearer token in its own insert, stores nothing under a token that is not live, and answers
exactly as the sign-in would."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from server.models import ApiToken, PumpSession
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


def _body(hours_ago: float, **values) -> dict:
    """A 15-minute session started `hours_ago` before NOW."""
    return {"started_at": (NOW - timedelta(hours=hours_ago)).isoformat(), "duration_min": 15, "left_ml": 40,
            "right_ml": 50, **values}


def _stored(db) -> int:
    """How many sessions are stored."""
    db.expire_all()
    return db.scalar(select(func.count()).select_from(PumpSession))


def _go_bad(client, db, headers: dict, how: str) -> dict:
    """Make the device's token expire, sign it out, or get it wrong; return the headers to send then."""
    token = _token(headers)
    if how == "expired":
        db.execute(update(ApiToken).where(ApiToken.token_hash == hash_token(token)).values(expires_at=NOW))
        db.commit()
    elif how == "signed out":
        assert client.post("/api/auth/logout", headers=headers).status_code == 204
    else:
        return {"Authorization": f"Bearer {token[:-1]}{'A' if token[-1] != 'A' else 'B'}"}
    return headers


def test_a_create_reads_no_sign_in_of_its_own(app, client, make_user, at_now):
    _, headers = make_user()
    assert client.post("/api/sessions", headers=headers, json=_body(1)).status_code == 201  # notes the token's use
    with recorded(app.extensions["engine"]) as sent:
        response = client.post("/api/sessions", headers=headers, json=_body(3))
    assert response.status_code == 201
    assert response.json["started_at"] == (NOW - timedelta(hours=3)).isoformat()
    # The insert, then forgetting the kept days it reaches: a session before the latest moves no reminder.
    assert [statement.split(None, 1)[0] for statement in sent] == ["INSERT", "DELETE"], sent


@pytest.mark.parametrize("how", ["expired", "signed out", "unknown"])
@pytest.mark.parametrize("replayed", [False, True], ids=["new id", "replayed id"])
def test_a_token_that_is_not_live_stores_nothing_and_is_refused_as_everywhere_else(
    client, db, make_user, at_now, how, replayed,
):
    _, headers = make_user()
    body = _body(2, id=str(uuid.uuid4()))
    if replayed:
        assert client.post("/api/sessions", headers=headers, json=body).status_code == 201
    before = _stored(db)
    headers = _go_bad(client, db, headers, how)
    create = client.post("/api/sessions", headers=headers, json=body if replayed else _body(1))
    me = client.get("/api/me", headers=headers)
    assert create.status_code == me.status_code == 401
    assert create.json == me.json and create.json["error"]["code"] == "unauthorized"
    assert create.headers["WWW-Authenticate"] == me.headers["WWW-Authenticate"]
    assert _stored(db) == before


@pytest.mark.parametrize("body", [
    _body(1, duration_min=0), _body(1, started_at="yesterday"), {"duration_min": 15},
    _body(-1),  # an hour from now: refused by the service, not the schema
    _body(1, ended_at=(NOW - timedelta(hours=2)).isoformat(), duration_min=None),
], ids=["duration", "start", "no start", "future", "end before start"])
def test_a_signed_out_device_with_a_bad_body_is_told_to_sign_in_not_about_the_body(
    client, db, make_user, at_now, body,
):
    _, headers = make_user()
    body = {name: value for name, value in body.items() if value is not None}
    assert client.post("/api/sessions", headers=headers, json=body).status_code == 422
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    response = client.post("/api/sessions", headers=headers, json=body)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized" and "WWW-Authenticate" in response.headers
    assert _stored(db) == 0


def test_a_create_notes_the_tokens_use_once_in_a_while_with_the_session(client, db, make_user, at_now):
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
    assert client.post("/api/sessions", headers=headers, json=_body(1)).status_code == 201
    assert last_used() == NOW
    last_used(NOW - timedelta(minutes=4))
    assert client.post("/api/sessions", headers=headers, json=_body(2)).status_code == 201
    assert last_used() == NOW - timedelta(minutes=4)
    assert _stored(db) == 2


def test_a_token_stores_for_its_own_owner_and_cannot_take_anothers_id(client, db, make_user, at_now):
    _, mine = make_user()
    _, theirs = make_user()
    body = _body(2, id=str(uuid.uuid4()))
    assert client.post("/api/sessions", headers=theirs, json=body).status_code == 201
    clash = client.post("/api/sessions", headers=mine, json=body)
    assert clash.status_code == 409 and clash.json["error"]["code"] == "conflict"
    assert client.post("/api/sessions", headers=mine, json=_body(1)).status_code == 201
    assert len(client.get("/api/sessions", headers=mine).json["items"]) == 1
    assert len(client.get("/api/sessions", headers=theirs).json["items"]) == 1
    assert client.post("/api/sessions", headers=theirs, json=body).status_code == 200
