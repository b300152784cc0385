"""Goals and the daily summary measured against them."""

from apiflask import APIBlueprint, Schema, fields

from server.api.auth import acts_for, auth, principal
from server.api.compiled import CompiledSchema
from server.api.fields import LocalDate, LocalTime
from server.api.reasons import Range
from server.db import get_db
from server.domain.household import Permission
from server.services import goal_changes, goals, summary
from server.timeutil import app_now

bp = APIBlueprint("goals", __name__, url_prefix="/api", tag="Goals and summary")


class GoalsSchema(CompiledSchema):
    """Daily targets, the longest gaps by day and by night, and the local night window."""

    daily_volume_ml = fields.Float(required=True, validate=Range(min=0, max=5000))
    sessions_per_day = fields.Integer(required=True, validate=Range(min=1, max=24))
    max_gap_day_min = fields.Integer(required=True, validate=Range(min=30, max=720))
    max_gap_night_min = fields.Integer(required=True, validate=Range(min=30, max=720))
    night_start = LocalTime(required=True)
    night_end = LocalTime(required=True)


class SummaryQuery(Schema):
    """Local dates, both inclusive."""

    from_ = LocalDate(data_key="from", required=True)
    to = LocalDate(required=True)


class DayOut(CompiledSchema):
    """One local day: a session counts on the day it started, in the user's time zone."""

    date = fields.Date()
    hours = fields.Float(metadata={"description": (
        "The local day's length: 24 on most days; a daylight-saving or zone change makes it shorter or longer "
        "(23, 25, 23.5, 24.5, 22 or 26 occur), and a date the zone skipped (Samoa's 2011-12-30) is 0."
    )})
    sessions = fields.Integer()
    total_ml = fields.Float()
    left_ml = fields.Float()
    right_ml = fields.Float()
    pumping_min = fields.Float()
    longest_gap_min = fields.Float(allow_none=True)
    night_sessions = fields.Integer(metadata={"description": "Sessions started 01:00-05:00 local."})
    volume_progress = fields.Float()
    sessions_progress = fields.Float()


class SummaryOut(CompiledSchema):
    """Per-day figures in the user's zone, with the goal they are measured against."""

    time_zone = fields.String()
    unit = fields.String()
    goal = fields.Nested(GoalsSchema)
    days = fields.List(fields.Nested(DayOut))


@bp.get("/goals")
@bp.auth_required(auth)
@acts_for(Permission.SEE_PUMPING)
@bp.output(GoalsSchema)
def get_goals(household):
    """Show the goals (the defaults until set)."""
    return goals.get_goals(get_db(), household.account)


@bp.put("/goals")
@bp.auth_required(auth)
@bp.input(GoalsSchema, arg_name="values")
@bp.output(GoalsSchema)
def set_goals(values):
    """Set all goals at once."""
    return goal_changes.set_goals(get_db(), principal().account, values, app_now())


@bp.get("/summary/daily")
@bp.auth_required(auth)
@acts_for(Permission.SEE_PUMPING)
@bp.input(SummaryQuery, location="query", arg_name="query")
@bp.output(SummaryOut)
@bp.doc(description="A session belongs to the local day on which it started (in the user's time zone).")
def daily_summary(query, household):
    """Summarize local days from..to (at most 366)."""
    return summary.summary_view(get_db(), household.account, query["from_"], query["to"], app_now())
