"""The SQLite engine: pragmas, writers from many threads queued instead of failing, pools not shared by forks."""

import os
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, delete, func, make_url, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from server import create_app
from server.db import all_rows, make_engine
from server.models import ApiToken, Base, PumpSession, User
from tests.conftest import TEST_CONFIG


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}", busy_timeout_ms=1234)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 1234


def test_concurrent_writers_all_commit_and_a_rolled_back_one_releases_the_line(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}", busy_timeout_ms=5000)
    Base.metadata.create_all(engine)
    now = datetime.now(UTC)
    with Session(engine) as db:
        db.add(User(id=1, email="a@example.com", password_hash="x", created_at=now))
        db.commit()
    with Session(engine) as db:
        db.execute(text("UPDATE users SET unit = 'oz'"))
        db.rollback()  # must leave the writers' line, or every thread below would hang
    errors: list[BaseException] = []

    def write_sessions() -> None:
        """Insert sessions one transaction at a time."""
        try:
            for i in range(20):
                with Session(engine) as db:
                    start = now - timedelta(hours=i + 1)
                    db.add(PumpSession(
                        id=uuid.uuid4(), user_id=1, started_at=start, ended_at=start + timedelta(minutes=15),
                        mode="double", request_digest="t", created_at=now, updated_at=now,
                    ))
                    db.commit()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=write_sessions) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert not any(thread.is_alive() for thread in threads)
    with Session(engine) as db:
        assert db.scalar(select(func.count()).select_from(PumpSession)) == 160


def test_a_forked_worker_opens_its_own_connections(tmp_path):
    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path}/fork.db"})
    engine = app.extensions["engine"]
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert engine.pool.checkedin() == 1
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        # The child reports what it inherited, then leaves without running the parent's cleanup.
        os.write(write, str(engine.pool.checkedin()).encode())
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 10) == b"0"
    assert engine.pool.checkedin() == 1


def test_utc_columns_read_back_aware_utc_whatever_form_the_text_has(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/t.db")
    Base.metadata.create_all(engine)
    with Session(engine) as db:
        user = User(email="t@example.com", password_hash="x", time_zone="UTC", unit="ml",
                    created_at=datetime(2026, 3, 29, 1, 30, 15, 250, tzinfo=UTC))
        db.add(user)
        db.commit()
        assert db.scalar(select(User.created_at)) == datetime(2026, 3, 29, 1, 30, 15, 250, tzinfo=UTC)
        for text_form, expected in (
            ("2026-03-29 01:30:00", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
            ("2026-03-29T03:30:00+02:00", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        ):
            db.execute(text("UPDATE users SET created_at = :value"), {"value": text_form})
            read = db.scalar(select(User.created_at))
            assert read == expected and read.utcoffset() == timedelta(0)
            [(packed,)] = all_rows(db.connection(), select(User.created_at), {})
            assert packed == expected and packed.utcoffset() == timedelta(0)


def test_all_rows_reads_a_utc_column_with_nulls_and_odd_text_among_plain_values(tmp_path):
    """SQLite's packed read parses a whole column at once; a NULL or another text form in it still reads right."""
    engine = make_engine(f"sqlite:///{tmp_path}/t.db")
    Base.metadata.create_all(engine)
    with Session(engine) as db:
        created = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
        db.add(User(id=1, email="t@example.com", password_hash="x", created_at=created))
        db.flush()
        for n in range(3):
            db.add(ApiToken(user_id=1, token_hash=str(n), created_at=created, expires_at=created))
        db.commit()
        for value in (None, "2026-03-29T03:30:00+02:00"):
            db.execute(text("UPDATE api_tokens SET last_used_at = :value WHERE token_hash = '1'"), {"value": value})
            db.execute(text("UPDATE api_tokens SET last_used_at = '2026-03-29 01:30:00.5' WHERE token_hash != '1'"))
            query = select(ApiToken.token_hash, ApiToken.last_used_at)
            assert sorted(all_rows(db.connection(), query, {})) == [
                ("0", created.replace(microsecond=500000)), ("1", value and created),
                ("2", created.replace(microsecond=500000)),
            ]


def test_all_rows_reads_what_a_plain_execute_reads_on_each_database(db):
    """One JSON array on SQLite, rows on PostgreSQL: the same tuples, typed the same, NULLs and odd text included."""
    now = datetime(2026, 11, 28, 3, 4, 5, 123456, tzinfo=UTC)
    db.add(User(id=1, email="a@example.com", password_hash="x", created_at=now))
    db.flush()
    notes = [None, 'quote " backslash \\ tab \t newline \n', "émoji 🍼 and 中文", "", "x" * 2000]
    for n, note in enumerate(notes):
        db.add(PumpSession(
            id=uuid.uuid4(), user_id=1, started_at=now - timedelta(hours=n), ended_at=now - timedelta(hours=n) +
            timedelta(minutes=15), left_ml=None if n == 0 else 10.5 * n, right_ml=n, mode="double", notes=note,
            request_digest="d", created_at=now, updated_at=now,
        ))
    db.commit()
    query = select(PumpSession.id, PumpSession.started_at, PumpSession.ended_at, PumpSession.left_ml,
                   PumpSession.right_ml, PumpSession.notes).where(PumpSession.user_id == bindparam("user_id"))
    expected = sorted(tuple(row) for row in db.connection().execute(query, {"user_id": 1}))
    got = sorted(all_rows(db.connection(), query, {"user_id": 1}))
    assert got == expected and len(got) == len(notes)
    assert [type(value) for value in got[0]] == [type(value) for value in expected[0]]
    assert got[0][1].tzinfo is not None and all_rows(db.connection(), query, {"user_id": 2}) == []


# PostgreSQL is optional on a laptop; in CI a skip fails the run and TEST_DATABASE_URL is always set.
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL is not set")
def test_a_pooled_postgres_connection_the_server_closed_is_replaced_and_a_live_one_is_not_pinged(postgres_url):
    engine = make_engine(postgres_url)
    pings = []
    ping = engine.dialect.do_ping
    engine.dialect.do_ping = lambda dbapi_connection: pings.append(1) or ping(dbapi_connection)
    backend = select(func.pg_backend_pid())
    with engine.connect() as conn:
        first = conn.scalar(backend)
    for _ in range(5):
        with engine.connect() as conn:
            assert conn.scalar(backend) == first
    assert pings == []  # a live pooled connection costs no round trip at checkout

    with make_engine(postgres_url).connect() as other:
        assert other.scalar(select(func.pg_terminate_backend(first))) is True
        other.execute(text("SELECT pg_sleep(0.2)"))
    with engine.connect() as conn:  # the pool's only connection is dead: checkout replaces it, no error
        assert conn.scalar(backend) != first
    engine.dispose()


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL is not set")
def test_postgres_reads_run_alone_and_writes_locks_and_streams_run_in_one_transaction(postgres_url):
    from psycopg.pq import TransactionStatus

    engine = make_engine(postgres_url)
    email = f"{uuid.uuid4().hex[:12]}@example.com"

    def open_transaction(db: Session) -> bool:
        """Whether the server holds a transaction for this session's connection."""
        status = db.connection().connection.dbapi_connection.info.transaction_status
        return status != TransactionStatus.IDLE

    def user(address: str) -> User:
        """A new user."""
        return User(email=address, password_hash="x", created_at=datetime.now(UTC))

    try:
        with Session(engine) as db:
            db.execute(select(User.id)).all()
            assert not open_transaction(db)  # no BEGIN before a read, so no ROLLBACK after it
            db.add(user(email))
            db.flush()
            assert open_transaction(db)
            db.add(user(email))  # the same address again: refused, and the whole transaction goes
            with pytest.raises(IntegrityError):
                db.flush()
            db.rollback()
            assert db.scalar(select(func.count()).where(User.email == email)) == 0
            db.add(user(email))
            db.commit()
            user_id = db.scalar(select(User.id).where(User.email == email))

        lock = select(User.id).where(User.id == user_id)
        with Session(engine) as first, Session(engine) as second:
            first.execute(lock.with_for_update(key_share=True))
            assert open_transaction(first)  # the lock lasts until the commit
            with pytest.raises(OperationalError):
                second.execute(lock.with_for_update(nowait=True))
            second.rollback()
            first.commit()
            assert second.scalar(lock.with_for_update(nowait=True)) == user_id
            second.commit()

        with Session(engine) as db:  # a server-side cursor (DECLARE) gets its transaction
            assert user_id in set(db.execute(select(User.id).execution_options(yield_per=1)).scalars())
    finally:
        with engine.begin() as conn:
            conn.execute(delete(User).where(User.email == email))
        engine.dispose()


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="TEST_DATABASE_URL is not set")
def test_postgres_cursors_describe_columns_as_psycopg_does_once_read(postgres_url):
    import psycopg

    engine = make_engine(postgres_url)
    query = "SELECT 1 AS one, 'x'::varchar(5) AS two, now() AS three"
    try:
        with engine.connect() as conn:
            ours = conn.connection.driver_connection.cursor()
            with psycopg.connect(make_url(postgres_url).set(drivername="postgresql").render_as_string(False)) as plain:
                theirs = plain.cursor()
                for cursor in (ours, theirs):
                    cursor.execute(query)
                assert len(ours.description) == 3
                assert [tuple(c) for c in ours.description] == [tuple(c) for c in theirs.description]
                assert [c.name for c in ours.description[-2:]] == ["two", "three"]
                for cursor in (ours, theirs):
                    cursor.execute("SET search_path TO public")
                    assert cursor.description is None
                    cursor.execute("SELECT")  # a row with no columns still has a description
                    assert list(cursor.description) == []
            ours.execute(query)
            kept = ours.description
            ours.execute("SELECT 2")
            with pytest.raises(psycopg.InterfaceError):
                kept[0]
            assert conn.execute(text(query)).keys() == ["one", "two", "three"]
    finally:
        engine.dispose()


def test_only_a_select_or_show_that_locks_nothing_runs_without_a_transaction():
    from server.db import _reads_only

    assert _reads_only("SELECT users.id FROM users WHERE users.id = %(id)s")
    assert _reads_only("\n  select 1") and _reads_only("SHOW transaction_isolation")
    for statement in ("SELECT users.id FROM users\n FOR UPDATE", "SELECT 1 FROM users FOR NO KEY UPDATE",
                      "select 1 from users for share", "SELECT 1 FROM users FOR KEY SHARE OF users",
                      "INSERT INTO users (email) VALUES (%(email)s)", "UPDATE users SET unit = 'oz'",
                      "DELETE FROM users", "WITH picked AS (SELECT 1) UPDATE users SET unit = 'oz'",
                      "CREATE TABLE t (x int)", "SAVEPOINT sa_savepoint_1"):
        assert not _reads_only(statement), statement
