"""The milk stash: containers, their moves, uses and discards, and the storage guideline."""

from apiflask import APIBlueprint, Schema, fields

from server.api.auth import acts_for, auth, principal
from server.api.compiled import CompiledSchema
from server.api.fields import Instant, Said
from server.api.reasons import Length, OneOf, Range
from server.db import get_db
from server.domain import storage
from server.domain.household import Permission
from server.services import stash
from server.timeutil import app_now

bp = APIBlueprint("stash", __name__, url_prefix="/api/stash", tag="Stash")

REPLAY_DOC = {200: "The same id and body were sent before: nothing changed", 409: "Not allowed now, or id reused"}


class ActionIn(Schema):
    """What every change carries: an optional client id (so a replay counts once) and when it happened."""

    id = fields.UUID(metadata={"description": "Chosen by the client; the same id and body again change nothing."})
    at = Instant(metadata={"description": "When it happened; now if left out."})


class BatchIn(Schema):
    """A new container: the volume as entered, when the milk was expressed, where it is."""

    id = fields.UUID(metadata={"description": "Chosen by the client so an offline replay stores nothing twice."})
    volume = fields.Float(validate=Range(min=0, min_inclusive=False, max=2000), metadata={
        "description": "Required unless session_id is given (then all of that session's milk not yet stashed)."})
    unit = fields.String(load_default="ml", validate=OneOf(["ml", "oz"]))
    expressed_at = Instant(metadata={"description": "Required unless session_id is given (then its end)."})
    location = fields.String(required=True, validate=OneOf(storage.LOCATIONS))
    label = fields.String(load_default="", validate=Length(max=100))
    session_id = fields.UUID(allow_none=True, metadata={"description": "The session this milk came from."})


class MoveIn(ActionIn):
    """Where the container goes."""

    location = fields.String(required=True, validate=OneOf(storage.LOCATIONS))


class UseIn(ActionIn):
    """How much was used (all if left out); offered=true: the baby fed from it, and what is left keeps 2 h from
    `at`, when the feed ended (the CDC: within 2 h after the baby finishes feeding)."""

    volume = fields.Float(validate=Range(min=0, min_inclusive=False, max=2000))
    unit = fields.String(load_default="ml", validate=OneOf(["ml", "oz"]))
    offered = fields.Boolean(load_default=False, metadata={"description": "The bottle was offered for a feed."})


class DiscardIn(ActionIn):
    """Why the milk was thrown away."""

    reason = fields.String(load_default="", validate=Length(max=200))


class LimitOut(CompiledSchema):
    """The limit that sets a container's expiry, its source, and the CDC's when the guideline allows longer."""

    condition = fields.String()
    limit = Said()
    source = Said()
    note = Said()
    cdc_limit = Said(allow_none=True)
    cdc_source = Said(allow_none=True)


class EventOut(CompiledSchema):
    """A step of a container's history, and who took it when it was not the parent."""

    kind = fields.String(metadata={"enum": list(storage.EVENT_KINDS)})
    at = fields.DateTime()
    location = fields.String(allow_none=True)
    volume_ml = fields.Float(allow_none=True)
    reason = fields.String(allow_none=True)
    logged_by_role = fields.String(allow_none=True, metadata={
        "description": "The role of whoever did it for the parent (caregiver...); null when she did."})
    logged_by_id = fields.Integer(allow_none=True, metadata={
        "description": "Their account id; null when she did or their account was deleted."})


class BatchOut(CompiledSchema):
    """A container: volume as entered and in mL, where it is, when it expires, and its status."""

    id = fields.UUID()
    label = fields.String()
    entered_volume = fields.Float()
    entered_unit = fields.String()
    volume_ml = fields.Float()
    remaining_ml = fields.Float()
    expressed_at = fields.DateTime()
    location = fields.String()
    location_since = fields.DateTime()
    first_frozen_at = fields.DateTime(allow_none=True)
    thawed_at = fields.DateTime(allow_none=True)
    offered_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime()
    status = fields.String(metadata={"enum": list(storage.STATUSES)})
    expired = fields.Boolean()
    time_left = Said(allow_none=True, metadata={"example": "2 days 4 h left"})
    limit = fields.Nested(LimitOut)
    session_id = fields.UUID(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    discard_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    events = fields.List(fields.Nested(EventOut), metadata={"description": "Its history, oldest first."})


class Total(CompiledSchema):
    """How many containers and how much milk."""

    containers = fields.Integer()
    ml = fields.Float()


class Totals(CompiledSchema):
    """Milk left in open containers per place and overall; expired milk apart."""

    room = fields.Nested(Total)
    cooler = fields.Nested(Total)
    fridge = fields.Nested(Total)
    freezer = fields.Nested(Total)
    overall = fields.Nested(Total)
    expired = fields.Nested(Total)


class StashQuery(Schema):
    """Which containers (open by default), and a page."""

    which = fields.String(load_default="open", validate=OneOf(["open", "closed", "all"]))
    limit = fields.Integer(load_default=50, validate=Range(min=1, max=200))
    cursor = fields.String(validate=Length(max=300))


class StashPage(CompiledSchema):
    """Containers in use-first order (whatever expires first comes first), the totals and the next cursor."""

    items = fields.List(fields.Nested(BatchOut))
    next_cursor = fields.String(allow_none=True)
    totals = fields.Nested(Totals)
    guideline = fields.String()
    not_medical_advice = Said()


class GuidelineIn(Schema):
    """The storage guideline to follow."""

    guideline = fields.String(required=True, validate=OneOf(storage.GUIDELINES))


class GuidelineChoice(Schema):
    """A guideline one may choose."""

    key = fields.String()
    name = Said()
    source = Said()


class GuidelineLimit(LimitOut):
    """One row of the limits table under the chosen guideline."""

    hours = fields.Float(allow_none=True, metadata={"description": "The limit in hours; null for one in months."})
    months = fields.Integer(allow_none=True, metadata={
        "description": "The limit in calendar months on the parent's clock (the freezer); null for one in hours."})


class GuidelineOut(Schema):
    """The chosen guideline and every limit it sets, each naming its source."""

    guideline = fields.String()
    name = Said()
    choices = fields.List(fields.Nested(GuidelineChoice))
    limits = fields.List(fields.Nested(GuidelineLimit))
    not_medical_advice = Said()


def _answer(household, batch_and_created):
    """Answer a change: 201 or 200 for a new container, 200 for an action, with the container's view."""
    batch, created = batch_and_created
    return stash.batch_view(batch, household.account.stash_guideline, app_now()), created


@bp.post("")
@bp.auth_required(auth)
@acts_for(Permission.CHANGE_STASH)
@bp.input(BatchIn, arg_name="values")
@bp.output(BatchOut, status_code=201)
@bp.doc(responses={**REPLAY_DOC, 404: "No such session"})
def add_batch(values, household):
    """Add a container of milk (from a session, split as you like, never more than its volume)."""
    added = stash.add_batch(get_db(), household.account, values, app_now(), household.logged_by)
    view, created = _answer(household, added)
    return view, 201 if created else 200


@bp.get("")
@bp.auth_required(auth)
@acts_for(Permission.SEE_STASH)
@bp.input(StashQuery, location="query", arg_name="query")
@bp.output(StashPage)
def list_batches(query, household):
    """List containers in use-first order, with totals per place."""
    args = (query["which"], query["limit"], query.get("cursor"), app_now())
    return stash.list_batches(get_db(), household.account, *args)


@bp.get("/guideline")
@bp.auth_required(auth)
@acts_for(Permission.SEE_STASH)
@bp.output(GuidelineOut)
def get_guideline(household):
    """Show the storage guideline in use and its limits with sources."""
    return stash.guideline_view(household.account)


@bp.put("/guideline")
@bp.auth_required(auth)
@bp.input(GuidelineIn, arg_name="values")
@bp.output(GuidelineOut)
def set_guideline(values):
    """Choose CDC, ABM protocol #8 or the informal 5-5-5 rule; expiries follow."""
    return stash.set_guideline(get_db(), principal().account, values["guideline"], app_now())


@bp.get("/<uuid:batch_id>")
@bp.auth_required(auth)
@acts_for(Permission.SEE_STASH)
@bp.output(BatchOut)
def get_batch(batch_id, household):
    """Read one container."""
    return stash.batch_view(stash.get_batch(get_db(), household.account, batch_id),
                            household.account.stash_guideline, app_now())


@bp.post("/<uuid:batch_id>/move")
@bp.auth_required(auth)
@acts_for(Permission.CHANGE_STASH)
@bp.input(MoveIn, arg_name="values")
@bp.output(BatchOut)
@bp.doc(responses=REPLAY_DOC)
def move_batch(batch_id, values, household):
    """Move a container; thawed milk never goes back to the freezer (409)."""
    changed = stash.move_batch(get_db(), household.account, batch_id, values, app_now(), household.logged_by)
    return _answer(household, changed)[0]


@bp.post("/<uuid:batch_id>/use")
@bp.auth_required(auth)
@acts_for(Permission.CHANGE_STASH)
@bp.input(UseIn, arg_name="values")
@bp.output(BatchOut)
@bp.doc(responses=REPLAY_DOC)
def use_batch(batch_id, values, household):
    """Use all or part of a container; offered=true keeps the rest as a leftover for 2 h."""
    changed = stash.use_batch(get_db(), household.account, batch_id, values, app_now(), household.logged_by)
    return _answer(household, changed)[0]


@bp.post("/<uuid:batch_id>/discard")
@bp.auth_required(auth)
@acts_for(Permission.CHANGE_STASH)
@bp.input(DiscardIn, arg_name="values")
@bp.output(BatchOut)
@bp.doc(responses=REPLAY_DOC)
def discard_batch(batch_id, values, household):
    """Discard a container with a reason; it stays in the history."""
    changed = stash.discard_batch(get_db(), household.account, batch_id, values, app_now(), household.logged_by)
    return _answer(household, changed)[0]
