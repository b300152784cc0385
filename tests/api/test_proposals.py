"""Plan proposals over the API: a consultant proposes, the parent alone accepts or declines, once."""

from datetime import timedelta

import pytest

from tests.api import plan_helpers
from tests.api.grant_helpers import acting_for, grant

clock = plan_helpers.clock


@pytest.fixture
def parent_and_consultant(app, make_user):
    """A parent, and a consultant she granted the consultant role: (parent id, parent headers, consultant headers)."""
    parent, parent_headers = make_user(time_zone="Europe/Berlin")
    consultant, consultant_headers = make_user()
    grant(app, parent["id"], consultant["id"], "consultant")
    return parent["id"], parent_headers, acting_for(consultant_headers, parent["id"])


def propose(client, headers, starts_at, template="power-hour", overrides=None, note="Try this for a week."):
    """Propose a plan and return the response."""
    overrides = {"days": 5} if overrides is None else overrides
    body = {"template": template, "starts_at": starts_at.isoformat(), "overrides": overrides, "note": note}
    return client.post("/api/plans/proposals", json=body, headers=headers)


def test_a_proposal_changes_nothing_until_the_parent_accepts_it(client, parent_and_consultant, clock):
    _, parent, consultant = parent_and_consultant
    response = propose(client, consultant, clock.now + timedelta(hours=1))
    assert response.status_code == 201, response.json
    proposal = response.json
    assert proposal["status"] == "pending" and proposal["proposed_by_role"] == "consultant"
    assert proposal["overrides"] == {"days": 5} and proposal["note"] == "Try this for a week."
    assert client.get("/api/plans", headers=parent).json["items"] == []
    assert client.get("/api/reminders", headers=parent).json["items"] == []
    listed = client.get("/api/plans/proposals", headers=parent).json["items"]
    assert [p["id"] for p in listed] == [proposal["id"]]
    assert client.get("/api/plans/proposals", headers=consultant).json["items"] == listed

    accepted = client.post(f"/api/plans/proposals/{proposal['id']}/accept", json={}, headers=parent)
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["status"] == "accepted" and accepted.json["plan_id"]
    plan = client.get(f"/api/plans/{accepted.json['plan_id']}", headers=parent).json
    assert plan["template"] == "power-hour" and plan["status"] == "active" and len(plan["slots"]) == 5
    assert client.get("/api/reminders", headers=parent).json["items"]


def test_the_accepted_plan_records_the_consultant_who_proposed_it(client, parent_and_consultant, clock):
    _, parent, consultant = parent_and_consultant
    consultant_id = client.get("/api/me", headers={"Authorization": consultant["Authorization"]}).json["id"]
    proposal = propose(client, consultant, clock.now + timedelta(hours=1)).json
    plan_id = client.post(f"/api/plans/proposals/{proposal['id']}/accept", headers=parent).json["plan_id"]
    plan = client.get(f"/api/plans/{plan_id}", headers=parent).json
    assert plan["logged_by_role"] == "consultant" and plan["logged_by_id"] == consultant_id
    # She reads it as the parent's plan too.
    assert client.get(f"/api/plans/{plan_id}", headers=consultant).json["id"] == plan_id


def test_a_declined_proposal_starts_nothing_and_neither_can_be_decided_again(client, parent_and_consultant, clock):
    _, parent, consultant = parent_and_consultant
    first = propose(client, consultant, clock.now + timedelta(hours=1)).json
    second = propose(client, consultant, clock.now + timedelta(hours=2), "frequent-boost", {}).json
    declined = client.post(f"/api/plans/proposals/{first['id']}/decline", headers=parent)
    assert declined.status_code == 200 and declined.json["status"] == "declined"
    assert client.get("/api/plans", headers=parent).json["items"] == []
    assert client.post(f"/api/plans/proposals/{second['id']}/accept", headers=parent).status_code == 200
    for proposal in (first, second):
        for decision in ("accept", "decline"):
            again = client.post(f"/api/plans/proposals/{proposal['id']}/{decision}", headers=parent)
            assert again.status_code == 409 and again.json["error"]["code"] == "conflict"
    assert len(client.get("/api/plans", headers=parent).json["items"]) == 1


def test_accepting_beside_an_active_plan_of_the_template_asks_to_replace_it(client, parent_and_consultant, clock):
    _, parent, consultant = parent_and_consultant
    plan_helpers.start(client, parent, "power-hour", clock.now, {"days": 5})
    proposal = propose(client, consultant, clock.now + timedelta(hours=1)).json
    refused = client.post(f"/api/plans/proposals/{proposal['id']}/accept", headers=parent)
    assert refused.status_code == 409
    listed = client.get("/api/plans/proposals", headers=parent).json["items"]
    assert listed[0]["status"] == "pending"
    replaced = client.post(f"/api/plans/proposals/{proposal['id']}/accept", json={"replace": True}, headers=parent)
    assert replaced.status_code == 200 and replaced.json["status"] == "accepted"


def test_a_proposal_is_checked_as_a_preview_is(client, parent_and_consultant, clock):
    _, _, consultant = parent_and_consultant
    far = propose(client, consultant, clock.now + timedelta(days=200))
    assert far.status_code == 422 and "starts_at" in far.json["error"]["fields"]
    wrong = propose(client, consultant, clock.now, overrides={"days": 99})
    assert wrong.status_code == 422
    unknown = propose(client, consultant, clock.now, template="nope")
    assert unknown.status_code == 422


def test_only_a_consultant_proposes_and_only_the_parent_decides(app, client, make_user, parent_and_consultant, clock):
    parent_id, parent, consultant = parent_and_consultant
    stranger_user, stranger = make_user()
    caregiver_user, caregiver = make_user()
    partner_user, partner = make_user()
    grant(app, parent_id, caregiver_user["id"], "caregiver")
    grant(app, parent_id, partner_user["id"], "partner")
    at = clock.now + timedelta(hours=1)
    assert propose(client, acting_for(stranger, parent_id), at).status_code == 404
    assert propose(client, acting_for(caregiver, parent_id), at).status_code == 403
    assert propose(client, acting_for(partner, parent_id), at).status_code == 403
    assert propose(client, parent, at).status_code == 403
    assert client.get("/api/plans/proposals", headers=acting_for(caregiver, parent_id)).status_code == 403
    assert client.get("/api/plans/proposals", headers=acting_for(partner, parent_id)).status_code == 200
    assert client.get("/api/plans/proposals", headers=acting_for(stranger, parent_id)).status_code == 404
    assert client.get("/api/plans/proposals", headers=stranger).json["items"] == []
    proposal = propose(client, consultant, at).json
    for other in (stranger, partner, {k: v for k, v in consultant.items() if k != "Pumpwell-Account"}):
        assert client.post(f"/api/plans/proposals/{proposal['id']}/accept", headers=other).status_code == 404
        assert client.post(f"/api/plans/proposals/{proposal['id']}/decline", headers=other).status_code == 404
    # The header naming the parent does not make a helper the parent.
    assert client.post(f"/api/plans/proposals/{proposal['id']}/accept", headers=consultant).status_code == 403
    assert client.get("/api/plans/proposals", headers=parent).json["items"][0]["status"] == "pending"


def test_a_revoked_consultant_can_no_longer_propose(app, client, parent_and_consultant, clock):
    from sqlalchemy import delete
    from sqlalchemy.orm import Session

    from server.models import Grant

    _, _, consultant = parent_and_consultant
    with Session(app.extensions["engine"]) as db:
        db.execute(delete(Grant))
        db.commit()
    assert propose(client, consultant, clock.now + timedelta(hours=1)).status_code == 404


def test_a_household_header_beyond_any_account_id_is_no_such_account(client, parent_and_consultant, clock):
    _, _, consultant = parent_and_consultant
    headers = {**consultant, "Pumpwell-Account": "8140082108"}
    answer = client.get("/api/plans/proposals", headers=headers)
    assert answer.status_code == 404 and answer.json["error"]["message"] == "No such account."
