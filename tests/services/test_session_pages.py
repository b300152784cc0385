"""Keyset pages of sessions: ties on the start time, and a cursor the index serves."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert

from server.models import PumpSession, User
from server.services.sessions import list_sessions

START = datetime(2026, 1, 1, tzinfo=UTC)


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
    captured = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        """Remember the list query as sent to the driver."""
        if "FROM pump_sessions" in statement:
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        list_sessions(db, user, None, None, 4, cursor)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    [(statement, parameters)] = captured
    raw = db.connection().connection.driver_connection
    if engine.dialect.name == "sqlite":
        plan = " ".join(str(row[-1]) for row in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters))
        assert "USING INDEX ix_pump_sessions_user_started (user_id=? AND (started_at,id)<(?,?))" in plan, plan
    else:
        cur = raw.cursor()
        # A 30-row table is cheaper to scan; forbid that to see whether the index can serve the cursor.
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("EXPLAIN " + statement, parameters)
        plan = "\n".join(row[0] for row in cur.fetchall())
        assert "Index Cond: ((user_id = " in plan and "ROW(started_at, id) < ROW(" in plan, plan
        assert "Filter" not in plan, plan
    db.rollback()
