"""Forwarded addresses count only from a configured proxy: a direct client cannot choose what limits count."""

import pytest

from server import create_app
from server.proxies import parse_networks

WRONG = {"email": "a@example.com", "password": "wrong-pass"}


@pytest.fixture
def behind_proxy(app):
    """The app as deployed behind one proxy at 10.0.0.5, with three sign-in attempts a minute per address."""
    deployed = create_app({**app.config, "TRUSTED_PROXY_HOPS": 1, "TRUSTED_PROXIES": ("10.0.0.5",),
                           "AUTH_RATE_LIMIT": "3 per minute"})
    yield deployed.test_client()
    deployed.extensions["engine"].dispose()


def _attempts(client, peer: str, forwarded: list[str]) -> list[int]:
    """Try a wrong password once per forwarded address, all from one peer."""
    return [client.post("/api/auth/login", json=WRONG, environ_base={"REMOTE_ADDR": peer},
                        headers={"X-Forwarded-For": address}).status_code for address in forwarded]


def test_a_client_reaching_the_web_port_directly_cannot_spoof_its_address(behind_proxy):
    spoofed = [f"198.51.100.{n}" for n in range(6)]
    assert _attempts(behind_proxy, "203.0.113.9", spoofed) == [401, 401, 401, 429, 429, 429]


def test_behind_the_trusted_proxy_each_forwarded_client_is_counted_on_its_own(behind_proxy):
    clients = [f"198.51.100.{n}" for n in range(6)]
    assert _attempts(behind_proxy, "10.0.0.5", clients) == [401] * 6
    assert _attempts(behind_proxy, "10.0.0.5", ["198.51.100.1"] * 3) == [401, 401, 429]


def test_a_typo_in_the_trusted_proxies_stops_the_start_with_its_name():
    with pytest.raises(ValueError, match="TRUSTED_PROXIES: .*10.0.0.300"):
        parse_networks(["10.0.0.300"])
    assert [str(n) for n in parse_networks(["10.0.0.0/8", "::1"])] == ["10.0.0.0/8", "::1/128"]
