"""Get it, or NotFound if it is not the user's: every owner-scoped look-up by id goes through here."""

from typing import TypeVar

from sqlalchemy.orm import Session

from server.domain.errors import NotFound
from server.models import User

Row = TypeVar("Row")


def owned(db: Session, model: type[Row], key, user: User, what: str, for_update: bool = False) -> Row:
    """Return the user's `model` row with this key; someone else's is NotFound, like a missing one."""
    row = db.get(model, key, with_for_update=for_update)
    if row is None or row.user_id != user.id:
        raise NotFound(f"No such {what}.")
    return row
