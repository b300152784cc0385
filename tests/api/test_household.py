"""The household over the API: invitations, joining, members, leaving, revoking, and who did what."""

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from server.domain.household import INVITATION_LIFETIME_HOURS, MAX_OPEN_INVITATIONS
from server.models import Invitation, MilkBatchEvent, PumpSession
from tests.api import plan_helpers
from tests.household_helpers import acting_for, invite_and_join

clock = plan_helpers.clock


def csv_rows(answer) -> list[dict]:
    """Read a CSV download's rows by column name."""
    return list(csv.DictReader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))


def invite(client, headers, role="caregiver"):
    """Create an invitation and return the answer."""
    return client.post("/api/household/invitations", json={"role": role}, headers=headers)


def token_of(invitation) -> str:
    """Return the token at the end of an invitation's link."""
    return invitation.json["url"].rsplit("/", 1)[1]


def test_an_invitation_is_a_single_use_link_stored_hashed_and_listed_while_open(client, db, make_user):
    parent, headers = make_user()
    _, helper = make_user()
    created = invite(client, headers, "partner")
    assert created.status_code == 201
    assert created.json["role"] == "partner" and "/#/join/" in created.json["url"]
    token = token_of(created)
    assert token not in {row.token_hash for row in db.query(Invitation)}
    expires = datetime.fromisoformat(created.json["expires_at"]) - datetime.fromisoformat(created.json["created_at"])
    assert expires == timedelta(hours=INVITATION_LIFETIME_HOURS)
    listed = client.get("/api/household/invitations", headers=headers).json["items"]
    assert [(i["id"], i["url"]) for i in listed] == [(created.json["id"], None)]
    joined = client.post("/api/household/join", json={"token": token}, headers=helper)
    assert joined.status_code == 201
    assert joined.json["account_id"] == parent["id"] and joined.json["email"] == parent["email"]
    assert joined.json["role"] == "partner" and "log_sessions" in joined.json["permissions"]
    assert client.get("/api/household/invitations", headers=headers).json["items"] == []
    _, third = make_user()
    assert client.post("/api/household/join", json={"token": token}, headers=third).status_code == 404


def test_the_link_uses_public_url_when_set(app, client, auth):
    app.config["PUBLIC_URL"] = "https://pumpwell.example/"
    assert invite(client, auth).json["url"].startswith("https://pumpwell.example/#/join/")


def test_unknown_expired_and_withdrawn_links_are_not_found_and_her_own_is_a_conflict(client, make_user, clock):
    _, headers = make_user()
    _, helper = make_user()
    assert client.post("/api/household/join", json={"token": "nope"}, headers=helper).status_code == 404
    own = invite(client, headers)
    assert client.post("/api/household/join", json={"token": token_of(own)}, headers=headers).status_code == 409
    withdrawn = invite(client, headers)
    gone = client.delete(f"/api/household/invitations/{withdrawn.json['id']}", headers=headers)
    assert gone.status_code == 204
    assert client.post("/api/household/join", json={"token": token_of(withdrawn)}, headers=helper).status_code == 404
    # Someone else cannot withdraw hers.
    assert client.delete(f"/api/household/invitations/{own.json['id']}", headers=helper).status_code == 404
    clock.now += timedelta(hours=INVITATION_LIFETIME_HOURS, seconds=1)
    assert client.post("/api/household/join", json={"token": token_of(own)}, headers=helper).status_code == 404
    assert client.get("/api/household/invitations", headers=headers).json["items"] == []


def test_at_most_so_many_invitations_are_open_at_once(client, auth):
    ids = [invite(client, auth).json["id"] for _ in range(MAX_OPEN_INVITATIONS)]
    refused = invite(client, auth)
    assert refused.status_code == 409 and refused.json["error"]["code"]
    client.delete(f"/api/household/invitations/{ids[0]}", headers=auth)
    assert invite(client, auth).status_code == 201


def test_accepting_again_replaces_the_role(client, make_user):
    parent, headers = make_user()
    helper_user, helper = make_user()
    invite_and_join(client, headers, helper, "caregiver")
    invite_and_join(client, headers, helper, "consultant")
    members = client.get("/api/household/members", headers=headers).json["items"]
    assert [(m["account_id"], m["email"], m["role"]) for m in members] == [
        (helper_user["id"], helper_user["email"], "consultant")]
    parents = client.get("/api/household/parents", headers=helper).json["items"]
    assert [(p["account_id"], p["role"]) for p in parents] == [(parent["id"], "consultant")]
    assert set(parents[0]["permissions"]) == {"see_stash", "see_pumping", "export", "propose_plans"}


def test_a_revoked_member_is_refused_at_her_next_request(client, make_user):
    parent, headers = make_user()
    _, helper = make_user()
    invite_and_join(client, headers, helper, "caregiver")
    as_caregiver = acting_for(helper, parent["id"])
    assert client.get("/api/stash", headers=as_caregiver).status_code == 200
    member = client.get("/api/household/members", headers=headers).json["items"][0]
    # Only the parent revokes, and only her own members.
    assert client.delete(f"/api/household/members/{member['id']}", headers=helper).status_code == 404
    assert client.delete(f"/api/household/members/{member['id']}", headers=headers).status_code == 204
    assert client.get("/api/stash", headers=as_caregiver).status_code == 404
    assert client.get("/api/household/parents", headers=helper).json["items"] == []


def test_a_member_can_leave(client, make_user):
    parent, headers = make_user()
    _, helper = make_user()
    invite_and_join(client, headers, helper, "partner")
    assert client.delete(f"/api/household/parents/{parent['id']}", headers=helper).status_code == 204
    assert client.get("/api/household/members", headers=headers).json["items"] == []
    assert client.get("/api/sessions", headers=acting_for(helper, parent["id"])).status_code == 404
    assert client.delete(f"/api/household/parents/{parent['id']}", headers=helper).status_code == 404


def test_caregivers_see_pumping_only_once_she_ticks_it(client, make_user):
    parent, headers = make_user()
    _, helper = make_user()
    invite_and_join(client, headers, helper, "caregiver")
    as_caregiver = acting_for(helper, parent["id"])
    assert client.get("/api/me", headers=headers).json["caregivers_see_pumping"] is False
    assert client.get("/api/sessions", headers=as_caregiver).status_code == 403
    ticked = client.patch("/api/me", json={"caregivers_see_pumping": True}, headers=headers)
    assert ticked.status_code == 200 and ticked.json["caregivers_see_pumping"] is True
    assert client.get("/api/me", headers=headers).json["caregivers_see_pumping"] is True
    assert client.get("/api/sessions", headers=as_caregiver).status_code == 200
    assert "see_pumping" in client.get("/api/household/parents", headers=helper).json["items"][0]["permissions"]
    # Her settings stay hers: a caregiver cannot tick it for her.
    refused = client.patch("/api/me", json={"caregivers_see_pumping": False}, headers=as_caregiver)
    assert refused.status_code == 403


def test_a_session_a_partner_logs_is_hers_marked_as_logged_by_the_partner_and_moves_her_gap_reminder(
        client, db, make_user, clock):
    parent, headers = make_user()
    partner, helper = make_user()
    invite_and_join(client, headers, helper, "partner")
    as_partner = acting_for(helper, parent["id"])
    started = clock.now - timedelta(hours=1)
    body = {"started_at": started.isoformat(), "duration_min": 20, "left_ml": 60}
    logged = client.post("/api/sessions", json=body, headers=as_partner)
    assert logged.status_code == 201
    assert (logged.json["logged_by_role"], logged.json["logged_by_id"]) == ("partner", partner["id"])
    # Replaying it (the partner's phone was offline) stores nothing twice.
    replay = client.post("/api/sessions", json={**body, "id": logged.json["id"]}, headers=as_partner)
    assert replay.status_code == 200 and replay.json["logged_by_role"] == "partner"
    own = client.get("/api/sessions", headers=headers).json["items"]
    assert [s["logged_by_role"] for s in own] == ["partner"]
    assert db.get(PumpSession, uuid.UUID(own[0]["id"])).user_id == parent["id"]
    assert client.get("/api/sessions", headers=helper).json["items"] == []  # nothing in the partner's own account
    gap = [r for r in plan_helpers.reminders(client, headers) if r["kind"] == "gap"]
    assert len(gap) == 1
    assert datetime.fromisoformat(gap[0]["send_after"]) > started
    # Her own session says nobody else logged it.
    mine = plan_helpers.log(client, headers, clock.now - timedelta(minutes=30))
    assert (mine["logged_by_role"], mine["logged_by_id"]) == (None, None)
    # The partner may log, not edit or delete.
    session_id = logged.json["id"]
    assert client.patch(f"/api/sessions/{session_id}", json={"pain": 1}, headers=as_partner).status_code == 403
    assert client.delete(f"/api/sessions/{session_id}", headers=as_partner).status_code == 403


def test_a_caregivers_stash_use_counts_in_her_stash_with_who_did_it(client, make_user, clock):
    parent, headers = make_user()
    caregiver, helper = make_user()
    invite_and_join(client, headers, helper, "caregiver")
    as_caregiver = acting_for(helper, parent["id"])
    batch = {"volume": 120, "expressed_at": (clock.now - timedelta(hours=1)).isoformat(), "location": "fridge"}
    added = client.post("/api/stash", json=batch, headers=headers)
    assert added.status_code == 201 and added.json["events"][0]["logged_by_role"] is None
    used = client.post(f"/api/stash/{added.json['id']}/use", json={"volume": 50}, headers=as_caregiver)
    assert used.status_code == 200 and used.json["remaining_ml"] == 70
    step = used.json["events"][-1]
    assert (step["kind"], step["logged_by_role"], step["logged_by_id"]) == ("used", "caregiver", caregiver["id"])
    listed = client.get("/api/stash", headers=headers).json
    assert listed["totals"]["overall"] == {"containers": 1, "ml": 70.0}
    assert [e["logged_by_role"] for e in listed["items"][0]["events"]] == [None, "caregiver"]
    # A container the caregiver adds is the parent's.
    theirs = client.post("/api/stash", json=batch, headers=as_caregiver)
    assert theirs.status_code == 201 and theirs.json["events"][0]["logged_by_role"] == "caregiver"
    assert client.get("/api/stash", headers=headers).json["totals"]["overall"]["containers"] == 2
    assert client.get("/api/stash", headers=helper).json["totals"]["overall"]["containers"] == 0
    # The guideline is hers to choose.
    assert client.put("/api/stash/guideline", json={"guideline": "abm"}, headers=as_caregiver).status_code == 403
    assert client.get("/api/stash/guideline", headers=as_caregiver).status_code == 200


def test_the_csvs_say_who_logged_a_row_when_it_was_not_her(client, make_user, clock):
    parent, headers = make_user()
    _, partner = make_user()
    _, consultant = make_user()
    invite_and_join(client, headers, partner, "partner")
    invite_and_join(client, headers, consultant, "consultant")
    body = {"started_at": (clock.now - timedelta(hours=3)).isoformat(), "duration_min": 20, "left_ml": 60}
    assert client.post("/api/sessions", json=body, headers=acting_for(partner, parent["id"])).status_code == 201
    plan_helpers.log(client, headers, clock.now - timedelta(hours=1))
    batch = {"volume": 100, "expressed_at": clock.now.isoformat(), "location": "freezer"}
    assert client.post("/api/stash", json=batch, headers=acting_for(partner, parent["id"])).status_code == 201
    sessions = client.get("/api/export/sessions.csv", headers=acting_for(consultant, parent["id"]))
    assert sessions.status_code == 200
    assert [row["logged_by"] for row in csv_rows(sessions)] == ["partner", ""]
    stash = client.get("/api/export/stash.csv", headers=acting_for(consultant, parent["id"]))
    assert [row["logged_by"] for row in csv_rows(stash)] == ["partner"]
    # A partner does not export.
    assert client.get("/api/export/sessions.csv", headers=acting_for(partner, parent["id"])).status_code == 403


def test_deleting_the_helper_keeps_what_she_logged_in_the_parents_account(client, db, make_user, clock):
    parent, headers = make_user()
    _, partner = make_user()
    invite_and_join(client, headers, partner, "partner")
    as_partner = acting_for(partner, parent["id"])
    body = {"started_at": (clock.now - timedelta(hours=1)).isoformat(), "duration_min": 20, "left_ml": 60}
    session = client.post("/api/sessions", json=body, headers=as_partner).json
    batch = {"volume": 100, "expressed_at": clock.now.isoformat(), "location": "freezer"}
    added = client.post("/api/stash", json=batch, headers=as_partner).json
    assert client.delete("/api/account", json={}, headers=partner).status_code == 204
    kept = client.get(f"/api/sessions/{session['id']}", headers=headers).json
    assert (kept["logged_by_role"], kept["logged_by_id"]) == ("partner", None)
    event = client.get(f"/api/stash/{added['id']}", headers=headers).json["events"][0]
    assert (event["logged_by_role"], event["logged_by_id"]) == ("partner", None)
    assert client.get("/api/household/members", headers=headers).json["items"] == []
    assert db.query(MilkBatchEvent).filter(MilkBatchEvent.logged_by_id.is_not(None)).count() == 0


@pytest.mark.parametrize("value", ["abc", "-1", "1" * 19, "١٢"])
def test_a_malformed_household_header_is_a_clear_422(client, auth, value):
    answer = client.get("/api/sessions", headers={**auth, "Pumpwell-Account": value})
    assert answer.status_code == 422 and "Pumpwell-Account" in answer.json["error"]["fields"]


@pytest.mark.parametrize("account_id", ["0", "8070490348", "9" * 18])
def test_an_account_id_nobody_has_is_not_found_on_both_databases(client, auth, account_id):
    answer = client.get("/api/plans", headers={**auth, "Pumpwell-Account": account_id})
    assert answer.status_code == 404 and answer.json["error"]["message"] == "No such account."


def test_an_invitation_role_must_be_one_of_the_three(client, auth):
    assert invite(client, auth, "owner").status_code == 422


def test_times_are_utc(client, auth):
    created = invite(client, auth).json
    assert datetime.fromisoformat(created["created_at"]).utcoffset() == UTC.utcoffset(None)
