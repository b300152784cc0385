"""The parent's own data: the export holds every table's rows of hers and no secrets; deletion leaves none."""

import json
import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, func, select
from sqlalchemy.orm import Session

from server.models import Base, Grant, PlanProposal, User
from server.services import account
from server.timeutil import utcnow
from tests.api.passkey_helpers import SoftAuthenticator, add_passkey
from tests.conftest import PASSWORD
from tests.household_helpers import acting_for, invite_and_join
from tests.pushservice import TestSubscription


def fill_every_table(client, headers) -> dict:
    """Give the signed-in user rows in every table through the API; return what must not be exported."""
    now = datetime.now(UTC).replace(microsecond=0)
    goals = {"daily_volume_ml": 700.0, "sessions_per_day": 8, "max_gap_day_min": 180, "max_gap_night_min": 300,
             "night_start": "22:00", "night_end": "06:00"}
    assert client.put("/api/goals", json=goals, headers=headers).status_code == 200
    fill_household(client, headers, now)  # before the summary: what her partner logs changes the kept days
    session = {"started_at": (now - timedelta(hours=1)).isoformat(), "duration_min": 20, "left_ml": 50}
    assert client.post("/api/sessions", json=session, headers=headers).status_code == 201
    today = now.date()
    assert client.get(f"/api/summary/daily?from={today}&to={today}", headers=headers).status_code == 200  # kept
    plan = {"template": "frequent-boost", "starts_at": (now + timedelta(hours=2)).isoformat(), "params": {}}
    assert client.post("/api/plans", json=plan, headers=headers).status_code == 201
    device = TestSubscription("t", f"http://127.0.0.1:9/wpush/{os.urandom(6).hex()}",
                              ec.generate_private_key(ec.SECP256R1()), os.urandom(16))
    assert client.post("/api/push/subscriptions", json=device.as_json(), headers=headers).status_code == 201
    batch = {"volume": 90, "expressed_at": now.isoformat(), "location": "fridge"}
    batch = client.post("/api/stash", json=batch, headers=headers)
    assert batch.status_code == 201
    moved = client.post(f"/api/stash/{batch.json['id']}/move", json={"location": "freezer"}, headers=headers)
    assert moved.status_code == 200
    share = client.post("/api/shares", json={"label": "IBCLC Robin", "expires_in_days": 7}, headers=headers)
    assert share.status_code == 201
    email = client.get("/api/me", headers=headers).json["email"]
    assert client.post("/api/auth/password-reset", json={"email": email}).status_code == 202  # a reset link
    add_passkey(client, headers, SoftAuthenticator())
    pending = client.post("/api/me/passkeys/options", headers=headers).json["challenge"]  # a passkey being added
    return {"token": share.json["token"], "p256dh": device.p256dh, "auth": device.auth,
            "bearer": headers["Authorization"].split()[1], "challenge": pending}


def fill_household(client, headers, now: datetime) -> None:
    """Give the signed-in parent a partner who logs for her, a parent who let her in, an invitation and a proposal."""
    parent_id = client.get("/api/me", headers=headers).json["id"]
    _, partner = register(client)
    invite_and_join(client, headers, partner, "partner")
    session = {"started_at": (now - timedelta(hours=3)).isoformat(), "duration_min": 20, "right_ml": 40}
    assert client.post("/api/sessions", json=session, headers=acting_for(partner, parent_id)).status_code == 201
    batch = {"volume": 60, "expressed_at": now.isoformat(), "location": "fridge"}
    assert client.post("/api/stash", json=batch, headers=acting_for(partner, parent_id)).status_code == 201
    _, other_parent = register(client)
    invite_and_join(client, other_parent, headers, "caregiver")
    assert client.post("/api/household/invitations", json={"role": "consultant"}, headers=headers).status_code == 201
    _, consultant = register(client)
    consultant_id = client.get("/api/me", headers=consultant).json["id"]
    with Session(client.application.extensions["engine"]) as db:
        db.add(PlanProposal(user_id=parent_id, proposed_by_id=consultant_id, template="frequent-boost",
                            starts_at=now + timedelta(days=1), overrides={}, note="Try this", created_at=now))
        db.commit()


def register(client) -> tuple[dict, dict]:
    """Register another account; return (user json, auth headers)."""
    body = {"email": f"{uuid.uuid4().hex[:12]}@example.com", "password": PASSWORD}
    answer = client.post("/api/auth/register", json=body)
    return answer.json["user"], {"Authorization": f"Bearer {answer.json['token']}"}


def rows_of(db, user_id: int) -> dict[str, int]:
    """Count the user's rows in every table of the models."""
    return {table.name: db.scalar(select(func.count()).select_from(table)
                                  .where(account.owner_condition(table, user_id)))
            for table in account.personal_tables()}


@pytest.fixture
def parents(make_user, client):
    """Two parents with rows in every table: (user, headers, secrets) each."""
    found = []
    for _ in range(2):
        user, headers = make_user()
        found.append((user, headers, fill_every_table(client, headers)))
    return found


def test_every_table_is_personal_with_a_path_to_its_parent_or_declared_impersonal():
    for table in Base.metadata.sorted_tables:
        if table.name not in account.NOT_PERSONAL:
            account.owner_condition(table, 1)  # raises NoOwnerPath when a new table has none


def test_a_table_without_a_path_to_users_is_refused():
    orphan = Table("orphans", MetaData(), Column("id", Integer, primary_key=True),
                   Column("other_id", Integer, ForeignKey("others.id")))
    Table("others", orphan.metadata, Column("id", Integer, primary_key=True))
    with pytest.raises(account.NoOwnerPath):
        account.owner_condition(orphan, 1)


def test_every_personal_table_has_a_place_in_the_export_or_a_reason_to_stay_out():
    assert {table.name for table in account.personal_tables()} == set(account.EXPORTED_AS)


def test_export_holds_every_kind_of_her_rows_streamed_without_secrets(client, db, parents):
    (alice, headers, secrets), (bob, _, _) = parents
    response = client.get("/api/account/export", headers=headers)
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Cache-Control"] == "private, no-store"
    body = response.get_data(as_text=True)
    document = json.loads(body)
    assert (document["format"], document["version"]) == ("pumpwell-export", 1)
    for table, count in rows_of(db, alice["id"]).items():
        assert count > 0, f"the test gives Alice no {table} rows: add them to fill_every_table"
        section = account.EXPORTED_AS[table]
        if section not in (None, "account", "goals") and table not in ("plan_slots", "milk_batch_events", "grants"):
            assert len(document[section]) == count, table
    assert len(document["members"]) + len(document["parents"]) == rows_of(db, alice["id"])["grants"]
    assert {m["role"] for m in document["members"]} == {"partner"}
    assert {p["role"] for p in document["parents"]} == {"caregiver"}
    assert {s["logged_by_role"] for s in document["sessions"]} == {None, "partner"}
    assert {e["logged_by_role"] for c in document["containers"] for e in c["events"]} == {None, "partner"}
    assert document["proposals"][0]["proposed_by_role"] == "consultant"
    assert sum(len(plan["slots"]) for plan in document["plans"]) == rows_of(db, alice["id"])["plan_slots"]
    assert sum(len(c["events"]) for c in document["containers"]) == rows_of(db, alice["id"])["milk_batch_events"]
    assert document["account"]["email"] == alice["email"]
    assert bob["email"] not in body
    stored_hash = db.get(User, alice["id"]).password_hash
    for secret in [*secrets.values(), stored_hash]:
        assert secret not in body
    for internal in ("dedupe_key", "lease_until", "attempts", "send_after", "stop_reason", "token_id",
                     "request_digest", "hash", "import_key", "endpoint", "user_id"):
        assert f'"{internal}"' not in body


def test_deletion_removes_every_row_of_hers_and_signs_out_every_device(client, db, parents):
    (alice, headers, _), (bob, bob_headers, _) = parents
    second = client.post("/api/auth/login", json={"email": alice["email"], "password": PASSWORD}).json["token"]
    bob_before = rows_of(db, bob["id"])
    response = client.delete("/api/account", json={"password": PASSWORD}, headers=headers)
    assert response.status_code == 204
    assert set(rows_of(db, alice["id"]).values()) == {0}
    assert rows_of(db, bob["id"]) == bob_before
    for token in (headers["Authorization"].split()[1], second):
        assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get("/api/me", headers=bob_headers).status_code == 200
    again = {"email": alice["email"], "password": PASSWORD}
    assert client.post("/api/auth/login", json=again).status_code == 401
    assert client.post("/api/auth/register", json=again).status_code == 201


def test_deletion_needs_the_password_unless_this_device_just_signed_in(app, client, db, parents):
    (alice, headers, _), _ = parents
    before = rows_of(db, alice["id"])
    wrong = client.delete("/api/account", json={"password": "not her password"}, headers=headers)
    assert wrong.status_code == 403 and wrong.json["error"]["fields"] == {"password": ["Wrong password."]}
    later = datetime.now(UTC) + account.FRESH_SIGN_IN + timedelta(minutes=1)
    app.config["CLOCK"] = lambda: later
    assert client.delete("/api/account", json={}, headers=headers).status_code == 403
    assert rows_of(db, alice["id"]) == before
    app.config["CLOCK"] = utcnow
    assert client.delete("/api/account", json={}, headers=headers).status_code == 204
    assert set(rows_of(db, alice["id"]).values()) == {0}


def test_deleting_a_parent_removes_her_grants_and_nothing_of_her_helpers(client, db, make_user):
    parent, headers = make_user()
    helper, helper_headers = make_user()
    fill_every_table(client, helper_headers)
    invite_and_join(client, headers, helper_headers, "caregiver")
    invite_and_join(client, helper_headers, headers, "partner")
    helper_before = rows_of(db, helper["id"])
    assert client.delete("/api/account", json={"password": PASSWORD}, headers=headers).status_code == 204
    assert set(rows_of(db, parent["id"]).values()) == {0}
    helper_after = rows_of(db, helper["id"])
    assert helper_after == {**helper_before, "grants": helper_before["grants"] - 2}
    assert db.scalar(select(func.count()).select_from(Grant).where(
        (Grant.owner_id == parent["id"]) | (Grant.grantee_id == parent["id"]))) == 0
    assert client.get("/api/household/parents", headers=helper_headers).status_code == 200
