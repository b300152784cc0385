"""Grants made straight through the model, for tests of what a role may do (not of how a grant is made)."""

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from server.models import Grant


def grant(app, owner_id: int, grantee_id: int, role: str) -> None:
    """Let `grantee_id` into `owner_id`'s data in `role`."""
    with Session(app.extensions["engine"]) as db:
        db.add(Grant(owner_id=owner_id, grantee_id=grantee_id, role=role, created_at=datetime.now(UTC)))
        db.commit()


def acting_for(headers: dict, owner_id: int) -> dict:
    """Return `headers` acting for the parent `owner_id`."""
    return {**headers, "Pumpwell-Account": str(owner_id)}
