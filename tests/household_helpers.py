"""Households in tests: a helper let into a parent's data, through the invitation flow or as a stored grant."""

from datetime import UTC, datetime

from server.models import Grant

HEADER = "Pumpwell-Account"


def invite_and_join(client, parent_headers: dict, helper_headers: dict, role: str) -> dict:
    """Invite the helper in a role and accept through the API; return the grant as the join answers it."""
    invitation = client.post("/api/household/invitations", json={"role": role}, headers=parent_headers)
    assert invitation.status_code == 201, invitation.json
    token = invitation.json["url"].rsplit("/", 1)[1]
    joined = client.post("/api/household/join", json={"token": token}, headers=helper_headers)
    assert joined.status_code == 201, joined.json
    return joined.json


def grant(db, owner_id: int, grantee_id: int, role: str) -> Grant:
    """Store a grant directly, as accepting an invitation would."""
    row = Grant(owner_id=owner_id, grantee_id=grantee_id, role=role, created_at=datetime.now(UTC))
    db.add(row)
    db.commit()
    return row


def acting_for(headers: dict, parent_id: int) -> dict:
    """Return a helper's headers that act for the parent."""
    return {**headers, HEADER: str(parent_id)}
