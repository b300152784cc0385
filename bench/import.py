"""Benchmark imports: our own export and Huckleberry's CSV, 100,000 sessions each (and 10,000, to show memory does
not grow with the file).

Run: .venv/bin/python bench/import.py [--db sqlite|postgres] [--sessions 100000]
Seeds one parent with the sessions (bench/export.py's: 8 a day, a few with notes), writes her export to a file
through the real service, then imports that file into fresh accounts through the real pipeline
(server/services/imports.py): once timed (rows per second), once under tracemalloc (peak Python memory), for the
full file and a tenth of it. Then the same for a Huckleberry export written in its layout (pump rows, sides in
the condition columns, local times read in New York's zone).
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
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench_import")

from sqlalchemy.orm import Session  # noqa: E402

from bench.export import PER_DAY, empty_database, seed  # noqa: E402
from server.models import User  # noqa: E402
from server.services.access import Account  # noqa: E402
from server.services.account import export_account  # noqa: E402
from server.services.import_sources import register_sources  # noqa: E402
from server.services.imports import import_file  # noqa: E402

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
# Huckleberry's rows: local times every 37 minutes, ending before NOW.
HUCKLEBERRY_FIRST = datetime(2019, 11, 1, 6, 0)


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


def write_huckleberry(path: Path, rows: int) -> int:
    """Write a Huckleberry export of `rows` pump rows (amounts in ml and oz, every tenth with a note); return its
    size."""
    with path.open("w", encoding="utf-8", newline="") as file:
        file.write("Type,Start,End,Duration,Start Condition,Start Location,End Condition,Notes,Logged By\r\n")
        for number in range(rows):
            start = HUCKLEBERRY_FIRST + timedelta(minutes=37 * number)
            left = f"{40 + number % 50}ml" if number % 3 else f"{1 + number % 4 * 0.25:g}oz"
            note = f'"sore, flange {number % 7 + 21}"' if number % 10 == 0 else ""
            file.write(f"Pump,{start:%Y-%m-%d %H:%M},{start + timedelta(minutes=18):%Y-%m-%d %H:%M},0:18,{left},,"
                       f"{35 + number % 45}ml,{note},Mum\r\n")
    return path.stat().st_size


def run_import(engine, path: Path, email: str, source: str) -> dict:
    """Import the file into a fresh account through the pipeline; return its answer."""
    with Session(engine) as db:
        account = new_user(db, email)
        with path.open("rb") as file:
            return import_file(db, account, source, file, "America/New_York", NOW)


def measure(engine, path: Path, label: str, source: str) -> tuple[float, int, int]:
    """Return the seconds of one import, the tracemalloc peak of another, and the sessions added."""
    gc.collect()
    started = time.perf_counter()
    result = run_import(engine, path, f"timed-{source}-{label}@example.com", source)
    seconds = time.perf_counter() - started
    gc.collect()
    tracemalloc.start()
    run_import(engine, path, f"traced-{source}-{label}@example.com", source)
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
        engine = empty_database(args.db, folder)
        with Session(engine) as db:
            source = Account.of(seed(db, args.sessions // PER_DAY, "source@example.com"))
        print(f"import of our own export on {args.db} (sessions with notes, into fresh accounts):")
        for label, keep in (("tenth", args.sessions // 10), ("full", None)):
            path = Path(folder) / f"{label}.json"
            size = write_export(engine, source, path, keep)
            report(*measure(engine, path, label, "pumpwell"), size)
        register_sources()
        print(f"import of a Huckleberry CSV export on {args.db} (pump rows, into fresh accounts):")
        for label, rows in (("tenth", args.sessions // 10), ("full", args.sessions)):
            path = Path(folder) / f"huckleberry-{label}.csv"
            size = write_huckleberry(path, rows)
            report(*measure(engine, path, label, "huckleberry"), size)
        engine.dispose()


def report(seconds: float, peak: int, added: int, size: int) -> None:
    """Print one import's figures."""
    print(f"  {added:>7} sessions  file {size / 2**20:6.1f} MiB  {seconds:6.2f} s  "
          f"{added / seconds:8.0f} rows/s  peak {peak / 2**20:6.1f} MiB")


if __name__ == "__main__":
    main()
