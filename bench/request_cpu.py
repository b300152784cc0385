"""CPU time per request in one process (Flask's test client): a figure a busy shared machine disturbs less.

Run: .venv/bin/python bench/request_cpu.py [--root DIR] [--instructions] [--postgres]
Fills 5,000 sessions for one user like bench/api.py, then times each endpoint with process CPU time (best of
6 rounds of 50 requests), so other processes' load changes it far less than wall-clock throughput. --root
measures another checkout (run it as a separate process per checkout, e.g. an older commit for "before").
--instructions counts the machine instructions per request instead, under valgrind's callgrind (apt-get install
valgrind; about two minutes): a count the machine's load and clock speed do not change at all, for before/after
pairs on a noisy machine. It counts this process only: on PostgreSQL, not the server's work. --postgres serves
from PostgreSQL instead of a temporary SQLite database: BENCH_DATABASE_URL (a database it creates and drops), by
default postgresql+psycopg://postgres@127.0.0.1:5432/test_request_cpu.
"""

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROUNDS, PER_ROUND = 6, 50
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test_request_cpu"
# Set in the copy of this script that runs under callgrind, which dumps its counters before each getppid().
UNDER_CALLGRIND = "REQUEST_CPU_UNDER_CALLGRIND"


def main() -> None:
    """Set up an app on a temporary SQLite database and print CPU ms per request for each endpoint."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--instructions", action="store_true", help="count instructions under callgrind")
    parser.add_argument("--postgres", action="store_true", help="serve from PostgreSQL (BENCH_DATABASE_URL)")
    args = parser.parse_args()
    random.seed(0)  # the same sessions and creates in every run, so counts compare exactly
    if args.instructions:
        print_instructions(args.root, args.postgres)
        return
    # bench/api.py, beside this script (the first folder on the path), before --root's checkout goes first.
    from api import drop_postgres, fresh_postgres

    sys.path.insert(0, str(args.root.resolve()))
    if args.postgres:
        url = os.environ.get("BENCH_DATABASE_URL", POSTGRES_URL)
        fresh_postgres(url)
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='pumpwell-cpu-')}/cpu.db"
    try:
        measure(url, args.root)
    finally:
        if args.postgres:
            drop_postgres(url)


def measure(url: str, root: Path) -> None:
    """Fill the database at `url` and print each endpoint's CPU ms per request (or, under callgrind, mark them)."""
    from sqlalchemy import insert, select, text

    from server import create_app
    from server.models import Base, PumpSession, User

    app = create_app({"DATABASE_URL": url, "ARGON2_MEMORY_KIB": 1024, "ARGON2_TIME_COST": 1})
    Base.metadata.create_all(app.extensions["engine"])
    client = app.test_client()
    token = client.post("/api/auth/register", json={
        "email": "bench@example.com", "password": "bench-password", "time_zone": "Europe/Berlin"}).json["token"]
    now = datetime.now(UTC).replace(microsecond=0)
    with app.extensions["engine"].begin() as conn:
        user_id = conn.scalar(select(User.id))
        rows = []
        for i in range(5000):
            start = now - timedelta(hours=3 * (i + 1), minutes=random.randint(0, 30))
            rows.append({"id": uuid.uuid4(), "user_id": user_id, "started_at": start,
                         "ended_at": start + timedelta(minutes=15), "left_ml": random.randint(30, 90),
                         "right_ml": random.randint(30, 90), "mode": "double", "request_digest": "bench",
                         "created_at": now, "updated_at": now})
        conn.execute(insert(PumpSession), rows)
        if conn.dialect.name == "postgresql":
            conn.execute(text("ANALYZE pump_sessions"))  # as bench/api.py does, and autovacuum would
    headers = {"Authorization": f"Bearer {token}"}
    today = now.date()

    def create(latest: bool):
        """A session as bench/api.py sends: the new latest one, or one somewhere in the last 30 days."""
        start = datetime.now(UTC) - timedelta(minutes=16 if latest else random.randint(60, 43200))
        return client.post("/api/sessions", headers=headers, json={
            "started_at": start.isoformat(), "duration_min": 15, "left_ml": 60, "right_ml": 55})

    endpoints = {
        "healthz (no auth)": lambda: client.get("/healthz"),
        "goals (auth + one row)": lambda: client.get("/api/goals", headers=headers),
        "list 50 sessions": lambda: client.get("/api/sessions?limit=50", headers=headers),
        "daily summary, 90 days": lambda: client.get(
            f"/api/summary/daily?from={today - timedelta(days=89)}&to={today}", headers=headers),
        # Not in checkouts from before Trends (--root).
        **({"trends, 12 weeks": lambda: client.get("/api/trends?weeks=12", headers=headers)}
           if (root / "server" / "api" / "trends.py").exists() else {}),
        "create, latest session": lambda: create(latest=True),
        "create, earlier session": lambda: create(latest=False),
    }
    if os.environ.get(UNDER_CALLGRIND):
        for request in endpoints.values():
            request()
            os.getppid()  # callgrind dumps what came before: the set-up, or the previous endpoint's warm-up
            for _ in range(PER_ROUND):
                request()
            os.getppid()  # ... and here, exactly this endpoint's PER_ROUND requests
        print("\n".join(endpoints))
        return
    print(f"CPU ms per request, best of {ROUNDS} x {PER_ROUND}, serving {root.resolve()} on {url.split(':')[0]}")
    for name, request in endpoints.items():
        assert request().status_code < 300
        best = float("inf")
        for _ in range(ROUNDS):
            started = time.process_time()
            for _ in range(PER_ROUND):
                request()
            best = min(best, (time.process_time() - started) / PER_ROUND * 1000)
        print(f"{name:<26}{best:>8.2f}")


def print_instructions(root: Path, postgres: bool) -> None:
    """Run this script under callgrind and print each endpoint's instructions per request."""
    with tempfile.TemporaryDirectory(prefix="pumpwell-callgrind-") as folder:
        names = subprocess.run(
            ["valgrind", "--tool=callgrind", "--cache-sim=no", "--dump-before=getppid",
             f"--callgrind-out-file={folder}/out", sys.executable, __file__, "--root", str(root),
             *(["--postgres"] if postgres else [])],
            env={**os.environ, UNDER_CALLGRIND: "1"}, capture_output=True, text=True, check=True,
        ).stdout.splitlines()
        # Dump k (from 1) ends at the k-th getppid(): the even ones hold one endpoint's requests each.
        counts = [int(re.search(r"^totals: (\d+)", (Path(folder) / f"out.{2 * k + 2}").read_text(), re.M)[1])
                  for k in range(len(names))]
    database = "PostgreSQL" if postgres else "SQLite"
    print(f"Instructions per request (callgrind), {PER_ROUND} requests each, serving {root.resolve()} on {database}")
    for name, count in zip(names, counts, strict=True):
        print(f"{name:<26}{count / PER_ROUND / 1e6:>8.2f} M")


if __name__ == "__main__":
    main()
