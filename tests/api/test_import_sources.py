"""Other apps' files through the import API: Huckleberry's CSV, Baby Buddy's CSV and Excel exports and its server,
each previewed, imported, and imported again to no effect; a file or server that cannot be read is a 422 saying why."""

import io
import json
import logging
from pathlib import Path

import pytest
from sqlalchemy import func, select

from server import create_app
from server.models import PumpSession
from server.services.import_sources import register_sources
from tests.conftest import TEST_CONFIG
from tests.imports.test_babybuddy_api import TOKEN, address, entry, stand_in
from tests.imports.test_babybuddy_files import workbook

FIXTURES = Path(__file__).parents[1] / "imports" / "fixtures"
ZONE = "America/New_York"
OZ_ML = 29.5735295625


def babybuddy_workbook() -> bytes:
    """Return fixtures/babybuddy_pumping.csv as the Excel workbook Baby Buddy exports."""
    lines = (FIXTURES / "babybuddy_pumping.csv").read_text().splitlines()[1:]
    return workbook([line.split(",", 8) for line in lines]).getvalue()


# source, unit, file, sessions read, lines unreadable, the first session's start in UTC
FILES = {
    "huckleberry": (None, (FIXTURES / "huckleberry.csv").read_bytes(), 4, [], "2026-09-27T03:40:00Z"),
    # The first entry, 120.5 oz, is more than a pump collects.
    "babybuddy-csv": ("oz", (FIXTURES / "babybuddy_pumping.csv").read_bytes(), 2, [2], "2017-11-17T17:52:00Z"),
    "babybuddy-xlsx": ("oz", babybuddy_workbook(), 2, [2], "2017-11-17T17:52:00Z"),
}


def url(path: str, source: str, unit: str | None = None, zone: str = ZONE) -> str:
    """Return the import (or preview) address for a source."""
    return f"/api/account/imports{path}?source={source}&zone={zone}" + (f"&unit={unit}" if unit else "")


def stored(db) -> int:
    """Return how many sessions are stored."""
    return db.scalar(select(func.count()).select_from(PumpSession))


@pytest.mark.parametrize("source", FILES)
def test_a_file_is_previewed_imported_and_imported_again_to_no_effect(client, auth, db, source):
    unit, data, sessions, unreadable, first = FILES[source]

    preview = client.post(url("/preview", source, unit), data=data, headers=auth)
    assert preview.status_code == 200, preview.json
    said = preview.json
    assert (said["sessions"], said["to_add"], said["already_present"]) == (sessions, sessions, 0)
    assert [row["line"] for row in preview.json["unreadable"]] == unreadable
    assert preview.json["first"].replace("+00:00", "Z") == first
    assert stored(db) == 0

    imported = client.post(url("", source, unit), data=data, headers=auth)
    assert imported.status_code == 201 and imported.json["added"] == sessions
    again = client.post(url("", source, unit), data=data, headers=auth)
    assert again.status_code == 201 and (again.json["added"], again.json["skipped"]) == (0, sessions)
    assert client.post(url("/preview", source, unit), data=data, headers=auth).json["already_present"] == sessions
    assert stored(db) == sessions


def test_baby_buddys_amounts_are_stored_in_the_unit_the_parent_names(client, auth):
    data = (FIXTURES / "babybuddy_pumping.csv").read_bytes()
    assert client.post(url("", "babybuddy-csv", "oz"), data=data, headers=auth).status_code == 201

    listed = client.get("/api/sessions", headers=auth).json["items"]
    assert sorted(round(session["total_ml"], 6) for session in listed) == [round(5 * OZ_ML, 6), round(9 * OZ_ML, 6)]


@pytest.mark.parametrize("source", ["babybuddy-csv", "babybuddy-xlsx", "babybuddy-api"])
def test_a_source_whose_amounts_carry_no_unit_needs_one(client, auth, source):
    answer = client.post(url("/preview", source), data=b"id,start,amount\n", headers=auth)
    assert answer.status_code == 422 and "unit" in answer.json["error"]["fields"]
    assert client.post(url("/preview", source, "pints"), data=b"", headers=auth).status_code == 422


@pytest.mark.parametrize(("source", "data", "reason"), [
    ("huckleberry", b"Type,Begin\nPump,2026-09-28 06:35\n", "Start"),
    ("babybuddy-xlsx", b"PK\x03\x04 not a workbook", "Excel"),
    ("babybuddy-api", b"https://babybuddy.example", "token"),
    ("babybuddy-api", json.dumps({"url": "ftp://babybuddy.example", "token": TOKEN}).encode(), "https://"),
])
def test_a_file_that_cannot_be_read_is_refused_with_the_reason(client, auth, db, source, data, reason):
    answer = client.post(url("", source, "ml"), data=data, headers=auth)

    assert answer.status_code == 422
    assert answer.json["error"]["code"] == "validation_error" and reason in answer.json["error"]["message"]
    assert stored(db) == 0


@pytest.fixture
def babybuddy():
    """A Baby Buddy stand-in on loopback, with three pumping entries."""
    httpd = stand_in()
    httpd.entries = [entry(number) for number in (3, 2, 1)]
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def home_network(app):
    """The app again on the same database, with IMPORT_ALLOW_PRIVATE_HOSTS on (a Baby Buddy on loopback)."""
    home = create_app({**TEST_CONFIG, "DATABASE_URL": app.config["DATABASE_URL"], "IMPORT_ALLOW_PRIVATE_HOSTS": True})
    yield home
    home.extensions["engine"].dispose()
    register_sources()  # the process's registry of sources, as the other apps' setting has it


def test_a_baby_buddy_server_is_read_page_by_page_and_its_token_kept_nowhere(home_network, auth, babybuddy, db,
                                                                             caplog):
    client = home_network.test_client()
    body = json.dumps({"url": address(babybuddy), "token": TOKEN})

    with caplog.at_level(logging.DEBUG):
        preview = client.post(url("/preview", "babybuddy-api", "ml"), data=body, headers=auth,
                              content_type="application/json")
        assert preview.status_code == 200 and (preview.json["sessions"], preview.json["to_add"]) == (3, 3)
        first = client.post(url("", "babybuddy-api", "ml"), data=body, headers=auth)
        again = client.post(url("", "babybuddy-api", "ml"), data=body, headers=auth)

    assert first.status_code == 201 and first.json["added"] == 3
    assert again.status_code == 201 and (again.json["added"], again.json["skipped"]) == (0, 3)
    assert babybuddy.requests == ["/api/pumping/?limit=500"] * 3
    assert stored(db) == 3
    export = client.get("/api/account/export", headers=auth).get_data(as_text=True)
    assert TOKEN not in export and TOKEN not in caplog.text


def test_a_baby_buddy_server_that_refuses_the_key_is_a_422_saying_so(home_network, auth, babybuddy):
    body = json.dumps({"url": address(babybuddy), "token": "not-the-key"})

    answer = home_network.test_client().post(url("", "babybuddy-api", "ml"), data=body, headers=auth)

    assert answer.status_code == 422 and "did not accept the API key" in answer.json["error"]["message"]


def test_a_server_on_a_private_address_is_not_visited_unless_the_setting_allows(client, auth, babybuddy):
    body = json.dumps({"url": address(babybuddy), "token": TOKEN})

    answer = client.post(url("/preview", "babybuddy-api", "ml"), data=io.BytesIO(body.encode()), headers=auth)

    assert answer.status_code == 422 and "private or local address" in answer.json["error"]["message"]
    assert babybuddy.requests == []
