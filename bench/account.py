"""Benchmark the account export (pumpwell-export JSON): wall time and peak memory at 5,000 and 50,000 sessions.

Run: .venv/bin/python bench/account.py
On a temporary SQLite database, one parent gets a year (then ten years) of sessions, 8 a day;
the export's JSON chunks are read through the real service and thrown away, as a server sends
them. tracemalloc's peak shows whether memory grows with the rows.
"""

import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from server.db import make_engine  # noqa: E402
from server.models import Base, PumpSession, User  # noqa: E402
from server.services.account import export_account  # noqa: E402

NOW = datetime.now(UTC).replace(microsecond=0)


def fill(engine, sessions: int) -> None:
    """Store one parent with `sessions` sessions, 3 hours apart."""
    with engine.begin() as conn:
        conn.execute(insert(User), [{"id": 1, "email": "p@bench.example", "password_hash": "x", "created_at": NOW}])
        conn.execute(insert(PumpSession), [{
            "id": uuid.uuid4(), "user_id": 1, "started_at": NOW - timedelta(hours=3 * n + 1),
            "ended_at": NOW - timedelta(hours=3 * n + 1) + timedelta(minutes=20), "left_ml": 60.0,
            "right_ml": 55.0, "mode": "double", "notes": "a note", "request_digest": "x",
            "created_at": NOW, "updated_at": NOW,
        } for n in range(sessions)])


def measure(sessions: int) -> None:
    """Export one parent with `sessions` sessions and print time, size and peak memory."""
    with tempfile.TemporaryDirectory() as workdir:
        engine = make_engine(f"sqlite:///{workdir}/bench.db")
        Base.metadata.create_all(engine)
        fill(engine, sessions)
        with Session(engine) as db:
            user = db.get(User, 1)
            tracemalloc.start()
            started = time.perf_counter()
            size = sum(len(chunk) for chunk in export_account(db, user, NOW))
            seconds = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        engine.dispose()
    print(f"{sessions:>7,} sessions: {seconds:6.3f} s, {size / 1e6:5.1f} MB of JSON, peak {peak / 1024:7.0f} KiB")


if __name__ == "__main__":
    for count in (5_000, 50_000):
        measure(count)
