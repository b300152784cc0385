"""Whether a push subscription may be stored and contacted: its endpoint's host and shape, and its keys."""

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from server.base64url import decode as b64url_decode

DEFAULT_ALLOWED_HOSTS = (
    "fcm.googleapis.com",
    "android.googleapis.com",
    "updates.push.services.mozilla.com",
    "*.push.apple.com",
    "*.notify.windows.com",
)
MAX_ENDPOINT_LENGTH = 1000  # the push_subscriptions.endpoint column's width
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")
_URL_CHARS = re.compile(r"[\x21-\x7e]+")  # printable ASCII: no spaces or control characters


def _host_allowed(host: str, allowed_hosts: Iterable[str]) -> bool:
    """Tell whether host equals an allowed host or sits under an allowed `*.` wildcard."""
    for pattern in allowed_hosts:
        pattern = pattern.strip().lower()
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif host == pattern:
            return True
    return False


def endpoint_problem(
    endpoint: str, allowed_hosts: Iterable[str], allow_loopback_http: bool = False
) -> str | None:
    """Return why an endpoint may not be contacted, or None when it may."""
    if not isinstance(endpoint, str) or not endpoint:
        return "endpoint is required"
    if len(endpoint) > MAX_ENDPOINT_LENGTH:
        return "endpoint is too long"
    if not _URL_CHARS.fullmatch(endpoint):
        return "endpoint has characters a URL may not hold"
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return "endpoint is not a valid URL"
    host = (parts.hostname or "").lower()
    if not host:
        return "endpoint has no host"
    # "@" anywhere in the authority means userinfo, which could disguise the real host.
    if "@" in parts.netloc:
        return "endpoint may not carry user information"
    if parts.fragment:
        return "endpoint may not carry a fragment"
    if allow_loopback_http and parts.scheme == "http" and host in LOOPBACK_HOSTS:
        return None
    if parts.scheme != "https":
        return "endpoint must use https"
    if port not in (None, 443):
        return "endpoint must use the default https port"
    if not _host_allowed(host, allowed_hosts):
        return f"push service host {host} is not allowed"
    return None


def keys_problem(p256dh: str, auth: str) -> str | None:
    """Return why subscription keys are unusable, or None when they are sound."""
    try:
        point = b64url_decode(p256dh)
    except ValueError:
        return "p256dh is not base64url"
    if len(point) != 65 or point[0] != 4:
        return "p256dh must be a 65-byte uncompressed P-256 point"
    # Imported here, as gunicorn's master does for every web worker (server/gunicorn_conf.py): only a device that
    # subscribes needs it.
    from cryptography.hazmat.primitives.asymmetric import ec

    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        return "p256dh is not a point on P-256"
    try:
        secret = b64url_decode(auth)
    except ValueError:
        return "auth is not base64url"
    if len(secret) != 16:
        return "auth must be 16 bytes"
    return None


