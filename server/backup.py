"""Back up a live SQLite database with SQLite's online backup API, and restore one that nobody has open."""

import os
import sqlite3


class RestoreRefused(RuntimeError):
    """The restore would overwrite a database in use, or the file is not a sound SQLite database."""


def backup(database: str, path: str) -> int:
    """Copy the database to path as one consistent snapshot while writers go on; return its page count."""
    tmp = f"{path}.partial"
    source, target = sqlite3.connect(database), sqlite3.connect(tmp)
    try:
        # One step: the copy is a single read transaction, and WAL lets writers continue beside it.
        source.backup(target)
        pages = target.execute("PRAGMA page_count").fetchone()[0]
    finally:
        source.close()
        target.close()
    # Renamed into place only when complete, so PATH never holds half a backup.
    os.replace(tmp, path)
    return pages


def _check_sound(path: str) -> None:
    """Refuse a file that is not an intact SQLite database."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise RestoreRefused(f"{path} is not a SQLite database: {exc}") from exc
    if verdict != "ok":
        raise RestoreRefused(f"{path} fails SQLite's check: {verdict}")


def restore(path: str, database: str) -> None:
    """Overwrite the database with the backup at path, refusing while any process has the database open."""
    _check_sound(path)
    target = sqlite3.connect(database, timeout=0)
    try:
        # Every connection to a WAL database holds a shared lock, so leaving WAL fails while one is open.
        try:
            mode = target.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        except sqlite3.OperationalError:
            mode = "in use"
        if mode != "delete":
            raise RestoreRefused(f"{database} is in use: stop the web and clock processes, then restore.")
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(target)
        finally:
            source.close()
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
