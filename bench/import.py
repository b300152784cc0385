"""Benchmark importing our own export: 100,000 sessions (and 10,000, to show memory does not grow with the file).

Run: .venv/bin/python bench/import.py [--db sqlite|postgres] [--sessions 100000]
Seeds one parent with the sessions (bench/export.py's: 8 a day, a few with notes), writes her export to a file
through the real service, then imports that file into fresh accounts through the real pipeline
(server/services/imports.py): once timed (rows per second), once under tracemalloc (peak Python memory), for the
full file and a tenth of it.
--db sqlite uses a temporary file; --db postgres uses postgresql+psycopg://postgres@127.0.0.1:5432/bench_import
(or BENCH_DATABASE_URL), dropping and recreating its schema.
"""

import argparse
import gc
import json
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench_import")

from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.export import PER_DAY, database_url, seed  # noqa: E402
from server.db import make_engine  # noqa: E402
from server.models import Base, User  # noqa: E402
from server.services.access import Account  # noqa: E402
from server.services.account import export_account  # noqa: E402
from server.services.imports import import_file  # noqa: E402

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def new_user(db: Session, email: str) -> Account:
    """Store a parent in New York and return her account."""
    user = User(email=email, password_hash="x", time_zone="America/New_York", unit="oz", created_at=NOW)
    db.add(user)
    db.commit()
    return Account.of(user)


def write_export(engine, account: Account, path: Path, keep: int | None = None) -> int:
    """Write the account's export to `path` (only its first `keep` sessions when given); return its size."""
    with Session(engine) as db, path.open("w", encoding="utf-8") as file:
        for chunk in export_account(db, account, NOW):
            file.write(chunk)
    if keep is not None:
        document = json.loads(path.read_text(encoding="utf-8"))
        document["sessions"] = document["sessions"][:keep]
        path.write_text(json.dumps(document), encoding="utf-8")
    return path.stat().st_size


def run_import(engine, path: Path, email: str) -> dict:
    """Import the file into a fresh account through the pipeline; return its answer."""
    with Session(engine) as db:
        account = new_user(db, email)
        with path.open("rb") as file:
            return import_file(db, account, "pumpwell", file, "UTC", NOW)


def measure(engine, path: Path, label: str) -> tuple[float, int, int]:
    """Return the seconds of one import, the tracemalloc peak of another, and the sessions added."""
    gc.collect()
    started = time.perf_counter()
    result = run_import(engine, path, f"timed-{label}@example.com")
    seconds = time.perf_counter() - started
    gc.collect()
    tracemalloc.start()
    run_import(engine, path, f"traced-{label}@example.com")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak, result["added"]


def main() -> None:
    """Seed, export, import, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--sessions", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(database_url(args.db, folder))
        with engine.begin() as conn:
            if args.db == "postgres":
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        Base.metadata.create_all(engine)
        with Session(engine) as db:
            source = Account.of(seed(db, args.sessions // PER_DAY, "source@example.com"))
        print(f"import of our own export on {args.db} (sessions with notes, into fresh accounts):")
        for label, keep in (("tenth", args.sessions // 10), ("full", None)):
            path = Path(folder) / f"{label}.json"
            size = write_export(engine, source, path, keep)
            seconds, peak, added = measure(engine, path, label)
            print(f"  {added:>7} sessions  file {size / 2**20:6.1f} MiB  {seconds:6.2f} s  "
                  f"{added / seconds:8.0f} rows/s  peak {peak / 2**20:6.1f} MiB")
        engine.dispose()


if __name__ == "__main__":
    main()
