"""CSV downloads of the signed-in user's sessions and daily summary."""

from collections.abc import Callable, Iterator

from apiflask import APIBlueprint, Schema
from flask import Response

from server.api.auth import auth
from server.api.fields import LocalDate
from server.db import get_db
from server.services import export, stash
from server.timeutil import utcnow

bp = APIBlueprint("export", __name__, url_prefix="/api/export", tag="Export")

CSV_RESPONSE = {
    200: {
        "description": "A CSV file (RFC 4180, UTF-8 with a byte-order mark); each header names its unit.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


class RangeQuery(Schema):
    """Local dates, both inclusive; by default the last 30 days up to today."""

    from_ = LocalDate(data_key="from")
    to = LocalDate()


def csv_response(filename: str, chunks: Iterator[str], close: Callable[[], None]) -> Response:
    """Stream CSV chunks as a download and call `close` (the database session's) once it is sent."""
    # The request's teardown runs before the body is streamed; the rows are read afterwards through
    # the same session, so it is closed when the server closes the response, not at teardown.
    response = Response(
        chunks,
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # Health data: no shared cache may keep a copy.
            "Cache-Control": "private, no-store",
        },
    )
    response.call_on_close(close)
    return response


@bp.get("/sessions.csv")
@bp.auth_required(auth)
@bp.input(RangeQuery, location="query", arg_name="query")
@bp.doc(responses=CSV_RESPONSE)
def sessions_csv(query):
    """Download the sessions started on the local days from..to, one row each."""
    db = get_db()
    args = (db, auth.current_user, query.get("from_"), query.get("to"), utcnow())
    return csv_response(*export.export_sessions_csv(*args), close=db.close)


@bp.get("/daily.csv")
@bp.auth_required(auth)
@bp.input(RangeQuery, location="query", arg_name="query")
@bp.doc(responses=CSV_RESPONSE)
def daily_csv(query):
    """Download the daily summary of the local days from..to (at most 366 days), with the goal."""
    db = get_db()
    args = (db, auth.current_user, query.get("from_"), query.get("to"), utcnow())
    return csv_response(*export.export_daily_csv(*args), close=db.close)


@bp.get("/stash.csv")
@bp.auth_required(auth)
@bp.doc(responses=CSV_RESPONSE)
def stash_csv():
    """Download every container (open, used and discarded) with its expiry, limit and source."""
    db = get_db()
    return csv_response(*stash.export_stash_csv(db, auth.current_user, utcnow()), close=db.close)
