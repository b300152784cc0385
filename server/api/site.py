"""The site's own address, for links the app hands out: PUBLIC_URL, else the Host a request names if allowed.

A Host header is whatever the client typed, so a link built from it could point anywhere: without PUBLIC_URL
only the hosts the operator lists in ALLOWED_HOSTS may name the site.
"""

from urllib.parse import urlsplit

from apiflask import HTTPError
from flask import current_app, request


def _hostname(host: str) -> str | None:
    """Return a Host value's name, lower-case and without port or IPv6 brackets; None when it has none."""
    try:
        return urlsplit(f"//{host}").hostname
    except ValueError:  # a malformed IPv6 address in brackets
        return None


def site_root() -> str:
    """Return the site's origin, no trailing slash; answer 400 to a request Host the operator does not allow."""
    config = current_app.config
    if config["PUBLIC_URL"]:
        return config["PUBLIC_URL"].rstrip("/")
    allowed = {_hostname(host) for host in config["ALLOWED_HOSTS"]}
    if _hostname(request.host) not in allowed - {None}:
        raise HTTPError(400, f"This site does not answer as {request.host!r}; set PUBLIC_URL or ALLOWED_HOSTS.")
    return request.host_url.rstrip("/")
