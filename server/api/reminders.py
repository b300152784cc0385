"""Reminders: the upcoming ones, and snooze, skip or done on one."""

from apiflask import APIBlueprint, Schema, fields

from server.api.auth import auth, principal
from server.api.reasons import Range
from server.db import get_db
from server.domain.delivery import Move, Status
from server.services import reminders
from server.timeutil import app_now

bp = APIBlueprint("reminders", __name__, url_prefix="/api/reminders", tag="Reminders")

FINISHED = {409: "The reminder is being sent right now, or was cancelled with its plan"}


class ReminderOut(Schema):
    """A notification to send (or sent); send_after is when it is next sent, later after a snooze or retry."""

    id = fields.Integer()
    kind = fields.String(metadata={"description": "plan_slot, phase_change, gap, stash_expiry or test."})
    send_after = fields.DateTime(metadata={"description": "When it is next sent (named due_at before)."})
    # In the language of whoever asks, as her phone would show it.
    title = fields.Function(lambda r: reminders.reminder_words(r.payload, principal().account.language)[0])
    body = fields.Function(lambda r: reminders.reminder_words(r.payload, principal().account.language)[1])
    url = fields.Function(lambda r: r.payload.get("url"))
    status = fields.String(metadata={"enum": [s.value for s in Status]})
    plan_id = fields.Integer(allow_none=True)
    plan_slot_id = fields.Integer(allow_none=True)


class ReminderList(Schema):
    """Pending reminders, soonest first."""

    items = fields.List(fields.Nested(ReminderOut))


class SnoozeIn(Schema):
    """How long to wait before reminding again."""

    minutes = fields.Integer(load_default=None, allow_none=True, validate=Range(min=1, max=24 * 60))


@bp.post("/<int:reminder_id>/snooze")
@bp.auth_required(auth)
@bp.input(SnoozeIn, arg_name="values")
@bp.output(ReminderOut)
@bp.doc(responses=FINISHED)
def snooze_reminder(reminder_id, values):
    """Remind again later (10 minutes unless minutes is given)."""
    return reminders.snooze_reminder(get_db(), principal().account, reminder_id, values["minutes"], app_now())


@bp.post("/<int:reminder_id>/skip")
@bp.auth_required(auth)
@bp.output(ReminderOut)
@bp.doc(responses=FINISHED)
def skip_reminder(reminder_id):
    """Do not send this reminder."""
    return reminders.close_reminder(get_db(), principal().account, reminder_id, Move.SKIP, app_now())


@bp.post("/<int:reminder_id>/done")
@bp.auth_required(auth)
@bp.output(ReminderOut)
@bp.doc(responses=FINISHED)
def mark_reminder_done(reminder_id):
    """Mark what the reminder asked for as done."""
    return reminders.close_reminder(get_db(), principal().account, reminder_id, Move.DONE, app_now())


@bp.get("")
@bp.auth_required(auth)
@bp.output(ReminderList)
def list_reminders():
    """List your upcoming reminders."""
    return {"items": reminders.list_reminders(get_db(), principal().account, app_now())}
