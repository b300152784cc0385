"""Settings read once from the environment, with safe defaults."""

import os

from server.push.validation import DEFAULT_ALLOWED_HOSTS
from server.timeutil import utcnow


def _flag(name: str, default: bool = False) -> bool:
    """Read an on/off setting: 1, true, yes and on mean on."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """Read a comma-separated setting as a tuple of its non-empty items."""
    value = os.environ.get(name)
    return default if value is None else tuple(item.strip() for item in value.split(",") if item.strip())


class Config:
    """Every setting of the app; docs/operators.md's configuration table lists them."""

    # Database: SQLite under instance/ unless DATABASE_URL names another one.
    DATABASE_URL = os.environ.get("DATABASE_URL", "")
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "5000"))

    # Accounts and tokens.
    # A device stays signed in until its token is this old, or has gone unused this long, whichever comes first.
    TOKEN_MAX_AGE_DAYS = int(os.environ.get("TOKEN_MAX_AGE_DAYS", "90"))
    TOKEN_IDLE_DAYS = int(os.environ.get("TOKEN_IDLE_DAYS", "30"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(64 * 1024)))
    # The largest file an import reads (streamed, so memory does not grow with it): 100,000 sessions of our own
    # export with notes take about 45 MB.
    IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(100 * 1024 * 1024)))
    # Password hashing (Argon2id): memory in KiB and passes; tests lower them, production keeps the defaults.
    ARGON2_MEMORY_KIB = int(os.environ.get("ARGON2_MEMORY_KIB", "65536"))
    ARGON2_TIME_COST = int(os.environ.get("ARGON2_TIME_COST", "3"))

    # Rate limits count in the app's database unless this names another store (redis://...);
    # memory:// counts per process, so only suits a single process.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "")
    # Public share pages (/share/<token>...) per client address, in flask-limiter's notation.
    SHARE_RATE_LIMIT = os.environ.get("SHARE_RATE_LIMIT", "60 per minute")
    # Sign-in and sign-up attempts per client address.
    AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "20 per minute")
    # Writes that cost, per account: new share links, test pushes, downloads (the JSON export and the CSVs together),
    # and password changes (each one an argon2 check of the current password).
    SHARE_LINK_RATE_LIMIT = os.environ.get("SHARE_LINK_RATE_LIMIT", "20 per hour")
    PUSH_TEST_RATE_LIMIT = os.environ.get("PUSH_TEST_RATE_LIMIT", "10 per hour")
    EXPORT_RATE_LIMIT = os.environ.get("EXPORT_RATE_LIMIT", "30 per hour")
    PASSWORD_CHANGE_RATE_LIMIT = os.environ.get("PASSWORD_CHANGE_RATE_LIMIT", "10 per hour")
    # Household invitations per account (each a link that lets someone into her data).
    INVITATION_RATE_LIMIT = os.environ.get("INVITATION_RATE_LIMIT", "20 per hour")
    # Imports (previews and confirmed imports together): each reads a whole file.
    IMPORT_RATE_LIMIT = os.environ.get("IMPORT_RATE_LIMIT", "20 per hour")
    # Password reset e-mails asked for, per client address and per e-mail address (whether it has an account or not).
    PASSWORD_RESET_RATE_LIMIT = os.environ.get("PASSWORD_RESET_RATE_LIMIT", "10 per hour")
    PASSWORD_RESET_EMAIL_RATE_LIMIT = os.environ.get("PASSWORD_RESET_EMAIL_RATE_LIMIT", "3 per hour")
    # How many proxies in front of the app set X-Forwarded-For (0: none, trust no header).
    TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", "0"))
    # The proxies' own addresses or networks, comma-separated: from any other peer the headers are ignored.
    TRUSTED_PROXIES = _list("TRUSTED_PROXIES", ("127.0.0.1", "::1"))

    # E-mail (password reset links) through an SMTP server; an empty SMTP_HOST turns e-mail off.
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "587"))
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = _flag("SMTP_STARTTLS", default=True)
    SMTP_FROM = os.environ.get("SMTP_FROM", "Pumpwell <no-reply@pumpwell.invalid>")
    # How long an e-mailed link to choose a new password works, in minutes (once at most).
    PASSWORD_RESET_MINUTES = int(os.environ.get("PASSWORD_RESET_MINUTES", "30"))

    # Web push: keys come from the environment or are generated into instance/.
    VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")
    VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY", "")
    VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:ops@pumpwell.invalid")
    # Push-service hosts we send to, comma-separated; `*.x` matches subdomains.
    PUSH_ALLOWED_HOSTS = _list("PUSH_ALLOWED_HOSTS", DEFAULT_ALLOWED_HOSTS)
    PUSH_ALLOW_LOOPBACK_HTTP = _flag("PUSH_ALLOW_LOOPBACK_HTTP")
    # The clock: how often it looks for due reminders, and how it sends them.
    CLOCK_INTERVAL_SECONDS = float(os.environ.get("CLOCK_INTERVAL_SECONDS", "2"))
    PUSH_BATCH_SIZE = int(os.environ.get("PUSH_BATCH_SIZE", "1000"))
    PUSH_TIMEOUT_SECONDS = float(os.environ.get("PUSH_TIMEOUT_SECONDS", "10"))
    PUSH_MAX_IN_FLIGHT = int(os.environ.get("PUSH_MAX_IN_FLIGHT", "512"))
    # Of those, how many one push service may hold: a slow or failing one leaves the rest to the others.
    PUSH_MAX_IN_FLIGHT_PER_SERVICE = int(os.environ.get("PUSH_MAX_IN_FLIGHT_PER_SERVICE", "256"))
    # Claimed batches being sent at once: the clock claims more while earlier batches wait on slow answers.
    PUSH_BATCHES_IN_FLIGHT = int(os.environ.get("PUSH_BATCHES_IN_FLIGHT", "4"))
    # Worker processes that encrypt beside the sender; 0 keeps encryption in the clock process.
    PUSH_ENCRYPT_PROCESSES = int(os.environ.get("PUSH_ENCRYPT_PROCESSES", "1" if (os.cpu_count() or 1) > 1 else "0"))
    # Public origin of the app (https://pumpwell.example): makes notification links absolute, names the passkeys' site.
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "")
    # Without PUBLIC_URL, the hosts a request may name for the links the app hands out (share links, passkeys' site).
    ALLOWED_HOSTS = _list("ALLOWED_HOSTS", ("localhost", "127.0.0.1", "[::1]"))
    # Passkeys: the name a phone's passkey prompt shows. They belong to PUBLIC_URL's host (else the request's).
    PASSKEY_RP_NAME = os.environ.get("PASSKEY_RP_NAME", "Pumpwell")

    # Import from a parent's own Baby Buddy server: also visit private and loopback addresses (a Pumpwell and a Baby
    # Buddy on one home network, tests). Off, so no one can make the server fetch from inside its own network.
    IMPORT_ALLOW_PRIVATE_HOSTS = _flag("IMPORT_ALLOW_PRIVATE_HOSTS")

    # Operations. Log lines as plain text or one JSON object each; the key that hashes account ids in them (empty: a
    # random key per process); who may read /metrics (and the clock's metrics port, when one is set).
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
    LOG_ACCOUNT_KEY = os.environ.get("LOG_ACCOUNT_KEY", "")
    # One line per request; off where a proxy in front keeps the access log already (each line costs a write).
    LOG_REQUESTS = _flag("LOG_REQUESTS", default=True)
    METRICS_ALLOWED = _list("METRICS_ALLOWED", ("127.0.0.1", "::1"))
    CLOCK_METRICS_PORT = int(os.environ.get("CLOCK_METRICS_PORT", "0"))
    # The file each clock touches after every batch and tick (empty: clock.heartbeat in instance/).
    CLOCK_HEARTBEAT_FILE = os.environ.get("CLOCK_HEARTBEAT_FILE", "")

    # Not from the environment: what every view, the clock and the CLI take as "now"; tests put their own here.
    CLOCK = staticmethod(utcnow)

    # Development relaxes checks that only matter in production (e.g. VAPID contact).
    DEVELOPMENT = _flag("PUMPWELL_DEVELOPMENT")

    # API documentation (APIFlask): assets come from the swagger-ui-bundle package.
    SPEC_FORMAT = "json"
    INFO = {
        "description": (
            "Pumpwell API. Bearer token auth: register or log in to get a token. "
            "Times are ISO 8601 with an offset; volumes are millilitres. "
            "A session belongs to the local day (in the user's time zone) on which it started."
        )
    }
    SWAGGER_UI_CSS = "/api/docs/assets/swagger-ui.css"
    SWAGGER_UI_BUNDLE_JS = "/api/docs/assets/swagger-ui-bundle.js"
    SWAGGER_UI_STANDALONE_PRESET_JS = "/api/docs/assets/swagger-ui-standalone-preset.js"
    VALIDATION_ERROR_STATUS_CODE = 422
    AUTH_ERROR_STATUS_CODE = 401
