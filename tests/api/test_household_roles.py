"""Every operation of the OpenAPI document, by every role and a stranger, each naming the parent in the header.

The walk reads the operations from the document, as tests/api/test_openapi_fuzz.py does, so a new operation cannot
be forgotten: one that acts for a parent must be in PERMISSION_OF (the table of docs/household.md) with a request in
REQUESTS; any other is the parent's alone and answers 403 to everyone else. On each backend of the `app` fixture.
"""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from server.domain.household import Permission, Role, permissions
from tests.household_helpers import HEADER, invite_and_join

# docs/household.md: the operations that act for a parent, and the permission each needs.
PERMISSION_OF = {
    ("get", "/api/sessions"): Permission.SEE_PUMPING,
    ("get", "/api/sessions/{session_id}"): Permission.SEE_PUMPING,
    ("post", "/api/sessions"): Permission.LOG_SESSIONS,
    ("get", "/api/goals"): Permission.SEE_PUMPING,
    ("get", "/api/summary/daily"): Permission.SEE_PUMPING,
    ("get", "/api/plans"): Permission.SEE_PUMPING,
    ("get", "/api/plans/{plan_id}"): Permission.SEE_PUMPING,
    ("get", "/api/plans/{plan_id}.ics"): Permission.SEE_PUMPING,
    ("get", "/api/stash"): Permission.SEE_STASH,
    ("get", "/api/stash/guideline"): Permission.SEE_STASH,
    ("get", "/api/stash/{batch_id}"): Permission.SEE_STASH,
    ("post", "/api/stash"): Permission.CHANGE_STASH,
    ("post", "/api/stash/{batch_id}/move"): Permission.CHANGE_STASH,
    ("post", "/api/stash/{batch_id}/use"): Permission.CHANGE_STASH,
    ("post", "/api/stash/{batch_id}/discard"): Permission.CHANGE_STASH,
    ("get", "/api/export/sessions.csv"): Permission.EXPORT,
    ("get", "/api/export/daily.csv"): Permission.EXPORT,
    ("get", "/api/export/stash.csv"): Permission.EXPORT,
    ("get", "/api/trends"): Permission.SEE_PUMPING,
    ("get", "/api/equipment"): Permission.SEE_PUMPING,
    ("get", "/api/report.pdf"): Permission.EXPORT,
    ("get", "/api/plans/proposals"): Permission.SEE_PUMPING,
    ("post", "/api/plans/proposals"): Permission.PROPOSE_PLANS,
}
# Acting for a parent, but never her own: she starts a plan herself rather than proposing it to herself.
NOT_HER_OWN = {("post", "/api/plans/proposals")}
# Who walks: the parent herself, each role (a caregiver with and without "let caregivers see my pumping"), a stranger.
WALKERS = ["parent", "caregiver", "caregiver-seeing-pumping", "partner", "consultant", "stranger"]
# Her own calls that would end the walk (her account, her token): the other walkers are refused them, checked below.
ENDS_THE_WALK = {("delete", "/api/account"), ("post", "/api/auth/logout"), ("post", "/api/auth/logout-everywhere")}
PARENT_NOTE, HELPER_NOTE, STRANGER_NOTE = "parent-note-a1b2", "helper-note-c3d4", "stranger-note-e5f6"
PARENT_LABEL = "parent-label-g7h8"  # on her container: the stash's, which a caregiver sees
NOW = datetime.now(UTC).replace(microsecond=0)


def _session(notes: str) -> dict:
    """A session body an hour ago with these notes."""
    return {"started_at": (NOW - timedelta(hours=1)).isoformat(), "duration_min": 20, "left_ml": 55, "notes": notes}


BATCH = {"volume": 80, "expressed_at": NOW.isoformat(), "location": "fridge"}


def _new_container(client, parent) -> str:
    """Add a container of the parent's (as herself) and return its id, for an action that closes or moves one."""
    return client.post("/api/stash", json=BATCH, headers=parent["headers"]).json["id"]


# A request per operation that acts for a parent: (path, body), built from the household's real ids.
REQUESTS = {
    ("get", "/api/sessions"): lambda c, h: ("/api/sessions", None),
    ("get", "/api/sessions/{session_id}"): lambda c, h: (f"/api/sessions/{h['session_id']}", None),
    ("post", "/api/sessions"): lambda c, h: ("/api/sessions", _session("logged for her")),
    ("get", "/api/goals"): lambda c, h: ("/api/goals", None),
    ("get", "/api/summary/daily"): lambda c, h: (f"/api/summary/daily?from={NOW.date()}&to={NOW.date()}", None),
    ("get", "/api/plans"): lambda c, h: ("/api/plans", None),
    ("get", "/api/plans/{plan_id}"): lambda c, h: (f"/api/plans/{h['plan_id']}", None),
    ("get", "/api/plans/{plan_id}.ics"): lambda c, h: (f"/api/plans/{h['plan_id']}.ics", None),
    ("get", "/api/stash"): lambda c, h: ("/api/stash?which=all", None),
    ("get", "/api/stash/guideline"): lambda c, h: ("/api/stash/guideline", None),
    ("get", "/api/stash/{batch_id}"): lambda c, h: (f"/api/stash/{h['batch_id']}", None),
    ("post", "/api/stash"): lambda c, h: ("/api/stash", BATCH),
    ("post", "/api/stash/{batch_id}/move"): lambda c, h: (f"/api/stash/{_new_container(c, h)}/move",
                                                          {"location": "freezer"}),
    ("post", "/api/stash/{batch_id}/use"): lambda c, h: (f"/api/stash/{_new_container(c, h)}/use", {"volume": 30}),
    ("post", "/api/stash/{batch_id}/discard"): lambda c, h: (f"/api/stash/{_new_container(c, h)}/discard",
                                                             {"reason": "spilled"}),
    ("get", "/api/export/sessions.csv"): lambda c, h: ("/api/export/sessions.csv", None),
    ("get", "/api/export/daily.csv"): lambda c, h: ("/api/export/daily.csv", None),
    ("get", "/api/export/stash.csv"): lambda c, h: ("/api/export/stash.csv", None),
    ("get", "/api/trends"): lambda c, h: ("/api/trends?weeks=4", None),
    ("get", "/api/equipment"): lambda c, h: ("/api/equipment", None),
    ("get", "/api/report.pdf"): lambda c, h: ("/api/report.pdf", None),
    ("get", "/api/plans/proposals"): lambda c, h: ("/api/plans/proposals", None),
    ("post", "/api/plans/proposals"): lambda c, h: ("/api/plans/proposals", {
        "template": "power-hour", "starts_at": (NOW + timedelta(hours=1)).isoformat(), "note": "try this"}),
}


def operations(client) -> list[tuple[str, str, dict]]:
    """Return (method, path, operation) for every operation of the OpenAPI document that needs a signed-in user."""
    document = client.get("/api/openapi.json").json
    return [(method, path, operation) for path, item in document["paths"].items()
            for method, operation in item.items() if isinstance(operation, dict) and operation.get("security")]


def _acts_for_a_parent(operation: dict) -> bool:
    """Tell whether the document says the operation takes the household header."""
    return any(parameter["name"] == HEADER for parameter in operation.get("parameters", []))


def _fill(path: str, operation: dict, real: dict) -> str:
    """Fill a path's parameters with the household's real ids where it has one, else ids nobody has."""
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            missing = str(uuid.uuid4()) if parameter["schema"].get("format") == "uuid" else "987654321"
            path = path.replace("{" + parameter["name"] + "}", str(real.get(parameter["name"], missing)))
    return path


def _call(client, method: str, path: str, headers: dict, body=None):
    """Send one request, with a JSON body when given."""
    return client.open(path, method=method.upper(), headers=headers, **({"json": body} if body is not None else {}))


@pytest.fixture
def household(client, make_user):
    """A parent with data of every kind, a stranger with her own, and a helper's account with her own session."""
    parent, headers = make_user()
    parent = {**parent, "headers": headers}
    session = client.post("/api/sessions", json=_session(PARENT_NOTE), headers=headers)
    plan = client.post("/api/plans", json={"template": "frequent-boost", "starts_at": NOW.isoformat()},
                       headers=headers)
    batch = client.post("/api/stash", json={**BATCH, "label": PARENT_LABEL}, headers=headers)
    invitation = client.post("/api/household/invitations", json={"role": "caregiver"}, headers=headers)
    assert {session.status_code, plan.status_code, batch.status_code, invitation.status_code} == {201}
    parent.update(session_id=session.json["id"], plan_id=plan.json["id"], batch_id=batch.json["id"],
                  invitation_id=invitation.json["id"], account_id=parent["id"])
    _, stranger = make_user()
    assert client.post("/api/sessions", json=_session(STRANGER_NOTE), headers=stranger).status_code == 201
    helper, helper_headers = make_user()
    assert client.post("/api/sessions", json=_session(HELPER_NOTE), headers=helper_headers).status_code == 201
    return {"parent": parent, "stranger": stranger, "helper": helper_headers, "helper_email": helper["email"]}


def _walker(client, household: dict, walker: str) -> tuple[dict, frozenset[Permission] | None]:
    """Let the walker in as her role; return her headers naming the parent, and her permissions (None: stranger)."""
    parent = household["parent"]
    if walker == "parent":
        return {**parent["headers"], HEADER: str(parent["id"])}, frozenset(Permission)
    if walker == "stranger":
        return {**household["stranger"], HEADER: str(parent["id"])}, None
    role = Role.CAREGIVER if walker.startswith("caregiver") else Role(walker)
    seeing = walker == "caregiver-seeing-pumping"
    if seeing:
        ticked = client.patch("/api/me", json={"caregivers_see_pumping": True}, headers=parent["headers"])
        assert ticked.status_code == 200
    invite_and_join(client, parent["headers"], household["helper"], role)
    parent["member_id"] = client.get("/api/household/members", headers=parent["headers"]).json["items"][0]["id"]
    return {**household["helper"], HEADER: str(parent["id"])}, permissions(role, seeing)


@pytest.mark.parametrize("walker", WALKERS)
def test_every_operation_answers_each_role_as_the_permission_table_says(client, household, walker):
    headers, allowed = _walker(client, household, walker)
    parent = household["parent"]
    walked = []
    for method, path, operation in operations(client):
        key = (method, path)
        if _acts_for_a_parent(operation):
            assert key in PERMISSION_OF and key in REQUESTS, f"{key} acts for a parent: add it to the table"
            url, body = REQUESTS[key](client, parent)
            answer = _call(client, method, url, headers, body)
            if allowed is None:
                expected = {404}
            elif walker == "parent" and key in NOT_HER_OWN:
                expected = {403}
            elif PERMISSION_OF[key] in allowed:
                expected = {200, 201}
            else:
                expected = {403}
        else:
            assert key not in PERMISSION_OF, f"{key} is in the table but takes no household header"
            if walker == "parent":
                if key in ENDS_THE_WALK:
                    continue
                # Her own call names herself: it is hers, whatever it answers to ids nobody has and no body.
                answer = _call(client, method, _fill(path, operation, {}), headers)
                expected = None
            else:
                answer = _call(client, method, _fill(path, operation, parent), headers, {})
                expected = {403}
        text = answer.get_data().decode(errors="replace")  # the report is a PDF
        assert answer.status_code < 500, (key, text)
        assert expected is None or answer.status_code in expected, (walker, key, answer.status_code, text)
        if expected is None:
            assert answer.status_code != 403, (key, text)
        # Nobody's answer ever holds a stranger's data, nor the helper's own while she acts for the parent.
        assert STRANGER_NOTE not in text and HELPER_NOTE not in text, (walker, key)
        if allowed is None or Permission.SEE_PUMPING not in allowed:
            assert PARENT_NOTE not in text, (walker, key)
        if allowed is None:
            assert parent["email"] not in text and PARENT_LABEL not in text, key
        walked.append((key, answer.status_code))
    assert set(PERMISSION_OF) <= {key for key, _ in walked}
    # Whatever the others were refused changed nothing of hers: her session, container and invitation are there.
    own = parent["headers"]
    assert client.get(f"/api/sessions/{parent['session_id']}", headers=own).json["notes"] == PARENT_NOTE
    assert client.get(f"/api/stash/{parent['batch_id']}", headers=own).status_code == 200
    assert [i["id"] for i in client.get("/api/household/invitations", headers=own).json["items"]] == [
        parent["invitation_id"]]
    assert client.get("/api/me", headers=own).status_code == 200


@pytest.mark.parametrize("walker", ["caregiver", "partner", "consultant"])
def test_a_role_that_sees_reads_the_parents_data_not_its_own(client, household, walker):
    headers, allowed = _walker(client, household, walker)
    parent = household["parent"]
    stash = client.get("/api/stash", headers=headers)
    assert [item["id"] for item in stash.json["items"]] == [parent["batch_id"]]
    sessions = client.get("/api/sessions", headers=headers)
    if Permission.SEE_PUMPING in allowed:
        assert [s["notes"] for s in sessions.json["items"]] == [PARENT_NOTE]
    else:
        assert sessions.status_code == 403


def test_revoking_stops_the_walk_at_the_next_request(client, household):
    headers, _ = _walker(client, household, "partner")
    parent = household["parent"]
    assert client.get("/api/sessions", headers=headers).status_code == 200
    member = parent["member_id"]
    assert client.delete(f"/api/household/members/{member}", headers=parent["headers"]).status_code == 204
    for key, request in REQUESTS.items():
        url, body = request(client, parent)
        assert _call(client, key[0], url, headers, body).status_code == 404, key
