"""Baby Buddy's pumping entries, from its export (CSV or Excel) or its REST API, each an amount without sides."""

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import BinaryIO, Protocol
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from server.imports.checks import (
    YEARS,
    check_unit,
    digest_key,
    local_to_utc,
    parse_local_time,
    parse_number,
    session_or_reason,
    to_ml,
)
from server.imports.csv_file import csv_records
from server.imports.rows import Row, Unreadable, UnreadableFile
from server.imports.xlsx_file import sheet_records

# The export is django-import-export's, from Baby Buddy's admin (babybuddy/babybuddy core/admin.py,
# PumpingImportExportResource): columns id, child_id, child_first_name, child_last_name, then the model's fields but
# duration: start, end, amount, notes, tags. Entries from before Baby Buddy's migration 0029 (June 2023) have a
# single "time" instead of start and end (core/tests/import/pumping.csv is "child_id,amount,time"); the admin also
# lets a user leave columns out. Times are written on the exporting user's clock (Baby Buddy activates her zone)
# without an offset: in a CSV as Django's first DATETIME_INPUT_FORMATS, "2017-11-17 15:03:00"; in an XLSX as
# cells with a date since django-import-export 4 (widgets.py DateTimeWidget.render drops the zone for binary
# formats), as that text before. Numbers follow her language ("9,5" in German). Amounts have no unit: she says
# which one she used.
REQUIRED = ("amount", ("start", "time"))
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S.%f")
SOURCE = "a Baby Buddy export of pumping entries"
# The API (api/serializers.py PumpingSerializer): pages of {"count", "next", "previous", "results"} from
# LimitOffsetPagination, each result {"id", "child", "amount", "start", "end", "duration", "notes", "tags"} with
# times in ISO 8601 and an offset ("2017-11-17T15:03:00-05:00"); older servers send "time" for both.
PAGE_SIZE = 500  # Baby Buddy sets no maximum; 100 a page would take 1000 requests for 100,000 entries
MAX_PAGES = 1000
TOKEN = re.compile(r"[A-Za-z0-9._~+/=-]{1,256}")


class FetchJson(Protocol):
    """Get a URL with these headers and return the JSON document it answers, parsed; raise UnreadableFile if not."""

    def __call__(self, url: str, headers: Mapping[str, str]) -> object: ...


def read_babybuddy_csv(stream: BinaryIO, zone: ZoneInfo, unit: str, now: datetime) -> Iterator[Row]:
    """Yield a session or an unreadable line for each row of a Baby Buddy pumping export in CSV."""
    check_unit(unit)
    for line, cells in csv_records(stream, REQUIRED, SOURCE):
        yield _exported(line, cells, zone, unit, now)


def read_babybuddy_xlsx(stream: BinaryIO, zone: ZoneInfo, unit: str, now: datetime) -> Iterator[Row]:
    """Yield a session or an unreadable row for each row of a Baby Buddy pumping export in Excel (.xlsx)."""
    check_unit(unit)
    for line, cells in sheet_records(stream, REQUIRED, SOURCE):
        yield _exported(line, cells, zone, unit, now)


def read_babybuddy_api(
    server_url: str, token: str, fetch: FetchJson, unit: str, now: datetime, max_pages: int = MAX_PAGES
) -> Iterator[Row]:
    """Yield a session or an unreadable entry for each pumping entry the server lists, page by page."""
    check_unit(unit)
    url = _first_page(server_url)
    if not TOKEN.fullmatch(token.strip()):
        raise UnreadableFile("That is not an API key from Baby Buddy (its user settings show the key).")
    headers = {"Authorization": f"Token {token.strip()}", "Accept": "application/json"}
    origin, visited, item = _origin(url), {url}, 0
    for _ in range(max_pages):
        results, next_url = _page(fetch(url, headers))
        for entry in results:
            item += 1
            yield _listed(item, entry, unit, now)
        if not next_url:
            return
        url = urljoin(url, next_url)
        # Only the server she named gets her token: a "next" elsewhere could send it to anyone.
        if _origin(url) != origin:
            raise UnreadableFile("The server sent us to another site for the next page, so we stopped there.")
        if url in visited:
            raise UnreadableFile("The server sent the same page twice, so we stopped there.")
        visited.add(url)
    raise UnreadableFile(f"The server has more than {max_pages} pages of pumping entries: that is more than we read.")


def _exported(line: int, cells: Mapping[str, object], zone: ZoneInfo, unit: str, now: datetime) -> Row:
    """Return the session one exported row describes, or why it cannot be read."""
    start_value = cells.get("start") if _given(cells.get("start")) else cells.get("time")
    start = _local_time(start_value)
    if start is None:
        shown = _shown(start_value)
        return Unreadable(line, f"The start time {shown} is not a date and time like 2023-06-17 10:00.")
    end = start
    if _given(cells.get("end")):
        end = _local_time(cells["end"])
        if end is None:
            shown = _shown(cells["end"])
            return Unreadable(line, f"The end time {shown} is not a date and time like 2023-06-17 10:15.")
    amount = _number(cells.get("amount"))
    if amount is None:
        return Unreadable(line, f"The amount {_shown(cells.get('amount'))} is not a number.")
    total_ml = to_ml(amount, unit)
    notes = _text(cells.get("notes"))
    if _given(cells.get("id")):
        entry_id = _number(cells["id"])
        if entry_id is None or not entry_id.is_integer() or entry_id < 1:
            return Unreadable(line, f"The id {_shown(cells['id'])} is not one Baby Buddy gives.")
        key = f"babybuddy:pumping:{int(entry_id)}"
    else:
        key = digest_key("babybuddy", start, end, total_ml, notes)
    started_at, ended_at = local_to_utc(start, zone), local_to_utc(end, zone)
    return session_or_reason(line, key, started_at, ended_at, (None, None, total_ml), notes, now)


def _listed(item: int, entry: object, unit: str, now: datetime) -> Row:
    """Return the session one API entry describes, or why it cannot be read."""
    if not isinstance(entry, Mapping):
        return Unreadable(item, "This entry is not a pumping entry.")
    entry_id = entry.get("id")
    if isinstance(entry_id, bool) or not isinstance(entry_id, int) or entry_id < 1:
        return Unreadable(item, "This entry has no id.")
    start = _instant(entry.get("start", entry.get("time")))
    end = _instant(entry.get("end", entry.get("time")))
    if start is None or end is None:
        return Unreadable(item, "Its times are not dates and times with a time zone.")
    amount = _number(entry.get("amount")) if not isinstance(entry.get("amount"), str) else None
    if amount is None:
        return Unreadable(item, "Its amount is not a number.")
    notes = entry.get("notes")
    notes = notes.strip() if isinstance(notes, str) else None
    key = f"babybuddy:pumping:{entry_id}"
    return session_or_reason(item, key, start, end, (None, None, to_ml(amount, unit)), notes, now)


def _first_page(server_url: str) -> str:
    """Return the address of the first page of pumping entries on the server, or refuse the address."""
    parts = urlsplit(server_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnreadableFile("The server's address must start with https:// (or http://) and name a host.")
    if parts.username or parts.password:
        raise UnreadableFile("Leave the user name and password out of the server's address: the API key is enough.")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}/api/pumping/?limit={PAGE_SIZE}"


def _origin(url: str) -> tuple[str, str | None, int | None]:
    """Return the scheme, host and port a URL reaches, the default port spelled out."""
    parts = urlsplit(url)
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        port = None
    return parts.scheme, parts.hostname, port


def _page(document: object) -> tuple[list[object], str | None]:
    """Return a page's entries and the address of the next page, or refuse what is not a page of them."""
    if isinstance(document, Mapping):
        results, next_url = document.get("results"), document.get("next")
        if isinstance(results, list) and (next_url is None or isinstance(next_url, str)):
            return results, next_url
    raise UnreadableFile("The server's answer is not Baby Buddy's list of pumping entries: check its address.")


def _instant(value: object) -> datetime | None:
    """Return the aware time an API entry gives in ISO 8601, or None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None and parsed.year in YEARS else None


def _local_time(value: object) -> datetime | None:
    """Return the wall-clock time in an exported cell: a spreadsheet date, or text in Django's layout."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.year in YEARS else None
    return parse_local_time(value, TIME_FORMATS) if isinstance(value, str) else None


def _number(value: object) -> float | None:
    """Return the number in an exported cell: a spreadsheet number, or text with a point or comma."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        # JSON and XML allow integers too long for a float: that is no amount either.
        return float(value) if abs(value) < 1e15 else None
    return parse_number(value) if isinstance(value, str) else None


def _text(value: object) -> str | None:
    """Return an exported cell as text, None when it is empty; a formula stays the text it is."""
    return str(value).strip() or None if value is not None else None


def _given(value: object) -> bool:
    """Tell whether an exported cell holds anything."""
    return value is not None and str(value).strip() != ""


def _shown(value: object) -> str:
    """Quote a cell for a message, shortened."""
    text = "" if value is None else str(value)
    return repr(text if len(text) <= 40 else text[:40] + "…")
