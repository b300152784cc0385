"""CSV downloads of the signed-in user's sessions and daily summary, headed in the language of whoever asks."""

from apiflask import APIBlueprint

from server.api.auth import acts_for, auth, principal
from server.api.downloads import RangeQuery, csv_response
from server.api.quotas import account_limited, per_account
from server.db import get_db
from server.domain.household import Permission
from server.services import export, stash
from server.timeutil import app_now

bp = APIBlueprint("export", __name__, url_prefix="/api/export", tag="Export")

CSV_RESPONSE = {
    200: {
        "description": "A CSV file (RFC 4180, UTF-8 with a byte-order mark); each header names its unit.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    },
    **account_limited("downloads"),
}


@bp.get("/sessions.csv")
@bp.auth_required(auth)
@acts_for(Permission.EXPORT)
@bp.input(RangeQuery, location="query", arg_name="query")
@bp.doc(responses=CSV_RESPONSE)
@per_account("EXPORT_RATE_LIMIT", "downloads")
def sessions_csv(query, household):
    """Download the sessions started on the local days from..to, one row each."""
    db = get_db()
    args = (db, household.account, query.get("from_"), query.get("to"), app_now(), principal().account.language)
    return csv_response(*export.export_sessions_csv(*args), close=db.close)


@bp.get("/daily.csv")
@bp.auth_required(auth)
@acts_for(Permission.EXPORT)
@bp.input(RangeQuery, location="query", arg_name="query")
@bp.doc(responses=CSV_RESPONSE)
@per_account("EXPORT_RATE_LIMIT", "downloads")
def daily_csv(query, household):
    """Download the daily summary of the local days from..to (at most 366 days), with the goal."""
    db = get_db()
    args = (db, household.account, query.get("from_"), query.get("to"), app_now(), principal().account.language)
    return csv_response(*export.export_daily_csv(*args), close=db.close)


@bp.get("/stash.csv")
@bp.auth_required(auth)
@acts_for(Permission.EXPORT)
@bp.doc(responses=CSV_RESPONSE)
@per_account("EXPORT_RATE_LIMIT", "downloads")
def stash_csv(household):
    """Download every container (open, used and discarded) with its expiry, limit and source."""
    db = get_db()
    args = (db, household.account, app_now(), principal().account.language)
    return csv_response(*stash.export_stash_csv(*args), close=db.close)
