"""Benchmark the kept 90-day summary read from 1, 2 and 4 threads of one process, as a worker's threads share it.

Run: .venv/bin/python bench/summary_threads.py [--root DIR] [--seconds 4]
On a temporary SQLite database, a parent with 2,000 sessions (one every 3 hours) has her 90 days kept; then each
thread calls the summary service in a loop with its own session, and it prints the summaries a second for each
thread count. Without the rows packed as one JSON array (server/db.py all_rows), pysqlite hands the GIL over at
every row it steps to, and threads slow each other down. --root measures another checkout.
"""

import argparse
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path


def main() -> None:
    """Fill the database, keep the days, and time the reads from 1, 2 and 4 threads."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--seconds", type=float, default=4)
    args = parser.parse_args()
    sys.path.insert(0, str(args.root.resolve()))
    from sqlalchemy import insert
    from sqlalchemy.orm import Session

    from server.db import make_engine
    from server.models import Base, PumpSession, User
    from server.services import summary
    from server.services.access import Account

    engine = make_engine(f"sqlite:///{tempfile.mkdtemp(prefix='pumpwell-threads-')}/threads.db")
    Base.metadata.create_all(engine)
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    with Session(engine) as db:
        user = User(email="bench@example.com", password_hash="x", time_zone="Europe/Berlin", unit="ml", created_at=now)
        db.add(user)
        db.flush()
        db.execute(insert(PumpSession), [{
            "id": uuid.uuid4(), "user_id": user.id, "started_at": now - timedelta(hours=3 * n),
            "ended_at": now - timedelta(hours=3 * n, minutes=-15), "left_ml": 60, "right_ml": 50, "mode": "double",
            "request_digest": "bench", "created_at": now, "updated_at": now} for n in range(1, 2001)])
        db.commit()
        account = Account.of(user)
    first, last = (now - timedelta(days=89)).date(), now.date()
    with Session(engine) as db:
        summary.summary_view(db, account, first, last, now)  # computes the days and keeps them

    def read(counts: list[int], index: int, stop: threading.Event) -> None:
        """Read the summary until told to stop, counting."""
        with Session(engine) as db:
            while not stop.is_set():
                summary.summary_view(db, account, first, last, now)
                db.rollback()
                counts[index] += 1

    print(f"Kept 90-day summaries a second, serving {args.root.resolve()}")
    for threads in (1, 2, 4):
        counts, stop = [0] * threads, threading.Event()
        workers = [threading.Thread(target=read, args=(counts, i, stop)) for i in range(threads)]
        for worker in workers:
            worker.start()
        time.sleep(args.seconds)
        stop.set()
        for worker in workers:
            worker.join()
        print(f"{threads} thread{'s' if threads > 1 else ''}: {sum(counts) / args.seconds:,.0f}")


if __name__ == "__main__":
    main()
