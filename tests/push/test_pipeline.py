"""A slow push service delays no one else: batches send side by side, and each service has its own share of slots."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from server import clock
from server.models import PushSubscription, Reminder, User
from server.timeutil import utcnow
from server.vapid import app_vapid, public_key_b64
from tests.pushservice import LocalPushService, Reply

SLOW = 4.0  # seconds the slow service takes to answer: well inside the time-out, far beyond a fast answer


@pytest.fixture
def slow_service(app):
    """Run a second push service, on another origin, that trusts the app's key."""
    with LocalPushService(public_key_b64(app_vapid(app))) as service:
        yield service


@pytest.fixture
def pipeline(app):
    """Build the clock's pipeline with a small window: 4 requests open, 2 per push service."""
    app.config.update(PUSH_TIMEOUT_SECONDS=10, PUSH_MAX_IN_FLIGHT=4, PUSH_MAX_IN_FLIGHT_PER_SERVICE=2)
    client = clock.push_client(app)
    pipeline = clock.Pipeline(app, client)
    yield pipeline
    pipeline.close()
    client.close()


def _parents_on(db, service, count: int, due, answer: Reply | None = None) -> list[int]:
    """Give `count` new parents a phone on `service` and a reminder due at `due`; return the reminder ids."""
    ids = []
    for _ in range(count):
        sub = service.subscribe()
        if answer:
            service.answer(sub, answer)
        user = User(email=f"{sub.token.lower()}@example.com", password_hash="x", created_at=due)
        db.add(user)
        db.flush()
        db.add(PushSubscription(user_id=user.id, endpoint=sub.endpoint, p256dh=sub.p256dh, auth=sub.auth,
                                created_at=due, failures=0))
        reminder = Reminder(user_id=user.id, kind="gap", status="pending", dedupe_key=f"gap:{sub.token}",
                            due_at=due, send_after=due, expires_at=due + timedelta(hours=1), attempts=0,
                            payload={"title": "Time to pump"}, created_at=due, updated_at=due)
        db.add(reminder)
        db.flush()
        ids.append(reminder.id)
    db.commit()
    return ids


def test_a_slow_service_holds_only_its_own_share_of_the_open_requests(app, db, push_service, slow_service,
                                                                      pipeline):
    due = utcnow()
    _parents_on(db, slow_service, 6, due, Reply(201, delay=SLOW))  # first in the batch: claimed first
    _parents_on(db, push_service, 6, due + timedelta(microseconds=1))
    app.config["CLOCK"] = lambda: due + timedelta(seconds=1)
    started = utcnow().timestamp()
    assert pipeline.tick() == 12  # one batch
    pipeline.drain()
    # With one window of 4 for all, the 4 slow requests took every slot and the others waited SLOW seconds.
    fast = [r.at - started for r in push_service.delivered()]
    assert len(fast) == 6 and max(fast) < SLOW / 2, fast
    assert len(slow_service.delivered()) == 6


def test_a_batch_waiting_on_a_slow_service_does_not_hold_back_the_next_claim(app, db, push_service, slow_service,
                                                                             pipeline):
    due = utcnow()
    _parents_on(db, slow_service, 2, due, Reply(201, delay=SLOW))
    _parents_on(db, push_service, 6, due + timedelta(seconds=1))  # due later: claimed in the next batches
    app.config.update(CLOCK=lambda: due + timedelta(seconds=2), PUSH_BATCH_SIZE=2)
    started = utcnow().timestamp()
    pipeline.tick()  # four batches, each on a sender of its own
    pipeline.drain()
    # Batch at a time, the second batch was claimed only once the slow answers of the first were in.
    fast = [r.at - started for r in push_service.delivered()]
    assert len(fast) == 6 and max(fast) < SLOW / 2, fast
    assert {r.status for r in db.scalars(select(Reminder))} == {"sent"}


def test_a_request_that_timed_out_waits_its_backoff_not_the_next_tick(app, db, slow_service, pipeline):
    app.config["PUSH_TIMEOUT_SECONDS"] = 0.5
    timing_out = clock.push_client(app)
    pipeline.client = timing_out
    due = utcnow()
    [rid] = _parents_on(db, slow_service, 1, due, Reply(201, delay=2))
    try:
        for moment in (1, 3, 5):  # ticks after the time-out
            app.config["CLOCK"] = lambda moment=moment: due + timedelta(seconds=moment)
            pipeline.tick()
            pipeline.drain()
        time.sleep(2.5)  # the service records a request once it has answered it
    finally:
        timing_out.close()
    assert len(slow_service.requests) == 1
    db.expire_all()
    row = db.get(Reminder, rid)
    assert row.status == "pending" and row.attempts == 1
    assert row.send_after >= due + timedelta(seconds=30)
