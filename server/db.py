"""Engine and one session per request; SQLite tuned for a phone-sized server."""

import fcntl
import functools
import logging
import os
import re
import select
import weakref
from collections.abc import Mapping, Sequence

import orjson
from flask import Flask, current_app, g
from sqlalchemy import CompoundSelect, Connection, Dialect, Engine, Select, create_engine, event, func, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from server.logs import describe

log = logging.getLogger(__name__)

# Engines of this process: a child forked from it (a gunicorn worker under --preload) must not share their pools.
_ENGINES: "weakref.WeakSet[Engine]" = weakref.WeakSet()


def _forget_parent_connections() -> None:
    """In a forked child, drop the inherited pools without closing the parent's connections."""
    for engine in list(_ENGINES):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_parent_connections)


def database_url(app: Flask) -> str:
    """Return the configured database URL, or SQLite under instance/ by default."""
    url = app.config.get("DATABASE_URL") or ""
    if not url:
        os.makedirs(app.instance_path, exist_ok=True)
        url = "sqlite:///" + os.path.join(app.instance_path, "pumpwell.db")
    # Heroku-style URLs say postgres://; SQLAlchemy wants a driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str, busy_timeout_ms: int = 5000) -> Engine:
    """Create an engine: SQLite with WAL, foreign keys and a busy timeout; PostgreSQL with lazy transactions."""
    if not url.startswith("sqlite"):
        # Sessions in UTC: timestamps then arrive as UTC and need no conversion per value (models.UTCDateTime).
        # Autocommit until a write: see _begin_at_first_write. Columns described on demand: see _described_on_demand.
        engine = create_engine(url, hide_parameters=True, connect_args={
            "options": "-c TimeZone=UTC", "autocommit": True, "cursor_factory": _described_on_demand()})
        event.listen(engine, "checkout", functools.partial(_replace_if_hung_up, engine.dialect))
        _begin_at_first_write(engine)
        return engine
    engine = create_engine(url, hide_parameters=True, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_connection, _record):
        """Apply per-connection pragmas: SQLite forgets them between connections."""
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        # WAL with synchronous=NORMAL stays consistent after a crash and skips an fsync per commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    # pysqlite's default stays: it opens a transaction at the first write, not the first
    # read, so a writer waits for the lock instead of failing on a stale read snapshot.
    database = make_url(url).database
    if database and database != ":memory:":
        _queue_writers(engine, database + ".writelock")
    return engine


def _described_on_demand() -> type:
    """Return a psycopg cursor class whose description describes each column only when something reads it.

    SQLAlchemy reads a cursor's description after every statement, but once a statement's result has been mapped
    it only checks that there are columns. psycopg described every column each time, one Python object per column:
    5-9% of the instructions of a page of sessions, a summary or a create.
    """
    # Imported here: a SQLite deployment never loads the PostgreSQL driver.
    from psycopg import Column, Cursor, InterfaceError
    from psycopg.pq import ExecStatus

    rows = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)

    class Columns(Sequence):
        """The columns of the cursor's current result, described at the first look."""

        def __init__(self, cursor: Cursor, count: int):
            self._cursor, self._result, self._count, self._columns = cursor, cursor.pgresult, count, None

        def __len__(self) -> int:
            return self._count

        def __getitem__(self, index):
            if self._columns is None:
                if self._cursor.pgresult is not self._result:
                    raise InterfaceError("the cursor has moved on to another result: read its description again")
                self._columns = [Column(self._cursor, i) for i in range(self._count)]
            return self._columns[index]

    class DescribedOnDemand(Cursor):
        """A cursor whose description costs nothing until it is read."""

        @property
        def description(self):
            """The current result's columns, or None for a result without rows (psycopg's own test)."""
            result = self.pgresult
            if result is None or not (result.nfields or result.status in rows):
                return None
            return Columns(self, result.nfields)

    return DescribedOnDemand


def _begin_at_first_write(engine: Engine) -> None:
    """Open a PostgreSQL transaction at its first write, as pysqlite does on SQLite, not at its first read.

    The connections run in autocommit, so a request that only reads sends its SELECTs alone. psycopg's BEGIN
    before the first one and the pool's ROLLBACK after the last were two round trips of four for a page of
    sessions, half of PostgreSQL's work for it, and each ROLLBACK made psycopg forget its prepared statements.
    Reads see what they saw before: under READ COMMITTED every statement takes its own snapshot anyway.
    A write, a read that locks rows (held until the commit) and a server-side cursor (DECLARE needs a
    transaction) begin one first; everything after runs inside it until the session commits or rolls back.
    A SELECT calling a function that writes or takes a transaction lock would need a transaction too: the
    app has none.
    """
    # Imported here: a SQLite deployment never loads the PostgreSQL driver.
    from psycopg import ServerCursor
    from psycopg.pq import TransactionStatus

    @event.listens_for(engine, "before_cursor_execute")
    def _begin(_conn, cursor, statement, _parameters, _context, _executemany):
        """Send BEGIN before a statement that needs a transaction, unless one is open."""
        connection = cursor.connection
        if connection.pgconn.transaction_status == TransactionStatus.IDLE and (
            isinstance(cursor, ServerCursor) or not _reads_only(statement)
        ):
            connection.execute("BEGIN")


_LOCKING_CLAUSE = re.compile(r"\bFOR\s+(UPDATE|NO\s+KEY\s+UPDATE|SHARE|KEY\s+SHARE)\b", re.IGNORECASE)


@functools.lru_cache(maxsize=1024)
def _reads_only(statement: str) -> bool:
    """Tell whether a statement only reads: a SELECT (or SHOW) that locks no rows."""
    first_word = statement.split(None, 1)[0].upper() if statement.strip() else ""
    return first_word in ("SELECT", "SHOW") and not _LOCKING_CLAUSE.search(statement)


def _replace_if_hung_up(dialect: Dialect, dbapi_connection, _record, _proxy) -> None:
    """Make the pool replace a pooled connection that the server has closed, before a request uses it.

    A restarted or terminated server leaves each pooled connection's socket readable (its last message, or the
    end of the stream), while an idle live one has nothing to read. So one poll with no wait tells them apart;
    only then does it cost a ping, a round trip that pool_pre_ping spent on every request (a tenth of a read's
    time on PostgreSQL). A connection the server drops later fails its request with a 503, as it would anyway.
    """
    try:
        readable = select.select([dbapi_connection.fileno()], [], [], 0)[0]
    except (OSError, ValueError, dialect.loaded_dbapi.Error):  # closed already: no file descriptor
        raise DisconnectionError() from None
    if readable:
        # Most likely the server's goodbye; anything else a live connection may have sent, a ping reads.
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError() from exc


def _queue_writers(engine: Engine, lock_path: str) -> None:
    """Make SQLite writers of every process wait in line on a file lock.

    SQLite's busy handler polls with naps of up to 100 ms, so under concurrent writes a
    waiter can sleep long after the lock is free; a blocking flock wakes it at once.
    """

    @event.listens_for(engine, "before_cursor_execute")
    def _take_write_lock(conn, _cursor, statement, _params, _context, _executemany):
        """Join the writers' line before the transaction's first write."""
        if "write_lock" not in conn.info and statement.lstrip()[:6].upper() not in ("SELECT", "PRAGMA"):
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            conn.info["write_lock"] = fd

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _release_write_lock(conn):
        """Leave the line when the transaction ends (closing the file releases the lock)."""
        fd = conn.info.pop("write_lock", None)
        if fd is not None:
            os.close(fd)


def all_rows(conn: Connection, query: Select | CompoundSelect, params: Mapping) -> list[tuple]:
    """Return every row of a query (one without LIMIT) as plain tuples, in no promised order: the caller sorts.

    On SQLite the rows come in one step of the database, as one JSON array. pysqlite lets go of the GIL for each
    row it steps to and must take it back after: with other threads of the worker busy, that hand-off costs more
    than the read (one thread read a 90-day range 709 times a second, two threads together 222; as one JSON
    array, 818 and 1,368). PostgreSQL sends the rows at once anyway.
    """
    if conn.dialect.name != "sqlite":
        # fetchall: iterating the result fetched row by row, each through psycopg's Python code.
        return list(map(tuple, conn.execute(query, params).all()))
    packed, converters = _packed(query, conn.dialect)
    rows = orjson.loads(conn.execute(packed, params).scalar_one())
    if not rows:
        return []
    # Column by column: the conversion runs in C through map, not in a Python loop per value.
    columns = [values if convert is None else convert(values)
               for convert, values in zip(converters, zip(*rows, strict=True), strict=True)]
    return list(zip(*columns, strict=True))


@functools.cache
def _packed(query: Select | CompoundSelect, dialect: Dialect) -> tuple[Select, list]:
    """Return, once per query, the query as one JSON array and a converter per column (None: kept as read).

    A column type may say how to read it packed (models.UTCDateTime.packed_sqlite): the value as SQL gives it,
    and one function converting the whole column; other types convert value by value with their processor.
    """
    if isinstance(query, CompoundSelect):
        # A union's columns can only be aggregated from outside it.
        query = query.subquery().select()
    read, converters = [], []
    for column in query.selected_columns:
        packed_sqlite = getattr(column.type, "packed_sqlite", None)
        if packed_sqlite is not None:
            expression, convert = packed_sqlite(column)
        else:
            expression, processor = column, column.type.dialect_impl(dialect).result_processor(dialect, None)
            convert = None if processor is None else functools.partial(_each, processor)
        read.append(expression)
        converters.append(convert)
    # Straight from the table, not from the ordered query as a subquery: SQL promises no order of the rows inside
    # an aggregate anyway, and the subquery's extra pass cost a quarter of the read (0.76 ms against 1.06 for
    # a 90-day range).
    packed = query.with_only_columns(func.json_group_array(func.json_array(*read))).order_by(None)
    return packed, converters


def _each(processor, values: tuple) -> list:
    """Convert a column value by value."""
    return list(map(processor, values))


def init_app(app: Flask) -> None:
    """Create the app's engine and session factory and close sessions after each request."""
    engine = make_engine(database_url(app), app.config["SQLITE_BUSY_TIMEOUT_MS"])
    app.extensions["engine"] = engine
    _ENGINES.add(engine)
    app.extensions["sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(close_db)


def get_db() -> Session:
    """Return this request's session, opening it on first use."""
    if "db" not in g:
        g.db = current_app.extensions["sessionmaker"]()
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    """Close this request's session, rolling back anything left uncommitted."""
    db = g.pop("db", None)
    if db is not None:
        try:
            db.close()
        except DBAPIError as error:
            # The database went away under this request, which has answered already (503). The
            # pool has discarded the dead connection; the next request opens a fresh one.
            log.warning("closing a session on a lost database connection failed (%s)", describe(error))
