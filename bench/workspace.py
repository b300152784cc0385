"""Benchmark the consultant's workspace: 50 clients with 30 days of sessions each, through the real service.

Run: .venv/bin/python bench/workspace.py [--db sqlite|postgres] [--clients 50] [--days 30] [--repeat 5]
Prints the best and median wall time of one workspace (GET /api/workspace's service) and how many statements it ran;
the statement count does not grow with the clients. A third of the clients have an active plan. --db postgres uses
BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/bench_consultant), dropping its schema.
"""

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.export import PER_DAY, empty_database  # noqa: E402
from server.models import Grant, PumpSession, User  # noqa: E402
from server.services import plans  # noqa: E402
from server.services.access import Account  # noqa: E402
from server.services.workspace import workspace  # noqa: E402

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC"]


def seed(db: Session, clients: int, days: int) -> Account:
    """Store a consultant and `clients` parents who granted her the role, each with 8 sessions a day for `days`."""
    consultant = User(email="consultant@example.com", password_hash="x", time_zone="UTC", unit="ml", created_at=NOW)
    db.add(consultant)
    db.flush()
    for c in range(clients):
        parent = User(email=f"client{c:03}@example.com", password_hash="x", time_zone=ZONES[c % len(ZONES)],
                      unit="ml", created_at=NOW)
        db.add(parent)
        db.flush()
        db.add(Grant(owner_id=parent.id, grantee_id=consultant.id, role="consultant", created_at=NOW))
        first = NOW - timedelta(days=days)
        # Some clients pump less, some stopped a day ago: the flags have something to find.
        ml, stop = 40.0 + c % 20, NOW - timedelta(hours=30 if c % 7 == 0 else 1)
        rows = []
        for n in range(days * PER_DAY):
            start = first + timedelta(hours=3 * n, minutes=(n * c) % 40)
            if start >= stop:
                break
            rows.append({"id": uuid.uuid4(), "user_id": parent.id, "started_at": start,
                         "ended_at": start + timedelta(minutes=18), "left_ml": ml, "right_ml": ml, "mode": "double",
                         "request_digest": "bench", "created_at": start, "updated_at": start})
        db.execute(insert(PumpSession), rows)
        if c % 3 == 0:
            values = {"template": "exclusive-established", "starts_at": NOW - timedelta(days=3)}
            plans.start_plan(db, Account.of(parent), values, NOW - timedelta(days=3))
    db.commit()
    return Account.of(consultant)


def main() -> None:
    """Seed, then time the workspace."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = empty_database(args.db, folder)
        with Session(engine, expire_on_commit=False) as db:
            consultant = seed(db, args.clients, args.days)
        statements = []
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(1))
        times = []
        for _ in range(args.repeat):
            statements.clear()
            with Session(engine) as db:
                began = time.perf_counter()
                clients = workspace(db, consultant, "flags", NOW)
                times.append(time.perf_counter() - began)
        flagged = sum(1 for client in clients if client.flags)
        print(f"{args.db}: {len(clients)} clients x {args.days} days ({flagged} flagged): best {min(times):.3f} s, "
              f"median {statistics.median(times):.3f} s, {len(statements)} statements")
        engine.dispose()


if __name__ == "__main__":
    main()
