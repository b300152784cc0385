"""Migrations build the models' schema from nothing, and take it down again."""

import os

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from server.models import Base

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _alembic_config(connection) -> Config:
    """An Alembic config from pyproject.toml that runs on the given connection."""
    config = Config(toml_file=os.path.join(ROOT, "pyproject.toml"))
    config.attributes["connection"] = connection
    return config


@pytest.fixture
def empty_engine(app):
    """An engine on an empty database of the app's backend."""
    engine = app.extensions["engine"]
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    yield engine
    # Leave the schema the other tests expect.
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)


def test_upgrade_to_head_matches_models_and_downgrades_to_base(empty_engine):
    with empty_engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    with empty_engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
