"""The parent's own data: download all of it, or delete the account."""

from apiflask import APIBlueprint, Schema, fields
from flask import Response, current_app

from server.api.auth import auth, principal
from server.api.quotas import account_limited, per_account
from server.api.reasons import Length
from server.db import get_db
from server.domain.export_format import SCHEMA
from server.services import account
from server.timeutil import app_now

bp = APIBlueprint("account", __name__, url_prefix="/api/account", tag="Accounts")
# The format's JSON Schema as the OpenAPI document carries it: without its own dialect line.
DOCUMENTED_SCHEMA = {key: value for key, value in SCHEMA.items() if key != "$schema"}


class DeletionIn(Schema):
    """The password; leave it out only right after signing in on this device."""

    password = fields.String(validate=Length(max=200))


@bp.get("/export")
@bp.auth_required(auth)
@bp.doc(responses={200: {
    "description": "One pumpwell-export document, version 1 (no secrets); POST it to /api/account/imports to "
                   "bring it back, here or on another server.",
    "content": {"application/json": {"schema": DOCUMENTED_SCHEMA}},
}, **account_limited("downloads")})
@per_account("EXPORT_RATE_LIMIT", "downloads")
def export_account():
    """Download everything stored about you as one JSON document."""
    db = get_db()
    # Streamed: the rows are read while the body is sent, so the session closes with the response.
    response = Response(
        account.export_account(db, principal().account, app_now()), content_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="pumpwell-export.json"',
                 "Cache-Control": "private, no-store"},
    )
    response.call_on_close(db.close)
    return response


@bp.delete("")
@bp.auth_required(auth)
@bp.input(DeletionIn, arg_name="body")
@bp.output({}, status_code=204)
@bp.doc(responses={403: "Wrong password, and this device did not sign in moments ago"})
def delete_account(body):
    """Delete the account and everything in it, and sign out every device."""
    account.delete_account(get_db(), current_app.extensions["passwords"], principal().device_id, body.get("password"),
                           app_now())
    return ""
