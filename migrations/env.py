"""Alembic environment: the database comes from the app's settings unless a test passes a connection."""

import logging
import sys
from contextlib import contextmanager

from alembic import context
from sqlalchemy import Connection, create_engine, pool, text

from server.models import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata

# Any number, the same in every process: `alembic upgrade head` holds this PostgreSQL advisory lock while it migrates.
MIGRATION_LOCK = 7_362_811_004

# pyproject.toml has no logging section, so Alembic said nothing: show what it applies ("Running upgrade 0008 -> 0009")
# on stderr. Left alone when the caller (a test) has set up logging already.
if not logging.getLogger().handlers:
    _said = logging.StreamHandler(sys.stderr)
    _said.setFormatter(logging.Formatter("%(levelname)s [%(name)s] %(message)s"))
    _alembic = logging.getLogger("alembic")
    _alembic.addHandler(_said)
    _alembic.setLevel(logging.INFO)
    _alembic.propagate = False  # the app's own handler, added when it is made, would print each line again


def _url() -> str:
    """Return the URL a caller passed in config.attributes, else the app's settings."""
    if config.attributes.get("url"):
        return config.attributes["url"]
    from server import create_app
    from server.db import database_url

    return database_url(create_app())


def _render_item(type_, obj, _autogen_context):
    """Write UTCDateTime columns as plain timestamps so revisions don't import the app."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs) -> None:
    """Configure the context the same way online and offline."""
    # SQLite cannot ALTER most things in place; batch mode copies the table instead.
    context.configure(
        target_metadata=target_metadata, render_as_batch=True, compare_type=True, render_item=_render_item, **kwargs
    )


def run_migrations_offline() -> None:
    """Write SQL for a URL without connecting."""
    _configure(url=_url(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations on a connection (a test's, or one made from the URL)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection, _one_at_a_time(connection):
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()


@contextmanager
def _one_at_a_time(connection: Connection):
    """On PostgreSQL, wait for any other migrating process to finish first (two releases at once both succeed)."""
    if connection.dialect.name != "postgresql":
        yield
        return
    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
    # The lock belongs to the session, not this transaction; ending it leaves Alembic a connection with none open.
    connection.commit()
    try:
        yield
    finally:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
        connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
