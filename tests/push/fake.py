"""A scripted Sender: answers each endpoint from a script, so delivery rules are tested without HTTP."""

import os
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from datetime import datetime

from server.domain.delivery import Outcome, cap_retry_after, classify
from server.models import PushSubscription
from server.push import Message, Result, b64url_encode


class ScriptedSender:
    """Answers 201 unless told otherwise; a script entry is a status, (status, Retry-After s) or None (time-out)."""

    def __init__(self):
        """Start with no subscriptions, no script and nothing sent."""
        self._script: dict[str, deque] = defaultdict(deque)
        self.sent: list[Result] = []

    def subscribe(self, db, user_id: int, now: datetime) -> str:
        """Store a subscription of the user at an allowed push host; return its endpoint."""
        endpoint = f"https://fcm.googleapis.com/fcm/send/{b64url_encode(os.urandom(12))}"
        db.add(PushSubscription(user_id=user_id, endpoint=endpoint, p256dh="p", auth="a", created_at=now))
        db.commit()
        return endpoint

    def answer(self, endpoint: str, *replies) -> None:
        """Queue answers for an endpoint's next messages; then 201."""
        self._script[endpoint].extend(replies)

    def statuses(self, endpoint: str) -> list[int | None]:
        """Return the status of every message sent to an endpoint (None: it timed out)."""
        return [r.status for r in self.sent if r.message.subscription.endpoint == endpoint]

    def deliver(self, messages: Sequence[Message], record: Callable[[list[tuple[int, Result]]], None],
                stop: threading.Event | None = None) -> int:
        """Answer every message from the script and record the results in one go."""
        results = [(index, self._result(message)) for index, message in enumerate(messages)]
        self.sent.extend(result for _, result in results)
        if results:
            record(results)
        return 0

    def _result(self, message: Message) -> Result:
        """Turn the endpoint's next scripted answer into a Result."""
        script = self._script[message.subscription.endpoint]
        reply = script.popleft() if script else 201
        if reply is None:
            return Result(message, Outcome.RETRY, error="TimeoutError: scripted")
        status, retry_after = reply if isinstance(reply, tuple) else (reply, None)
        outcome = classify(status)
        return Result(message, outcome, status=status,
                      retry_after=cap_retry_after(retry_after) if outcome is Outcome.RETRY and retry_after else None,
                      error=None if outcome is Outcome.DELIVERED else f"HTTP {status}")
