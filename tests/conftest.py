"""Fixtures shared by every layer: the app on SQLite and PostgreSQL, a client, a signed-in user."""

import os
import uuid

import psycopg
import pytest
from hypothesis import settings
from sqlalchemy import make_url, text
from sqlalchemy.orm import Session

from server import create_app
from server.models import Base

# Cheap hashing keeps sign-ups fast in tests; production uses argon2's defaults. Tests sign up
# many users from one address, so the sign-in limit is raised (its own tests lower it again); so are the
# per-account limits, which the fuzzer's single account would reach (tests/api/test_account_security.py lowers them).
TEST_CONFIG = {
    "TESTING": True, "ARGON2_MEMORY_KIB": 1024, "ARGON2_TIME_COST": 1, "PUSH_ALLOW_LOOPBACK_HTTP": True,
    "AUTH_RATE_LIMIT": "10000 per minute", "SHARE_LINK_RATE_LIMIT": "10000 per hour",
    "PUSH_TEST_RATE_LIMIT": "10000 per hour", "EXPORT_RATE_LIMIT": "10000 per hour",
    "PASSWORD_CHANGE_RATE_LIMIT": "10000 per hour", "PASSWORD_RESET_RATE_LIMIT": "10000 per hour",
    "IMPORT_RATE_LIMIT": "10000 per hour", "INVITATION_RATE_LIMIT": "10000 per hour",
}

PASSWORD = "correct horse battery"

# No property test has a deadline: a machine busy with other work made examples slow, never wrong
# (docs/contributors.md: the suite passes with every core busy).
settings.register_profile("pumpwell", deadline=None)
settings.load_profile("pumpwell")


def _backends() -> list[str]:
    """SQLite always; PostgreSQL whenever TEST_DATABASE_URL names one (CI always does)."""
    if os.environ.get("CI") and not os.environ.get("TEST_DATABASE_URL"):
        raise pytest.UsageError("CI is set but TEST_DATABASE_URL is not: the PostgreSQL run would be lost.")
    return ["sqlite", "postgresql"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"]


def _worker_database_url() -> str:
    """Return this xdist worker's own PostgreSQL database, creating it if needed."""
    url = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"{url.database}_{worker}"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_url():
    """A clean PostgreSQL schema for this test session."""
    url = _worker_database_url()
    app = create_app({**TEST_CONFIG, "DATABASE_URL": url})
    engine = app.extensions["engine"]
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    Base.metadata.create_all(engine)
    engine.dispose()
    return url


def _empty_all(engine) -> None:
    """Empty every table between tests; DELETE beats TRUNCATE on tables this small."""
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(params=_backends())
def app(request, tmp_path):
    """The app on a fresh database of each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    app = create_app({**TEST_CONFIG, "DATABASE_URL": url})
    app.instance_path = str(tmp_path)
    engine = app.extensions["engine"]
    if request.param == "sqlite":
        Base.metadata.create_all(engine)
    yield app
    if request.param == "postgresql":
        _empty_all(engine)
    engine.dispose()


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def db(app):
    """A database session on the app's engine, for arranging and checking rows."""
    with Session(app.extensions["engine"], expire_on_commit=False) as session:
        yield session


@pytest.fixture
def make_user(client):
    """Register a user and return (user json, auth headers)."""

    def make(email: str | None = None, time_zone: str = "UTC", unit: str = "ml"):
        """Register a user with the given settings."""
        email = email or f"{uuid.uuid4().hex[:12]}@example.com"
        response = client.post(
            "/api/auth/register",
            json={"email": email, "password": PASSWORD, "time_zone": time_zone, "unit": unit},
        )
        assert response.status_code == 201, response.json
        return response.json["user"], {"Authorization": f"Bearer {response.json['token']}"}

    return make


@pytest.fixture
def auth(make_user):
    """Auth headers of a freshly registered user in UTC."""
    return make_user()[1]


_skipped: list[str] = []


def pytest_runtest_logreport(report):
    """Remember skipped tests: in CI a skip is a failure."""
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    """Fail the run when CI is set and anything was skipped."""
    if os.environ.get("CI") and _skipped and exitstatus == 0:
        session.exitstatus = 1
        print(f"\nCI is set and {len(_skipped)} test(s) were skipped: {_skipped[:5]}")
