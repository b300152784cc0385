"""Probes: /livez (the process answers), /readyz (it can serve: database reachable, schema at head) and /healthz."""

import functools
from pathlib import Path

from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from server.db import get_db
from server.logs import describe

bp = Blueprint("health", __name__)

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


@functools.cache
def head_revisions() -> frozenset[str]:
    """Return the revisions `alembic upgrade head` leads to, read once from migrations/."""
    # Imported here: the clock and the commands never load Alembic; gunicorn's master loads it once for every web
    # worker (server/gunicorn_conf.py).
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory.from_config(AlembicConfig(toml_file=str(PYPROJECT))).get_heads())


def schema_problem() -> str | None:
    """Return why the database cannot serve this code, or None when it can."""
    db = get_db()
    try:
        db.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return f"database unreachable ({describe(error)})"
    try:
        applied = set(db.scalars(text("SELECT version_num FROM alembic_version")))
    except SQLAlchemyError:
        return "database not migrated: run alembic upgrade head"
    expected = head_revisions()
    if applied != expected:
        return f"schema at {','.join(sorted(applied)) or 'none'}, this code needs {','.join(sorted(expected))}"
    return None


@bp.get("/livez")
def livez():
    """Answer while the process can answer at all; never touches the database."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Answer 200 once the database answers at the schema this code expects; 503 with the reason otherwise."""
    problem = schema_problem()
    if problem:
        return {"status": "unavailable", "reason": problem}, 503, {"Retry-After": "5"}
    return {"status": "ok"}


@bp.get("/healthz")
def healthz():
    """Answer once the database answers (the older probe, kept as it was; /readyz also checks the schema)."""
    get_db().execute(text("SELECT 1"))
    return {"status": "ok"}
