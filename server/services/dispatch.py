"""Turn due reminders into push messages: claim with a lease, send outside a transaction, record."""

import functools
import logging
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.domain import delivery, household
from server.domain.delivery import Answer, Outcome, Status
from server.domain.reminders import QuietHours, after_quiet_hours
from server.i18n import texts
from server.logs import describe
from server.models import Grant, PushSubscription, Reminder, User
from server.push import Message, Result, Sender, Subscription, topic_for
from server.services.reminders import reminder_words

log = logging.getLogger(__name__)

DEFAULT_BATCH = 1000
# A dead clock's reminders are taken over this long after its claim at the latest; a live clock renews
# at half-time, which stays ahead as long as answers keep coming (the push time-out is shorter than that).
DEFAULT_LEASE = timedelta(seconds=30)


@dataclass(frozen=True)
class Claimed:
    """A reminder this dispatcher holds the lease on."""

    id: int
    user_id: int
    kind: str
    dedupe_key: str
    due_at: datetime
    send_after: datetime
    sending_at: datetime
    expires_at: datetime | None
    payload: dict
    attempts: int


@dataclass(frozen=True)
class Delivery:
    """The handle of one message: which reminder, to which subscription."""

    reminder_id: int
    subscription_id: int


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
        and_(Reminder.status == Status.PENDING, Reminder.send_after <= now),
        and_(Reminder.status == Status.SENDING, Reminder.lease_until < now),
    )
    picked = select(Reminder.id).where(due)
    if reminder_ids is not None:
        picked = picked.where(Reminder.id.in_(reminder_ids))
    # SKIP LOCKED lets several dispatchers claim disjoint rows on PostgreSQL; SQLite ignores
    # FOR UPDATE and serialises writers, so its single UPDATE is a claim by itself.
    picked = picked.order_by(Reminder.send_after).limit(limit).with_for_update(skip_locked=True).cte("picked")
    stmt = (
        update(Reminder).where(Reminder.id == picked.c.id)
        .values(status=Status.SENDING, lease_until=lease_until, attempts=Reminder.attempts + 1, updated_at=now)
        .returning(Reminder.id, Reminder.user_id, Reminder.kind, Reminder.dedupe_key, Reminder.due_at,
                   Reminder.send_after, Reminder.sending_at, Reminder.expires_at, Reminder.payload,
                   Reminder.attempts)
        .execution_options(synchronize_session=False)
    )
    rows = [Claimed(*row) for row in db.execute(stmt).all()]
    db.commit()
    return rows, lease_until


def wait_out_quiet_hours(db: Session, claimed: list[Claimed], lease_until: datetime,
                         now: datetime) -> list[Claimed]:
    """Give back, due when her quiet hours end, each claimed reminder that avoids quiet hours and would arrive in
    them now (she changed them, or her zone, since it was scheduled); return the others."""
    rows = db.execute(
        select(Reminder.id, User.time_zone, User.quiet_start, User.quiet_end)
        .join(User, User.id == Reminder.user_id)
        .where(Reminder.id.in_([r.id for r in claimed]), Reminder.avoids_quiet_hours, User.quiet_start.is_not(None))
    )
    later = {rid: after_quiet_hours(now, QuietHours(start, end), ZoneInfo(zone)) for rid, zone, start, end in rows}
    held = {rid: until for rid, until in later.items() if until > now}
    mine = and_(Reminder.status == Status.SENDING, Reminder.lease_until == lease_until)
    for rid, until in held.items():
        # Not sent, so its claim is no attempt.
        back = {"lease_until": None, "attempts": Reminder.attempts - 1, "updated_at": now}
        try:
            db.execute(update(Reminder).where(Reminder.id == rid, mine)
                       .values(status=Status.PENDING, send_after=until, **back))
            db.commit()
        except IntegrityError:
            # A newer pending reminder for the same thing was written meanwhile: it replaces this one.
            db.rollback()
            db.execute(update(Reminder).where(Reminder.id == rid, mine).values(status=Status.CANCELLED, **back))
            db.commit()
    db.commit()  # end the read transaction
    return [r for r in claimed if r.id not in held]


def _recipients(db: Session, reminders: list[Claimed]) -> dict[int, set[int]]:
    """Return the accounts each reminder goes to: its parent, and for some kinds the helpers of her household."""
    found = {r.id: {r.user_id} for r in reminders}
    shared = [r for r in reminders if household.roles_reminded(r.kind)]
    if shared:
        rows = db.execute(select(Grant.owner_id, Grant.grantee_id, Grant.role)
                          .where(Grant.owner_id.in_({r.user_id for r in shared})))
        helpers = defaultdict(list)
        for owner_id, grantee_id, role in rows:
            helpers[owner_id].append((grantee_id, role))
        for r in shared:
            roles = household.roles_reminded(r.kind)
            found[r.id].update(grantee for grantee, role in helpers[r.user_id] if role in roles)
    return found


def _subscriptions_of(db: Session, user_ids: set[int]) -> dict[int, list[tuple[int, Subscription, str]]]:
    """Load every active (not stopped) subscription of the given users as (id, Subscription, the account's language)
    per user: the language comes with the subscriptions, not a query per reminder."""
    found = defaultdict(list)
    if user_ids:
        rows = db.execute(select(PushSubscription.id, PushSubscription.user_id, PushSubscription.endpoint,
                                 PushSubscription.p256dh, PushSubscription.auth, User.language)
                          .join(User, User.id == PushSubscription.user_id)
                          .where(PushSubscription.user_id.in_(user_ids), PushSubscription.stopped_at.is_(None)))
        for sub_id, user_id, endpoint, p256dh, auth, language in rows:
            found[user_id].append((sub_id, Subscription(endpoint, p256dh, auth), language))
    db.commit()  # end the read transaction: nothing is held open while we send
    return found


def _message(reminder: Claimed, sub_id: int, sub: Subscription, language: str, base_url: str,
             now: datetime) -> Message:
    """Build the push message of one reminder for one subscription, in the language of the subscription's account."""
    content = dict(reminder.payload or {})
    content["title"], content["body"] = reminder_words(content, language)
    payload = delivery.notification_payload(
        reminder.id, reminder.kind, reminder.dedupe_key, content, base_url,
        delivery.delivery_id(reminder.id, reminder.sending_at), reminder.user_id, _actions(language),
    )
    return Message(
        sub, payload,
        ttl=delivery.ttl_seconds(reminder.kind, reminder.due_at, reminder.expires_at, now),
        urgency=delivery.urgency(reminder.kind),
        topic=topic_for(f"{reminder.user_id}:{reminder.dedupe_key}"),
        handle=Delivery(reminder.id, sub_id),
    )


@functools.cache
def _actions(language: str) -> list[dict]:
    """The notification's buttons in `language`."""
    _, _n = texts(language)
    return [{**action, "title": _(action["title"])} for action in delivery.ACTIONS]


class Batch:
    """A claimed batch: records each result as it arrives and keeps the lease alive while sending."""

    def __init__(self, db: Session, claimed: list[Claimed], lease: timedelta, lease_until: datetime,
                 now: datetime, started: float, report: DispatchReport):
        """Hold the claim; `now` is the claim's time, read at monotonic `started`, and later times count on from it."""
        self.db, self.lease, self.lease_until, self.report = db, lease, lease_until, report
        self._claimed_at, self._started = now, started
        self.open = {r.id: r for r in claimed}  # not settled yet, still under our lease
        self.waiting: Counter = Counter()  # messages per reminder without a result
        self.failed: dict[int, list[Result]] = defaultdict(list)

    def now(self) -> datetime:
        """Return the dispatch time: every outcome of the batch is stamped with it, as the callers' rules expect."""
        return self._claimed_at

    def elapsed_now(self) -> datetime:
        """Return the claim time plus the time spent since, which is what the lease runs on."""
        return self._claimed_at + timedelta(seconds=time.monotonic() - self._started)

    def ours(self):
        """Match the rows still under this batch's lease (another clock may have taken a lapsed one)."""
        return and_(Reminder.status == Status.SENDING, Reminder.lease_until == self.lease_until)

    def expect(self, messages: list[Message]) -> None:
        """Count each reminder's messages; a reminder with none fails now."""
        for message in messages:
            self.waiting[message.handle.reminder_id] += 1
        self._settle({rid: (Status.FAILED, delivery.NO_DEVICE) for rid in self.open if not self.waiting[rid]},
                     self.now())

    def expire(self, reminder_ids: list[int]) -> None:
        """Settle reminders that are too late to be useful without sending them."""
        self._settle({rid: (Status.EXPIRED, delivery.TOO_LATE) for rid in reminder_ids}, self.now())

    def record(self, arrived: list[tuple[int, Result]]) -> None:
        """Write what these results decide: sent at the first delivery, else once every device answered (none
        arrived: only keep the lease)."""
        now, received = self.now(), self.elapsed_now()
        self._renew(received)
        if not arrived:
            return
        results = [result for _, result in arrived]
        finals, retries = {}, []
        for result in results:
            rid = result.message.handle.reminder_id
            self.waiting[rid] -= 1
            if rid not in self.open or rid in finals:
                continue
            if result.outcome is Outcome.DELIVERED:
                finals[rid] = (Status.SENT, None)
                continue
            self.failed[rid].append(result)
            if self.waiting[rid] == 0:
                answers = [Answer(r.outcome, r.retry_after, r.error) for r in self.failed[rid]]
                verdict = delivery.verdict(self.open[rid].attempts, answers, now)
                if verdict.status is Status.PENDING:
                    retries.append((rid, verdict.retry_at, verdict.error))
                else:
                    finals[rid] = (verdict.status, verdict.error)
        _record_subscriptions(self.db, results, now, self.report)
        # The push client keeps no time of its answers: a delivery counts as sent when its answer is recorded.
        self._settle(finals, now, sent_at=received)
        self._retry(retries, now)

    def give_back(self) -> int:
        """Return the leases of reminders left unsettled (a stop mid-batch) so any clock sends them now."""
        left = list(self.open)
        if not left:
            return 0
        now = self.now()
        untouched = [rid for rid in left if not self.failed[rid]]
        tried = [rid for rid in left if self.failed[rid]]
        values = {"status": Status.PENDING, "lease_until": None, "updated_at": now}
        try:
            # An untouched reminder was never tried: its claim does not count as an attempt.
            for ids, attempts in ((untouched, Reminder.attempts - 1), (tried, Reminder.attempts)):
                if ids:
                    self.db.execute(update(Reminder).where(Reminder.id.in_(ids), self.ours())
                                    .values(attempts=attempts, **values)
                                    .execution_options(synchronize_session=False))
            self.db.commit()
        except IntegrityError:
            # A newer pending reminder for the same thing exists: it supersedes ours.
            self.db.rollback()
            for rid in left:
                self._retry_one(rid, None, None, now, keep_attempt=bool(self.failed[rid]))
        self.report.counts["given_back"] += len(left)
        self.open.clear()
        return len(left)

    def _renew(self, now: datetime) -> None:
        """Extend the lease once half of it is spent, so a long batch is never taken over while alive."""
        if not self.open or now < self.lease_until - self.lease / 2:
            return
        renewed = now + self.lease
        self.db.execute(update(Reminder).where(Reminder.id.in_(list(self.open)), self.ours())
                        .values(lease_until=renewed).execution_options(synchronize_session=False))
        self.db.commit()
        self.lease_until = renewed

    def _settle(self, finals: dict[int, tuple[Status, str | None]], now: datetime,
                sent_at: datetime | None = None) -> None:
        """Write final statuses, one statement per (status, error), and commit with what came before; a sent one
        is stamped `sent_at`."""
        groups: dict[tuple[Status, str | None], list[int]] = defaultdict(list)
        for rid, key in finals.items():
            groups[key].append(rid)
        for (status, error), ids in groups.items():
            self.db.execute(update(Reminder).where(Reminder.id.in_(ids), self.ours())
                            .values(status=status, lease_until=None, last_error=error, updated_at=now,
                                    sent_at=sent_at if status is Status.SENT else None)
                            .execution_options(synchronize_session=False))
        self.db.commit()
        # Only once on record: a failed write leaves them open, to be given back.
        for rid, (status, _) in finals.items():
            del self.open[rid]
            self.report.counts[status.value] += 1

    def _retry(self, retries: list[tuple[int, datetime, str]], now: datetime) -> None:
        """Put reminders back to pending for a later try."""
        for rid, retry_at, error in retries:
            self._retry_one(rid, retry_at, error, now)
            del self.open[rid]
            self.report.counts["retried"] += 1

    def _retry_one(self, rid: int, retry_at: datetime | None, error: str | None, now: datetime,
                   keep_attempt: bool = True) -> None:
        """Make one reminder pending again (at retry_at, or as due as before), or cancel it if a newer
        one replaced it."""
        values = {"lease_until": None, "last_error": error, "updated_at": now}
        if not keep_attempt:
            values["attempts"] = Reminder.attempts - 1
        later = {} if retry_at is None else {"send_after": retry_at}
        try:
            self.db.execute(update(Reminder).where(Reminder.id == rid, self.ours())
                            .values(status=Status.PENDING, **later, **values)
                            .execution_options(synchronize_session=False))
            self.db.commit()
        except IntegrityError:
            # A newer pending reminder with the same dedupe key exists: it supersedes this one.
            self.db.rollback()
            self.db.execute(update(Reminder).where(Reminder.id == rid, self.ours())
                            .values(status=Status.CANCELLED, **values).execution_options(synchronize_session=False))
            self.db.commit()


def _record_subscriptions(db: Session, results: list[Result], now: datetime, report: DispatchReport) -> None:
    """Mark subscriptions that worked, count failures and refusals, stop the refused, delete the gone."""
    ok = {r.message.handle.subscription_id for r in results if r.outcome is Outcome.DELIVERED}
    gone = {r.message.subscription.endpoint for r in results if r.outcome is Outcome.GONE}
    failing = {r.message.handle.subscription_id for r in results
               if r.outcome in (Outcome.RETRY, Outcome.CONFIG_ERROR, Outcome.REFUSED)} - ok
    refused: dict[int, int | None] = {sub_id: r.status for r in results
                                      if r.outcome is Outcome.CONFIG_ERROR
                                      and (sub_id := r.message.handle.subscription_id) not in ok}
    if ok:
        db.execute(update(PushSubscription).where(PushSubscription.id.in_(ok))
                   .values(last_success_at=now, failures=0, refusals=0).execution_options(synchronize_session=False))
    if failing:
        db.execute(update(PushSubscription).where(PushSubscription.id.in_(failing))
                   .values(failures=PushSubscription.failures + 1, last_failure_at=now)
                   .execution_options(synchronize_session=False))
    if refused:
        db.execute(update(PushSubscription).where(PushSubscription.id.in_(refused))
                   .values(refusals=PushSubscription.refusals + 1).execution_options(synchronize_session=False))
        _stop_refused(db, refused, now, report)
    if gone:
        db.execute(delete(PushSubscription).where(PushSubscription.endpoint.in_(gone))
                   .execution_options(synchronize_session=False))
        report.counts["subscriptions_deleted"] += len(gone)


def _stop_refused(db: Session, refused: dict[int, int | None], now: datetime, report: DispatchReport) -> None:
    """Stop sending to subscriptions refused too often in a row; saving them again turns them on."""
    candidates = db.execute(select(PushSubscription.id, PushSubscription.refusals)
                            .where(PushSubscription.id.in_(refused), PushSubscription.stopped_at.is_(None)))
    by_status: dict[int | None, list[int]] = defaultdict(list)
    for sub_id, refusals in candidates:
        if delivery.should_stop(refusals):
            by_status[refused[sub_id]].append(sub_id)
    for status, ids in by_status.items():
        db.execute(update(PushSubscription).where(PushSubscription.id.in_(ids))
                   .values(stopped_at=now, stop_reason=delivery.stop_reason(status))
                   .execution_options(synchronize_session=False))
        log.warning("stopped %s push subscriptions refused %s times in a row (HTTP %s)",
                    len(ids), delivery.STOP_AFTER_REFUSALS, status)
        report.counts["subscriptions_stopped"] += len(ids)


def _give_back_or_let_lapse(db: Session, batch: Batch) -> None:
    """Give back a stopped or failed batch's unsettled leases; if even that fails they lapse by themselves."""
    db.rollback()
    try:
        log.info("gave back %s reminder leases", batch.give_back())
    except Exception as error:
        db.rollback()
        log.warning("could not give back %s leases (%s); they lapse at %s", len(batch.open), describe(error),
                    batch.lease_until)


def claim_batch(db: Session, now: datetime, batch_size: int = DEFAULT_BATCH, lease: timedelta = DEFAULT_LEASE,
                reminder_ids: list[int] | None = None) -> Batch:
    """Lease up to `batch_size` due reminders and give back those that would now arrive in quiet hours; return the
    batch, which send_batch sends on the same session (from this thread or another, one at a time)."""
    report = DispatchReport()
    # The lease runs from `now`, not from when the claim got through: waiting for the database counts.
    started = time.monotonic()
    claimed, lease_until = claim_due(db, now, batch_size, lease, reminder_ids)
    report.claimed = len(claimed)
    if claimed:
        claimed = wait_out_quiet_hours(db, claimed, lease_until, now)
    return Batch(db, claimed, lease, lease_until, now, started, report)


def send_batch(client: Sender, batch: Batch, base_url: str = "",
               stop: threading.Event | None = None) -> DispatchReport:
    """Send a claimed batch to every active subscription of its users and record each result as it arrives; on
    `stop`, or a failure, give back what was not settled."""
    db, report, now = batch.db, batch.report, batch.now()
    if not report.claimed:
        return report
    try:
        if stop is None or not stop.is_set():
            late = [r.id for r in batch.open.values() if delivery.is_too_late(r.kind, r.due_at, r.expires_at, now)]
            batch.expire(late)
            live = list(batch.open.values())
            recipients = _recipients(db, live)
            subs = _subscriptions_of(db, set().union(*recipients.values()))
            messages = [_message(r, sub_id, sub, language, base_url, now)
                        for r in live for account in recipients[r.id] for sub_id, sub, language in subs[account]]
            batch.expect(messages)
            client.deliver(messages, batch.record, stop)
    finally:
        if batch.open:
            _give_back_or_let_lapse(db, batch)
    log.info("dispatched %s reminders: %s", report.claimed, dict(report.counts))
    return report


def dispatch_due(db: Session, client: Sender, now: datetime, batch_size: int = DEFAULT_BATCH,
                 lease: timedelta = DEFAULT_LEASE, base_url: str = "",
                 reminder_ids: list[int] | None = None, stop: threading.Event | None = None) -> DispatchReport:
    """Claim one batch of due reminders and send it, recording each result as it arrives."""
    return send_batch(client, claim_batch(db, now, batch_size, lease, reminder_ids), base_url, stop)
