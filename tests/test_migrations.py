"""Migrations build the models' schema from nothing, and take it down again."""

import os
import subprocess
import sys
from datetime import datetime

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import JSON, column, insert, inspect, make_url, table, text

from server.domain.plans import expand_plan
from server.models import Base, UTCDateTime

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


def test_plan_slot_notes_are_stored_as_the_app_showed_them(empty_engine):
    """0007 stores each block's note, which the app made until then by expanding the plan again on every read."""
    starts_at = datetime.fromisoformat("2027-02-04T15:00:00+01:00")
    draft = expand_plan("exclusive-newborn", starts_at, {"days": 3}, "Africa/Casablanca")
    users = table("users", column("id"), column("email"), column("password_hash"), column("time_zone"),
                  column("unit"), column("created_at", UTCDateTime))
    plans = table("plans", column("id"), column("user_id"), column("template"), column("status"),
                  column("params", JSON), column("time_zone"), column("starts_at", UTCDateTime),
                  column("ends_at", UTCDateTime), column("created_at", UTCDateTime))
    slots = table("plan_slots", column("plan_id"), column("index"), column("starts_at", UTCDateTime),
                  column("ends_at", UTCDateTime), column("phases", JSON))
    with empty_engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0006")
        conn.execute(insert(users).values(id=1, email="a@example.com", password_hash="x", time_zone="UTC",
                                          unit="ml", created_at=starts_at))
        conn.execute(insert(plans).values(id=1, user_id=1, template=draft.template, status="active",
                                          params=draft.params, time_zone=draft.time_zone, starts_at=draft.starts_at,
                                          ends_at=draft.ends_at, created_at=starts_at))
        conn.execute(insert(slots), [{"plan_id": 1, "index": s.index, "starts_at": s.starts_at, "ends_at": s.ends_at,
                                      "phases": [p.as_dict() for p in s.phases]} for s in draft.slots])
        command.upgrade(_alembic_config(conn), "0007")
        stored = dict(conn.execute(text('SELECT "index", note FROM plan_slots WHERE note IS NOT NULL')).all())
    assert stored == {s.index: s.note for s in draft.slots if s.note} and len(stored) == 1


def test_two_upgrades_at_once_both_succeed_and_say_what_they_applied(tmp_path):
    """Two releases migrating one fresh PostgreSQL database at once: the advisory lock lines them up."""
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    admin = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql")
    name = f"{admin.database}_race_{os.getpid()}"
    with psycopg.connect(admin.set(database="postgres").render_as_string(hide_password=False),
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
        try:
            env = {**os.environ, "DATABASE_URL": admin.set(database=name).render_as_string(hide_password=False)}
            alembic = os.path.join(os.path.dirname(sys.executable), "alembic")
            runs = [subprocess.Popen([alembic, "upgrade", "head"], cwd=ROOT, env=env, stderr=subprocess.PIPE,
                                     stdout=subprocess.DEVNULL, text=True) for _ in range(2)]
            said = [run.communicate(timeout=120)[1] for run in runs]
            assert [run.returncode for run in runs] == [0, 0], said
            # One applied every revision and said so; the other found the schema at head.
            assert sorted("Running upgrade  -> 0001" in s for s in said) == [False, True], said
        finally:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
