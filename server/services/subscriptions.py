"""Saving, listing and removing a user's push subscriptions, and queueing a test notification."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.domain import delivery
from server.domain.errors import Conflict, NotFound, SubscriptionRejected
from server.domain.languages import Text
from server.models import ApiToken, PushSubscription, Reminder, User
from server.push import endpoint_problem, keys_problem
from server.services.access import Account, owned
from server.services.reminders import reminder_payload


@dataclass(frozen=True)
class DeviceSubscription:
    """A subscription as its owner sees it: its state and the device that saved it."""

    id: int
    endpoint: str
    user_agent: str | None
    created_at: datetime
    last_success_at: datetime | None
    failures: int
    state: str
    stopped_at: datetime | None
    stop_reason: str | None
    device_label: str | None
    current_device: bool


def _describe(sub: PushSubscription, label: str | None, token_id: int | None) -> DeviceSubscription:
    """Describe a stored subscription for the device whose token is token_id."""
    return DeviceSubscription(
        id=sub.id, endpoint=sub.endpoint, user_agent=sub.user_agent, created_at=sub.created_at,
        last_success_at=sub.last_success_at, failures=sub.failures,
        state="stopped" if sub.stopped_at else "active", stopped_at=sub.stopped_at,
        stop_reason=sub.stop_reason, device_label=label,
        current_device=token_id is not None and sub.token_id == token_id,
    )


def save_subscription(
    db: Session, user: Account, token_id: int, endpoint: str, p256dh: str, auth: str, user_agent: str | None,
    allowed_hosts: Iterable[str], allow_loopback_http: bool, now: datetime,
) -> tuple[DeviceSubscription, bool]:
    """Store this device's subscription (or refresh and turn on again the one with this endpoint)."""
    problem = endpoint_problem(endpoint, allowed_hosts, allow_loopback_http)
    if problem:
        raise SubscriptionRejected("This push endpoint is not accepted.", {"endpoint": [problem]})
    problem = keys_problem(p256dh, auth)
    if problem:
        raise SubscriptionRejected("These subscription keys are not usable.", {"keys": [problem]})
    for _ in range(2):
        sub = db.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
        created = sub is None
        if created:
            sub = PushSubscription(endpoint=endpoint, created_at=now)
            db.add(sub)
        elif sub.user_id != user.id and (sub.p256dh, sub.auth) != (p256dh, auth):
            # Only the browser holding the subscription knows its auth secret: a caller who knows
            # just the endpoint may not divert another parent's reminders.
            db.rollback()
            raise Conflict("This push endpoint is registered to another account.",
                           {"endpoint": ["already registered to another account"]})
        # The same keys prove the caller holds this browser's subscription (another account signed
        # in on the same browser): it moves to whoever saves it last.
        sub.user_id, sub.token_id, sub.p256dh, sub.auth, sub.user_agent = user.id, token_id, p256dh, auth, user_agent
        sub.failures, sub.last_failure_at, sub.refusals, sub.stopped_at, sub.stop_reason = 0, None, 0, None, None
        try:
            db.commit()
        except IntegrityError:
            # Another request saved the same endpoint a moment ago: update that row instead.
            db.rollback()
            continue
        label = db.scalar(select(ApiToken.label).where(ApiToken.id == token_id))
        return _describe(sub, label, token_id), created
    raise SubscriptionRejected("This endpoint is being saved by another request; try again.")


def list_subscriptions(db: Session, user: Account, token_id: int | None) -> list[DeviceSubscription]:
    """Return the user's subscriptions, newest first, marking the one saved by this device's token."""
    rows = db.execute(
        select(PushSubscription, ApiToken.label)
        .outerjoin(ApiToken, ApiToken.id == PushSubscription.token_id)
        .where(PushSubscription.user_id == user.id)
        .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())
    )
    return [_describe(sub, label, token_id) for sub, label in rows]


def delete_subscription(db: Session, user: Account, subscription_id: int) -> None:
    """Remove one of the user's subscriptions; another user's id is simply not found."""
    db.delete(owned(db, PushSubscription, subscription_id, user, "push subscription"))
    db.commit()


def user_by_email(db: Session, email: str) -> User:
    """Return the account with this email (case-insensitive), or raise NotFound."""
    user = db.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise NotFound(f"No account for {email}.")
    return user


def queue_test_reminder(db: Session, user: Account, now: datetime) -> Reminder:
    """Queue a test notification due now to every device of the user."""
    reminder = Reminder(
        user_id=user.id, kind=delivery.TEST, status=delivery.Status.PENDING, dedupe_key=f"test:{uuid.uuid4().hex}",
        due_at=now, send_after=now, expires_at=delivery.expiry(delivery.TEST, now, None), attempts=0,
        payload=reminder_payload(Text("Pumpwell test"), Text("Reminders will show up on this device."), "/"),
        created_at=now, updated_at=now,
    )
    db.add(reminder)
    db.commit()
    return reminder
