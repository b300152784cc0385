"""Fixtures for delivery tests: a local push service trusting the app's VAPID key, a push client, devices."""

import pytest

from server import clock
from server.vapid import app_vapid, public_key_b64
from tests.push.fake import ScriptedSender
from tests.pushservice import LocalPushService


@pytest.fixture
def app(app):
    """The app with encryption kept in-process: starting a worker process per test costs a second.

    test_push_client covers the worker-process path.
    """
    app.config["PUSH_ENCRYPT_PROCESSES"] = 0
    return app


@pytest.fixture
def push_service(app):
    """Run a local push service that trusts the app's VAPID public key."""
    with LocalPushService(public_key_b64(app_vapid(app))) as service:
        yield service


@pytest.fixture
def push_client(app):
    """Build the clock's push client with a short time-out."""
    app.config["PUSH_TIMEOUT_SECONDS"] = 1
    client = clock.push_client(app)
    yield client
    client.close()


@pytest.fixture
def device(client, push_service):
    """Subscribe a new device of a signed-in user through the API; return it."""

    def subscribe(headers):
        """Save a fresh local subscription for the user with these headers."""
        sub = push_service.subscribe()
        response = client.post("/api/push/subscriptions", json=sub.as_json(), headers=headers)
        assert response.status_code == 201, response.json
        return sub

    return subscribe


@pytest.fixture
def sender():
    """A scripted sender for delivery-rule tests: no HTTP, no encryption."""
    return ScriptedSender()
