"""What the log shows over time: equipment changes compared, and the one-page report to print or send."""

from apiflask import APIBlueprint, Schema, fields

from server.api.auth import acts_for, auth, principal
from server.api.downloads import RangeQuery, ReportQuery, pdf_response
from server.api.fields import Said
from server.api.quotas import account_limited, per_account
from server.db import get_db
from server.domain.household import Permission
from server.services import equipment, report
from server.timeutil import app_now

bp = APIBlueprint("insight", __name__, url_prefix="/api", tag="Insight")

PDF_RESPONSE = {
    200: {"description": "A one-page PDF.", "content": {"application/pdf": {"schema": {"type": "string",
                                                                                       "format": "binary"}}}},
    **account_limited("downloads"),
}


class SideOut(Schema):
    """The sessions with one equipment between two changes, and their medians."""

    pump = fields.String(attribute="equipment.pump", allow_none=True)
    flange_mm = fields.Float(attribute="equipment.flange_mm", allow_none=True)
    first_started_at = fields.DateTime()
    last_started_at = fields.DateTime()
    sessions = fields.Integer()
    measured = fields.Integer(metadata={"description": "Sessions with a volume: the medians count only these."})
    median_ml_per_min = fields.Float(allow_none=True)
    median_ml_per_session = fields.Float(allow_none=True)


class ChangeOut(Schema):
    """A change of pump or flange size and the sessions on each side of it."""

    at = fields.DateTime(metadata={"description": "The start of the first session with the new equipment."})
    changed = fields.List(fields.String(), metadata={"description": "What changed: pump, flange_mm."})
    before = fields.Nested(SideOut)
    after = fields.Nested(SideOut)


class EquipmentOut(Schema):
    """The changes in a period, oldest first, with the note that they are observations, not causes."""

    from_ = fields.Date(attribute="first", data_key="from")
    to = fields.Date(attribute="last")
    changes = fields.List(fields.Nested(ChangeOut))
    observation = Said()


@bp.get("/equipment")
@bp.auth_required(auth)
@acts_for(Permission.SEE_PUMPING)
@bp.input(RangeQuery, location="query", arg_name="query")
@bp.output(EquipmentOut)
def equipment_changes(query, household):
    """Compare output before and after each change of pump or flange size (by default in the last 90 days)."""
    return equipment.equipment_comparison(get_db(), household.account, query.get("from_"), query.get("to"),
                                          app_now())


@bp.get("/report.pdf")
@bp.auth_required(auth)
@bp.input(ReportQuery, location="query", arg_name="query")
@bp.doc(responses=PDF_RESPONSE)
@per_account("EXPORT_RATE_LIMIT", "downloads")
@acts_for(Permission.EXPORT)
def report_pdf(query, household):
    """Download a one-page PDF of the local days from..to for a consultant or a pediatrician, in the language of
    whoever asks."""
    return pdf_response(*report.report_pdf(get_db(), household.account, query.get("from_"), query.get("to"),
                                           query["paper"], app_now(), language=principal().account.language))
