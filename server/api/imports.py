"""Bring history in from a file: preview what it holds, then import it in one go.

Both operations take the file itself as the raw body (any content type, at most IMPORT_MAX_BYTES) and two query
arguments: `source` (pumpwell for a Pumpwell export, or another app's reader: server/services/imports.READERS),
`zone`, the IANA zone the file's local times were written in (another app's export often has no offsets), and
`unit` for a source whose amounts carry none (Baby Buddy's). For `babybuddy-api` the "file" is {"url", "token"}.
"""

from apiflask import APIBlueprint, Schema, fields
from flask import current_app

from server.api.auth import auth, principal
from server.api.fields import TimeZone
from server.api.input_checks import file_body, takes_file
from server.api.quotas import account_limited, per_account
from server.api.reasons import Length, OneOf
from server.db import get_db
from server.domain.units import UNITS
from server.services import imports
from server.timeutil import app_now

bp = APIBlueprint("imports", __name__, url_prefix="/api/account/imports", tag="Imports")


class ImportQuery(Schema):
    """Where the file comes from, and the zone of its local times."""

    source = fields.String(required=True, validate=Length(max=40), metadata={
        "description": "pumpwell (a Pumpwell export), or another app's reader: huckleberry, babybuddy-csv, "
                       "babybuddy-xlsx, or babybuddy-api (the body is {\"url\", \"token\"} of her Baby Buddy server).",
        "example": "pumpwell"})
    # The zone of the file's times that have no offset.
    zone = TimeZone(load_default="UTC")
    unit = fields.String(validate=OneOf(UNITS), metadata={
        "description": "ml or oz: the unit of the file's amounts, for a source whose amounts carry none (Baby Buddy)."})


class UnreadableOut(Schema):
    """A row of the file that will not be imported, and why."""

    line = fields.Integer(metadata={"description": "Its line (CSV), row (sheet) or record (Pumpwell export)."})
    reason = fields.String()


class KindPreviewOut(Schema):
    """Rows of one kind in a Pumpwell export."""

    found = fields.Integer()
    already_present = fields.Integer()
    to_add = fields.Integer()


class KindResultOut(Schema):
    """Rows of one kind a Pumpwell export brought."""

    found = fields.Integer()
    added = fields.Integer()
    skipped = fields.Integer()


class ImportCommon(Schema):
    """What every answer about a file says."""

    source = fields.String()
    sessions = fields.Integer(metadata={"description": "Readable sessions in the file."})
    first = fields.DateTime(allow_none=True, metadata={"description": "The earliest session's start (UTC)."})
    last = fields.DateTime(allow_none=True, metadata={"description": "The latest session's start (UTC)."})
    unreadable = fields.List(fields.Nested(UnreadableOut), metadata={"description": "The first 100."})
    unreadable_count = fields.Integer()
    settings = fields.Boolean(metadata={"description": "Pumpwell export only: it holds the account's settings."})


class PreviewOut(ImportCommon):
    """What importing the file would do; nothing was written."""

    already_present = fields.Integer(metadata={"description": "Sessions imported (or logged here) already."})
    to_add = fields.Integer()
    plans = fields.Nested(KindPreviewOut, metadata={"description": "Pumpwell export only."})
    containers = fields.Nested(KindPreviewOut, metadata={"description": "Pumpwell export only."})


class ImportOut(ImportCommon):
    """What the import did, all in one transaction."""

    added = fields.Integer()
    skipped = fields.Integer(metadata={"description": "Sessions that were here already."})
    plans = fields.Nested(KindResultOut, metadata={"description": "Pumpwell export only."})
    containers = fields.Nested(KindResultOut, metadata={"description": "Pumpwell export only."})


REFUSALS = {
    413: "The file is larger than IMPORT_MAX_BYTES.",
    422: "Unknown source or zone, or a file that cannot be imported at all (not the source's format, a newer "
         "Pumpwell export version, not UTF-8); nothing was written.",
    **account_limited("imports"),
}


def _file():
    """Return the request's body as a stream, allowed up to IMPORT_MAX_BYTES."""
    return file_body(current_app.config["IMPORT_MAX_BYTES"])


@bp.post("/preview")
@takes_file
@bp.auth_required(auth)
@bp.input(ImportQuery, location="query", arg_name="query")
@bp.output(PreviewOut)
@bp.doc(responses=REFUSALS)
@per_account("IMPORT_RATE_LIMIT", "imports")
def preview(query):
    """Read a file and say what importing it would add and skip (sessions, date range, unreadable rows)."""
    return imports.preview_import(get_db(), principal().account, query["source"], _file(), query["zone"], app_now(),
                                  query.get("unit"))


@bp.post("")
@takes_file
@bp.auth_required(auth)
@bp.input(ImportQuery, location="query", arg_name="query")
@bp.output(ImportOut, status_code=201)
@bp.doc(responses=REFUSALS)
@per_account("IMPORT_RATE_LIMIT", "imports")
def import_file(query):
    """Import a file in one transaction: what is here already (by provenance) is skipped, the rest added."""
    return imports.import_file(get_db(), principal().account, query["source"], _file(), query["zone"], app_now(),
                               query.get("unit"))
