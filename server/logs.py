"""What a log line may say about a failure: never a secret or health data."""

from urllib.parse import urlsplit

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
