"""Bearer-token authentication for the API."""

from apiflask import HTTPTokenAuth
from flask import g

from server.db import get_db
from server.services.accounts import authenticate
from server.timeutil import app_now

auth = HTTPTokenAuth(scheme="Bearer", description="A device token from /api/auth/register or /api/auth/login.")


@auth.verify_token
def verify_token(token: str):
    """Return the user a live token belongs to, keeping the token row for sign-out."""
    row = authenticate(get_db(), token, app_now()) if token else None
    if row is None:
        return None
    g.api_token = row
    return row.user
