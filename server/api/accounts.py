"""Registering, signing in and out, and the signed-in user's settings."""


from apiflask import APIBlueprint, Schema, fields
from flask import current_app, request
from marshmallow import pre_load

from server.api.auth import auth, principal
from server.api.fields import LocalDate, LocalTime, TimeZone
from server.api.plan_shapes import PlanSummaryOut
from server.api.reasons import Length, OneOf
from server.api.signing_in import LIMITED, TokenOut, UserOut, token_lifetime
from server.db import get_db
from server.domain.languages import DEFAULT_LANGUAGE, LANGUAGES
from server.services import accounts, plans
from server.timeutil import app_now

bp = APIBlueprint("accounts", __name__, url_prefix="/api", tag="Accounts")

class QuietHours(Schema):
    """Local hours in which only night-gap and plan reminders fire."""

    start = LocalTime(required=True)
    end = LocalTime(required=True)


class SettingsOut(UserOut):
    """The settings after a change, and the active plans set by local times of day in another zone: after a time
    zone change, ask whether each keeps its local times or its instants (POST /api/plans/<id>/move-to-zone)."""

    # Dumped already (UserOut) by the view, which adds the plans.
    quiet_hours = fields.Dict(allow_none=True)
    birth_date = fields.String(allow_none=True, metadata={"format": "date"})
    plans_in_other_zones = fields.List(fields.Nested(PlanSummaryOut))


class Credentials(Schema):
    """Email, password and a name for this device."""

    email = fields.Email(required=True, validate=Length(max=254))
    password = fields.String(required=True, validate=Length(min=8, max=200))
    device_label = fields.String(load_default="", validate=Length(max=100))

    @pre_load
    def strip_email(self, data, **kwargs):
        """Drop the spaces phone keyboards add after an autocompleted email."""
        if isinstance(data, dict) and isinstance(data.get("email"), str):
            data = {**data, "email": data["email"].strip()}
        return data


class Registration(Credentials):
    """A new account's credentials and first settings."""

    time_zone = TimeZone(load_default="UTC")
    unit = fields.String(load_default="ml", validate=OneOf(["ml", "oz"]))
    language = fields.String(validate=OneOf(LANGUAGES), metadata={
        "description": "en, es or fr; left out, the one the request's Accept-Language prefers (else en)."})


class SettingsIn(Schema):
    """Settings to change; leave out what stays."""

    time_zone = TimeZone()
    unit = fields.String(validate=OneOf(["ml", "oz"]))
    language = fields.String(validate=OneOf(LANGUAGES), metadata={
        "description": "The language of her app, share page, report, reminders and CSV headers."})
    quiet_hours = fields.Nested(QuietHours, allow_none=True)
    birth_date = LocalDate(allow_none=True, metadata={
        "description": "The baby's local birth date, not after today; null forgets it. Trends counts days of life "
                       "from it."})
    caregivers_see_pumping = fields.Boolean(metadata={
        "description": "Let caregivers see her sessions, summaries, goals and plans (off by default)."})


@bp.post("/auth/register")
@bp.input(Registration, arg_name="body")
@bp.output(TokenOut, status_code=201)
@bp.doc(responses={409: "Email already registered", **LIMITED})
def register(body):
    """Create an account and sign this device in."""
    user, token = accounts.register(
        get_db(), current_app.extensions["passwords"], body["email"], body["password"], body["time_zone"],
        body["unit"], body.get("language") or request.accept_languages.best_match(LANGUAGES, DEFAULT_LANGUAGE),
        body["device_label"], token_lifetime(), app_now(),
    )
    return {"token": token, "user": user}


@bp.post("/auth/login")
@bp.input(Credentials, arg_name="body")
@bp.output(TokenOut)
@bp.doc(responses={401: "Email or password is wrong", **LIMITED})
def login(body):
    """Sign this device in with its own token."""
    user, token = accounts.login(
        get_db(), current_app.extensions["passwords"], body["email"], body["password"], body["device_label"],
        token_lifetime(), app_now(),
    )
    return {"token": token, "user": user}


@bp.post("/auth/logout")
@bp.auth_required(auth)
@bp.output({}, status_code=204)
def logout():
    """Revoke this device's token; the push subscription it saved goes with it."""
    accounts.logout(get_db(), principal().device_id)
    return ""


@bp.get("/me")
@bp.auth_required(auth)
@bp.output(UserOut)
def me():
    """Show the signed-in user's settings."""
    return principal().account


@bp.patch("/me")
@bp.auth_required(auth)
@bp.input(SettingsIn, arg_name="changes")
@bp.output(SettingsOut)
def update_me(changes):
    """Change zone, unit, quiet hours, birth date or what caregivers see; name active plans on another zone's clock."""
    db, now = get_db(), app_now()
    user = accounts.update_settings(db, principal().account, changes, now)
    return {**UserOut().dump(user), "plans_in_other_zones": plans.plans_in_another_zone(db, user, now)}
