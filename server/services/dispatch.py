"""Turn due reminders into push messages: claim with a lease, send outside a transaction, record."""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.domain import delivery
from server.models import PushSubscription, Reminder
from server.push import Message, Outcome, PushClient, Result, Subscription, topic_for

log = logging.getLogger(__name__)

DEFAULT_BATCH = 1000
# Longer than the slowest possible send of a batch (time-out x rounds), so a live claim never lapses.
DEFAULT_LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class Claimed:
    """A reminder this dispatcher holds the lease on."""

    id: int
    user_id: int
    kind: str
    dedupe_key: str
    due_at: datetime
    expires_at: datetime | None
    payload: dict
    attempts: int


@dataclass
class DispatchReport:
    """What one batch did, by reminder outcome."""

    claimed: int = 0
    counts: Counter = field(default_factory=Counter)


def claim_due(db: Session, now: datetime, limit: int, lease: timedelta,
              reminder_ids: list[int] | None = None) -> tuple[list[Claimed], datetime]:
    """Lease up to `limit` due reminders (and lapsed leases) and commit; return them and the lease end."""
    lease_until = now + lease
    due = or_(
        and_(Reminder.status == "pending", Reminder.send_after <= now),
        and_(Reminder.status == "sending", Reminder.lease_until < now),
    )
    picked = select(Reminder.id).where(due)
    if reminder_ids is not None:
        picked = picked.where(Reminder.id.in_(reminder_ids))
    # SKIP LOCKED lets several dispatchers claim disjoint rows on PostgreSQL; SQLite ignores
    # FOR UPDATE and serialises writers, so its single UPDATE is a claim by itself.
    picked = picked.order_by(Reminder.send_after).limit(limit).with_for_update(skip_locked=True).cte("picked")
    stmt = (
        update(Reminder).where(Reminder.id == picked.c.id)
        .values(status="sending", lease_until=lease_until, attempts=Reminder.attempts + 1, updated_at=now)
        .returning(Reminder.id, Reminder.user_id, Reminder.kind, Reminder.dedupe_key, Reminder.due_at,
                   Reminder.expires_at, Reminder.payload, Reminder.attempts)
        .execution_options(synchronize_session=False)
    )
    rows = [Claimed(*row) for row in db.execute(stmt).all()]
    db.commit()
    return rows, lease_until


def _subscriptions_of(db: Session, user_ids: set[int]) -> dict[int, list[tuple[int, Subscription]]]:
    """Load every subscription of the given users as (id, Subscription) per user."""
    found = defaultdict(list)
    if user_ids:
        rows = db.execute(select(PushSubscription.id, PushSubscription.user_id, PushSubscription.endpoint,
                                 PushSubscription.p256dh, PushSubscription.auth)
                          .where(PushSubscription.user_id.in_(user_ids)))
        for sub_id, user_id, endpoint, p256dh, auth in rows:
            found[user_id].append((sub_id, Subscription(endpoint, p256dh, auth)))
    db.commit()  # end the read transaction: nothing is held open while we send
    return found


def _message(reminder: Claimed, sub_id: int, sub: Subscription, base_url: str, now: datetime) -> Message:
    """Build the push message of one reminder for one subscription."""
    payload = delivery.notification_payload(
        reminder.id, reminder.kind, reminder.dedupe_key, reminder.payload or {}, base_url
    )
    return Message(
        sub, payload,
        ttl=delivery.ttl_seconds(reminder.kind, reminder.due_at, reminder.expires_at, now),
        urgency=delivery.urgency(reminder.kind),
        topic=topic_for(f"{reminder.user_id}:{reminder.dedupe_key}"),
        ref=(reminder.id, sub_id),
    )


def _verdict(reminder: Claimed, results: list[Result], now: datetime) -> tuple[str, datetime | None, str | None]:
    """Decide a reminder's new status from its messages' results: (status, retry time, error)."""
    if not results:
        return "failed", None, "no push subscription"
    if any(r.outcome is Outcome.DELIVERED for r in results):
        return "sent", None, None
    errors = "; ".join(sorted({r.error or r.outcome.value for r in results}))[:500]
    retryable = [r for r in results if r.outcome is Outcome.RETRY]
    if not retryable:
        return "failed", None, errors
    if reminder.attempts >= delivery.MAX_ATTEMPTS:
        return "failed", None, f"gave up after {reminder.attempts} attempts: {errors}"[:500]
    wait = max((r.retry_after or 0) for r in retryable)
    return "pending", delivery.retry_at(reminder.attempts, wait, now), errors


def _record(db: Session, claimed: list[Claimed], expired: list[Claimed], results: list[Result],
            lease_until: datetime, now: datetime, report: DispatchReport) -> None:
    """Write each reminder's and subscription's outcome; only rows still under our lease change."""
    by_reminder: dict[int, list[Result]] = defaultdict(list)
    for result in results:
        by_reminder[result.message.ref[0]].append(result)
    ours = and_(Reminder.status == "sending", Reminder.lease_until == lease_until)
    finals: dict[tuple[str, str | None], list[int]] = defaultdict(list)
    retries = []
    for reminder in expired:
        finals[("expired", "too late to be useful")].append(reminder.id)
    for reminder in claimed:
        status, retry_at, error = _verdict(reminder, by_reminder[reminder.id], now)
        report.counts["retried" if status == "pending" else status] += 1
        if status == "pending":
            retries.append((reminder.id, retry_at, error))
        else:
            finals[(status, error)].append(reminder.id)
    report.counts["expired"] += len(expired)
    for (status, error), ids in finals.items():
        db.execute(update(Reminder).where(Reminder.id.in_(ids), ours)
                   .values(status=status, lease_until=None, last_error=error, updated_at=now,
                           sent_at=now if status == "sent" else None)
                   .execution_options(synchronize_session=False))
    _record_subscriptions(db, results, now, report)
    db.commit()
    for reminder_id, retry_at, error in retries:
        _schedule_retry(db, reminder_id, retry_at, error, ours, now)


def _schedule_retry(db: Session, reminder_id: int, retry_at: datetime, error: str, ours, now: datetime) -> None:
    """Put a reminder back to pending for a later try, or cancel it if a newer one replaced it."""
    values = {"lease_until": None, "last_error": error, "updated_at": now}
    try:
        db.execute(update(Reminder).where(Reminder.id == reminder_id, ours)
                   .values(status="pending", send_after=retry_at, **values)
                   .execution_options(synchronize_session=False))
        db.commit()
    except IntegrityError:
        # A newer pending reminder with the same dedupe key exists: it supersedes this one.
        db.rollback()
        db.execute(update(Reminder).where(Reminder.id == reminder_id, ours)
                   .values(status="cancelled", **values).execution_options(synchronize_session=False))
        db.commit()


def _record_subscriptions(db: Session, results: list[Result], now: datetime, report: DispatchReport) -> None:
    """Mark subscriptions that worked, count failures, and delete those the push service says are gone."""
    ok = {r.message.ref[1] for r in results if r.outcome is Outcome.DELIVERED}
    gone = {r.message.subscription.endpoint for r in results if r.outcome is Outcome.GONE}
    failing = {r.message.ref[1] for r in results
               if r.outcome in (Outcome.RETRY, Outcome.CONFIG_ERROR, Outcome.REFUSED)} - ok
    if ok:
        db.execute(update(PushSubscription).where(PushSubscription.id.in_(ok))
                   .values(last_success_at=now, failures=0).execution_options(synchronize_session=False))
    if failing:
        db.execute(update(PushSubscription).where(PushSubscription.id.in_(failing))
                   .values(failures=PushSubscription.failures + 1, last_failure_at=now)
                   .execution_options(synchronize_session=False))
    if gone:
        db.execute(delete(PushSubscription).where(PushSubscription.endpoint.in_(gone))
                   .execution_options(synchronize_session=False))
        report.counts["subscriptions_deleted"] += len(gone)


def dispatch_due(db: Session, client: PushClient, now: datetime, batch_size: int = DEFAULT_BATCH,
                 lease: timedelta = DEFAULT_LEASE, base_url: str = "",
                 reminder_ids: list[int] | None = None) -> DispatchReport:
    """Claim one batch of due reminders, send them to every subscription of their users, record."""
    report = DispatchReport()
    claimed, lease_until = claim_due(db, now, batch_size, lease, reminder_ids)
    report.claimed = len(claimed)
    if not claimed:
        return report
    expired = [r for r in claimed if delivery.is_too_late(r.kind, r.due_at, r.expires_at, now)]
    expired_ids = {r.id for r in expired}
    live = [r for r in claimed if r.id not in expired_ids]
    subs = _subscriptions_of(db, {r.user_id for r in live})
    messages = [_message(r, sub_id, sub, base_url, now) for r in live for sub_id, sub in subs[r.user_id]]
    results = client.send(messages)
    _record(db, live, expired, results, lease_until, now, report)
    log.info("dispatched %s reminders: %s", report.claimed, dict(report.counts))
    return report
