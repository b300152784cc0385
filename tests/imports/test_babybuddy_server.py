"""A Baby Buddy server as an import source: the body names it, and all its pages together have a time limit."""

import contextlib
import io
import json
import time
from zoneinfo import ZoneInfo

import pytest

from server.imports.babybuddy_server import read_babybuddy_server
from server.imports.rows import ImportedSession, UnreadableFile
from tests.imports.test_babybuddy_api import NOW, TOKEN, address, entry, server  # noqa: F401 (the fixture)

UTC_ZONE = ZoneInfo("UTC")


def body(document: object) -> io.BytesIO:
    """Return a request body holding `document` as JSON."""
    return io.BytesIO(json.dumps(document).encode())


def read(stream, **settings) -> list:
    """Read every entry from the server the body names, on loopback."""
    return list(read_babybuddy_server(stream, UTC_ZONE, "oz", NOW, allow_private_hosts=True, **settings))


def test_the_server_the_body_names_is_read_in_the_unit_given(server):  # noqa: F811
    server.entries = [entry(2), entry(1)]

    rows = read(body({"url": address(server), "token": TOKEN}))

    assert [row.key for row in rows] == ["babybuddy:pumping:2", "babybuddy:pumping:1"]
    assert all(isinstance(row, ImportedSession) and row.total_ml == pytest.approx(9 * 29.5735295625) for row in rows)


def test_every_page_is_read_before_the_first_row_is_given(server):  # noqa: F811
    server.entries = [entry(number) for number in range(1200, 0, -1)]

    rows = read_babybuddy_server(body({"url": address(server), "token": TOKEN}), UTC_ZONE, "ml", NOW,
                                 allow_private_hosts=True)
    first = next(rows)

    assert len(server.requests) == 3 and first.key == "babybuddy:pumping:1200"
    assert [row.line for row in rows] == list(range(2, 1201))


@pytest.mark.parametrize("data", [
    b"", b"not json", b"\xff\xfe", b"[]", json.dumps({"url": "https://a.example"}).encode(),
    json.dumps({"url": "https://a.example", "token": 42}).encode(),
    json.dumps({"url": "https://a.example", "token": "k" * 5000}).encode(),
])
def test_a_body_that_does_not_name_a_server_and_a_key_is_refused(data):
    with pytest.raises(UnreadableFile, match="address and API key"):
        read(io.BytesIO(data))


def test_pages_that_together_take_longer_than_the_limit_stop_the_reading(server):  # noqa: F811
    def slowly(handler):
        """Answer a page of one entry a little late, with a link to one more."""
        time.sleep(0.3)
        page = len(server.requests)
        with contextlib.suppress(BrokenPipeError):  # the reader stopped waiting
            handler.send(200, {"next": f"{address(server)}/api/pumping/?limit=500&offset={page * 500}",
                               "results": [entry(page)]})

    server.answer = slowly
    started = time.monotonic()
    with pytest.raises(UnreadableFile, match="took more than 1 seconds|took too long"):
        read(body({"url": address(server), "token": TOKEN}), time_limit_seconds=1)
    # More than one page was read (the limit is the whole reading's), and not many more: on a busy machine a page
    # takes longer than its 0.3 s, so two may be all that fit in the second.
    assert time.monotonic() - started < 1.5 and 2 <= len(server.requests) <= 4
