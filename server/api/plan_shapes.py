"""Plan shapes more than one blueprint shows: a plan without its slots (the plans' answers and the settings'), and
a plan to expand (a preview, a start and a consultant's proposal)."""

from apiflask import Schema, fields

from server.api.fields import Instant, Said
from server.api.reasons import Length
from server.domain.templates import TEMPLATES


class PreviewIn(Schema):
    """A template, a start time and overrides of its parameters (see /api/plans/templates)."""

    # The enum tells clients the keys; the domain still answers an unknown one with its own message.
    template = fields.String(required=True, validate=Length(max=40), metadata={"enum": sorted(TEMPLATES)})
    starts_at = Instant(required=True)
    params = fields.Dict(keys=fields.String(validate=Length(max=40)), load_default=dict)


class PlanSummaryOut(Schema):
    """A plan without its slots."""

    id = fields.Integer(allow_none=True)
    template = fields.String()
    name = Said()
    evidence = Said(metadata={"description": "The template's label, or an adaptation beyond its sources."})
    status = fields.String(metadata={"description": "active, cancelled or finished."})
    time_zone = fields.String(metadata={"description": "The zone whose local times the plan's daily times follow."})
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    cancelled_at = fields.DateTime(allow_none=True)
    params = fields.Dict()
    logged_by_role = fields.String(allow_none=True, metadata={
        "description": "The role of whoever started it for the parent (a consultant's accepted proposal); null when "
                       "she did."})
    logged_by_id = fields.Integer(allow_none=True, metadata={
        "description": "Their account id; null when she started it or their account was deleted."})
    disclaimer = Said()
