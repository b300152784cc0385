"""Rate limits (flask-limiter): one Limiter per app, counting in the app's database unless told otherwise."""

import functools
import hashlib
import time

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import Storage
from sqlalchemy import Engine, case, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from server.api import share_page
from server.models import RateLimitCounter

DATABASE_SCHEME = "pumpwell-database"


class DatabaseStorage(Storage):
    """Fixed-window counters in the rate_limit_counters table: every process of the app shares them."""

    STORAGE_SCHEME = [DATABASE_SCHEME]

    def __init__(self, uri: str, engine: Engine, **options):
        super().__init__(uri, **options)
        self.engine = engine

    @property
    def base_exceptions(self) -> type[Exception]:
        """Errors that mean the store failed (the app answers 503 for an unreachable database)."""
        return SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add to a window's count in one statement, starting a new window once the old one expired."""
        now = time.time()
        insert = postgresql_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        table = RateLimitCounter.__table__
        expired = table.c.expires_at <= now
        statement = insert(table).values(key=key, count=amount, expires_at=now + expiry)
        # One upsert, so two processes counting the same key at once both count.
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "count": case((expired, amount), else_=table.c.count + amount),
                "expires_at": case((expired, now + expiry), else_=table.c.expires_at),
            },
        ).returning(table.c.count)
        with self.engine.begin() as conn:
            count = conn.execute(statement).scalar_one()
            if count == amount:
                # A window just started: a good moment to drop the windows that ended.
                conn.execute(delete(table).where(table.c.expires_at < now))
        return count

    def get(self, key: str) -> int:
        """Return the count of a window still running, else 0."""
        table = RateLimitCounter.__table__
        with self.engine.connect() as conn:
            count = conn.scalar(select(table.c.count).where(table.c.key == key, table.c.expires_at > time.time()))
        return count or 0

    def get_expiry(self, key: str) -> float:
        """Return when a window ends, in seconds since the epoch."""
        table = RateLimitCounter.__table__
        with self.engine.connect() as conn:
            expires_at = conn.scalar(select(table.c.expires_at).where(table.c.key == key))
        return expires_at or time.time()

    def check(self) -> bool:
        """Tell whether the database answers."""
        try:
            with self.engine.connect() as conn:
                conn.scalar(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int:
        """Forget every window."""
        with self.engine.begin() as conn:
            return conn.execute(delete(RateLimitCounter.__table__)).rowcount

    def clear(self, key: str) -> None:
        """Forget one window."""
        with self.engine.begin() as conn:
            conn.execute(delete(RateLimitCounter.__table__).where(RateLimitCounter.__table__.c.key == key))


def share_limit() -> str:
    """Return the share pages' limit per client address, read from the settings."""
    return current_app.config["SHARE_RATE_LIMIT"]


def auth_limit() -> str:
    """Return the sign-in and sign-up limit per client address, read from the settings."""
    return current_app.config["AUTH_RATE_LIMIT"]


def password_reset_limit() -> str:
    """Return the limit on password reset e-mails asked for per client address, read from the settings."""
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


def password_reset_email_limit() -> str:
    """Return the limit on password reset e-mails asked for per e-mail address, read from the settings."""
    return current_app.config["PASSWORD_RESET_EMAIL_RATE_LIMIT"]


def email_key() -> str:
    """Key a request by the e-mail address in its JSON body (its digest: the counters name no one)."""
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    email = email.strip().lower() if isinstance(email, str) else ""
    return "email:" + hashlib.sha256(email.encode("utf-8", "replace")).hexdigest()[:32]


def init_app(app: Flask) -> Limiter:
    """Attach a Limiter to the app and limit the public share pages and password checks."""
    # Empty means the app's own database: every web process (gunicorn workers, several
    # machines) then shares one count without another service to run.
    storage_uri = app.config["RATELIMIT_STORAGE_URI"] or f"{DATABASE_SCHEME}://"
    options = {"engine": app.extensions["engine"]} if storage_uri.startswith(DATABASE_SCHEME) else {}
    # A Limiter per app, not per module: each app (and each test) counts in its own storage.
    limiter = Limiter(get_remote_address, storage_uri=storage_uri, storage_options=options, headers_enabled=True)
    limiter.limit(share_limit)(share_page.bp)
    # Password guessing costs an argon2 hash each time: throttle it per address. A decorated
    # limit is checked by its wrapper, so the wrapper must be what the app calls.
    for endpoint in ("accounts.login", "accounts.register", "passkeys.sign_in_options", "passkeys.sign_in"):
        app.view_functions[endpoint] = limiter.limit(auth_limit)(app.view_functions[endpoint])
    # A reset e-mail costs a message to someone's inbox: limited per address and per e-mail; using the link
    # costs an argon2 hash, like a sign-in.
    reset = "security.request_password_reset"
    app.view_functions[reset] = limiter.limit(password_reset_email_limit, key_func=email_key)(
        limiter.limit(password_reset_limit)(app.view_functions[reset]))
    confirm = "security.confirm_password_reset"
    app.view_functions[confirm] = limiter.limit(auth_limit)(app.view_functions[confirm])
    # Per-account limits (server/api/quotas.py) count in the same store.
    app.extensions["rate_limiter"] = limiter
    limiter.init_app(app)
    _run_hooks_only_for(app, limiter, (share_page.bp.name, "accounts", "security", "passkeys"))
    return limiter


def _run_hooks_only_for(app: Flask, limiter: Limiter, blueprints: tuple[str, ...]) -> None:
    """Let the limiter's request hooks run only for the blueprints that have limits.

    Run for every request, the hooks cost an authenticated read about an eighth of its CPU time
    (0.2 ms) to find that no limit applies. Decorated views check their own limits in their wrapper.
    """
    for hooks in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        hooks[None] = [_only_for(hook, blueprints) if _belongs_to(hook, limiter) else hook for hook in hooks[None]]


def _only_for(hook, blueprints: tuple[str, ...]):
    """Wrap a request hook so that it runs for requests to the given blueprints only."""

    @functools.wraps(hook)
    def scoped(*args):
        """Run the hook inside the blueprints, else pass a response through (an after-request hook's duty)."""
        if request.blueprint in blueprints:
            return hook(*args)
        return args[0] if args and isinstance(args[0], Response) else None

    return scoped


def _belongs_to(hook, limiter: Limiter) -> bool:
    """Tell whether a request hook is one of the limiter's (a bound method, or a partial over it)."""
    return getattr(hook, "__self__", None) is limiter or limiter in getattr(hook, "args", ())
