"""One log line and one metric sample per request, under a request id echoed in the X-Request-ID header."""

import hashlib
import hmac
import logging
import re
import secrets
import time

from flask import Flask, Response, g, request

from server import metrics
from server.api.auth import auth

log = logging.getLogger(__name__)

# What a proxy's request id may look like; anything else (too long, or able to forge log lines) is replaced.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def _request_id() -> str:
    """Return the trusted proxy's X-Request-ID when it sent a sound one, else a new id."""
    # ProxyFix keeps the original peer here, and runs only when the peer is one of TRUSTED_PROXIES
    # (server/proxies.py): a client reaching the port directly cannot choose the id its lines are filed under.
    given = request.headers.get("X-Request-ID", "")
    if "werkzeug.proxy_fix.orig" in request.environ and _REQUEST_ID.fullmatch(given):
        return given
    return secrets.token_hex(16)


def _account(key: bytes) -> str | None:
    """Return the signed-in account's id, keyed-hashed: lines of one account match, and name nobody."""
    signed_in = auth.current_user
    if signed_in is None:
        return None
    return hmac.new(key, str(signed_in.account_id).encode(), hashlib.sha256).hexdigest()[:16]


def init_app(app: Flask) -> None:
    """Log and count every request once it is answered."""
    # Without LOG_ACCOUNT_KEY each process hashes with its own key: one account's lines match within it only.
    key = app.config["LOG_ACCOUNT_KEY"].encode() or secrets.token_bytes(32)
    log_each = app.config["LOG_REQUESTS"]

    @app.before_request
    def start() -> None:
        """Note when the request started and which id it goes by."""
        g.request_started = time.perf_counter()
        g.request_id = _request_id()

    @app.after_request
    def finish(response: Response) -> Response:
        """Echo the request id, count the request and log one line (a streamed body's time is not included)."""
        started = g.pop("request_started", None)
        if started is None:  # a response made before start() ran, e.g. by another before_request hook
            return response
        seconds = time.perf_counter() - started
        # The URL rule, never the path: a share link's path is its token.
        route = request.url_rule.rule if request.url_rule else "unmatched"
        response.headers["X-Request-ID"] = g.request_id
        metrics.record_request(request.method, route, response.status_code, seconds)
        if log_each:
            log.info("request", extra={"fields": {
                "request_id": g.request_id, "method": request.method, "route": route, "status": response.status_code,
                "duration_ms": round(seconds * 1000, 2), "account": _account(key)}})
        return response
