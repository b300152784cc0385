"""Pumping sessions: log, list, read, edit, delete."""

from apiflask import APIBlueprint, Schema, fields

from server.api.auth import acts_for, auth, principal
from server.api.compiled import CompiledSchema
from server.api.docs import links
from server.api.fields import Instant, validate_cursor
from server.api.reasons import Length, OneOf, Range
from server.db import get_db
from server.domain.household import Permission
from server.domain.sessions import MODES, duration_min, total_volume_ml
from server.services import sessions
from server.timeutil import app_now

bp = APIBlueprint("sessions", __name__, url_prefix="/api/sessions", tag="Sessions")



class SessionFields(Schema):
    """Fields a client may set on a session; each checked against its own range."""

    started_at = Instant()
    ended_at = Instant()
    duration_min = fields.Float(validate=Range(min=1, max=240), metadata={"description": "Instead of ended_at."})
    left_ml = fields.Float(allow_none=True, validate=Range(min=0, max=1000))
    right_ml = fields.Float(allow_none=True, validate=Range(min=0, max=1000))
    mode = fields.String(validate=OneOf(MODES))
    pump = fields.String(allow_none=True, validate=Length(max=100))
    flange_mm = fields.Float(allow_none=True, validate=Range(min=10, max=40))
    pump_setting = fields.String(allow_none=True, validate=Length(max=100),
                                 metadata={"description": "Suction or setting, as the pump names it."})
    pain = fields.Integer(allow_none=True, validate=Range(min=0, max=10))
    notes = fields.String(allow_none=True, validate=Length(max=2000))


class SessionIn(SessionFields):
    """A new session; `id` may be chosen by the client so an offline replay stores nothing twice."""

    id = fields.UUID()
    started_at = Instant(required=True)
    mode = fields.String(load_default="double", validate=OneOf(MODES))


class SessionOut(CompiledSchema):
    """A stored session; times in UTC, volumes in mL."""

    id = fields.UUID()
    started_at = fields.DateTime()
    ended_at = fields.DateTime()
    duration_min = fields.Method("_duration", metadata={"type": "number"})
    left_ml = fields.Float(allow_none=True)
    right_ml = fields.Float(allow_none=True)
    unsided_ml = fields.Float(allow_none=True, metadata={
        "description": "One amount without sides, as another app recorded it (imported); counted in total_ml."})
    total_ml = fields.Method("_total", metadata={"type": "number", "nullable": True,
                                                  "description": "Both sides; null when neither was measured."})
    mode = fields.String()
    pump = fields.String(allow_none=True)
    flange_mm = fields.Float(allow_none=True)
    pump_setting = fields.String(allow_none=True)
    pain = fields.Integer(allow_none=True)
    notes = fields.String(allow_none=True)
    plan_slot_id = fields.Integer(allow_none=True)
    logged_by_role = fields.String(allow_none=True, metadata={
        "description": "The role of whoever logged it for the parent (partner...); null when she did."})
    logged_by_id = fields.Integer(allow_none=True, metadata={
        "description": "Their account id; null when she logged it or their account was deleted."})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()

    def _duration(self, session):
        """Minutes from start to end."""
        return round(duration_min(session.started_at, session.ended_at), 2)

    def _total(self, session):
        """Both sides together."""
        return total_volume_ml(session.left_ml, session.right_ml, session.unsided_ml)


class SessionQuery(Schema):
    """A time range (start inclusive, end exclusive) and a page."""

    from_ = Instant(data_key="from")
    to = Instant()
    limit = fields.Integer(load_default=50, validate=Range(min=1, max=200))
    cursor = fields.String(validate=[Length(max=200), validate_cursor])


class SessionPage(CompiledSchema):
    """Sessions newest first and the cursor of the next page (null on the last)."""

    items = fields.List(fields.Nested(SessionOut))
    next_cursor = fields.String(allow_none=True)


@bp.post("")
@bp.auth_required(auth)
@acts_for(Permission.LOG_SESSIONS)
@bp.input(SessionIn, arg_name="values")
@bp.output(SessionOut, status_code=201, links=links(
    "/api/sessions/{session_id}", {"ReadSession": "get", "EditSession": "patch", "DeleteSession": "delete"},
    session_id="id",
))
@bp.doc(responses={200: "The same id and body were sent before", 409: "The id was used with another body"})
def create_session(values, household):
    """Log a session; give ended_at or duration_min."""
    session, created = sessions.create_session(get_db(), household.account, values, app_now(), household.logged_by)
    return session, 201 if created else 200


@bp.get("")
@bp.auth_required(auth)
@acts_for(Permission.SEE_PUMPING)
@bp.input(SessionQuery, location="query", arg_name="query")
@bp.output(SessionPage)
def list_sessions(query, household):
    """List sessions newest first, with keyset pagination."""
    items, next_cursor = sessions.list_sessions(
        get_db(), household.account, query.get("from_"), query.get("to"), query["limit"], query.get("cursor"))
    return {"items": items, "next_cursor": next_cursor}


@bp.get("/<uuid:session_id>")
@bp.auth_required(auth)
@acts_for(Permission.SEE_PUMPING)
@bp.output(SessionOut)
def get_session(session_id, household):
    """Read one session."""
    return sessions.get_session(get_db(), household.account, session_id)


@bp.patch("/<uuid:session_id>")
@bp.auth_required(auth)
@bp.input(SessionFields, arg_name="changes")
@bp.output(SessionOut)
def update_session(session_id, changes):
    """Change some fields of a session."""
    return sessions.update_session(get_db(), principal().account, session_id, changes, app_now())


@bp.delete("/<uuid:session_id>")
@bp.auth_required(auth)
@bp.output({}, status_code=204)
def delete_session(session_id):
    """Delete a session."""
    sessions.delete_session(get_db(), principal().account, session_id, app_now())
    return ""
