"""Rate limits on password checks, counted in one store that every web process shares."""

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from flask import request
from flask_limiter import Limiter

from server import create_app
from server.limits import DATABASE_SCHEME, DatabaseStorage
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


def _free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _post(port: int, path: str, body: dict) -> int:
    """POST JSON on a fresh connection and return the status."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _start_gunicorn(port: int, env: dict) -> subprocess.Popen:
    """Start the app under gunicorn as `make run` does, and wait until it answers."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [str(gunicorn), "--config", "python:server.gunicorn_conf", "--workers", "2", "--threads", "4",
         "--bind", f"127.0.0.1:{port}", "server:create_app()"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                return process
        except OSError:
            assert process.poll() is None, "gunicorn exited"
            subprocess.run(["sleep", "0.1"], check=True)
    process.kill()
    raise AssertionError("gunicorn did not answer")


def test_two_web_processes_share_the_count_in_the_database_by_default(app):
    # The default store: nothing configured but the database both processes use.
    env = {key: value for key, value in os.environ.items() if key != "RATELIMIT_STORAGE_URI"}
    env.update(DATABASE_URL=app.config["DATABASE_URL"], AUTH_RATE_LIMIT="4 per minute")
    ports = [_free_port(), _free_port()]
    processes = [_start_gunicorn(port, env) for port in ports]
    try:
        wrong = {"email": "a@example.com", "password": "wrong-pass"}
        statuses = [_post(port, "/api/auth/login", wrong) for port in ports * 3]
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
    # The fifth attempt is the first over the limit, whichever process it reaches.
    assert statuses == [401, 401, 401, 401, 429, 429]


def test_database_storage_counts_a_window_then_starts_a_new_one(app, monkeypatch):
    storage = DatabaseStorage(f"{DATABASE_SCHEME}://", engine=app.extensions["engine"])
    now = [1_000_000.0]
    monkeypatch.setattr("server.limits.time.time", lambda: now[0])
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert (storage.get("k"), storage.get_expiry("k")) == (3, 1_000_060.0)
    now[0] += 60
    assert storage.get("k") == 0
    assert storage.incr("k", 60, amount=2) == 2
    assert storage.get_expiry("k") == 1_000_120.0
    storage.clear("k")
    assert storage.get("k") == 0 and storage.check()


def test_only_the_blueprints_with_limits_run_the_limiter(monkeypatch, tmp_path):
    # The limiter's hooks cost every request CPU time; routes without a limit must not pay it.
    checked = []
    check = Limiter._check_request_limit

    def counting_check(self, *args, **kwargs):
        checked.append(request.endpoint)
        return check(self, *args, **kwargs)

    monkeypatch.setattr(Limiter, "_check_request_limit", counting_check)
    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'l.db'}"})
    Base.metadata.create_all(app.extensions["engine"])
    client = app.test_client()
    assert client.get("/api/goals").status_code == 401
    assert client.get("/healthz").status_code == 200
    assert checked == []
    client.post("/api/auth/login", json={"email": "a@example.com", "password": "wrong-pass"})
    client.get("/share/no-such-token")
    assert "accounts.login" in checked
    assert "share_page.page" in checked
