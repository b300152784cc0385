"""A refusal is worded in its reader's language: her account's once she is signed in, before that her
Accept-Language's. The message and every field's reasons, marshmallow's own included, with their figures."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from server.domain.languages import Text
from server.i18n import words
from tests.api.grant_helpers import acting_for, grant
from tests.conftest import PASSWORD


@pytest.fixture
def account(client):
    """Register an account speaking `language`; return its auth headers."""

    def make(language: str) -> dict:
        """Register one."""
        body = {"email": f"{uuid.uuid4().hex[:12]}@example.com", "password": PASSWORD, "time_zone": "Europe/Paris",
                "language": language}
        response = client.post("/api/auth/register", json=body)
        assert response.status_code == 201, response.json
        return {"Authorization": f"Bearer {response.json['token']}"}

    return make


def said(language: str, english: str) -> str:
    """The catalog's wording of an English reason, checked to be a translation and not the English left as is."""
    wording = words(language).say(english)
    assert wording != english, f"{english!r} has no {language} translation"
    return wording


@pytest.mark.parametrize("language", ["es", "fr"])
def test_a_session_she_mistyped_is_refused_in_her_language_with_its_figures(client, account, language):
    headers = account(language)
    start = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    response = client.post("/api/sessions", json={"started_at": start, "duration_min": 15, "left_ml": 50000},
                           headers=headers)
    assert response.status_code == 422
    error = response.json["error"]
    assert error["message"] == said(language, "Some fields are not valid.")
    range_reason = Text("Must be greater than or equal to {min} and less than or equal to {max}.", min=0, max=1000)
    assert error["fields"]["left_ml"] == [words(language).say(range_reason)]
    assert "1000" in error["fields"]["left_ml"][0] and error["fields"]["left_ml"][0] != str(range_reason)

    response = client.post("/api/sessions", json={"duration_min": "a while"}, headers=headers)
    fields = response.json["error"]["fields"]
    assert fields["started_at"] == [said(language, "Missing data for required field.")]
    assert fields["duration_min"] == [said(language, "Not a valid number.")]


def test_an_english_account_reads_the_reasons_as_written(client, account):
    headers = account("en")
    response = client.post("/api/sessions", json={"left_ml": 50000}, headers={**headers, "Accept-Language": "fr"})
    error = response.json["error"]
    assert error["message"] == "Some fields are not valid."
    assert error["fields"]["left_ml"] == ["Must be greater than or equal to 0 and less than or equal to 1000."]
    assert error["fields"]["started_at"] == ["Missing data for required field."]


def test_someone_elses_session_is_missing_in_her_language(client, account):
    response = client.get(f"/api/sessions/{uuid.uuid4()}", headers=account("fr"))
    assert response.status_code == 404
    assert response.json["error"]["message"] == said("fr", "No such session.")


def test_before_sign_in_the_request_says_which_language(client):
    body = {"email": "not an address", "password": PASSWORD, "time_zone": "Europe/Paris"}
    response = client.post("/api/auth/register", json=body, headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert response.status_code == 422
    assert response.json["error"]["message"] == said("es", "Some fields are not valid.")
    assert response.json["error"]["fields"]["email"] == [said("es", "Not a valid email address.")]
    wrong = client.post("/api/auth/login", json={"email": "nobody@example.com", "password": "x" * 12},
                        headers={"Accept-Language": "fr-CA"})
    assert wrong.status_code == 401
    assert wrong.json["error"]["message"] == said("fr", "Email or password is wrong.")
    # A language we do not speak, or none at all: English.
    german = client.post("/api/auth/register", json=body, headers={"Accept-Language": "de"})
    assert german.json["error"]["message"] == "Some fields are not valid."


def test_a_role_that_may_not_is_told_so_in_its_own_language(app, client, account):
    parent, caregiver = account("en"), account("es")
    parent_id = client.get("/api/me", headers=parent).json["id"]
    grant(app, parent_id, client.get("/api/me", headers=caregiver).json["id"], "caregiver")
    headers = acting_for(caregiver, parent_id)
    response = client.get("/api/sessions", headers=headers)
    assert response.status_code == 403
    message = response.json["error"]["message"]
    assert message == words("es").say(Text(
        "As {role} you cannot do this; the parent decides what each role may do.", role=words("es").say("caregiver")))
    assert "caregiver" not in message


def test_a_closed_container_and_a_decided_proposal_say_so_in_her_language(app, client, account):
    headers = account("es")
    expressed = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    batch = client.post("/api/stash", json={"volume": 120, "location": "fridge", "expressed_at": expressed},
                        headers=headers).json
    assert client.post(f"/api/stash/{batch['id']}/discard", json={}, headers=headers).status_code == 200
    moved = client.post(f"/api/stash/{batch['id']}/move", json={"location": "freezer"}, headers=headers)
    assert moved.status_code == 409
    assert moved.json["error"]["message"] == said(
        "es", "This container was discarded already; it stays in the history as it is.")

    parent, consultant = account("fr"), account("es")
    parent_id = client.get("/api/me", headers=parent).json["id"]
    grant(app, parent_id, client.get("/api/me", headers=consultant).json["id"], "consultant")
    body = {"template": "power-hour", "starts_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
            "overrides": {}, "note": "Une semaine."}
    proposal = client.post("/api/plans/proposals", json=body, headers=acting_for(consultant, parent_id)).json
    decline = f"/api/plans/proposals/{proposal['id']}/decline"
    assert client.post(decline, json={}, headers=parent).status_code == 200
    again = client.post(decline, json={}, headers=parent)
    assert again.status_code == 409
    assert again.json["error"]["message"] == said("fr", "This proposal was declined already.")
