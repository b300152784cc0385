"""The one cursor codec: a position goes out and comes back as it was; anything else is refused."""

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from server import base64url
from server.domain.errors import InvalidInput
from server.services.cursors import decode_cursor, encode_cursor

AT = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
ID = uuid.UUID("12345678-1234-5678-1234-567812345678")


def test_a_position_comes_back_as_it_went_out():
    later = AT.astimezone(timezone(timedelta(hours=5, minutes=30)))
    assert decode_cursor(encode_cursor(AT, later, ID), datetime, datetime, uuid.UUID) == (AT, later, ID)


@pytest.mark.parametrize("cursor", [
    "", "not base64!", "a+b/", base64url.encode(b"2026-03-29T01:30:00|not-a-uuid"),
    base64url.encode(b"2026-03-29T01:30:00|12345678-1234-5678-1234-567812345678"),  # a naive time
    base64url.encode(b"\xff\xfe"), encode_cursor(AT, AT, ID),  # another list's cursor: three parts, not two
])
def test_anything_else_is_refused(cursor):
    with pytest.raises(InvalidInput):
        decode_cursor(cursor, datetime, uuid.UUID)
