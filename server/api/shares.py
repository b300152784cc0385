"""Read-only links for a consultant: create (token shown once), list, revoke."""

from apiflask import APIBlueprint, Schema, fields
from flask import url_for

from server.api.auth import auth, principal
from server.api.docs import links
from server.api.quotas import account_limited, per_account
from server.api.reasons import Length, Range
from server.api.site import site_root
from server.db import get_db
from server.services import shares
from server.timeutil import app_now

bp = APIBlueprint("shares", __name__, url_prefix="/api/shares", tag="Shares")


class ShareIn(Schema):
    """Who the link is for, and how long it lives."""

    label = fields.String(required=True, validate=Length(min=1, max=100), metadata={"example": "IBCLC Dana"})
    expires_in_days = fields.Integer(load_default=14, validate=Range(min=1, max=90))
    include_stash = fields.Boolean(load_default=False, metadata={"description": "Show the milk stash on the page."})


class ShareOut(Schema):
    """A link as listed; its token is never shown again, so `url` is null."""

    id = fields.Integer()
    label = fields.String()
    url = fields.String(allow_none=True, dump_default=None)
    include_stash = fields.Boolean()
    expires_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class ShareCreated(ShareOut):
    """A new link with its token and address: shown this once only."""

    token = fields.String()


class ShareList(Schema):
    """The user's links, newest first."""

    items = fields.List(fields.Nested(ShareOut))


@bp.post("")
@bp.auth_required(auth)
@bp.input(ShareIn, arg_name="values")
@per_account("SHARE_LINK_RATE_LIMIT", "new share links")
@bp.output(
    ShareCreated, status_code=201, links=links("/api/shares/{share_id}", {"RevokeShare": "delete"}, share_id="id"),
)
@bp.doc(responses=account_limited("new share links"))
def create_share(values):
    """Create a link for a consultant; copy the token now, it cannot be shown again."""
    root = site_root()  # before the link exists: a refused Host leaves no link behind
    args = (values["label"], values["expires_in_days"], app_now(), values["include_stash"])
    share, token = shares.create_share(get_db(), principal().account, *args)
    return {**vars(share), "token": token, "url": root + url_for("share_page.page", token=token)}


@bp.get("")
@bp.auth_required(auth)
@bp.output(ShareList)
def list_shares():
    """List the links with their expiry, revocation and last use."""
    return {"items": shares.list_shares(get_db(), principal().account)}


@bp.delete("/<int:share_id>")
@bp.auth_required(auth)
@bp.output({}, status_code=204)
def revoke_share(share_id):
    """Revoke a link: it answers 'not found' from now on."""
    shares.revoke_share(get_db(), principal().account, share_id, app_now())
    return ""
