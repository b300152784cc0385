"""Supply trends over 4, 8 or 12 weeks, in the user's zone and unit."""

from apiflask import APIBlueprint, Schema, fields
from marshmallow import pre_dump

from server.api.auth import acts_for, auth
from server.api.compiled import CompiledSchema
from server.api.fields import Said
from server.api.reasons import OneOf
from server.db import get_db
from server.domain.household import Permission
from server.domain.trends import WEEKS, WINDOW
from server.services import trends
from server.timeutil import app_now

bp = APIBlueprint("trends", __name__, url_prefix="/api", tag="Goals and summary")


class TrendsQuery(Schema):
    """How many weeks up to today."""

    weeks = fields.Integer(load_default=4, validate=OneOf(WEEKS))


class TrendDayOut(CompiledSchema):
    """One local day, counted exactly as /api/summary/daily counts it."""

    date = fields.Date()
    complete = fields.Boolean(metadata={"description": "False for today, which is not over."})
    day_of_life = fields.Integer(allow_none=True, metadata={
        "description": "Days since the birth date (the birth date is day 0); null without one or before it."})
    hours = fields.Float(metadata={"description": "The local day's length (23 or 25 on daylight-saving days)."})
    total_ml = fields.Float()
    rolling_mean_ml = fields.Float(allow_none=True, metadata={"description": (
        f"Mean daily total of the {WINDOW} days ending on this one; null for today and where the {WINDOW} days "
        "reach back before the first session logged.")})
    sessions = fields.Integer()
    sessions_per_24h = fields.Float(allow_none=True, metadata={"description": "Sessions times 24 / hours."})
    pumping_min = fields.Float()
    ml_per_min = fields.Float(allow_none=True, metadata={"description": "Total mL per pumping minute."})
    left_ml = fields.Float()
    right_ml = fields.Float()
    left_share = fields.Float(allow_none=True, metadata={"description": "Left / (left + right), 0 to 1."})


class WeekOut(CompiledSchema):
    """Seven whole local days together."""

    first = fields.Date()
    last = fields.Date()
    total_ml = fields.Float()
    sessions_per_24h = fields.Float(allow_none=True)
    pumping_min_per_day = fields.Float()
    ml_per_min = fields.Float(allow_none=True)
    left_share = fields.Float(allow_none=True)
    unsided_ml = fields.Float(metadata={"description": "Milk imported without a side (not in left_share)."})


class StatementOut(CompiledSchema):
    """A plain sentence about the 7 days to yesterday, with the figures it states."""

    kind = fields.String(metadata={"enum": ["nothing-logged", "too-early", "total", "sessions_per_24h",
                                            "pumping_min_per_day", "ml_per_min", "left_share"]})
    text = Said()
    latest = fields.Float(allow_none=True)
    previous = fields.Float(allow_none=True)
    change_pct = fields.Integer(allow_none=True)


class MarkerOut(CompiledSchema):
    """A day of life that a reference figure falls on, inside the weeks shown."""

    day_of_life = fields.Integer()
    date = fields.Date()


class ReferenceOut(CompiledSchema):
    """A published daily-volume figure and its source."""

    key = fields.String()
    day_of_life = fields.Integer()
    low_ml = fields.Float()
    high_ml = fields.Float(allow_none=True)
    min_sessions_per_day = fields.Integer(allow_none=True)
    text = Said()
    source = Said()


class TrendsOut(Schema):
    """Daily figures from first to last (today), the two latest whole weeks, statements and reference figures."""

    time_zone = fields.String()
    unit = fields.String()
    weeks = fields.Integer()
    first = fields.Date()
    last = fields.Date()
    birth_date = fields.Date(allow_none=True)
    logging_since = fields.Date(allow_none=True, metadata={"description": "The local day of the first session."})
    days = fields.List(fields.Nested(TrendDayOut))
    latest_week = fields.Nested(WeekOut, allow_none=True, metadata={"description": "The 7 days to yesterday."})
    previous_week = fields.Nested(WeekOut, allow_none=True, metadata={"description": "The 7 days before those."})
    statements = fields.List(fields.Nested(StatementOut))
    markers = fields.List(fields.Nested(MarkerOut))
    references = fields.List(fields.Nested(ReferenceOut))
    not_advice = Said()

    @pre_dump
    def flatten(self, view, **kwargs):
        """Write the trends' figures beside their time zone."""
        return {"time_zone": view.time_zone, **vars(view.trends)}


@bp.get("/trends")
@bp.auth_required(auth)
@acts_for(Permission.SEE_PUMPING)
@bp.input(TrendsQuery, location="query", arg_name="query")
@bp.output(TrendsOut)
@bp.doc(description="Days are local days exactly as /api/summary/daily counts them. General information, not "
                    "medical advice.")
def get_trends(query, household):
    """Show supply trends over 4, 8 or 12 weeks up to today."""
    return trends.trends_view(get_db(), household.account, query["weeks"], app_now())
