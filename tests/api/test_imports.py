"""Importing through the API: our own export comes back whole (on the other database too), and a file that cannot
be imported gets a clear refusal in the one error shape, never a 500 and never half an import."""

import copy
import io
import json
import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from server import create_app
from server.models import Base, PumpSession
from server.services import imports
from tests.api.test_account import fill_every_table
from tests.conftest import PASSWORD, TEST_CONFIG, _empty_all
from tests.services.test_imports import lines_reader

IMPORT = "/api/account/imports?source=pumpwell&zone=UTC"
PREVIEW = "/api/account/imports/preview?source=pumpwell&zone=UTC"
# What an import does not bring back (the server that made them keeps them), and what differs by nature.
NOT_IMPORTED = ("exported_at", "reminders", "shares", "devices", "passkeys", "push_subscriptions", "members",
                "parents", "invitations", "proposals")


def without_ids(document: dict) -> dict:
    """Return an export with its ids, its time and what an import does not bring left out."""
    document = {key: value for key, value in copy.deepcopy(document).items() if key not in NOT_IMPORTED}
    document["account"] = {k: v for k, v in document["account"].items() if k not in ("email", "created_at")}
    # A container's session by its place in the list of sessions, rather than its id.
    place = {session["id"]: n for n, session in enumerate(document["sessions"])}
    for container in document["containers"]:
        container["session"] = place.get(container["session"])
        del container["id"]
        for event in container["events"]:
            del event["id"]
    # Who logged a row for her names an account of the server that made it: an import brings the row, as hers.
    events = (event for container in document["containers"] for event in container["events"])
    for record in [*document["plans"], *document["sessions"], *events]:
        record.pop("logged_by_role", None)
    for plan in document["plans"]:
        del plan["id"]
    for session in document["sessions"]:
        del session["id"]
        if session["plan_slot"]:
            del session["plan_slot"]["plan"]
    return document


def exported(client, headers) -> dict:
    """Return the account's export."""
    response = client.get("/api/account/export", headers=headers)
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


def rich_account(client, make_user):
    """Return the headers and export of a parent with every kind of row, in New York, oz and French."""
    _, headers = make_user(time_zone="America/New_York", unit="oz")
    fill_every_table(client, headers)
    now = datetime.now(UTC).replace(microsecond=0)
    quiet = {"quiet_hours": {"start": "22:30", "end": "06:15"}, "language": "fr"}
    assert client.patch("/api/me", json=quiet, headers=headers).status_code == 200
    for hours, notes in ((30, 'felt "full"\nat 3am'), (54, "=SUM(A1)")):
        session = {"started_at": (now - timedelta(hours=hours)).isoformat(), "duration_min": 17, "left_ml": 41.5,
                   "right_ml": 38, "notes": notes, "pump": "Spectra S1", "flange_mm": 24, "pain": 2}
        created = client.post("/api/sessions", json=session, headers=headers)
        assert created.status_code == 201
    stashed = client.post("/api/stash", json={"session_id": created.json["id"], "location": "fridge"}, headers=headers)
    assert stashed.status_code == 201
    return headers, exported(client, headers)


@pytest.fixture
def other_app(app, tmp_path, request):
    """The app on the other database: PostgreSQL beside SQLite when TEST_DATABASE_URL is set, else a second
    SQLite file (and SQLite beside PostgreSQL)."""
    on_postgres = app.config["DATABASE_URL"].startswith("postgresql")
    if on_postgres or not os.environ.get("TEST_DATABASE_URL"):
        url = f"sqlite:///{tmp_path / 'other.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    other = create_app({**TEST_CONFIG, "DATABASE_URL": url})
    engine = other.extensions["engine"]
    if url.startswith("sqlite"):
        Base.metadata.create_all(engine)
    yield other
    if not url.startswith("sqlite"):
        _empty_all(engine)
    engine.dispose()


def test_an_export_imported_on_the_other_database_exports_the_same_apart_from_ids(client, make_user, other_app):
    _, document = rich_account(client, make_user)
    assert all(document[kind] for kind in ("plans", "sessions", "containers")) and document["goals"]
    assert any(container["session"] for container in document["containers"])
    elsewhere = other_app.test_client()
    registered = elsewhere.post("/api/auth/register", json={"email": "moved@example.com", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {registered.json['token']}"}
    answer = elsewhere.post(IMPORT, data=json.dumps(document), headers=headers)
    assert answer.status_code == 201, answer.json
    assert answer.json["added"] == len(document["sessions"]) and answer.json["settings"] is True
    assert without_ids(exported(elsewhere, headers)) == without_ids(document)


def test_a_second_import_changes_nothing_and_a_second_account_gets_its_own_ids(client, make_user, db):
    _, document = rich_account(client, make_user)
    _, headers = make_user()
    first = client.post(IMPORT, data=json.dumps(document), headers=headers)
    assert first.status_code == 201
    before = exported(client, headers)
    again = client.post(IMPORT, data=json.dumps(document), headers=headers)
    assert again.status_code == 201
    assert (again.json["added"], again.json["plans"]["added"], again.json["containers"]["added"]) == (0, 0, 0)
    assert {k: v for k, v in exported(client, headers).items() if k != "exported_at"} == \
        {k: v for k, v in before.items() if k != "exported_at"}
    # The first account holds the file's ids, so the second one's rows have ids of their own.
    assert not {s["id"] for s in before["sessions"]} & {s["id"] for s in document["sessions"]}


def test_restoring_her_own_export_brings_back_what_she_deleted_and_skips_the_rest(client, make_user):
    headers, document = rich_account(client, make_user)
    gone = document["sessions"][0]["id"]
    assert client.delete(f"/api/sessions/{gone}", headers=headers).status_code == 204
    preview = client.post(PREVIEW, data=json.dumps(document), headers=headers)
    assert preview.status_code == 200
    assert (preview.json["to_add"], preview.json["already_present"]) == (1, len(document["sessions"]) - 1)
    assert preview.json["plans"] == {"found": 1, "already_present": 1, "to_add": 0}
    assert client.post(IMPORT, data=json.dumps(document), headers=headers).json["added"] == 1
    assert client.get(f"/api/sessions/{gone}", headers=headers).status_code == 200


def test_a_file_from_a_newer_version_is_refused_with_what_to_do(client, auth, db):
    document = {"format": "pumpwell-export", "version": 2, "exported_at": "2030-01-01T00:00:00+00:00",
                "sessions": [{"id": str(uuid.uuid4())}]}
    answer = client.post(IMPORT, data=json.dumps(document), headers=auth)
    assert answer.status_code == 422
    assert "newer Pumpwell (export format version 2)" in answer.json["error"]["message"]


@pytest.mark.parametrize("body", [
    b"", b"not json at all", b"\xff\xfe{\x00}", b"[1, 2]", b'{"version": 1, "format": "pumpwell-export"',
    b'{"format": "something-else", "version": 1}', b'{"format": "pumpwell-export", "version": "1"}',
    b'{"format": "pumpwell-export", "version": 1, "sessions": [{"id": "x"}, ' + b"1" * 100_000,
    b"x" * (10 * 1024 * 1024),
])
def test_a_file_that_is_not_an_export_is_refused_whole_in_the_error_shape(client, auth, db, body):
    for url in (PREVIEW, IMPORT):
        answer = client.post(url, data=body, headers=auth, content_type="application/octet-stream")
        assert answer.status_code == 422, answer.json
        assert answer.json["error"]["code"] == "validation_error" and answer.json["error"]["message"]
    assert db.scalar(select(func.count()).select_from(PumpSession)) == 0


def test_bad_records_are_listed_with_their_reason_and_the_rest_imported(client, auth):
    now = datetime.now(UTC).replace(microsecond=0)
    good = {"id": str(uuid.uuid4()), "started_at": (now - timedelta(hours=2)).isoformat(),
            "ended_at": (now - timedelta(hours=1, minutes=40)).isoformat(), "left_ml": 40, "right_ml": None,
            "unsided_ml": None, "mode": "double", "pump": None, "flange_mm": None, "pain": None, "notes": None,
            "plan_slot": None, "created_at": now.isoformat(), "updated_at": now.isoformat()}
    bad = [{**good, "id": str(uuid.uuid4()), "left_ml": -20}, {**good, "id": str(uuid.uuid4()),
           "started_at": (now + timedelta(days=3)).isoformat(), "ended_at": (now + timedelta(days=3)).isoformat()},
           {**good, "id": str(uuid.uuid4()), "notes": "n" * (10 * 1024 * 1024)}, {**good, "id": "not an id"}, 7]
    document = {"format": "pumpwell-export", "version": 1, "sessions": [good, *bad]}
    answer = client.post(IMPORT, data=json.dumps(document), headers=auth)
    assert answer.status_code == 201
    assert (answer.json["added"], answer.json["unreadable_count"]) == (1, 5)
    assert [row["reason"] for row in answer.json["unreadable"]] == [
        "left_ml is negative.", "It starts in the future.", "The notes must be at most 2000 characters long.",
        "The id is not an id.", "The session is not an object.",
    ]


def test_a_byte_order_mark_before_the_export_is_fine(client, make_user):
    _, document = rich_account(client, make_user)
    _, headers = make_user()
    answer = client.post(PREVIEW, data=b"\xef\xbb\xbf" + json.dumps(document).encode(), headers=headers)
    assert answer.status_code == 200 and answer.json["to_add"] == len(document["sessions"])


def test_a_file_over_the_limit_is_refused_with_413_whether_its_length_is_said_or_not(app, client, auth):
    app.config["IMPORT_MAX_BYTES"] = 1000
    answer = client.post(IMPORT, data=b" " * 1001, headers=auth)
    assert answer.status_code == 413 and answer.json["error"]["code"] == "too_large"
    # A chunked body, whose end gunicorn marks (wsgi.input_terminated) as the test client does not.
    chunked = {"headers": {**auth, "Transfer-Encoding": "chunked"},
               "environ_overrides": {"wsgi.input_terminated": True}}
    answer = client.post(IMPORT, input_stream=io.BytesIO(b" " * 1001), **chunked)
    assert answer.status_code == 413 and answer.json["error"]["code"] == "too_large"
    answer = client.post(PREVIEW, input_stream=io.BytesIO(b'{"format": "pumpwell-export", "version": 1}'), **chunked)
    assert answer.status_code == 200


def test_imports_need_a_signed_in_parent_and_count_against_her_limit(app, client, auth):
    assert client.post(PREVIEW, data=b"{}").status_code == 401
    app.config["IMPORT_RATE_LIMIT"] = "2 per hour"
    statuses = [client.post(PREVIEW, data=b"{}", headers=auth).status_code for _ in range(3)]
    assert statuses == [422, 422, 429]


def test_the_openapi_document_declares_the_file_body_and_the_answers(client):
    operation = client.get("/api/openapi.json").json["paths"]["/api/account/imports"]["post"]
    assert operation["requestBody"]["content"]["application/octet-stream"]["schema"]["format"] == "binary"
    assert {"201", "401", "413", "422", "429"} <= set(operation["responses"])


def test_a_plan_and_the_summary_count_sessions_another_app_recorded_as_soon_as_they_are_imported(
        client, auth, monkeypatch):
    monkeypatch.setitem(imports.READERS, "lines", lines_reader)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    plan = client.post("/api/plans", json={"template": "frequent-boost", "starts_at": (now - timedelta(hours=5))
                                           .isoformat()}, headers=auth).json
    days = f"/api/summary/daily?from={(now - timedelta(hours=5)).date()}&to={now.date()}"
    assert sum(day["total_ml"] for day in client.get(days, headers=auth).json["days"]) == 0  # kept, empty
    lines = "".join(f"{(now - timedelta(hours=hours)).replace(tzinfo=None).isoformat()};15;;;{ml};\n"
                    for hours, ml in ((5, 90), (3, 70)))
    answer = client.post("/api/account/imports?source=lines&zone=UTC", data=lines, headers=auth)
    assert answer.status_code == 201 and answer.json["added"] == 2
    slots = client.get(f"/api/plans/{plan['id']}", headers=auth).json["slots"]
    assert slots[0]["session_id"] and slots[1]["session_id"]
    summary = client.get(days, headers=auth).json["days"]
    assert (sum(day["total_ml"] for day in summary), sum(day["sessions"] for day in summary)) == (160, 2)
