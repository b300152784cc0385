"""Plan proposals: a consultant proposes, the parent accepts (which starts the plan) or declines."""

from apiflask import APIBlueprint, Schema, fields

from server.api.auth import acts_for, auth, principal
from server.api.fields import Said
from server.api.plan_shapes import PreviewIn
from server.api.reasons import Length
from server.db import get_db
from server.domain.household import Permission
from server.services import proposals
from server.timeutil import app_now

bp = APIBlueprint("proposals", __name__, url_prefix="/api/plans/proposals", tag="Plans")


class ProposalIn(PreviewIn):
    """A plan to propose: checked as POST /api/plans/preview checks it, with a note for the parent."""

    params = fields.Dict(keys=fields.String(validate=Length(max=40)), load_default=dict, data_key="overrides",
                         metadata={"description": "Overrides of the template's parameters, as params of a preview."})
    note = fields.String(validate=Length(max=1000), load_default=None, allow_none=True)


class AcceptIn(Schema):
    """replace=true cancels her active plan of the same template first, as starting a plan does."""

    replace = fields.Boolean(load_default=False)


class ProposalOut(Schema):
    """A proposed plan, who proposed it and what the parent decided."""

    id = fields.Integer()
    template = fields.String()
    name = Said()
    starts_at = fields.DateTime()
    overrides = fields.Dict()
    note = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "pending, accepted or declined."})
    proposed_by_role = fields.String()
    proposed_by_email = fields.String(allow_none=True, metadata={"description": "None once that account is deleted."})
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    plan_id = fields.Integer(allow_none=True, metadata={"description": "The plan accepting it started."})


class ProposalList(Schema):
    """Proposals, newest first."""

    items = fields.List(fields.Nested(ProposalOut))


@bp.post("")
@bp.auth_required(auth)
@acts_for(Permission.PROPOSE_PLANS)
@bp.input(ProposalIn, arg_name="values")
@bp.output(ProposalOut, status_code=201)
def propose_plan(values, household):
    """Propose a plan to the parent named in the Pumpwell-Account header; nothing changes until she accepts."""
    return proposals.propose_plan(get_db(), household, values, app_now())


@bp.get("")
@bp.auth_required(auth)
@acts_for(Permission.SEE_PUMPING)
@bp.output(ProposalList)
def list_proposals(household):
    """List the plans proposed to the parent, newest first."""
    return {"items": proposals.list_proposals(get_db(), household)}


@bp.post("/<int:proposal_id>/accept")
@bp.auth_required(auth)
@bp.input(AcceptIn, arg_name="values")
@bp.output(ProposalOut)
@bp.doc(responses={409: "Decided already, or a plan of this template is active (send replace=true)"})
def accept_proposal(proposal_id, values):
    """Accept a proposed plan: it starts as if you started it, marked as your consultant's."""
    return proposals.accept_proposal(get_db(), principal().account, proposal_id, values["replace"], app_now())


@bp.post("/<int:proposal_id>/decline")
@bp.auth_required(auth)
@bp.output(ProposalOut)
@bp.doc(responses={409: "Decided already"})
def decline_proposal(proposal_id):
    """Decline a proposed plan; nothing else changes."""
    return proposals.decline_proposal(get_db(), principal().account, proposal_id, app_now())
