"""Saving, listing and removing a user's push subscriptions, and queueing a test notification."""

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.domain import delivery
from server.domain.errors import NotFound, SubscriptionRejected
from server.models import PushSubscription, Reminder, User
from server.push import endpoint_problem, keys_problem


def save_subscription(
    db: Session, user: User, endpoint: str, p256dh: str, auth: str, user_agent: str | None,
    allowed_hosts: Iterable[str], allow_loopback_http: bool, now: datetime,
) -> tuple[PushSubscription, bool]:
    """Store a subscription (or refresh the one with this endpoint); return it and whether it is new."""
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
            sub = PushSubscription(endpoint=endpoint, created_at=now, failures=0)
            db.add(sub)
        # An endpoint belongs to one browser profile: whoever saves it last receives its pushes.
        sub.user_id, sub.p256dh, sub.auth, sub.user_agent = user.id, p256dh, auth, user_agent
        sub.failures, sub.last_failure_at = 0, None
        try:
            db.commit()
            return sub, created
        except IntegrityError:
            # Another request saved the same endpoint a moment ago: update that row instead.
            db.rollback()
    raise SubscriptionRejected("This endpoint is being saved by another request; try again.")


def list_subscriptions(db: Session, user: User) -> list[PushSubscription]:
    """Return the user's subscriptions, newest first."""
    return list(db.scalars(
        select(PushSubscription).where(PushSubscription.user_id == user.id)
        .order_by(PushSubscription.created_at.desc(), PushSubscription.id.desc())
    ))


def delete_subscription(db: Session, user: User, subscription_id: int) -> None:
    """Remove one of the user's subscriptions; another user's id is simply not found."""
    sub = db.get(PushSubscription, subscription_id)
    if sub is None or sub.user_id != user.id:
        raise NotFound("No such push subscription.")
    db.delete(sub)
    db.commit()


def user_by_email(db: Session, email: str) -> User:
    """Return the account with this email (case-insensitive), or raise NotFound."""
    user = db.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise NotFound(f"No account for {email}.")
    return user


def queue_test_reminder(db: Session, user: User, now: datetime) -> Reminder:
    """Queue a test notification due now to every device of the user."""
    reminder = Reminder(
        user_id=user.id, kind=delivery.TEST, status="pending", dedupe_key=f"test:{uuid.uuid4().hex}",
        due_at=now, send_after=now, expires_at=delivery.expiry(delivery.TEST, now, None), attempts=0,
        payload={"title": "Pumpwell test", "body": "Reminders will show up on this device.", "url": "/"},
        created_at=now, updated_at=now,
    )
    db.add(reminder)
    db.commit()
    return reminder
