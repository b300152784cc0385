"""Bearer-token authentication for the API: every view signs in the same way and gets a Principal."""

from datetime import timedelta

from apiflask import HTTPTokenAuth
from flask import current_app

from server.db import get_db
from server.services.access import Principal, sign_in
from server.timeutil import app_now

auth = HTTPTokenAuth(scheme="Bearer", description="A device token from /api/auth/register or /api/auth/login.")


@auth.verify_token
def verify_token(token: str) -> Principal | None:
    """Return the principal a live token signs in, or None (401)."""
    if not token:
        return None
    return sign_in(get_db(), token, timedelta(days=current_app.config["TOKEN_IDLE_DAYS"]), app_now())


def principal() -> Principal:
    """Return the signed-in principal of this request (in a view under auth_required)."""
    return auth.current_user
