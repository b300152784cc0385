"""The consultant's workspace: every parent who granted her the consultant role, at a glance."""

from apiflask import APIBlueprint, Schema, fields

from server.api.auth import auth, principal
from server.api.fields import Said
from server.api.reasons import OneOf
from server.db import get_db
from server.services import workspace
from server.timeutil import app_now

bp = APIBlueprint("workspace", __name__, url_prefix="/api/workspace", tag="Household")


class WorkspaceQuery(Schema):
    """How to order the clients."""

    sort = fields.String(load_default="flags", validate=OneOf(list(workspace.SORT_KEYS)), metadata={
        "description": "flags: the most flags first; name: by e-mail; last_logged: the longest silence first; "
                       "total: the furthest below her goal over the last 24 h first."})


class LastDayOut(Schema):
    """The last 24 hours."""

    total_ml = fields.Float()
    sessions = fields.Integer()
    longest_gap_min = fields.Float(allow_none=True,
                                   metadata={"description": "Between two sessions, as History counts them."})


class ClientDayOut(Schema):
    """A local day's total."""

    date = fields.Date()
    total_ml = fields.Float()


class PlanProgressOut(Schema):
    """Her active plan and how she follows it."""

    id = fields.Integer()
    template = fields.String()
    name = Said()
    done = fields.Integer(attribute="progress.done")
    missed = fields.Integer(attribute="progress.missed")
    upcoming = fields.Integer(attribute="progress.upcoming")


class FlagOut(Schema):
    """Something that asks for a look."""

    code = fields.String(metadata={"enum": ["nothing_logged", "night_gap", "below_goal"]})
    message = Said()


class ClientOut(Schema):
    """A client at a glance."""

    account_id = fields.Integer()
    email = fields.String()
    role = fields.String(metadata={"description": "consultant: the role she granted you."})
    permissions = fields.List(fields.String(), metadata={"description": "What the role allows (docs/household.md)."})
    time_zone = fields.String()
    unit = fields.String()
    since = fields.DateTime(metadata={"description": "When she granted the consultant role."})
    goal_ml = fields.Float(metadata={"description": "Her daily volume goal."})
    last_24h = fields.Nested(LastDayOut)
    goal_progress = fields.Float(metadata={"description": "The last 24 hours' total against her daily goal."})
    trend = fields.List(fields.Nested(ClientDayOut), metadata={"description": "The last 7 local days, today last."})
    plan = fields.Nested(PlanProgressOut, allow_none=True)
    last_logged_at = fields.DateTime(allow_none=True, metadata={"description": "When her latest session ended."})
    flags = fields.List(fields.Nested(FlagOut))


class WorkspaceOut(Schema):
    """Every client."""

    items = fields.List(fields.Nested(ClientOut))


@bp.get("")
@bp.auth_required(auth)
@bp.input(WorkspaceQuery, location="query", arg_name="query")
@bp.output(WorkspaceOut)
def list_clients(query):
    """List every parent who granted you the consultant role, with her last 24 h, 7-day trend, plan and flags."""
    return {"items": workspace.workspace(get_db(), principal().account, query["sort"], app_now())}
