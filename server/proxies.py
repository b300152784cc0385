"""Forwarded client addresses, believed only when a proxy the operator named sends them."""

import ipaddress
from collections.abc import Iterable

from werkzeug.middleware.proxy_fix import ProxyFix

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(items: Iterable[str], setting: str = "TRUSTED_PROXIES") -> tuple[Network, ...]:
    """Read addresses and networks ("127.0.0.1", "10.0.0.0/8"); a typo stops the start with the setting's name."""
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in items)
    except ValueError as error:
        raise ValueError(f"{setting}: {error}") from None


class TrustedProxies:
    """WSGI middleware: X-Forwarded-For, -Proto and -Host count only when the peer is a trusted proxy.

    ProxyFix alone believes whoever connects: a client reaching a web port directly could name any address and so
    choose what the per-address limits count against.
    """

    def __init__(self, app, networks: tuple[Network, ...], hops: int):
        self.direct = app
        self.proxied = ProxyFix(app, x_for=hops, x_proto=hops, x_host=hops)
        self.networks = networks

    def __call__(self, environ, start_response):
        """Serve the request, with the forwarded headers applied only behind a trusted proxy."""
        if self._trusted(environ.get("REMOTE_ADDR", "")):
            return self.proxied(environ, start_response)
        return self.direct(environ, start_response)

    def _trusted(self, peer: str) -> bool:
        """Tell whether the connecting address is one of the trusted proxies."""
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:  # a Unix socket, or no address at all
            return False
        return any(address in network for network in self.networks)
