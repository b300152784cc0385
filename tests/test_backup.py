"""`flask backup` and `flask restore`: a consistent copy while writers run, and no overwrite of a live database."""

import sqlite3
import threading
from datetime import UTC, datetime, timedelta

from server import create_app
from server.models import Base
from tests.conftest import PASSWORD, TEST_CONFIG


def sqlite_app(tmp_path, name: str):
    """An app on its own SQLite file in tmp_path."""
    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / name}"})
    app.instance_path = str(tmp_path)
    return app


def test_a_backup_taken_while_writers_run_restores_into_a_fresh_instance_with_every_session(tmp_path):
    app = sqlite_app(tmp_path, "live.db")
    Base.metadata.create_all(app.extensions["engine"])
    client = app.test_client()
    body = {"email": "parent@example.com", "password": PASSWORD}
    headers = {"Authorization": f"Bearer {client.post('/api/auth/register', json=body).json['token']}"}
    committed: list[str] = []
    stop = threading.Event()
    start = datetime.now(UTC) - timedelta(days=30)

    def write(offset: int) -> None:
        """Log sessions until told to stop, remembering each one the server confirmed."""
        client = app.test_client()
        n = 0
        while not stop.is_set():
            at = start + timedelta(minutes=2 * n + offset)
            response = client.post("/api/sessions", json={"started_at": at.isoformat(), "duration_min": 1},
                                   headers=headers)
            assert response.status_code == 201
            committed.append(response.json["id"])
            n += 2

    writers = [threading.Thread(target=write, args=(offset,)) for offset in (0, 1)]
    for writer in writers:
        writer.start()
    while len(committed) < 30:
        stop.wait(0.05)
    before_backup = list(committed)
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.db")])
    stop.set()
    for writer in writers:
        writer.join()
    assert result.exit_code == 0, result.output
    app.extensions["engine"].dispose()

    fresh = sqlite_app(tmp_path, "fresh.db")
    result = fresh.test_cli_runner().invoke(args=["restore", str(tmp_path / "copy.db")])
    assert result.exit_code == 0, result.output
    restored = fresh.test_client()
    token = restored.post("/api/auth/login", json=body).json["token"]
    ids, query = set(), {"limit": 200}
    while query:
        page = restored.get("/api/sessions", query_string=query, headers={"Authorization": f"Bearer {token}"}).json
        ids |= {item["id"] for item in page["items"]}
        query = {"limit": 200, "cursor": page["next_cursor"]} if page["next_cursor"] else None
    assert set(before_backup) <= ids <= set(committed)
    fresh.extensions["engine"].dispose()


def test_restore_refuses_a_database_another_process_has_open(tmp_path):
    app = sqlite_app(tmp_path, "live.db")
    Base.metadata.create_all(app.extensions["engine"])
    assert app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.db")]).exit_code == 0
    other = sqlite3.connect(tmp_path / "live.db")
    other.execute("SELECT count(*) FROM users").fetchone()
    result = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "copy.db")])
    assert result.exit_code != 0 and "in use" in result.output
    other.close()
    assert app.test_cli_runner().invoke(args=["restore", str(tmp_path / "copy.db")]).exit_code == 0


def test_restore_refuses_a_file_that_is_not_a_database(tmp_path):
    app = sqlite_app(tmp_path, "live.db")
    (tmp_path / "notes.txt").write_text("not a database" * 100)
    result = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "notes.txt")])
    assert result.exit_code != 0 and "not a SQLite database" in result.output


def test_backup_of_postgresql_points_to_pg_dump(tmp_path):
    app = create_app({**TEST_CONFIG, "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/unused"})
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.db")])
    assert result.exit_code != 0 and "pg_dump" in result.output
