"""The SQLite engine: pragmas, and writers from many threads queued instead of failing."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from server.db import make_engine
from server.models import Base, PumpSession, User


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}", busy_timeout_ms=1234)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 1234


def test_concurrent_writers_all_commit_and_a_rolled_back_one_releases_the_line(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}", busy_timeout_ms=5000)
    Base.metadata.create_all(engine)
    now = datetime.now(UTC)
    with Session(engine) as db:
        db.add(User(id=1, email="a@example.com", password_hash="x", created_at=now))
        db.commit()
    with Session(engine) as db:
        db.execute(text("UPDATE users SET unit = 'oz'"))
        db.rollback()  # must leave the writers' line, or every thread below would hang
    errors: list[BaseException] = []

    def write_sessions() -> None:
        """Insert sessions one transaction at a time."""
        try:
            for i in range(20):
                with Session(engine) as db:
                    start = now - timedelta(hours=i + 1)
                    db.add(PumpSession(
                        id=uuid.uuid4(), user_id=1, started_at=start, ended_at=start + timedelta(minutes=15),
                        mode="double", request_digest="t", created_at=now, updated_at=now,
                    ))
                    db.commit()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=write_sessions) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert not any(thread.is_alive() for thread in threads)
    with Session(engine) as db:
        assert db.scalar(select(func.count()).select_from(PumpSession)) == 160
