"""What a sender takes and gives back: messages, results, and the Sender protocol dispatch depends on."""

import hashlib
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Protocol

from server.base64url import encode as b64url_encode
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


def topic_for(name: str) -> str:
    """Make a Topic header value (at most 32 base64url characters) from any name."""
    return b64url_encode(hashlib.sha256(name.encode()).digest()[:24])
