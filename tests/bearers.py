"""Bearer tokens for service tests: what a view that checks its own token hands its service."""

import secrets
from datetime import UTC, datetime

from server.models import ApiToken, User
from server.services.accounts import Bearer, hash_token

# Live at every moment a test pretends it is.
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


def bearer_of(db, user: User) -> Bearer:
    """Issue a new live device token for a stored user and return it as a Bearer."""
    token = secrets.token_urlsafe(32)
    db.add(ApiToken(user_id=user.id, token_hash=hash_token(token), label="test", created_at=datetime.now(UTC),
                    expires_at=FAR_FUTURE))
    db.flush()  # a create reads the token through the connection, which does not flush the session first
    db.commit()
    return Bearer(hash_token(token))
