"""A reminder's life once stored: its statuses, the moves allowed from each, the delivery verdict, backoff,
expiry and the notification it becomes."""

import enum
import json
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from server.domain.errors import Conflict
from server.domain.languages import N_


class Status(enum.StrEnum):
    """Where a reminder is in its life; the reminders table's CHECK constraint allows exactly these."""

    PENDING = "pending"  # waiting for send_after
    SENDING = "sending"  # a clock holds its lease and is posting it
    SENT = "sent"  # at least one device's push service accepted it
    FAILED = "failed"  # no device could take it, or retries ran out
    EXPIRED = "expired"  # too late to help, never sent
    CANCELLED = "cancelled"  # withdrawn: its plan ended, its gap closed, or a newer one replaced it
    SKIPPED = "skipped"  # the parent said not to send it
    DONE = "done"  # the parent did what it asked


class Move(enum.StrEnum):
    """What can happen to a reminder."""

    SNOOZE = "snooze"  # the parent: again in a while, even after it was sent
    SKIP = "skip"  # the parent: do not send it
    DONE = "done"  # the parent: already did it
    SEND = "send"  # a clock claims it (or takes over a lapsed lease)
    RETRY = "retry"  # a clock gives it back for a later try
    EXPIRE = "expire"  # a clock finds it too late
    CANCEL = "cancel"  # its source withdraws it, or a newer pending one with its key replaces it


# The parent may act on a reminder at any time except while it is in flight or after it was withdrawn.
_BY_PARENT = frozenset({Status.PENDING, Status.SENT, Status.FAILED, Status.EXPIRED, Status.SKIPPED, Status.DONE})
# From which statuses each move may happen, and where it leads (SEND ends in the verdict's status).
ALLOWED_FROM: dict[Move, frozenset[Status]] = {
    Move.SNOOZE: _BY_PARENT,
    Move.SKIP: _BY_PARENT,
    Move.DONE: _BY_PARENT,
    Move.SEND: frozenset({Status.PENDING, Status.SENDING}),
    Move.RETRY: frozenset({Status.SENDING}),
    Move.EXPIRE: frozenset({Status.SENDING}),
    Move.CANCEL: frozenset({Status.PENDING, Status.SENDING}),
}
LEADS_TO: dict[Move, Status] = {
    Move.SNOOZE: Status.PENDING,
    Move.SKIP: Status.SKIPPED,
    Move.DONE: Status.DONE,
    Move.SEND: Status.SENDING,
    Move.RETRY: Status.PENDING,
    Move.EXPIRE: Status.EXPIRED,
    Move.CANCEL: Status.CANCELLED,
}
_REFUSALS = {
    Status.SENDING: "This reminder is being sent right now; try again in a moment.",
    Status.CANCELLED: "This reminder was cancelled.",
}


def move(status: str, action: Move) -> Status:
    """Return the status `action` leads to from `status`, or raise Conflict when it is not allowed."""
    if Status(status) not in ALLOWED_FROM[action]:
        raise Conflict(_REFUSALS.get(Status(status), f"A {status} reminder cannot be {action}d."))
    return LEADS_TO[action]


class Outcome(enum.Enum):
    """What a push service's answer means for the message and the subscription."""

    DELIVERED = "delivered"  # 2xx: the push service accepted the message
    GONE = "gone"  # 404/410: the subscription is dead; delete it
    CONFIG_ERROR = "config_error"  # other 4xx (400/403/413...): permanent; three in a row stop the subscription
    RETRY = "retry"  # 429, 5xx, time-outs, connection errors: try again later
    REFUSED = "refused"  # endpoint not allowed: never contacted


def classify(status: int) -> Outcome:
    """Map a push service's HTTP status to an outcome."""
    if 200 <= status < 300:
        return Outcome.DELIVERED
    if status in (404, 410):
        return Outcome.GONE
    if status == 429 or status >= 500:
        return Outcome.RETRY
    # 400, 401, 403, 413 and unexpected redirects: sending the same again will not help (a changed
    # VAPID key, a subscription the push service no longer honours, our payload).
    return Outcome.CONFIG_ERROR


@dataclass(frozen=True)
class Answer:
    """How one device's push service answered one reminder."""

    outcome: Outcome
    retry_after: float | None = None
    error: str | None = None


@dataclass(frozen=True)
class Verdict:
    """A reminder's next status once every device answered, with when to retry and what went wrong."""

    status: Status
    retry_at: datetime | None = None
    error: str | None = None


NO_DEVICE = "no push subscription"
TOO_LATE = "too late to be useful"

TEST = "test"
MAX_ATTEMPTS = 5
# A subscription its push service refuses permanently (400/403...) this many times in a row is stopped.
STOP_AFTER_REFUSALS = 3
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(minutes=15)
MAX_PAYLOAD_BYTES = 2000  # push services take 4 KB; staying under 2 KB leaves room for encryption
MAX_TITLE, MAX_BODY = 120, 400  # characters
ELLIPSIS = "…"
# A Retry-After longer than this is treated as this: a reminder is useless after an hour.
MAX_RETRY_AFTER_S = 3600
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
# Each button's title is shown in the language of the phone's account.
ACTIONS = [
    {"action": "start", "title": N_("Start")},
    {"action": "snooze", "title": N_("Snooze 10 min")},
    {"action": "skip", "title": N_("Skip")},
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


def cap_retry_after(seconds: float) -> float:
    """Bound a push service's Retry-After to [0, MAX_RETRY_AFTER_S]."""
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def verdict(attempts: int, answers: Iterable[Answer], now: datetime) -> Verdict:
    """Decide a reminder's new status from every device's answer (none: no device to send to)."""
    answers = list(answers)
    if not answers:
        return Verdict(Status.FAILED, error=NO_DEVICE)
    if any(a.outcome is Outcome.DELIVERED for a in answers):
        return Verdict(Status.SENT)
    errors = "; ".join(sorted({a.error or a.outcome.value for a in answers}))[:500]
    retryable = [a for a in answers if a.outcome is Outcome.RETRY]
    if not retryable:
        return Verdict(Status.FAILED, error=errors)
    if attempts >= MAX_ATTEMPTS:
        return Verdict(Status.FAILED, error=f"gave up after {attempts} attempts: {errors}"[:500])
    wait = max((a.retry_after or 0) for a in retryable)
    return Verdict(Status.PENDING, retry_at(attempts, wait, now), errors)


def should_stop(refusals: int) -> bool:
    """Tell whether a subscription refused this many times in a row must stop receiving reminders."""
    return refusals >= STOP_AFTER_REFUSALS


def stop_reason(status: int | None) -> str:
    """Explain to a parent why reminders stopped on a phone, and what turns them on again."""
    answer = f" (HTTP {status})" if status else ""
    return (f"Reminders stopped on this phone: its push service refused them {STOP_AFTER_REFUSALS} times"
            f"{answer}. Open Pumpwell on this phone and turn reminders on again.")


ZWJ = "\u200d"


def _extends(char: str) -> bool:
    """Tell whether a character belongs to the grapheme before it: a mark, a variation selector, a skin tone,
    an emoji tag, or a zero-width joiner."""
    point = ord(char)
    return (unicodedata.category(char) in ("Mn", "Me", "Mc") or char == ZWJ or 0xFE00 <= point <= 0xFE0F
            or 0x1F3FB <= point <= 0x1F3FF or 0xE0020 <= point <= 0xE007F)


def _regional(char: str) -> bool:
    """Tell whether a character is a regional indicator (two make a flag)."""
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def graphemes(text: str) -> Iterator[str]:
    """Yield what a reader sees as one character: a base with its marks, an emoji sequence joined by ZWJ, a flag.

    The standard library has no Unicode segmentation; these rules cover what a title can hold without splitting
    a letter from its accent or an emoji in two.
    """
    cluster = ""
    for char in text:
        joined = cluster and (
            _extends(char) or cluster.endswith(ZWJ)
            or (_regional(char) and _regional(cluster[-1]) and sum(map(_regional, cluster)) % 2 == 1)
        )
        if cluster and not joined:
            yield cluster
            cluster = ""
        cluster += char
    if cluster:
        yield cluster


def shorten(text: str, limit: int) -> str:
    """Return `text` if it has at most `limit` characters, else its first whole words (or, for one long word,
    whole graphemes) that fit with an ellipsis after them."""
    if len(text) <= limit:
        return text
    kept = ""
    for cluster in graphemes(text):
        if len(kept) + len(cluster) > limit - len(ELLIPSIS):
            break
        kept += cluster
    if not text[len(kept):len(kept) + 1].isspace():
        # Mid-word: back up to the space before the word, unless the word is all there is.
        words = kept.rsplit(None, 1)
        kept = words[0] if len(words) == 2 else kept
    return kept.rstrip() + ELLIPSIS


def delivery_id(reminder_id: int, sending_at: datetime) -> str:
    """Name one sending of a reminder by when it was asked for (due, or the end of a snooze): a clock that takes over
    a lapsed claim, or a retry after a time-out, sends the same one again; a snooze makes a new one."""
    return f"{reminder_id}@{sending_at.isoformat()}"


def tag(dedupe_key: str) -> str:
    """Return the notification tag: a newer reminder for the same thing replaces the older one."""
    return f"pumpwell:{dedupe_key}"[:64]


def notification_payload(
    reminder_id: int, kind: str, dedupe_key: str, content: dict, base_url: str = "", delivery: str | None = None,
    account_id: int | None = None, actions: list[dict] = ACTIONS,
) -> bytes:
    """Build the JSON the service worker (or Declarative Web Push) shows, under 2 KB; `delivery` (delivery_id)
    lets the worker show a repeat of the same sending silently, and `account_id` (the parent's) lets a caregiver's
    phone open that household; `content` and `actions` are in the language of the phone's account."""
    title = shorten(str(content.get("title") or "Pumpwell"), MAX_TITLE)
    body = shorten(str(content.get("body") or ""), MAX_BODY)
    url = str(content.get("url") or "/")
    url = url if len(url) <= 300 else "/"
    navigate = base_url.rstrip("/") + url if url.startswith("/") else url

    def encode(body_text: str) -> bytes:
        """Serialise the payload with the given body."""
        return json.dumps({
            "title": title, "body": body_text, "tag": tag(dedupe_key), "reminder_id": reminder_id,
            "delivery_id": delivery, "kind": kind, "url": url, "account_id": account_id, "actions": actions,
            "web_push": 8030,
            "notification": {"title": title, "body": body_text, "navigate": navigate,
                             "tag": tag(dedupe_key), "silent": False},
        }, separators=(",", ":"), ensure_ascii=False).encode()

    data = encode(body)
    while len(data) > MAX_PAYLOAD_BYTES and body:
        # A quarter shorter each time, down to nothing.
        body = shorten(body, len(body) * 3 // 4) if len(body) > 1 else ""
        data = encode(body)
    return data
