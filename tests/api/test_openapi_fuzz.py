"""Generated requests for every operation in the OpenAPI document: never a 500, always the documented shape."""

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from server import create_app
from server.models import Base
from tests.conftest import PASSWORD, TEST_CONFIG

# One app for the whole module: schemathesis reads the document when the tests are collected.
APP = create_app({
    **TEST_CONFIG, "DATABASE_URL": f"sqlite:///{Path(tempfile.mkdtemp(prefix='pumpwell-fuzz-')) / 'fuzz.db'}",
    "SHARE_RATE_LIMIT": "100000 per minute",
})
Base.metadata.create_all(APP.extensions["engine"])
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", APP)
CHECKS = (not_a_server_error, response_schema_conformance, status_code_conformance)


@pytest.fixture(scope="module")
def bearer():
    """A signed-in user's Authorization header."""
    client = APP.test_client()
    body = {"email": "fuzz@example.com", "password": PASSWORD, "time_zone": "Europe/Berlin"}
    response = client.post("/api/auth/register", json=body)
    if response.status_code != 201:
        response = client.post("/api/auth/login", json=body)
    token = response.json["token"]
    return {"Authorization": f"Bearer {token}"}


# Logging out or deleting the account would revoke the token every other case uses.
@schema.exclude(path="/api/auth/logout").exclude(path="/api/account", method="DELETE").parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_requests_never_answer_500_and_match_the_document(case, bearer):
    response = case.call(headers=bearer)
    case.validate_response(response, checks=CHECKS)
