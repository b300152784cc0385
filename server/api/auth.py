"""Bearer-token authentication for the API."""

from apiflask import HTTPTokenAuth
from flask import current_app, g, request

from server.db import get_db
from server.domain.errors import NotSignedIn
from server.services.accounts import Bearer, authenticate, check_sign_in, hash_token, read_sign_in
from server.timeutil import app_now

auth = HTTPTokenAuth(scheme="Bearer", description="A device token from /api/auth/register or /api/auth/login.")


def checks_its_own_token(view):
    """Mark a view (under its route) whose service checks the bearer token in its own first statement.

    The view gets a Bearer as auth.current_user instead of a user: the token's own read was one round trip of two
    for a page of sessions on PostgreSQL, and of five for a create. Only a view whose every answer waits for that
    statement can be marked, and one that writes must refuse the token before it commits.
    """
    view.checks_its_own_token = True
    return view


@auth.verify_token
def verify_token(token: str):
    """Return the user a live token belongs to, keeping the token row for sign-out (or, for a view that checks
    its own token, the Bearer)."""
    if not token:
        return None
    if getattr(current_app.view_functions.get(request.endpoint), "checks_its_own_token", False):
        return Bearer(hash_token(token))
    row = authenticate(get_db(), token, app_now())
    if row is None:
        return None
    g.api_token = row
    return row.user


def refused_before_its_check():
    """Return the 401 answer for a request refused before its view checked its own token, if the token is not live.

    A signed-out device asking with a typo in its query or body is told to sign in, not about the typo, as at every
    other endpoint; None when the request carries no such token or the token is live.
    """
    bearer = g.get("flask_httpauth_user")
    if not isinstance(bearer, Bearer):
        return None
    db = get_db()
    try:
        check_sign_in(db, read_sign_in(db, bearer), app_now())
    except NotSignedIn:
        return auth.auth_error_callback(401)
    return None
