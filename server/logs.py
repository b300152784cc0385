"""How log lines look (plain text, or one JSON object a line), and what they may say about a failure: never a
secret or health data."""

import logging
import sys
from datetime import UTC, datetime
from urllib.parse import urlsplit

import orjson
from sqlalchemy.exc import DBAPIError


def describe(error: BaseException) -> str:
    """Name an error for the log: a database error by its kind, code, table and constraint, never its values.

    The engine hides bound parameters (hide_parameters), but PostgreSQL's own message and DETAIL quote values, for
    example a whole failing row with a parent's notes, and a unique key's token hash.
    """
    if not isinstance(error, DBAPIError) or error.orig is None:
        return type(error).__name__
    orig = error.orig
    diag = getattr(orig, "diag", None)  # psycopg
    facts = [getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None),
             getattr(diag, "table_name", None), getattr(diag, "constraint_name", None)]
    named = ", ".join(str(fact) for fact in facts if fact)
    return f"{type(orig).__name__} ({named})" if named else type(orig).__name__


def push_service(endpoint: str) -> str:
    """Name a push endpoint by its host: the rest of the URL is the device's capability."""
    return urlsplit(endpoint).hostname or "?"


class JsonLines(logging.Formatter):
    """Format each record as one JSON object: time, level, logger, message, and the fields passed as `extra`."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as one line of JSON."""
        line = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name, "message": record.getMessage(),
                **getattr(record, "fields", {})}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


class PlainText(logging.Formatter):
    """Format each record as a line of text, its fields appended as name=value."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as text."""
        text = super().format(record)
        fields = getattr(record, "fields", None)
        if not fields:
            return text
        head, newline, rest = text.partition("\n")  # fields go before a traceback, on the first line
        return head + "".join(f" {name}={value}" for name, value in fields.items()) + newline + rest


def configure(log_format: str) -> None:
    """Send the app's records at INFO and above to stderr, as plain text or JSON lines (LOG_FORMAT)."""
    if log_format not in ("text", "json"):
        raise ValueError(f"LOG_FORMAT must be text or json, not {log_format!r}")
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "pumpwell", False)), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stderr)
        handler.pumpwell = True  # the one handler this adds, found again when a second app is made
        root.addHandler(handler)
    handler.setFormatter(JsonLines() if log_format == "json" else PlainText())
    # INFO of our own modules only: libraries keep the root's WARNING.
    logging.getLogger("server").setLevel(logging.INFO)
