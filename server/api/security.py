"""Account security: change the password, see and sign out devices, and choose a new password from an e-mailed link."""

import logging
from datetime import timedelta
from functools import partial

from apiflask import APIBlueprint, Schema, fields
from flask import after_this_request, current_app
from marshmallow import pre_load

from server import mail
from server.api.auth import auth, principal
from server.api.quotas import account_limited, per_account
from server.api.reasons import Length
from server.api.signing_in import LIMITED, TokenOut, idle_time, token_lifetime
from server.db import get_db
from server.services import devices, passwords
from server.services.passwords import ResetLink
from server.timeutil import app_now

log = logging.getLogger(__name__)

bp = APIBlueprint("security", __name__, url_prefix="/api", tag="Account security")

# What the reset request always answers, whether or not an account uses the address.
RESET_REQUESTED = "If an account uses this address, we sent it a link to choose a new password."


class PasswordChange(Schema):
    """The current password, the new one, and whether the other devices stay signed in."""

    current_password = fields.String(required=True, validate=Length(max=200))
    new_password = fields.String(required=True, validate=Length(min=8, max=200))
    keep_other_devices = fields.Boolean(load_default=False, metadata={
        "description": "Leave the account's other devices signed in (by default they are signed out)."})


class DeviceOut(Schema):
    """A device signed in to the account."""

    id = fields.Integer()
    label = fields.String(metadata={"description": "The name the device gave when it signed in"})
    created_at = fields.DateTime(metadata={"description": "When it signed in"})
    last_used_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(metadata={"description": "Signed out then at the latest (sooner once left unused)"})
    current = fields.Boolean(metadata={"description": "The device making this request"})


class DeviceList(Schema):
    """The account's signed-in devices, most recently used first."""

    items = fields.List(fields.Nested(DeviceOut))


class ResetRequest(Schema):
    """The e-mail address of the account."""

    email = fields.Email(required=True, validate=Length(max=254))

    @pre_load
    def strip_email(self, data, **kwargs):
        """Drop the spaces phone keyboards add after an autocompleted email."""
        if isinstance(data, dict) and isinstance(data.get("email"), str):
            data = {**data, "email": data["email"].strip()}
        return data


class ResetRequested(Schema):
    """The same answer whether or not an account uses the address."""

    message = fields.String()


class ResetConfirm(Schema):
    """The token from the e-mailed link, the new password, and a name for this device."""

    token = fields.String(required=True, validate=Length(min=1, max=200))
    new_password = fields.String(required=True, validate=Length(min=8, max=200))
    device_label = fields.String(load_default="", validate=Length(max=100))


def _reset_link() -> ResetLink:
    """Return where reset links point (PUBLIC_URL, never the Host a request claims) and how long they live."""
    config = current_app.config
    return ResetLink(config["PUBLIC_URL"], timedelta(minutes=config["PASSWORD_RESET_MINUTES"]))


def _mail_after_response():
    """Return a function that sends an e-mail once the response has gone, so no answer waits for (or tells of) it."""
    sender = mail.sender_from_config(current_app.config)
    if sender is None:
        log.warning("e-mail is not configured (SMTP_HOST is empty): password reset links cannot be sent")
        return lambda message: None
    if not current_app.config["PUBLIC_URL"]:
        # A link naming the Host header a request claims would send her token to whoever forged it.
        log.warning("PUBLIC_URL is not set: password reset links cannot name the site, so none is sent")
        return lambda message: None

    def deliver(message):
        """Send after the response: call_on_close runs once the server has written it."""
        @after_this_request
        def send_later(response):
            response.call_on_close(partial(mail.send_quietly, sender, message, "password reset"))
            return response

    return deliver


@bp.post("/me/password")
@bp.auth_required(auth)
@bp.input(PasswordChange, arg_name="body")
@per_account("PASSWORD_CHANGE_RATE_LIMIT", "password changes")
@bp.output({}, status_code=204)
@bp.doc(responses={
    403: "The current password is wrong (403, not 401: this device stays signed in)",
    422: "The new password is too short, too long or one of the most common ones",
    **account_limited("password changes"),
})
def change_password(body):
    """Change the password; the other devices are signed out unless keep_other_devices."""
    passwords.change_password(
        get_db(), current_app.extensions["passwords"], principal().device_id, body["current_password"],
        body["new_password"], body["keep_other_devices"], app_now(),
    )
    return ""


@bp.get("/me/devices")
@bp.auth_required(auth)
@bp.output(DeviceList)
def list_devices():
    """List the devices signed in to the account; current marks this one."""
    return {"items": devices.list_devices(get_db(), principal().account, principal().device_id, idle_time(), app_now())}


@bp.delete("/me/devices/<int:device_id>")
@bp.auth_required(auth)
@bp.output({}, status_code=204)
@bp.doc(responses={409: "This is the device asking: it signs out with /api/auth/logout"})
def sign_out_device(device_id):
    """Sign out another device of the account; its reminders stop with it."""
    devices.sign_out_device(get_db(), principal().account, device_id, principal().device_id)
    return ""


@bp.post("/auth/logout-everywhere")
@bp.auth_required(auth)
@bp.output({}, status_code=204)
def logout_everywhere():
    """Sign out every device of the account, this one included."""
    devices.sign_out_everywhere(get_db(), principal().account)
    return ""


@bp.post("/auth/password-reset")
@bp.input(ResetRequest, arg_name="body")
@bp.output(ResetRequested, status_code=202)
@bp.doc(responses={429: "Too many requests from this address or for this e-mail; retry after Retry-After"})
def request_password_reset(body):
    """E-mail a link to choose a new password; the answer is the same whether or not an account uses the address."""
    passwords.request_reset(get_db(), body["email"], _reset_link(), app_now(), _mail_after_response())
    return {"message": RESET_REQUESTED}


@bp.post("/auth/password-reset/confirm")
@bp.input(ResetConfirm, arg_name="body")
@bp.output(TokenOut)
@bp.doc(responses={422: "The link is unknown, used or expired, or the new password is refused", **LIMITED})
def confirm_password_reset(body):
    """Choose a new password with an e-mailed link: every device is signed out, and this one signed in."""
    user, token = passwords.reset_password(
        get_db(), current_app.extensions["passwords"], body["token"], body["new_password"], body["device_label"],
        token_lifetime(), app_now(),
    )
    return {"token": token, "user": user}
