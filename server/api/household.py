"""The household: invitations a parent sends, joining one, who has access, and the households one belongs to."""

from apiflask import APIBlueprint, Schema, fields

from server.api.auth import auth, principal
from server.api.docs import links
from server.api.quotas import account_limited, per_account
from server.api.reasons import Length, OneOf
from server.api.site import site_root
from server.db import get_db
from server.domain.household import Permission, Role
from server.services import household
from server.timeutil import app_now

bp = APIBlueprint("household", __name__, url_prefix="/api/household", tag="Household")

ROLES = [role.value for role in Role]
PERMISSIONS = [permission.value for permission in Permission]


class InvitationIn(Schema):
    """The role the invitee will hold."""

    role = fields.String(required=True, validate=OneOf(ROLES))


class InvitationOut(Schema):
    """An open invitation; its link is shown once, when created, so `url` is null here."""

    id = fields.Integer()
    role = fields.String(metadata={"enum": ROLES})
    url = fields.String(allow_none=True, dump_default=None)
    created_at = fields.DateTime()
    expires_at = fields.DateTime()


class InvitationCreated(InvitationOut):
    """A new invitation with its single-use link: send it now, it cannot be shown again."""

    url = fields.String()


class InvitationList(Schema):
    """The parent's open invitations, newest first."""

    items = fields.List(fields.Nested(InvitationOut))


class JoinIn(Schema):
    """The token of the invitation's link (what follows /#/join/)."""

    token = fields.String(required=True, validate=Length(min=1, max=200))


class MembershipOut(Schema):
    """A household one belongs to: the parent's account, the role she granted, since when, what it may do."""

    account_id = fields.Integer(metadata={"description": "Send it as the Pumpwell-Account header to act for her."})
    email = fields.String()
    role = fields.String(metadata={"enum": ROLES})
    since = fields.DateTime()
    permissions = fields.List(fields.String(metadata={"enum": PERMISSIONS}))


class MembershipList(Schema):
    """The households the signed-in account belongs to, oldest first."""

    items = fields.List(fields.Nested(MembershipOut))


class MemberOut(Schema):
    """Someone with access to the parent's data, in a role, since when."""

    id = fields.Integer()
    account_id = fields.Integer()
    email = fields.String()
    role = fields.String(metadata={"enum": ROLES})
    since = fields.DateTime()


class MemberList(Schema):
    """Who has access to the parent's data, oldest first."""

    items = fields.List(fields.Nested(MemberOut))


@bp.post("/invitations")
@bp.auth_required(auth)
@bp.input(InvitationIn, arg_name="values")
@per_account("INVITATION_RATE_LIMIT", "invitations")
@bp.output(InvitationCreated, status_code=201, links=links(
    "/api/household/invitations/{invitation_id}", {"WithdrawInvitation": "delete"}, invitation_id="id"))
@bp.doc(responses={409: "As many invitations are open as one may hold", **account_limited("invitations")})
def create_invitation(values):
    """Invite someone into a role: a single-use link, valid 72 hours; send it now, it is shown only once."""
    root = site_root()  # before the invitation exists: a refused Host leaves none behind
    invitation, token = household.create_invitation(get_db(), principal().account, values["role"], app_now())
    return {**vars(invitation), "url": f"{root}/#/join/{token}"}


@bp.get("/invitations")
@bp.auth_required(auth)
@bp.output(InvitationList)
def list_invitations():
    """List the invitations not yet accepted, withdrawn or expired."""
    return {"items": household.list_invitations(get_db(), principal().account, app_now())}


@bp.delete("/invitations/<int:invitation_id>")
@bp.auth_required(auth)
@bp.output({}, status_code=204)
def withdraw_invitation(invitation_id):
    """Withdraw an invitation: its link answers 'not found' from now on."""
    household.withdraw_invitation(get_db(), principal().account, invitation_id)
    return ""


@bp.post("/join")
@bp.auth_required(auth)
@bp.input(JoinIn, arg_name="values")
@bp.output(MembershipOut, status_code=201)
@bp.doc(responses={404: "The invitation was used, has expired or does not exist", 409: "It is your own"})
def join(values):
    """Accept an invitation: from now on you act for the parent in its role (a role you held there is replaced)."""
    return household.join(get_db(), principal().account, values["token"], app_now())


@bp.get("/members")
@bp.auth_required(auth)
@bp.output(MemberList)
def list_members():
    """List who has access to your data, in what role, since when."""
    return {"items": household.list_members(get_db(), principal().account)}


@bp.delete("/members/<int:member_id>")
@bp.auth_required(auth)
@bp.output({}, status_code=204)
def revoke_member(member_id):
    """Revoke a member's access: her next request for your data is refused."""
    household.revoke_member(get_db(), principal().account, member_id)
    return ""


@bp.get("/parents")
@bp.auth_required(auth)
@bp.output(MembershipList)
def list_parents():
    """List the parents who let you in, with your role and what it allows."""
    return {"items": household.list_parents(get_db(), principal().account)}


@bp.delete("/parents/<int:account_id>")
@bp.auth_required(auth)
@bp.output({}, status_code=204)
def leave(account_id):
    """Leave a parent's household."""
    household.leave(get_db(), principal().account, account_id)
    return ""
