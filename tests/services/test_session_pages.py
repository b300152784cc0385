"""Keyset pages of sessions: ties on the start time, and a cursor the index serves."""

import os
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import psycopg.sql
import pytest
from sqlalchemy import delete, event, insert, text
from sqlalchemy.orm import Session

from server.db import make_engine
from server.models import PumpSession, User
from server.services.sessions import list_sessions
from server.services.summary import previous_end

START = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 2, 1, tzinfo=UTC)


@pytest.fixture
def user(make_user, db):
    """A stored user with 30 sessions, three at each of ten start times."""
    data, _ = make_user()
    rows = [{
        "id": uuid.uuid4(), "user_id": data["id"], "started_at": START + timedelta(hours=n // 3),
        "ended_at": START + timedelta(hours=n // 3, minutes=20), "mode": "double", "request_digest": "x",
        "created_at": START, "updated_at": START,
    } for n in range(30)]
    db.execute(insert(PumpSession), rows)
    db.commit()
    return db.get(User, data["id"])


def page_statement(engine, run) -> tuple[str, dict]:
    """Run `run` and return the page query it sent to the driver, with its parameters."""
    captured = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        """Remember the page query as sent to the driver."""
        if "FROM pump_sessions" in statement:
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    [(statement, parameters)] = captured
    return statement, parameters


@contextmanager
def long_history(postgres_url: str, starts: list[datetime]):
    """Yield (engine, db, user) on PostgreSQL: a new parent with a 20-minute session at each start, analysed as
    autovacuum would; she and her sessions are deleted afterwards."""
    engine = make_engine(postgres_url)
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    try:
        with Session(engine) as db:
            user = User(email=email, password_hash="x", created_at=START)
            db.add(user)
            db.flush()
            db.execute(insert(PumpSession), [{
                "id": uuid.uuid4(), "user_id": user.id, "started_at": start, "ended_at": start + timedelta(minutes=20),
                "mode": "double", "request_digest": "x", "created_at": START, "updated_at": START,
            } for start in starts])
            db.commit()
            # A table PostgreSQL knows nothing of plans alike whatever its size.
            db.execute(text("ANALYZE pump_sessions"))
            yield engine, db, user
            db.rollback()
    finally:
        with engine.begin() as conn:
            conn.execute(delete(User).where(User.email == email))
        engine.dispose()


def test_pages_walk_ties_on_the_start_time_without_gaps_or_repeats(db, user):
    seen, cursor = [], None
    while True:
        page, cursor = list_sessions(db, user, None, None, 4, cursor)
        seen += [(s.started_at, s.id) for s in page]
        if cursor is None:
            break
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 30


def test_the_cursor_is_an_index_condition_not_a_filter(app, db, user):
    """EXPLAIN the page-2 query: the row comparison must bound the index scan on both databases."""
    _, cursor = list_sessions(db, user, None, None, 4, None)
    engine = app.extensions["engine"]
    statement, parameters = page_statement(engine, lambda: list_sessions(db, user, None, None, 4, cursor))
    raw = db.connection().connection.driver_connection
    if engine.dialect.name == "sqlite":
        plan = " ".join(str(row[-1]) for row in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters))
        assert "USING INDEX ix_pump_sessions_user_started (user_id=? AND (started_at,id)<(?,?))" in plan, plan
    else:
        # A 30-row table is cheaper to scan, or to read by another index of user_id and sort (as statistics left by
        # earlier tests may suggest); forbid both to see whether the index can serve the cursor and the order.
        # The connections run in autocommit, where SET LOCAL is ignored: it needs a transaction of its own.
        with raw.transaction(), raw.cursor() as cur:
            cur.execute("SET LOCAL enable_seqscan = off")
            cur.execute("SET LOCAL enable_sort = off")
            assert cur.execute("SHOW enable_sort").fetchone() == ("off",)
            cur.execute("EXPLAIN " + statement, parameters)
            plan = "\n".join(row[0] for row in cur.fetchall())
        assert "Index Cond: ((user_id = " in plan and "ROW(started_at, id) < ROW(" in plan, plan
        assert "Filter" not in plan, plan
    db.rollback()


# PostgreSQL is optional on a laptop; in CI a skip fails the run and TEST_DATABASE_URL is always set.
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL is not set")
def test_postgres_plans_a_page_and_the_latest_end_once_not_at_every_run(postgres_url):
    """A bound LIMIT made PostgreSQL plan these prepared statements again at every run, for more than the run."""
    # As many as the benchmark's user has: on a small table even a bound LIMIT's generic plan looks cheap.
    with long_history(postgres_url, [START + timedelta(hours=n) for n in range(5000)]) as (_, db, user):
        for _ in range(15):  # psycopg prepares at the 6th run; PostgreSQL weighs a generic plan after 5 more
            _, cursor = list_sessions(db, user, None, None, 4, None)
            list_sessions(db, user, None, None, 4, cursor)
            assert previous_end(db, user, START + timedelta(hours=5)) == START + timedelta(hours=4, minutes=20)
        plans = db.execute(text("SELECT statement, generic_plans FROM pg_prepared_statements"
                                " WHERE statement LIKE '%FROM pump_sessions%'")).all()
        assert len(plans) == 3, plans  # the first page, a later page, the latest end before a time
        assert all(generic > 0 for _, generic in plans), plans


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL is not set")
@pytest.mark.parametrize("page", [2, 51, 500])
def test_postgres_generic_plan_of_a_later_page_reads_that_page_only(postgres_url, page):
    """Once PostgreSQL uses its generic plan (a prepared statement past its fifth run), a page deep in a long
    history still starts at the cursor in the index, rather than reading every older session."""
    with long_history(postgres_url, [START - timedelta(hours=3 * n) for n in range(10 * 501)]) as (engine, db, user):
        cursor = None
        for _ in range(page - 1):
            _, cursor = list_sessions(db, user, None, None, 10, cursor)
        statement, parameters = page_statement(engine, lambda: list_sessions(db, user, None, None, 10, cursor))
        names = list(parameters)
        for number, name in enumerate(names, 1):
            statement = statement.replace(f"%({name})s", f"${number}")
        raw = db.connection().connection.driver_connection
        raw.execute("SET plan_cache_mode = force_generic_plan")
        raw.execute(f"PREPARE later_page AS {statement}")
        # EXECUTE takes no bound parameters: the values are written in as literals.
        values = psycopg.sql.SQL(", ").join(psycopg.sql.Literal(parameters[name]) for name in names)
        [(plan,)] = raw.execute(psycopg.sql.SQL("EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE later_page({})").format(
            values)).fetchall()
        raw.execute("DEALLOCATE later_page")
        scan = plan[0]["Plan"]["Plans"][0]
        assert scan["Node Type"] == "Index Scan", plan
        assert "ROW(started_at, id) < ROW(" in scan["Index Cond"], plan
        # Read: the page and the one that says another follows; none newer than the cursor passed over.
        assert scan["Actual Rows"] <= 11 and scan.get("Rows Removed by Filter", 0) == 0, plan
