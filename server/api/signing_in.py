"""What every way of signing in shares: the answer carrying a new device token, its lifetime, and the limit."""

from datetime import timedelta

from apiflask import Schema, fields
from flask import current_app

# Sign-in and sign-up are throttled per client address (server/limits.py).
LIMITED = {429: "Too many attempts from this address; retry after the Retry-After header's seconds"}


class UserOut(Schema):
    """The signed-in user's settings."""

    id = fields.Integer()
    email = fields.String()
    time_zone = fields.String()
    unit = fields.String()
    language = fields.String(metadata={"description": "The language of her app, share page, report, reminders and "
                                                      "CSV headers: en, es or fr."})
    quiet_hours = fields.Method("_quiet_hours")
    birth_date = fields.Date(allow_none=True, metadata={"description": "The baby's birth date, if given (Trends)."})
    caregivers_see_pumping = fields.Boolean(metadata={
        "description": "Caregivers see her sessions, summaries, goals and plans too (docs/household.md)."})

    def _quiet_hours(self, user):
        """Group the two quiet-hour columns, or null when unset."""
        if user.quiet_start is None:
            return None
        return {"start": user.quiet_start.strftime("%H:%M"), "end": user.quiet_end.strftime("%H:%M")}


class TokenOut(Schema):
    """A device token (shown once) and its user."""

    token = fields.String()
    user = fields.Nested(UserOut)


def token_lifetime() -> timedelta:
    """Return how long a device token stays valid at the most (it ends sooner when left unused)."""
    return timedelta(days=current_app.config["TOKEN_MAX_AGE_DAYS"])


def idle_time() -> timedelta:
    """Return how long a device may go unused and stay signed in."""
    return timedelta(days=current_app.config["TOKEN_IDLE_DAYS"])
