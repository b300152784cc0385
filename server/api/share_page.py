"""The consultant's read-only page behind a share link, and its CSV downloads (no /api access), in the parent's
language. Its error pages stay in English, as the API's errors do."""

from datetime import datetime

from flask import Blueprint, Flask, render_template, request
from marshmallow import ValidationError
from werkzeug.exceptions import TooManyRequests

from server.api.downloads import RangeQuery, ReportQuery, csv_response, pdf_response
from server.db import get_db
from server.domain.equipment import OBSERVATION
from server.domain.errors import InvalidInput, NotFound
from server.domain.languages import DEFAULT_LANGUAGE
from server.domain.plans import STATUS_NAMES as PLAN_STATUS_NAMES
from server.domain.report import hours_minutes
from server.domain.sessions import MODE_NAMES, duration_min, total_volume_ml
from server.domain.storage import PLACE_NAMES, STATUS_NAMES
from server.i18n import words
from server.models import User
from server.services import export, report, shares
from server.timeutil import app_now

# Its templates and styles are the server's, beside the app's other pages.
bp = Blueprint(
    "share_page", __name__, url_prefix="/share",
    template_folder="../templates", static_folder="../static", static_url_path="/assets",
)


@bp.get("/<token>")
def page(token: str):
    """Show the user's last days, sessions and plan, read-only."""
    db = get_db()
    share = shares.open_link(db, token, app_now())
    user = db.get(User, share.user_id)
    overview = shares.share_overview(db, user, app_now(), share.include_stash)
    return render_template(
        "share.html", token=token, o=overview, **_in_language(user.language),
        minutes=hours_minutes, observation=OBSERVATION, total_volume_ml=total_volume_ml, duration_min=duration_min,
        places=PLACE_NAMES, statuses=STATUS_NAMES, modes=MODE_NAMES, plan_statuses=PLAN_STATUS_NAMES,
    )


@bp.get("/<token>/sessions.csv")
def sessions_csv(token: str):
    """Download the sessions, as the user's own export would."""
    db = get_db()
    user = shares.open_share(db, token, app_now())
    first, last = _range()
    return csv_response(*export.export_sessions_csv(db, user, first, last, app_now(), user.language), close=db.close)


@bp.get("/<token>/daily.csv")
def daily_csv(token: str):
    """Download the daily summary, as the user's own export would."""
    db = get_db()
    user = shares.open_share(db, token, app_now())
    first, last = _range()
    return csv_response(*export.export_daily_csv(db, user, first, last, app_now(), user.language), close=db.close)


@bp.get("/<token>/report.pdf")
def report_pdf(token: str):
    """Download the one-page report, with the stash only when the parent shared it."""
    db = get_db()
    share = shares.open_link(db, token, app_now())
    query = _query(ReportQuery())
    user = db.get(User, share.user_id)
    return pdf_response(*report.report_pdf(
        db, user, query.get("from_"), query.get("to"), query["paper"], app_now(), share.include_stash, user.language))


@bp.after_request
def no_index(response):
    """Keep every share response out of search engines and shared caches."""
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.errorhandler(NotFound)
def gone(_error):
    """Answer an unknown, expired or revoked link with a plain page that says no more."""
    return _message("Link not available", "This link has expired, was revoked, or does not exist."), 404


@bp.errorhandler(InvalidInput)
def bad_range(error):
    """Answer a date range that ends before it starts, or is longer than a download allows."""
    return _message("Check the dates", error.message), 422


@bp.errorhandler(TooManyRequests)
def too_many(_error):
    """Answer a burst of requests with a plain page instead of the API's JSON."""
    return _message("Too many requests", "Please wait a minute and reload the page."), 429


def _message(title: str, text: str) -> str:
    """Render the plain page used for errors."""
    return render_template("share_message.html", title=title, text=text)


def _range():
    """Read an optional from/to (local dates) from the query string; bad values answer 'not found'."""
    values = _query(RangeQuery())
    return values.get("from_"), values.get("to")


def _query(schema) -> dict:
    """Read the query string with a schema; bad values answer 'not found'."""
    try:
        return schema.load(request.args)
    except ValidationError:
        # A public page explains nothing about its parameters.
        raise NotFound("Not found.") from None


def _in_language(language: str) -> dict:
    """What the page's template writes words, figures and dates with, in the parent's language.

    Passed to each render, not installed in Jinja: pages in several languages are rendered at once.
    """
    said = words(language)

    def volume(ml: float | None, unit: str) -> str:
        """Write a volume in the user's unit, or a dash when it was not measured."""
        return "–" if ml is None else said.volume(ml, unit)

    def local(moment: datetime, zone) -> str:
        """Write a moment as local date and time."""
        return said.date(moment.astimezone(zone), "moment")

    def flange(mm: float | None) -> str:
        """Write a flange size as stored ("24.0"), with the language's decimal mark."""
        return "?" if mm is None else str(mm) if said.language == DEFAULT_LANGUAGE else said.number(mm, 2)

    return {"language": said.language, "_": said._, "_n": said._n, "say": said.say, "date": said.date,
            "rate": said.rate, "volume": volume, "local": local, "flange": flange}


def init_app(app: Flask) -> None:
    """Register the share pages."""
    app.register_blueprint(bp)
