"""The one place outside the domain that reads the clock."""

from datetime import UTC, datetime

from flask import current_app


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def app_now() -> datetime:
    """Return the time by the running app's clock: its CLOCK setting, which tests replace."""
    return current_app.config["CLOCK"]()
