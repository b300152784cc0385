"""Generated requests for every operation in the OpenAPI document: never a 500, always the documented shape.

Runs on each backend of the `app` fixture (SQLite, and PostgreSQL when TEST_DATABASE_URL is set): once per
operation with generated input, once as a state machine that follows the document's links (so it reaches
real sessions, plans, shares, subscriptions and reminders by their real ids), and once with the real sign-in
limits, whose 429s must be documented too.
"""

import base64
import itertools
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import schemathesis
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from server import create_app
from server.config import Config
from server.models import Base, User
from tests.api.grant_helpers import grant
from tests.conftest import PASSWORD, TEST_CONFIG

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
CALLS = itertools.count()
# What the state machine keeps between scenarios: the fuzzing account (reset) and its token.
KEEP = {"users", "api_tokens"}
EMAIL, TIME_ZONE = "fuzz@example.com", "Europe/Berlin"
QUICK = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)


# Answers are gzipped for clients that ask; schemathesis asks but does not decode a WSGI answer.
PLAIN = {"Accept-Encoding": "identity"}


def _bearer(app) -> dict:
    """A signed-in user's Authorization header."""
    client = app.test_client()
    body = {"email": EMAIL, "password": PASSWORD, "time_zone": TIME_ZONE}
    response = client.post("/api/auth/register", json=body)
    if response.status_code != 201:
        response = client.post("/api/auth/login", json=body)
    return {"Authorization": f"Bearer {response.json['token']}", **PLAIN}


# The document does not depend on the database: read it once from an app on a throwaway SQLite file.
DOCUMENT = schemathesis.openapi.from_wsgi("/api/openapi.json", create_app({
    **TEST_CONFIG, "DATABASE_URL": f"sqlite:///{Path(tempfile.mkdtemp(prefix='pumpwell-fuzz-')) / 'doc.db'}",
}))
# Logging out (here or everywhere) or deleting the account would revoke the token every other call uses.
SIGNED_IN = (DOCUMENT.exclude(path="/api/auth/logout").exclude(path="/api/auth/logout-everywhere")
             .exclude(path="/api/account", method="DELETE"))


@pytest.fixture
def bearer(app):
    """A signed-in user's Authorization header on this backend's app."""
    app.config["SHARE_RATE_LIMIT"] = "100000 per minute"
    return _bearer(app)


@pytest.fixture
def real_ids(app, bearer):
    """Ids of a real session, plan, share and reminder of the signed-in user, by path parameter name."""
    client = app.test_client()
    now = datetime.now(UTC).replace(microsecond=0)
    session = {"started_at": (now - timedelta(hours=1)).isoformat(), "duration_min": 15, "left_ml": 40}
    plan = {"template": "frequent-boost", "starts_at": now.isoformat()}
    created = {
        "session_id": client.post("/api/sessions", json=session, headers=bearer).json["id"],
        "plan_id": client.post("/api/plans", json=plan, headers=bearer).json["id"],
        "share_id": client.post("/api/shares", json={"label": "fuzz"}, headers=bearer).json["id"],
        "invitation_id": client.post("/api/household/invitations", json={"role": "partner"},
                                     headers=bearer).json["id"],
        "reminder_id": client.post("/api/push/test", headers=bearer).json["reminder_id"],
        # This device's own id: signing it out from the list is refused (409), so the token lives on.
        "device_id": client.get("/api/me/devices", headers=bearer).json["items"][0]["id"],
        "proposal_id": _proposal(app, bearer, now),
    }
    return created


def _proposal(app, bearer, now) -> int:
    """Return the id of a plan a consultant the signed-in user let in proposes to her."""
    client = app.test_client()
    parent_id = client.get("/api/me", headers=bearer).json["id"]
    body = {"email": f"consultant-{next(CALLS)}-{parent_id}@example.com", "password": PASSWORD, "time_zone": "UTC"}
    consultant = client.post("/api/auth/register", json=body).json
    grant(app, parent_id, consultant["user"]["id"], "consultant")
    headers = {"Authorization": f"Bearer {consultant['token']}", "Pumpwell-Account": str(parent_id)}
    proposal = {"template": "power-hour", "starts_at": now.isoformat(), "overrides": {"days": 5}}
    return client.post("/api/plans/proposals", json=proposal, headers=headers).json["id"]


@SIGNED_IN.parametrize()
@QUICK
def test_generated_requests_never_answer_500_and_match_the_document(case, app, bearer, real_ids):
    # Half the calls name the user's real resources, so they reach past the 404 into the service.
    if case.path_parameters and next(CALLS) % 2 == 0:
        case.path_parameters = {name: real_ids.get(name, value) for name, value in case.path_parameters.items()}
    response = case.call(app=app, headers=bearer)
    case.validate_response(response, checks=CHECKS)


def test_following_the_links_reaches_real_resources_and_matches_the_document(app, bearer):
    reached: set[str] = set()

    class Machine(SIGNED_IN.as_state_machine()):
        """Chains calls through the document's links on this backend's app, signed in."""

        def setup(self):
            """Start each scenario from the same empty account, so a replayed scenario behaves the same."""
            with app.extensions["engine"].begin() as conn:
                for table in reversed(Base.metadata.sorted_tables):
                    if table.name not in KEEP:
                        conn.execute(table.delete())
                users = User.__table__
                conn.execute(users.delete().where(users.c.email != EMAIL))
                conn.execute(users.update().values(time_zone=TIME_ZONE, unit="ml", quiet_start=None, quiet_end=None))

        def call(self, case, **kwargs):
            """Call this backend's app with the signed-in user's token, on her own data."""
            # A generated Pumpwell-Account header names an account that let her in nowhere: 404 before any link
            # leads on. The household header is walked in tests/api/test_household_roles.py.
            if case.headers:
                case.headers.pop("Pumpwell-Account", None)
            return case.call(app=app, headers=bearer)

        def after_call(self, response, case):
            """Remember which operations on one resource answered with success."""
            if response.status_code < 300 and "{" in case.operation.path:
                reached.add(f"{case.method} {case.operation.path}")

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            """Apply the same checks as the per-operation test."""
            case.validate_response(response, checks=CHECKS)

    # A fixed seed, so a finding reproduces instead of coming and going.
    Machine.run(settings=settings(
        max_examples=100, stateful_step_count=8, deadline=None, suppress_health_check=list(HealthCheck),
        database=None, derandomize=True,
    ))
    # Which links a random walk gets through with a valid body is luck (one, or three, from run to run, and none on
    # a busy CI run): the next test follows every link on purpose.
    print("reached through links:", sorted(reached))


def _p256dh() -> str:
    """A browser's push key: a P-256 public point, base64url without padding."""
    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(point).rstrip(b"=").decode()


# A valid request for each operation the document's links start from. Passkeys are left out: registering one needs
# an authenticator's signed answer, and tests/api/test_passkeys.py walks that link.
LINK_SOURCES = {
    ("post", "/api/household/invitations"): lambda now: {"role": "partner"},
    ("post", "/api/plans"): lambda now: {"template": "frequent-boost", "starts_at": now.isoformat()},
    ("post", "/api/push/subscriptions"): lambda now: {
        "endpoint": f"https://fcm.googleapis.com/fcm/send/{next(CALLS)}",
        "keys": {"p256dh": _p256dh(), "auth": base64.urlsafe_b64encode(bytes(16)).rstrip(b"=").decode()}},
    ("post", "/api/push/test"): lambda now: None,
    ("post", "/api/sessions"): lambda now: {
        "started_at": (now - timedelta(hours=1)).isoformat(), "duration_min": 15, "left_ml": 40},
    ("post", "/api/shares"): lambda now: {"label": "links"},
}
UNWALKED = {("post", "/api/me/passkeys")}


def _target(link: dict, answer: dict) -> tuple[str, str]:
    """The method and path a link leads to, its parameters filled from the answer it starts from."""
    path, method = link["operationRef"].removeprefix("#/paths/").rsplit("/", 1)
    path = path.replace("~1", "/").replace("~0", "~")
    for parameter, expression in link["parameters"].items():
        path = path.replace(f"{{{parameter}}}", str(answer[expression.removeprefix("$response.body#/")]))
    return method, path


def test_every_link_in_the_document_leads_from_a_real_answer_to_a_real_resource(app, bearer):
    """Each link's id, taken from a real answer as the link says, names something its target operation finds."""
    client = app.test_client()
    document = client.get("/api/openapi.json").json
    now = datetime.now(UTC).replace(microsecond=0)
    followed = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, answer in operation.get("responses", {}).items() if isinstance(operation, dict) else ():
                if not answer.get("links") or (method, path) in UNWALKED:
                    continue
                source = client.open(path, method=method, json=LINK_SOURCES[(method, path)](now), headers=bearer)
                assert source.status_code == int(status), (path, source.json)
                # A deletion last: the other links lead to what it removes.
                links = sorted(answer["links"].items(), key=lambda named: named[1]["operationRef"].endswith("/delete"))
                for name, link in links:
                    target_method, target_path = _target(link, source.json)
                    body = {"notes": "followed"} if target_method == "patch" else None
                    reached = client.open(target_path, method=target_method, json=body, headers=bearer)
                    assert reached.status_code < 300, (name, target_method, target_path, reached.status_code)
                    followed.add(name)
    assert len(followed) == 12, followed


@pytest.fixture
def limited_app(app):
    """The app on the same database with the sign-in limits it ships with."""
    limited = create_app({**{k: v for k, v in TEST_CONFIG.items() if k != "AUTH_RATE_LIMIT"},
                          "DATABASE_URL": app.config["DATABASE_URL"]})
    assert limited.config["AUTH_RATE_LIMIT"] == Config.AUTH_RATE_LIMIT
    limited.statuses = []
    yield limited
    limited.extensions["engine"].dispose()
    # More attempts than the limit were made, so the limit must have answered.
    assert 429 in limited.statuses


@DOCUMENT.include(path_regex="^/api/auth/(login|register)$").parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_the_real_sign_in_limits_answer_as_documented(case, limited_app):
    response = case.call(app=limited_app, headers=PLAIN)
    limited_app.statuses.append(response.status_code)
    case.validate_response(response, checks=CHECKS)
