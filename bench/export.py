"""Benchmark the sessions CSV export: a year (3,000 sessions) and ten years (30,000) through the real service.

Run: .venv/bin/python bench/export.py [--db sqlite|postgres] [--repeat 3]
Prints, for each range, the best wall time of consuming the whole streamed file (without tracemalloc)
and the peak Python memory while doing it once more under tracemalloc. The aim: the year in under
0.5 s, and ten years' peak within 20% of the year's (memory does not grow with rows).
--db sqlite uses a temporary file; --db postgres uses postgresql+psycopg://postgres@127.0.0.1:5432/bench_consultant
(or BENCH_DATABASE_URL), dropping and recreating its schema.
"""

import argparse
import gc
import os
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, insert, make_url, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from server.db import make_engine  # noqa: E402
from server.models import Base, PumpSession, User  # noqa: E402
from server.services.export import export_daily_csv, export_sessions_csv  # noqa: E402

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
PER_DAY = 8
DAYS_YEAR = 375  # 3,000 sessions at 8 a day
DAYS_TEN_YEARS = 3750  # 30,000 sessions
NOTES = ["", "left sore, switched flange", 'felt "full" at 3am\nbetter after', "=SUM(A1)", ""]


def database_url(kind: str, folder: str) -> str:
    """Return a fresh database of the asked kind."""
    if kind == "sqlite":
        return f"sqlite:///{folder}/bench.db"
    url = make_url(os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench_consultant"))
    import psycopg

    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)).fetchone():
            conn.execute(f'CREATE DATABASE "{url.database}"')
    return url.render_as_string(hide_password=False)


def empty_database(kind: str, folder: str) -> Engine:
    """Return an engine on a fresh database of the asked kind, with the app's tables and nothing in them."""
    engine = make_engine(database_url(kind, folder))
    if kind == "postgres":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    Base.metadata.create_all(engine)
    return engine


def seed(db: Session, days: int = DAYS_TEN_YEARS, email: str = "bench@example.com") -> User:
    """Store one oz user in New York with 8 sessions a day for `days` days up to NOW (DST changes included)."""
    user = User(email=email, password_hash="x", time_zone="America/New_York", unit="oz", created_at=NOW)
    db.add(user)
    db.flush()
    first = NOW - timedelta(days=days)
    rows = []
    for n in range(days * PER_DAY):
        start = first + timedelta(hours=3 * n, minutes=n % 17)
        rows.append({
            "id": uuid.uuid4(), "user_id": user.id, "started_at": start, "ended_at": start + timedelta(minutes=18),
            "left_ml": 40.0 + n % 30, "right_ml": None if n % 11 == 0 else 38.5 + n % 25, "mode": "double",
            "pump": "Spectra S1", "flange_mm": 24.0, "pain": n % 4, "notes": NOTES[n % len(NOTES)] or None,
            "request_digest": "bench", "created_at": start, "updated_at": start,
        })  # fmt: skip
        if len(rows) == 5000:
            db.execute(insert(PumpSession), rows)
            rows.clear()
    if rows:
        db.execute(insert(PumpSession), rows)
    db.commit()
    return user


def consume(engine, user_id: int, first: date, last: date, export=export_sessions_csv) -> tuple[int, int]:
    """Export a range through the service in a fresh session, encoding every chunk as a server would.

    Return the bytes and the rows written (notes hold bare LFs, so each CRLF ends a record).
    """
    size = records = 0
    with Session(engine) as db:
        user = db.get(User, user_id)
        _, chunks = export(db, user, first, last, NOW)
        for chunk in chunks:
            size += len(chunk.encode("utf-8"))
            records += chunk.count("\r\n")
    return size, records - 1


def measure(engine, user_id: int, days: int, repeat: int, export=export_sessions_csv) -> tuple[float, int, tuple]:
    """Return the best time, the tracemalloc peak, and the file's bytes and rows for the last `days` days."""
    last = NOW.date()
    first = last - timedelta(days=days - 1)
    consume(engine, user_id, first, last, export)  # warm caches and the connection pool
    times = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        size = consume(engine, user_id, first, last, export)
        times.append(time.perf_counter() - started)
    gc.collect()
    tracemalloc.start()
    consume(engine, user_id, first, last, export)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return min(times), peak, size


def main() -> None:
    """Seed, export both ranges, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = empty_database(args.db, folder)
        with Session(engine) as db:
            user_id = seed(db).id
        print(f"sessions.csv export on {args.db} (oz user, America/New_York, {PER_DAY} sessions a day):")
        figures = {}
        for label, days in (("1 year", DAYS_YEAR), ("10 years", DAYS_TEN_YEARS)):
            seconds, peak, (size, rows) = measure(engine, user_id, days, args.repeat)
            figures[label] = peak
            print(f"  {label:>8}: {rows:>6} sessions  {seconds:6.3f} s  peak {peak / 1024:7.0f} KiB  "
                  f"file {size / 1024:7.0f} KiB")  # fmt: skip
        ratio = figures["10 years"] / figures["1 year"]
        print(f"  ten years' peak is {ratio:.2f}x one year's (aim: at most 1.20x)")
        seconds, peak, (size, rows) = measure(engine, user_id, 366, args.repeat, export_daily_csv)
        print(f"daily.csv, {rows} days: {seconds:6.3f} s  peak {peak / 1024:7.0f} KiB  file {size / 1024:5.0f} KiB")
        engine.dispose()


if __name__ == "__main__":
    main()
