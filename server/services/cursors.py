"""Keyset cursors: the position after a page's last row, as an opaque token the client sends back (every list's)."""

import uuid
from datetime import datetime

from server import base64url
from server.domain.errors import InvalidInput

Part = datetime | uuid.UUID


def encode_cursor(*position: Part) -> str:
    """Encode a row's position (aware times and ids, in the list's order) as a cursor."""
    return base64url.encode("|".join(part.isoformat() if isinstance(part, datetime) else str(part)
                                     for part in position).encode())


def decode_cursor(cursor: str, *kinds: type[Part]) -> tuple[Part, ...]:
    """Decode a cursor made by encode_cursor into parts of these kinds, refusing anything else (InvalidInput)."""
    try:
        parts = base64url.decode(cursor).decode().split("|")
        if len(parts) != len(kinds):
            raise ValueError("not this list's cursor")
        position = tuple(datetime.fromisoformat(p) if kind is datetime else uuid.UUID(p) for p, kind in zip(
            parts, kinds, strict=True))
    except (ValueError, UnicodeDecodeError):
        raise _not_ours() from None
    # Times are written aware; a naive one was not made here.
    if any(isinstance(part, datetime) and part.tzinfo is None for part in position):
        raise _not_ours()
    return position


def _not_ours() -> InvalidInput:
    """Return the refusal of a cursor this API did not make."""
    return InvalidInput("The cursor is not valid.", {"cursor": ["Not a cursor from this API."]})
