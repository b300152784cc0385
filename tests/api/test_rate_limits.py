"""Rate limits on password checks, counted in one store that every web process shares."""

import os

import pytest

from server import create_app
from server.models import Base
from tests.conftest import TEST_CONFIG


def test_sign_in_attempts_are_limited_per_address_in_the_error_shape(app, client):
    app.config["AUTH_RATE_LIMIT"] = "3 per minute"
    wrong = {"email": "a@example.com", "password": "wrong-pass"}
    for _ in range(3):
        assert client.post("/api/auth/login", json=wrong).status_code == 401
    limited = client.post("/api/auth/login", json=wrong)
    assert limited.status_code == 429
    assert limited.json["error"]["code"] == "rate_limited"
    assert "Retry-After" in limited.headers


@pytest.fixture
def redis_url():
    """The Redis named by TEST_REDIS_URL (CI always sets it), emptied before and after."""
    import redis

    url = os.environ["TEST_REDIS_URL"]
    connection = redis.Redis.from_url(url)
    connection.flushdb()
    yield url
    connection.flushdb()


# Like PostgreSQL, Redis is optional on a laptop; in CI a skip fails the run and .ci/run sets the URL.
@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL is not set")
def test_two_web_processes_share_the_count_through_redis(tmp_path, redis_url):
    config = {**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}", "RATELIMIT_STORAGE_URI": redis_url,
              "AUTH_RATE_LIMIT": "4 per minute"}
    apps = [create_app(config), create_app(config)]
    Base.metadata.create_all(apps[0].extensions["engine"])
    first, second = (app.test_client() for app in apps)
    login = {"email": "a@example.com", "password": "wrong-pass"}
    statuses = [client.post("/api/auth/login", json=login).status_code for client in (first, second) * 3]
    # The fifth attempt is the first over the limit, whichever process it reaches.
    assert statuses == [401, 401, 401, 401, 429, 429]
