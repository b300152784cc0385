"""Rate limits (flask-limiter): one Limiter per app, counting in RATELIMIT_STORAGE_URI."""

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from server import share_page


def share_limit() -> str:
    """Return the share pages' limit per client address, read from the settings."""
    return current_app.config["SHARE_RATE_LIMIT"]


def auth_limit() -> str:
    """Return the sign-in and sign-up limit per client address, read from the settings."""
    return current_app.config["AUTH_RATE_LIMIT"]


def init_app(app: Flask) -> Limiter:
    """Attach a Limiter to the app and limit the public share pages and password checks."""
    # A Limiter per app, not per module: each app (and each test) counts in its own storage.
    limiter = Limiter(get_remote_address, storage_uri=app.config["RATELIMIT_STORAGE_URI"], headers_enabled=True)
    limiter.limit(share_limit)(share_page.bp)
    # Password guessing costs an argon2 hash each time: throttle it per address. A decorated
    # limit is checked by its wrapper, so the wrapper must be what the app calls.
    for endpoint in ("accounts.login", "accounts.register"):
        app.view_functions[endpoint] = limiter.limit(auth_limit)(app.view_functions[endpoint])
    limiter.init_app(app)
    return limiter
