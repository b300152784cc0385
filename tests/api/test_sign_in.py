"""One sign-in path: every operation that needs a token refuses the same dead tokens the same way, storing nothing."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import func, select

from server import create_app
from server.models import ApiToken, Base
from server.services.access import LAST_USED_RESOLUTION
from tests.conftest import PASSWORD, TEST_CONFIG

SIGNED_UP = datetime(2026, 12, 1, 8, tzinfo=UTC)


def _protected_operations() -> list[tuple[str, str]]:
    """Every (method, path) of the OpenAPI document that needs a bearer token, with its path ids filled in."""
    # The document does not depend on the database: read it from an app on an in-memory one.
    document = create_app({**TEST_CONFIG, "DATABASE_URL": "sqlite://"}).test_client().get("/api/openapi.json").json
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and operation.get("security"):
                filled = path
                for parameter in operation.get("parameters", []):
                    if parameter["in"] == "path":
                        uuid = parameter["schema"].get("format") == "uuid"
                        filled = filled.replace(f"{{{parameter['name']}}}", str(uuid4()) if uuid else "1")
                found.append((method, filled))
    return sorted(found)


PROTECTED = _protected_operations()


@pytest.fixture
def clock(app):
    """The app's clock, set by the test; starting when the parent signed up."""
    now = [SIGNED_UP]
    app.config["CLOCK"] = lambda: now[0]
    return now


@pytest.fixture
def token(client, clock):
    """A device token issued at SIGNED_UP."""
    return client.post("/api/auth/register", json={"email": "a@example.com", "password": PASSWORD}).json["token"]


def _row_count(db) -> int:
    """Count every row of every table, to tell that a refused request stored nothing."""
    db.expire_all()
    return sum(db.scalar(select(func.count()).select_from(table)) for table in Base.metadata.sorted_tables
               if table.name != "rate_limit_counters")


def test_the_document_lists_every_kind_of_protected_operation():
    paths = {path for _, path in PROTECTED}
    assert len(PROTECTED) >= 40
    assert {"/api/me", "/api/sessions", "/api/summary/daily", "/api/stash", "/api/account"} <= paths


@pytest.mark.parametrize("dead", ["past its maximum age", "idle too long", "signed out", "unknown"])
def test_every_protected_operation_refuses_a_dead_token_with_401_and_stores_nothing(app, client, db, clock, token,
                                                                                     dead):
    headers = {"Authorization": f"Bearer {token}"}
    if dead == "past its maximum age":
        # Used every day, it still ends at its maximum age.
        for day in range(app.config["TOKEN_MAX_AGE_DAYS"]):
            clock[0] = SIGNED_UP + timedelta(days=day, hours=1)
            assert client.get("/api/me", headers=headers).status_code == 200
        clock[0] = SIGNED_UP + timedelta(days=app.config["TOKEN_MAX_AGE_DAYS"])
    elif dead == "idle too long":
        clock[0] = SIGNED_UP + timedelta(days=app.config["TOKEN_IDLE_DAYS"])
    elif dead == "signed out":
        assert client.post("/api/auth/logout", headers=headers).status_code == 204
    else:
        headers = {"Authorization": f"Bearer {token[:-2]}xx"}
    before = _row_count(db)
    for method, path in PROTECTED:
        answer = client.open(path, method=method.upper(), headers=headers, json={})
        assert answer.status_code == 401, (method, path, answer.status_code, answer.json)
        assert answer.json["error"]["code"] == "unauthorized"
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert _row_count(db) == before


def test_a_token_used_within_the_idle_time_stays_signed_in(app, client, clock, token):
    headers = {"Authorization": f"Bearer {token}"}
    idle = timedelta(days=app.config["TOKEN_IDLE_DAYS"])
    for step in range(1, 3):
        clock[0] = SIGNED_UP + step * (idle - timedelta(hours=1))
        assert client.get("/api/me", headers=headers).status_code == 200


def test_use_is_noted_once_in_a_while_not_at_every_request(client, db, clock, token):
    headers = {"Authorization": f"Bearer {token}"}

    def last_used():
        db.expire_all()
        return db.scalar(select(ApiToken.last_used_at))

    clock[0] = SIGNED_UP + timedelta(minutes=1)
    client.get("/api/me", headers=headers)
    noted = last_used()
    assert noted == clock[0]
    clock[0] = noted + LAST_USED_RESOLUTION - timedelta(minutes=1)
    client.get("/api/sessions", headers=headers)
    assert last_used() == noted
    clock[0] = noted + LAST_USED_RESOLUTION + timedelta(minutes=1)
    client.get("/api/sessions", headers=headers)
    assert last_used() == clock[0]


def test_a_signed_out_device_with_a_bad_body_is_told_to_sign_in_not_about_the_body(client, token):
    headers = {"Authorization": f"Bearer {token}"}
    client.post("/api/auth/logout", headers=headers)
    for method, path, body in (("post", "/api/sessions", {"started_at": "yesterday"}),
                               ("get", "/api/summary/daily?from=2026-02-30&to=x", None),
                               ("put", "/api/goals", {"daily_volume_ml": -1})):
        assert client.open(path, method=method.upper(), headers=headers, json=body).status_code == 401
