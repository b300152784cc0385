"""What the clock counts: reminders by outcome, their lateness, the queue, push services' answers, its last tick.

Served by the clock itself (CLOCK_METRICS_PORT, server/metrics.py's serve); recorded by server/clock.py.
"""

from collections.abc import Iterable
from datetime import datetime

from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from server.domain.delivery import Outcome, Status
from server.logs import push_service
from server.models import Reminder
from server.push import Result

REMINDERS = Counter("pumpwell_reminders_total",
                    "Reminders the clocks settled, by outcome: sent, failed, expired, cancelled, retried (due again "
                    "later) or given_back (a stopping clock's lease).", ["outcome"])
SENT = Histogram("pumpwell_reminder_lateness_seconds",
                 "How long after its due time a reminder's first device accepted it, by kind.", ["kind"],
                 buckets=(1, 2, 5, 10, 30, 60, 120, 300, 900, 3600))
PUSH_RESPONSES = Counter("pumpwell_push_responses_total",
                         "Answers of push services, by host and HTTP status (or timeout, error).",
                         ["service", "status"])
DUE = Gauge("pumpwell_reminders_due", "Reminders due and not yet sent (pending past their time, or a lapsed lease).",
            multiprocess_mode="mostrecent")
OLDEST_DUE = Gauge("pumpwell_reminders_oldest_due_seconds", "How long the oldest due and unsent reminder has waited.",
                   multiprocess_mode="mostrecent")
LAST_TICK = Gauge("pumpwell_clock_last_tick_timestamp_seconds",
                  "When this clock last finished a tick: claimed what was due, handed it to its senders (Unix time).",
                  multiprocess_mode="liveall")

# Counted per reminder in REMINDERS; the rest of the report counts subscriptions, not reminders.
REMINDER_OUTCOMES = {status.value for status in Status} | {"retried", "given_back"}


def record_batch(counts: dict[str, int]) -> None:
    """Count one dispatch batch's reminder outcomes."""
    for outcome, count in counts.items():
        if outcome in REMINDER_OUTCOMES and count:
            REMINDERS.labels(outcome).inc(count)


def record_push_answers(results: Iterable[Result]) -> None:
    """Count push services' answers by host and status."""
    for result in results:
        status = str(result.status) if result.status else ("timeout" if result.outcome is Outcome.RETRY else "error")
        PUSH_RESPONSES.labels(push_service(result.message.subscription.endpoint), status).inc()


def record_lateness(db: Session, delivered_at: dict[int, datetime]) -> None:
    """Observe how late each newly delivered reminder was, from its due time to its first accepted message."""
    if not delivered_at:
        return
    rows = db.execute(select(Reminder.id, Reminder.kind, Reminder.due_at).where(Reminder.id.in_(delivered_at)))
    for reminder_id, kind, due_at in rows:
        SENT.labels(kind).observe(max((delivered_at[reminder_id] - due_at).total_seconds(), 0.0))
    db.commit()  # end the read: the clock holds no transaction between batches


def record_queue(db: Session, now: datetime) -> None:
    """Set the depth and age of the queue: reminders due and unsent, as the clocks claim them."""
    due = or_(and_(Reminder.status == Status.PENDING, Reminder.send_after <= now),
              and_(Reminder.status == Status.SENDING, Reminder.lease_until < now))
    count, oldest = db.execute(select(func.count(), func.min(Reminder.send_after)).where(due)).one()
    db.commit()
    DUE.set(count)
    OLDEST_DUE.set((now - oldest).total_seconds() if oldest is not None else 0)


def record_tick(at: float) -> None:
    """Note that this clock finished a tick at Unix time `at`."""
    LAST_TICK.set(at)
