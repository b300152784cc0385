"""Delivery rules for reminders: notification payload, TTL, urgency, retries, expiry."""

import json
from datetime import datetime, timedelta

TEST = "test"
MAX_ATTEMPTS = 5
# A subscription its push service refuses permanently (400/403...) this many times in a row is stopped.
STOP_AFTER_REFUSALS = 3
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(minutes=15)
MAX_PAYLOAD_BYTES = 2000  # push services take 4 KB; staying under 2 KB leaves room for encryption
# How long a push service should hold a message for an offline phone, by kind.
TTL = {
    "plan_slot": timedelta(minutes=30),
    "phase_change": timedelta(minutes=5),
    "gap": timedelta(hours=1),
    TEST: timedelta(minutes=10),
}
DEFAULT_TTL = timedelta(hours=1)
# Without an explicit expiry, a reminder this late helps no one: expire it instead of sending.
STALE_AFTER = {"gap": timedelta(hours=2), TEST: timedelta(minutes=10)}
DEFAULT_STALE_AFTER = timedelta(hours=6)
URGENT_KINDS = frozenset({"plan_slot", "phase_change", TEST})
ACTIONS = [
    {"action": "start", "title": "Start"},
    {"action": "snooze", "title": "Snooze 10 min"},
    {"action": "skip", "title": "Skip"},
]


def expiry(kind: str, due_at: datetime, expires_at: datetime | None) -> datetime:
    """Return the moment after which the reminder is too late to send."""
    return expires_at or due_at + STALE_AFTER.get(kind, DEFAULT_STALE_AFTER)


def is_too_late(kind: str, due_at: datetime, expires_at: datetime | None, now: datetime) -> bool:
    """Tell whether sending now would only confuse (for example the slot has ended)."""
    return now >= expiry(kind, due_at, expires_at)


def ttl_seconds(kind: str, due_at: datetime, expires_at: datetime | None, now: datetime) -> int:
    """Return the TTL: the kind's hold time, never past the reminder's expiry."""
    left = expiry(kind, due_at, expires_at) - now
    return max(0, int(min(TTL.get(kind, DEFAULT_TTL), left).total_seconds()))


def urgency(kind: str) -> str:
    """Return the Web Push Urgency: high for plan reminders so a dozing phone wakes."""
    return "high" if kind in URGENT_KINDS else "normal"


def retry_at(attempts: int, retry_after_s: float | None, now: datetime) -> datetime:
    """Return when to try again: exponential backoff from 30 s, never sooner than Retry-After."""
    backoff = min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)
    return now + max(backoff, timedelta(seconds=retry_after_s or 0))


def should_stop(refusals: int) -> bool:
    """Tell whether a subscription refused this many times in a row must stop receiving reminders."""
    return refusals >= STOP_AFTER_REFUSALS


def stop_reason(status: int | None) -> str:
    """Explain to a parent why reminders stopped on a phone, and what turns them on again."""
    answer = f" (HTTP {status})" if status else ""
    return (f"Reminders stopped on this phone: its push service refused them {STOP_AFTER_REFUSALS} times"
            f"{answer}. Open Pumpwell on this phone and turn reminders on again.")


def tag(dedupe_key: str) -> str:
    """Return the notification tag: a newer reminder for the same thing replaces the older one."""
    return f"pumpwell:{dedupe_key}"[:64]


def notification_payload(
    reminder_id: int, kind: str, dedupe_key: str, content: dict, base_url: str = ""
) -> bytes:
    """Build the JSON the service worker (or Declarative Web Push) shows, under 2 KB."""
    title = str(content.get("title") or "Pumpwell")[:120]
    body = str(content.get("body") or "")[:400]
    url = str(content.get("url") or "/")
    url = url if len(url) <= 300 else "/"
    navigate = base_url.rstrip("/") + url if url.startswith("/") else url

    def encode(body_text: str) -> bytes:
        """Serialise the payload with the given body."""
        return json.dumps({
            "title": title, "body": body_text, "tag": tag(dedupe_key), "reminder_id": reminder_id,
            "kind": kind, "url": url, "actions": ACTIONS, "web_push": 8030,
            "notification": {"title": title, "body": body_text, "navigate": navigate,
                             "tag": tag(dedupe_key), "silent": False},
        }, separators=(",", ":"), ensure_ascii=False).encode()

    data = encode(body)
    while len(data) > MAX_PAYLOAD_BYTES and body:
        body = body[: len(body) * 3 // 4]
        data = encode(body + "…" if body else "")
    return data
