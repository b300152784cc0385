"""One log line per request: its id, method, route, status, duration and a hashed account; never a token or a path."""

import logging

import orjson
import pytest

from server import create_app
from server.logs import JsonLines, PlainText
from server.models import Base
from tests.conftest import TEST_CONFIG


def _lines(caplog) -> list[dict]:
    """Return the request lines logged, as the JSON format writes them."""
    return [orjson.loads(JsonLines().format(r)) for r in caplog.records if r.name == "server.request_log"]


@pytest.fixture
def proxied(tmp_path):
    """A client of the app behind one trusted proxy (this machine)."""
    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'proxied.db'}", "TRUSTED_PROXY_HOPS": 1})
    Base.metadata.create_all(app.extensions["engine"])
    yield app.test_client()
    app.extensions["engine"].dispose()


def test_a_request_logs_one_line_under_the_id_it_answers_with(client, make_user, caplog):
    user, headers = make_user()
    caplog.clear()
    with caplog.at_level(logging.INFO):
        answer = client.get("/api/me", headers=headers)
    [line] = _lines(caplog)
    assert answer.headers["X-Request-ID"] == line["request_id"]
    assert {k: line[k] for k in ("method", "route", "status")} == {"method": "GET", "route": "/api/me", "status": 200}
    assert line["duration_ms"] >= 0 and len(line["account"]) == 16
    token = headers["Authorization"].split()[1]
    assert not {token, user["email"], str(user["id"])} & set(map(str, line.values()))


def test_one_account_has_one_hash_and_two_accounts_two(client, make_user, caplog):
    first, second = make_user()[1], make_user()[1]
    caplog.clear()
    with caplog.at_level(logging.INFO):
        for headers in (first, second, first):
            client.get("/api/me", headers=headers)
    accounts = [line["account"] for line in _lines(caplog)]
    assert accounts[0] == accounts[2] != accounts[1]


def test_a_share_link_is_logged_by_its_route_never_its_token(client, caplog):
    with caplog.at_level(logging.INFO):
        client.get("/share/secret-token-of-a-parent")
    [line] = _lines(caplog)
    assert line["route"] == "/share/<token>" and "secret-token" not in caplog.text


def test_a_request_id_counts_only_from_a_trusted_proxy(client, proxied):
    sent = {"X-Request-ID": "edge-1234", "X-Forwarded-For": "198.51.100.7"}
    assert proxied.get("/livez", headers=sent).headers["X-Request-ID"] == "edge-1234"
    # The same headers from an address that is no proxy of ours.
    assert proxied.get("/livez", headers=sent, environ_base={"REMOTE_ADDR": "203.0.113.5"}
                       ).headers["X-Request-ID"] != "edge-1234"
    # Without TRUSTED_PROXY_HOPS no peer is a proxy; an id that could forge a log line is never taken.
    assert client.get("/livez", headers=sent).headers["X-Request-ID"] != "edge-1234"
    for odd in ("a b=forged", "x" * 200):
        taken = proxied.get("/livez", headers={"X-Request-ID": odd, "X-Forwarded-For": "198.51.100.7"})
        assert taken.headers["X-Request-ID"] != odd


def test_plain_text_lines_carry_the_same_fields(client, caplog):
    with caplog.at_level(logging.INFO):
        client.get("/livez")
    [record] = [r for r in caplog.records if r.name == "server.request_log"]
    assert " route=/livez status=200 " in PlainText().format(record)


def test_request_lines_can_be_left_to_the_proxy_while_the_id_and_metrics_stay(tmp_path, caplog):
    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'quiet.db'}", "LOG_REQUESTS": False})
    with caplog.at_level(logging.INFO):
        answer = app.test_client().get("/livez")
    assert answer.status_code == 200 and answer.headers["X-Request-ID"]
    assert _lines(caplog) == []
    app.extensions["engine"].dispose()
