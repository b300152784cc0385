"""What a sender takes and gives back: messages, results, and the Sender protocol dispatch depends on."""

import base64
import binascii
import hashlib
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Protocol

from server.domain.delivery import Outcome


@dataclass(frozen=True)
class Subscription:
    """A browser's push subscription: endpoint plus its base64url keys."""

    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class Message:
    """One payload for one subscription, with its Web Push headers."""

    subscription: Subscription
    payload: bytes
    ttl: int
    urgency: str = "normal"
    topic: str | None = None
    handle: Hashable = None  # the caller's name for the message, returned untouched in its Result


@dataclass(frozen=True)
class Result:
    """How one message went: outcome, HTTP status and any Retry-After seconds."""

    message: Message
    outcome: Outcome
    status: int | None = None
    retry_after: float | None = None
    error: str | None = None


class Sender(Protocol):
    """Anything that sends messages and hands back their results as they arrive (PushClient, a test's fake)."""

    def deliver(self, messages: Sequence[Message], record: Callable[[list[tuple[int, Result]]], None],
                stop: threading.Event | None = None) -> int:
        """Send messages, calling `record` with (index, Result) pairs as they arrive; return how many got none."""


def b64url_decode(value: str) -> bytes:
    """Decode base64url with or without padding; raise ValueError on anything else."""
    if not isinstance(value, str) or not value or any(c in value for c in "+/ \n\t"):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc


def b64url_encode(raw: bytes) -> str:
    """Encode bytes as unpadded base64url."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def topic_for(name: str) -> str:
    """Make a Topic header value (at most 32 base64url characters) from any name."""
    return b64url_encode(hashlib.sha256(name.encode()).digest()[:24])
