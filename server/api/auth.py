"""Bearer-token authentication for the API: every view signs in the same way and gets a Principal."""

import functools

from apiflask import HTTPTokenAuth
from flask import current_app, request

from server.api.signing_in import idle_time
from server.db import get_db
from server.domain.errors import InvalidInput, NotAllowed
from server.domain.household import Permission
from server.services.access import Principal, act_for, sign_in
from server.timeutil import app_now

auth = HTTPTokenAuth(scheme="Bearer", description="A device token from /api/auth/register or /api/auth/login.")
# Names the parent whose data a caregiver, partner or consultant acts on; without it a request acts on her own.
HOUSEHOLD_HEADER = "Pumpwell-Account"
# The header as WSGI names it: read from the environ, a missing header costs one dict look-up (werkzeug's
# Headers.get raises and catches a KeyError for it, on every request of the parent's own).
HOUSEHOLD_ENVIRON = "HTTP_" + HOUSEHOLD_HEADER.upper().replace("-", "_")


@auth.verify_token
def verify_token(token: str) -> Principal | None:
    """Return the principal a live token signs in, or None (401)."""
    if not token:
        return None
    found = sign_in(get_db(), token, idle_time(), app_now())
    if found is not None and request.environ.get(HOUSEHOLD_ENVIRON) and not acts_for_of(request.endpoint):
        # Only the views marked acts_for serve a household; the rest (settings, devices, shares...) are her own.
        if _named_account() != found.account.id:
            raise NotAllowed("Only the parent herself can do this.")
    return found


def principal() -> Principal:
    """Return the signed-in principal of this request (in a view under auth_required)."""
    return auth.current_user


def acts_for(permission: Permission):
    """Let a view act for a parent who granted the principal `permission`; the view receives `household`."""
    def decorate(view):
        @functools.wraps(view)
        def acting(*args, **kwargs):
            household = act_for(get_db(), principal(), _named_account(), permission)
            return view(*args, household=household, **kwargs)
        acting.acts_for = permission
        return acting
    return decorate


def acts_for_of(endpoint: str | None) -> Permission | None:
    """Return the permission the view of `endpoint` acts for, or None for a view of the principal's own data."""
    return getattr(current_app.view_functions.get(endpoint), "acts_for", None)


def _named_account() -> int | None:
    """Return the account id the household header names, or None without one."""
    value = request.environ.get(HOUSEHOLD_ENVIRON)
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise InvalidInput("Some fields are not valid.", {HOUSEHOLD_HEADER: ["An account id."]})
    return int(value)

