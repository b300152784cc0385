"""A page of sessions, a summary and a create check their bearer token in their own statement, and answer exactly as
the sign-in would: nothing stored, nothing read for a token that is not live."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from server.models import ApiToken, PumpSession
from server.services.accounts import hash_token
from tests.statements import recorded

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
SUMMARY = "/api/summary/daily?from=2026-02-20&to=2026-03-01"


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


def _log(client, headers, hours_ago: float, **values):
    """Log a session; return the answer's body."""
    response = client.post("/api/sessions", headers=headers, json=_body(hours_ago, **values))
    assert response.status_code == 201, response.json
    return response.json


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


# Each asks with sessions stored (logged 2 hours before NOW, with a known id) and the summary's days kept.
ASKS = {
    "page": lambda client, headers: client.get("/api/sessions", headers=headers),
    # Nothing in the range: the page's statement says nothing of the token, which is then read alone.
    "empty page": lambda client, headers: client.get(
        "/api/sessions?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z", headers=headers),
    "summary": lambda client, headers: client.get(SUMMARY, headers=headers),
    "create": lambda client, headers: client.post("/api/sessions", headers=headers, json=_body(1)),
    # Nothing inserted for a replay either: the token is then read alone.
    "replayed create": lambda client, headers: client.post(
        "/api/sessions", headers=headers, json=_body(2, id=str(uuid.UUID(int=7)))),
}


@pytest.mark.parametrize("how", ["expired", "signed out", "unknown"])
@pytest.mark.parametrize("ask", ASKS)
def test_a_token_that_is_not_live_is_refused_as_everywhere_else(client, db, make_user, at_now, how, ask):
    _, headers = make_user()
    _log(client, headers, 2, id=str(uuid.UUID(int=7)))
    assert client.get(SUMMARY, headers=headers).status_code == 200  # keeps the days
    headers = _go_bad(client, db, headers, how)
    answer, me = ASKS[ask](client, headers), client.get("/api/me", headers=headers)
    assert answer.status_code == me.status_code == 401
    assert answer.json == me.json and answer.json["error"]["code"] == "unauthorized"
    assert answer.headers["WWW-Authenticate"] == me.headers["WWW-Authenticate"]
    assert _stored(db) == 1


BAD = [
    ("get", "/api/sessions?limit=0", None), ("get", "/api/sessions?cursor=not-a-cursor", None),
    ("get", "/api/sessions?from=yesterday", None),
    ("get", "/api/summary/daily?from=2026-03-01&to=2026-02-01", None),  # refused by the service, not the schema
    ("get", "/api/summary/daily?from=2024-01-01&to=2026-03-01", None), ("get", "/api/summary/daily?from=x", None),
    ("post", "/api/sessions", _body(1, duration_min=0)), ("post", "/api/sessions", _body(1, started_at="yesterday")),
    ("post", "/api/sessions", {"duration_min": 15}),
    ("post", "/api/sessions", _body(-1)),  # an hour from now: refused by the service, not the schema
]


@pytest.mark.parametrize("method, url, body", BAD)
def test_a_signed_out_device_asking_amiss_is_told_to_sign_in_not_about_the_typo(
    client, db, make_user, at_now, method, url, body,
):
    _, headers = make_user()
    assert getattr(client, method)(url, headers=headers, json=body).status_code == 422
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    response = getattr(client, method)(url, headers=headers, json=body)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized" and "WWW-Authenticate" in response.headers
    assert _stored(db) == 0


@pytest.mark.parametrize("ask", ASKS)
def test_each_notes_the_tokens_use_once_in_a_while_as_the_sign_in_does(client, db, make_user, at_now, ask):
    _, headers = make_user()
    _log(client, headers, 2, id=str(uuid.UUID(int=7)))
    token_hash = hash_token(_token(headers))

    def last_used(at: datetime | None = None):
        """Set (when given) and read the token's last use."""
        if at is not None:
            db.execute(update(ApiToken).where(ApiToken.token_hash == token_hash).values(last_used_at=at))
            db.commit()
        db.expire_all()
        return db.scalar(select(ApiToken.last_used_at).where(ApiToken.token_hash == token_hash))

    last_used(NOW - timedelta(minutes=6))
    assert ASKS[ask](client, headers).status_code < 300
    assert last_used() == NOW
    last_used(NOW - timedelta(minutes=4))
    assert ASKS[ask](client, headers).status_code < 300
    assert last_used() == NOW - timedelta(minutes=4)


def test_a_page_reads_its_sign_in_and_its_sessions_in_one_statement(app, client, make_user, at_now):
    _, headers = make_user()
    for hours in (5, 3, 1):
        _log(client, headers, hours)
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


def test_a_summary_of_kept_days_reads_its_sign_in_with_them_in_one_statement(app, client, make_user, at_now):
    _, headers = make_user(time_zone="Europe/Berlin", unit="oz")
    _log(client, headers, 2)
    first = client.get(SUMMARY, headers=headers)
    with recorded(app.extensions["engine"]) as sent:
        again = client.get(SUMMARY, headers=headers)
    assert len(sent) == 1, sent
    assert again.json == first.json
    assert (again.json["time_zone"], again.json["unit"], again.json["days"][-1]["sessions"]) == (
        "Europe/Berlin", "oz", 1)


def test_a_create_reads_no_sign_in_of_its_own(app, client, make_user, at_now):
    _, headers = make_user()
    _log(client, headers, 1)  # notes the token's use
    with recorded(app.extensions["engine"]) as sent:
        stored = _log(client, headers, 3)
    assert stored["started_at"] == (NOW - timedelta(hours=3)).isoformat()
    # The insert, then forgetting the kept days it reaches: a session before the latest moves no reminder.
    assert [statement.split(None, 1)[0] for statement in sent] == ["INSERT", "DELETE"], sent


def test_a_token_sees_and_stores_only_its_own_owners_sessions(client, make_user, at_now):
    _, mine = make_user()
    _, theirs = make_user(time_zone="America/New_York")
    replayed = _log(client, theirs, 1, id=str(uuid.UUID(int=7)))
    _log(client, theirs, 3)
    _log(client, mine, 2)
    clash = client.post("/api/sessions", headers=mine, json=_body(1, id=replayed["id"]))
    assert clash.status_code == 409 and clash.json["error"]["code"] == "conflict"
    assert client.post("/api/sessions", headers=theirs, json=_body(1, id=replayed["id"])).json == replayed
    assert len(client.get("/api/sessions", headers=mine).json["items"]) == 1
    assert len(client.get("/api/sessions", headers=theirs).json["items"]) == 2
    for headers, zone, sessions in ((mine, "UTC", 1), (theirs, "America/New_York", 2)):
        for _ in range(2):  # computed and kept, then read from what was kept
            summary = client.get(SUMMARY, headers=headers).json
            assert summary["time_zone"] == zone and sum(day["sessions"] for day in summary["days"]) == sessions
