"""Helpers for the plan and reminder API tests: a clock the views read, starting plans, logging sessions."""

from datetime import UTC, datetime

import pytest


@pytest.fixture
def clock(app):
    """Drive the app's clock: `clock.now` is what every view reads."""

    class Clock:
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)

    app.config["CLOCK"] = lambda: Clock.now
    return Clock


def start(client, headers, template="frequent-boost", starts_at=None, params=None, **extra):
    """Start a plan and return the response."""
    body = {"template": template, "starts_at": starts_at.isoformat(), "params": params or {}, **extra}
    return client.post("/api/plans", json=body, headers=headers)


def log(client, headers, at, minutes=15, ml=60.0):
    """Log a session starting at `at` and return its JSON."""
    body = {"started_at": at.isoformat(), "duration_min": minutes, "left_ml": ml, "right_ml": ml}
    response = client.post("/api/sessions", json=body, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def reminders(client, headers):
    """Return the pending reminders."""
    return client.get("/api/reminders", headers=headers).json["items"]
