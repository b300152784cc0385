"""Pumping plans: templates, preview, start, follow, reschedule, cancel, calendar file."""

from apiflask import APIBlueprint, Schema, fields
from apiflask.validators import Regexp
from flask import Response

from server.api.auth import acts_for, auth, principal
from server.api.docs import links
from server.api.fields import Said
from server.api.plan_shapes import PlanSummaryOut, PreviewIn
from server.api.reasons import OneOf, Range
from server.db import get_db
from server.domain.household import Permission
from server.domain.languages import N_
from server.services import plans
from server.timeutil import app_now

bp = APIBlueprint("plans", __name__, url_prefix="/api/plans", tag="Plans")


class ParamOut(Schema):
    """A template parameter: its type, default and limits."""

    name = fields.String()
    type = fields.String(metadata={"description": '"integer" or "time" (local HH:MM).'})
    default = fields.Raw()
    min = fields.Raw()
    max = fields.Raw()
    unit = fields.String(allow_none=True)
    description = Said()
    opens_block = fields.Boolean(metadata={
        "description": "A time at which a daily block or window begins (starting the plan now may start it now)."})


class TemplateOut(Schema):
    """A plan template and where its figures come from."""

    key = fields.String()
    name = Said()
    description = Said()
    evidence = Said(
        metadata={"description": 'What the sources are, e.g. "limited evidence: one article", "no standard protocol".'}
    )
    source = Said()
    evidence_limited = fields.Boolean(metadata={
        "description": "Its sources are one article, post or site, or say there is no standard protocol."})
    params = fields.List(fields.Nested(ParamOut))


class TemplatesOut(Schema):
    """Every template, and the note that none of this is medical advice."""

    items = fields.List(fields.Nested(TemplateOut))
    disclaimer = Said()


class PlanIn(PreviewIn):
    """A plan to start; replace=true cancels an active plan of the same template first."""

    replace = fields.Boolean(load_default=False)


class PlanEditIn(Schema):
    """New settings for the slots of an active plan not yet begun; leave out what stays."""

    start_time = fields.String(
        validate=Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error=N_("Must be a local time as HH:MM.")),
        metadata={"description": "Local HH:MM the daily block (or first session) starts, for templates that have one."},
    )
    days_left = fields.Integer(
        validate=Range(min=1, max=90),
        metadata={"description": "Days of the plan from now on, within the template's length in days."},
    )


class MoveToZoneIn(Schema):
    """What the plan keeps now that the account's time zone changed."""

    keep = fields.String(required=True, validate=OneOf([plans.KEEP_LOCAL_TIMES, plans.KEEP_INSTANTS]), metadata={
        "description": "local_times: its sessions not yet begun move to the same local times in the account's zone "
                       "(one whose time has passed there already is dropped); instants: nothing moves, and the plan "
                       "stays on its own zone's clock."})


class PhaseOut(Schema):
    """Pumping (on which side) or resting, for some minutes."""

    kind = fields.String()
    side = fields.String(allow_none=True)
    minutes = fields.Integer()


class SlotOut(Schema):
    """A planned block and how it went."""

    id = fields.Integer(allow_none=True)
    index = fields.Integer()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    phases = fields.List(fields.Nested(PhaseOut))
    status = fields.String(metadata={"description": "done, missed, upcoming, or cancelled after the plan was."})
    late_min = fields.Integer(allow_none=True)
    session_id = fields.String(allow_none=True)
    note = fields.String(
        allow_none=True, metadata={"description": "Why the slot is not at its usual time (a night the clocks go back)."}
    )


class ProgressOut(Schema):
    """Slot counts, and mean daily volume during the plan against the 7 days before it."""

    done = fields.Integer()
    missed = fields.Integer()
    upcoming = fields.Integer()
    daily_volume_during_ml = fields.Float(allow_none=True)
    daily_volume_before_ml = fields.Float()


class PlanOut(PlanSummaryOut):
    """A plan with its slots and progress."""

    slots = fields.List(fields.Nested(SlotOut))
    progress = fields.Nested(ProgressOut)


class PlanList(Schema):
    """The user's plans, newest first."""

    items = fields.List(fields.Nested(PlanSummaryOut))


@bp.get("/templates")
@bp.auth_required(auth)
@bp.output(TemplatesOut)
def list_templates():
    """List the plan templates."""
    return plans.plan_templates()


@bp.post("/preview")
@bp.auth_required(auth)
@bp.input(PreviewIn, arg_name="values")
@bp.output(PlanOut)
def preview_plan(values):
    """Expand a plan in your time zone without storing it."""
    return plans.preview_plan(get_db(), principal().account, values, app_now())


@bp.post("")
@bp.auth_required(auth)
@bp.input(PlanIn, arg_name="values")
@bp.output(PlanOut, status_code=201, links={
    **links("/api/plans/{plan_id}", {"ReadPlan": "get"}, plan_id="id"),
    **links("/api/plans/{plan_id}.ics", {"PlanCalendar": "get"}, plan_id="id"),
    **links("/api/plans/{plan_id}/cancel", {"CancelPlan": "post"}, plan_id="id"),
})
@bp.doc(responses={409: "A plan of this template is active (send replace=true)"})
def start_plan(values):
    """Start a plan and schedule its reminders."""
    return plans.start_plan(get_db(), principal().account, values, app_now())


@bp.get("")
@bp.auth_required(auth)
@acts_for(Permission.SEE_PUMPING)
@bp.output(PlanList)
def list_plans(household):
    """List your plans."""
    return {"items": plans.list_plans(get_db(), household.account, app_now())}


@bp.get("/<int:plan_id>")
@bp.auth_required(auth)
@acts_for(Permission.SEE_PUMPING)
@bp.output(PlanOut)
def get_plan(plan_id, household):
    """Read a plan with its slots and progress."""
    return plans.get_plan(get_db(), household.account, plan_id, app_now())


@bp.post("/<int:plan_id>/cancel")
@bp.auth_required(auth)
@bp.output(PlanOut)
@bp.doc(responses={409: "The plan is not active (cancelled or finished already)"})
def cancel_plan(plan_id):
    """Cancel an active plan and its pending reminders."""
    return plans.cancel_plan(get_db(), principal().account, plan_id, app_now())


# Its own path beside /cancel: werkzeug checks methods before converters, so a PATCH rule on the GET
# rule's path would answer an absurd id with 405 instead of 404.
@bp.patch("/<int:plan_id>/schedule")
@bp.auth_required(auth)
@bp.input(PlanEditIn, arg_name="values")
@bp.output(PlanOut)
@bp.doc(responses={404: "No such plan of yours", 409: "The plan is not active"})
def edit_plan(plan_id, values):
    """Move an active plan's upcoming slots (daily start time, days left) and their reminders; past slots stay."""
    return plans.edit_plan(get_db(), principal().account, plan_id, values, app_now())


@bp.post("/<int:plan_id>/move-to-zone")
@bp.auth_required(auth)
@bp.input(MoveToZoneIn, arg_name="values")
@bp.output(PlanOut)
@bp.doc(responses={404: "No such plan of yours", 409: "The plan is not active"})
def move_plan_to_zone(plan_id, values):
    """After a time-zone change (PATCH /api/me names the plans it concerns), keep a plan's local times or instants."""
    return plans.move_plan_to_zone(get_db(), principal().account, plan_id, values["keep"], app_now())


@bp.get("/<int:plan_id>.ics")
@bp.auth_required(auth)
@acts_for(Permission.SEE_PUMPING)
@bp.doc(responses={200: {"description": "An iCalendar file", "content": {"text/calendar": {}}}})
def plan_calendar(plan_id, household):
    """Download the plan as a calendar file with an alarm at each slot."""
    body = plans.plan_calendar(get_db(), household.account, plan_id)
    disposition = f'attachment; filename="pumpwell-plan-{plan_id}.ics"'
    return Response(body, mimetype="text/calendar", headers={"Content-Disposition": disposition})
