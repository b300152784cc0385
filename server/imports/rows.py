"""What a reader finds in a file: sessions it can store, and lines it cannot read with the reason."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ImportedSession:
    """One pumping session read from another app's file, in UTC and millilitres."""

    line: int  # where it was found (line of a CSV, row of a sheet, item of an API page), for the preview
    # Provenance: the source and what identifies the row there ("babybuddy:pumping:42", or a digest of the
    # row's own fields where the source has no id), kept on the stored row so a re-import skips it.
    key: str
    started_at: datetime  # aware, UTC
    ended_at: datetime  # aware, UTC; equal to started_at when the source gives no duration
    left_ml: float | None
    right_ml: float | None
    total_ml: float | None  # only when the source gives one amount without sides
    notes: str | None


@dataclass(frozen=True)
class Unreadable:
    """A line the reader could not use, and why, in words a parent understands."""

    line: int
    reason: str


Row = ImportedSession | Unreadable


class UnreadableFile(ValueError):
    """The whole file (or server) cannot be read; the message says why, in words a parent understands."""
