"""A parent's own Baby Buddy server as an import source: the "file" is its address and her API key, as JSON."""

import json
import pickle
import tempfile
import time
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import BinaryIO
from zoneinfo import ZoneInfo

import httpx

from server.imports.babybuddy import FetchJson, read_babybuddy_api
from server.imports.http_json import TIMEOUT_SECONDS, HttpJson
from server.imports.rows import Row, UnreadableFile

MAX_BODY_BYTES = 4096
# The rows read, kept in memory up to this size, then in a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024
# All pages together: an import is one web request, and a slow server must not hold a worker for minutes.
TIME_LIMIT_SECONDS = 60.0
SHAPE = 'Send the server\'s address and API key as {"url": "https://…", "token": "…"}.'


def read_babybuddy_server(stream: BinaryIO, zone: ZoneInfo, unit: str, now: datetime,
                          allow_private_hosts: bool = False,
                          time_limit_seconds: float = TIME_LIMIT_SECONDS) -> Iterator[Row]:
    """Yield a session or an unreadable entry for each pumping entry on the server the body names (its times carry
    offsets, so `zone` is not needed)."""
    server_url, token = _server(stream)
    rows = read_babybuddy_api(server_url, token, _fetch_within(time_limit_seconds, allow_private_hosts), unit, now)
    # Every page is read before the first row is given, so the import writes nothing while it waits on the network:
    # on SQLite its first chunk would hold the database's one write lock through the pages after it.
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as kept:
        for row in rows:
            pickle.dump(row, kept)
        end = kept.tell()
        kept.seek(0)
        while kept.tell() < end:
            yield pickle.load(kept)  # our own rows, written just above


def _server(stream: BinaryIO) -> tuple[str, str]:
    """Return the server's address and the API key the body gives, or refuse the body."""
    body = stream.read(MAX_BODY_BYTES + 1)
    try:
        document = json.loads(body) if len(body) <= MAX_BODY_BYTES else None
    except (ValueError, RecursionError):
        document = None
    if not isinstance(document, dict) or not all(isinstance(document.get(name), str) for name in ("url", "token")):
        raise UnreadableFile(SHAPE)
    return document["url"], document["token"]


def _fetch_within(seconds: float, allow_private_hosts: bool) -> FetchJson:
    """Return a fetch whose pages together take at most `seconds`."""
    deadline = time.monotonic() + seconds

    def fetch(url: str, headers: Mapping[str, str]) -> object:
        """Get one page within what is left of the time."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise UnreadableFile(f"Reading the server took more than {seconds:g} seconds, so we stopped; try again "
                                 "when it answers faster.")
        try:
            return HttpJson(allow_private_hosts, timeout_seconds=min(TIMEOUT_SECONDS, left))(url, headers)
        except httpx.InvalidURL:
            raise UnreadableFile("That server address cannot be read: check it.") from None

    return fetch
