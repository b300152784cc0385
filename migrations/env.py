"""Alembic environment: the database comes from the app's settings unless a test passes a connection."""

from alembic import context
from sqlalchemy import create_engine, pool

from server.models import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata


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
    with engine.connect() as connection:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
