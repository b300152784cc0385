"""An Excel workbook (.xlsx) upload read row by row, its formulas kept as the text they are, never computed."""

import shutil
import tempfile
import zipfile
from collections.abc import Collection, Iterator
from typing import BinaryIO
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from server.imports.csv_file import missing_columns
from server.imports.rows import UnreadableFile

# What a broken or hostile workbook makes openpyxl raise: a bad zip, a missing part, XML that does not parse or
# that defusedxml refuses (its errors are ValueErrors), a cell of a type it does not know.
BROKEN = (zipfile.BadZipFile, InvalidFileException, KeyError, ParseError, ValueError, TypeError, OSError, EOFError)
# An upload kept in memory up to this size, then in a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024


def sheet_records(
    stream: BinaryIO, required: Collection[str | tuple[str, ...]], source: str
) -> Iterator[tuple[int, dict[str, object]]]:
    """Yield the row number and cells by column name of each row of the first sheet, after checking the header."""
    if not stream.seekable():
        # A workbook is a zip, read from its end: an upload arriving as a stream is kept first.
        kept = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
        shutil.copyfileobj(stream, kept)
        kept.seek(0)
        stream = kept
    try:
        # read_only streams the sheet instead of loading it whole; data_only=False gives a formula's text
        # ("=HYPERLINK(...)") where data_only would give a value some spreadsheet once computed.
        workbook = load_workbook(stream, read_only=True, data_only=False)
    except BROKEN:
        raise UnreadableFile("This is not an Excel workbook (.xlsx) that can be read.") from None
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [str(name).strip() if name is not None else "" for name in next(rows, ())]
        if not header:
            raise UnreadableFile("The workbook's first sheet is empty.")
        missing = missing_columns(header, required)
        if missing:
            raise UnreadableFile(f"This is not {source}: it has no column {', '.join(missing)}.")
        for number, values in enumerate(rows, start=2):
            if any(value not in (None, "") for value in values):
                yield number, dict(zip(header, values, strict=False))
    except UnreadableFile:
        raise
    except BROKEN:
        raise UnreadableFile("The workbook is damaged: part of it cannot be read.") from None
    except IndexError:
        raise UnreadableFile("The workbook has no sheet.") from None
    finally:
        workbook.close()
