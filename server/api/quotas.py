"""Per-account limits on writes that cost (share links, test pushes, exports, password changes).

Counted in the app's rate-limit store (server/limits.py) under the account's id. The account is known only once
the bearer token signed in, inside the view's auth wrapper, where flask-limiter's decorators (which run before it)
cannot look: so the count is taken by a decorator placed under @bp.input, after sign-in and validation.
"""

import functools
import math
import time

from apiflask import HTTPError
from flask import current_app
from limits import parse

from server.api.auth import principal
from server.domain.languages import Counted, Said, Text


def account_limited(what: str) -> dict:
    """Document the 429 a per-account limit answers, for an operation's `responses`."""
    return {429: f"Too many {what} from this account for now; retry after the Retry-After header's seconds"}


def per_account(setting: str, what: str):
    """Limit a signed-in view to the setting's rate per account (e.g. "20 per hour"); put it under @bp.input."""

    def decorate(view):
        @functools.wraps(view)
        def limited(*args, **kwargs):
            """Count this request against the account's limit, then run the view."""
            count(setting, what, "account", str(principal().account.id))
            return view(*args, **kwargs)

        return limited

    return decorate


def count(setting: str, what: str, *key: str) -> None:
    """Count one request under `key` against the setting's limit; over it, answer 429 with Retry-After."""
    limiter = current_app.extensions["rate_limiter"]
    if not limiter.enabled:
        return
    limit = parse(current_app.config[setting])
    if limiter.limiter.hit(limit, setting, *key):
        return
    reset_at, _ = limiter.limiter.get_window_stats(limit, setting, *key)
    seconds = max(1, math.ceil(reset_at - time.time()))
    wait = (Counted("{count} minute", "{count} minutes", math.ceil(seconds / 60)) if seconds > 90
            else Counted("{count} second", "{count} seconds", seconds))
    raise HTTPError(429, Text("Too many {what} for now; try again in {wait}.", what=Said(what), wait=wait),
                    headers={"Retry-After": str(seconds)})
