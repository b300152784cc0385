"""Probes: /livez never needs the database, /readyz needs it at the schema this code expects."""

from sqlalchemy import create_engine, text

from server.health import head_revisions


def _stamp(app, revision: str | None) -> None:
    """Record `revision` as the schema's Alembic revision (None: not migrated at all)."""
    with app.extensions["engine"].begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        if revision is not None:
            conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
            conn.execute(text("INSERT INTO alembic_version VALUES (:r)"), {"r": revision})


def test_ready_at_head_and_not_ready_with_the_reason_otherwise(app, client):
    (head,) = head_revisions()
    try:
        _stamp(app, head)
        assert client.get("/readyz").json == {"status": "ok"}
        _stamp(app, "0001")
        answer = client.get("/readyz")
        assert answer.status_code == 503 and answer.json["reason"] == f"schema at 0001, this code needs {head}"
        _stamp(app, None)
        assert client.get("/readyz").json["reason"] == "database not migrated: run alembic upgrade head"
    finally:
        _stamp(app, None)


def test_live_while_the_database_is_away_and_not_ready(app, client):
    app.extensions["engine"].dispose()
    app.extensions["sessionmaker"].configure(bind=_unreachable(app))
    assert client.get("/livez").json == {"status": "ok"}
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.json["reason"].startswith("database unreachable")
    assert answer.headers["Retry-After"] == "5"


def _unreachable(app):
    """An engine of the same kind as the app's whose database cannot be opened."""
    if app.extensions["engine"].dialect.name == "sqlite":
        return create_engine("sqlite:////nonexistent/folder/pumpwell.db")
    return create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none", connect_args={"connect_timeout": 2})


def test_probes_stay_out_of_the_api_document(client):
    paths = client.get("/api/openapi.json").json["paths"]
    assert not {"/livez", "/readyz", "/healthz", "/metrics"} & set(paths)
