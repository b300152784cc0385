"""Benchmark a deep page of a long history on PostgreSQL: page 51 and page 500 against page 1.

Run: .venv/bin/python bench/pages.py [--parent 50000] [--total 1100000] [--runs 25]
In its own database (BENCH_DATABASE_URL, by default postgresql+psycopg://postgres@127.0.0.1:5432/bench_pages, created
and dropped), migrated to head, one parent has --parent sessions (8 a day, going back) among --total in the table,
spread over 400 parents. Through the service the API calls, on one connection, each page's statement runs --runs
times (psycopg prepares it at the 6th run, and PostgreSQL may then switch to its generic plan); the time is the
service's, end to end. It prints each page's median and best over the runs after the 10th, and the ratio of the
deep pages' medians to page 1's.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api import drop_postgres, fresh_postgres  # noqa: E402
from scale import migrate  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from server.db import make_engine  # noqa: E402
from server.services.access import Account  # noqa: E402
from server.services.cursors import encode_cursor  # noqa: E402
from server.services.sessions import list_sessions  # noqa: E402

URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench_pages")
PAGE = 50
PAGES = (1, 51, 500)
OTHER_PARENTS = 400


def fill(db: Session, parent: int, total: int) -> None:
    """Insert the parents and the sessions in two statements, then ANALYZE as autovacuum would."""
    db.execute(text("INSERT INTO users (id, email, password_hash, time_zone, unit, created_at, stash_guideline) "
                    "SELECT g, 'parent' || g || '@example.com', 'x', 'UTC', 'ml', now(), 'cdc' "
                    "FROM generate_series(1, :parents) g"), {"parents": OTHER_PARENTS + 1})
    # Session g belongs to the measured parent (id 1) while g <= parent, else to one of the others.
    db.execute(text(
        "INSERT INTO pump_sessions (id, user_id, started_at, ended_at, left_ml, right_ml, mode, request_digest,"
        " created_at, updated_at) "
        "SELECT gen_random_uuid(), CASE WHEN g <= :parent THEN 1 ELSE 2 + g % :others END,"
        " now() - g * interval '3 hours', now() - g * interval '3 hours' + interval '15 minutes', 60, 55, 'double',"
        " 'bench', now(), now() FROM generate_series(1, :total) g"),
        {"parent": parent, "others": OTHER_PARENTS, "total": total})
    db.commit()
    db.execute(text("ANALYZE"))


def cursor_before(db: Session, page: int) -> str | None:
    """Return the cursor that opens this page of the measured parent's history."""
    if page == 1:
        return None
    row = db.execute(text("SELECT started_at, id FROM pump_sessions WHERE user_id = 1 "
                          "ORDER BY started_at DESC, id DESC OFFSET :skip LIMIT 1"), {"skip": (page - 1) * PAGE - 1})
    started_at, session_id = row.one()
    return encode_cursor(started_at, session_id)


def time_page(db: Session, parent: Account, cursor: str | None, runs: int) -> list[float]:
    """Return the milliseconds of each run of one page after the 10th (prepared, plan settled)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        list_sessions(db, parent, None, None, PAGE, cursor)
        times.append((time.perf_counter() - started) * 1000)
    return times[10:]


def main() -> None:
    """Fill the database, time the pages and print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--parent", type=int, default=50_000)
    parser.add_argument("--total", type=int, default=1_100_000)
    parser.add_argument("--runs", type=int, default=25)
    args = parser.parse_args()
    fresh_postgres(URL)
    try:
        migrate(URL)
        engine = make_engine(URL)
        with Session(engine) as db:
            fill(db, args.parent, args.total)
            parent = Account(1, "parent1@example.com", "UTC", "ml", None, None, "cdc")
            medians = {}
            print(f"{args.parent:,} sessions of one parent among {args.total:,}; {PAGE} a page, "
                  f"{args.runs} runs each on one connection, the first 10 not counted")
            for page in PAGES:
                times = time_page(db, parent, cursor_before(db, page), args.runs)
                medians[page] = statistics.median(times)
                print(f"page {page:>3}: median {medians[page]:.3f} ms, best {min(times):.3f} ms")
            for page in PAGES[1:]:
                print(f"page {page} / page 1: {medians[page] / medians[1]:.2f}")
        engine.dispose()
    finally:
        drop_postgres(URL)


if __name__ == "__main__":
    main()
