"""Bearer-token authentication for the API: every view signs in the same way and gets a Principal."""

from apiflask import HTTPTokenAuth

from server.api.signing_in import idle_time
from server.db import get_db
from server.services.access import Principal, sign_in
from server.timeutil import app_now

auth = HTTPTokenAuth(scheme="Bearer", description="A device token from /api/auth/register or /api/auth/login.")


@auth.verify_token
def verify_token(token: str) -> Principal | None:
    """Return the principal a live token signs in, or None (401)."""
    if not token:
        return None
    return sign_in(get_db(), token, idle_time(), app_now())


def principal() -> Principal:
    """Return the signed-in principal of this request (in a view under auth_required)."""
    return auth.current_user
