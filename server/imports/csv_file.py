"""A CSV upload read with care: UTF-8 (a BOM is fine), no line over 1 MB, the columns a reader needs."""

import csv
import io
from collections.abc import Collection, Iterator
from typing import BinaryIO

from server.imports.rows import UnreadableFile

MAX_LINE_CHARS = 1024 * 1024
# What an upload starts with when it is not text at all, and what to tell the parent.
NOT_CSV = {
    b"PK\x03\x04": "This is a spreadsheet or zip file, not a CSV file.",
    b"\xd0\xcf\x11\xe0": "This is an old Excel file (.xls), not a CSV file: save it as CSV UTF-8 and try again.",
    b"%PDF": "This is a PDF, not a CSV file.",
    b"\xff\xfe": "This file is saved as UTF-16 text: save it as CSV UTF-8 and try again.",
    b"\xfe\xff": "This file is saved as UTF-16 text: save it as CSV UTF-8 and try again.",
}


def missing_columns(header: Collection[str], required: Collection[str | tuple[str, ...]]) -> list[str]:
    """Return the required columns the header lacks; a tuple names columns any one of which will do."""
    alternatives = [(name,) if isinstance(name, str) else name for name in required]
    return [" or ".join(names) for names in alternatives if not any(name in header for name in names)]


def csv_records(
    stream: BinaryIO, required: Collection[str | tuple[str, ...]], source: str
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield each record's first line number and its cells by column name, after checking the header."""
    wrapped = not hasattr(stream, "peek")  # peek() shows the first bytes without consuming them
    buffered = io.BufferedReader(stream) if wrapped else stream  # type: ignore[arg-type]
    head = buffered.peek(4)[:4]
    for magic, message in NOT_CSV.items():
        if head.startswith(magic):
            raise UnreadableFile(message)
    # utf-8-sig drops a BOM (Excel's "CSV UTF-8" writes one); newline="" keeps line ends for the csv module, which
    # needs them to read a note with line breaks in quotes.
    text = io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="")
    reader = csv.reader(_lines(text))
    try:
        first = _next(reader)
        if first is None:
            raise UnreadableFile("The file is empty.")
        header = [name.strip() for name in first]
        missing = missing_columns(header, required)
        if missing:
            raise UnreadableFile(f"This is not {source}: it has no column {', '.join(missing)}.")
        last_line = reader.line_num
        while (cells := _next(reader)) is not None:
            first_line, last_line = last_line + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                yield first_line, dict(zip(header, cells, strict=False))
    finally:
        # The caller's stream stays open: a wrapper left to the garbage collector would close it.
        text.detach()
        if wrapped:
            buffered.detach()


def _lines(text: io.TextIOWrapper) -> Iterator[str]:
    """Yield the lines of the text, refusing one longer than MAX_LINE_CHARS."""
    number = 0
    while line := text.readline(MAX_LINE_CHARS + 1):
        number += 1
        if len(line) > MAX_LINE_CHARS:
            raise UnreadableFile(f"Line {number} is longer than 1 MB: this is not a file an app exports.")
        yield line


def _next(reader) -> list[str] | None:
    """Return the reader's next record, or None at the end; refuse what is not UTF-8 CSV."""
    try:
        return next(reader)
    except StopIteration:
        return None
    except UnicodeDecodeError:
        raise UnreadableFile(
            "The file is not UTF-8 text: export it again from the app, or save it as CSV UTF-8."
        ) from None
    except csv.Error as error:
        raise UnreadableFile(f"The file is not a CSV file the app writes (line {reader.line_num}: {error}).") from None
