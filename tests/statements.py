"""Recording the SQL statements that a block of code sends, for tests that count reads."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event


@contextmanager
def recorded(engine: Engine) -> Iterator[list[str]]:
    """Yield a list that collects every statement the engine sends while the block runs."""
    statements: list[str] = []

    def keep(_conn, _cursor, statement, *_args):
        """Remember the statement as sent to the driver."""
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", keep)
