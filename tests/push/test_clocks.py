"""Several clock processes on one database share the due reminders: each is sent exactly once."""

import os
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from server.models import PushSubscription, Reminder, User
from server.vapid import app_vapid

ROOT = Path(__file__).resolve().parents[2]
USERS, PER_USER = 100, 50


def start_clock(app) -> subprocess.Popen:
    """Start `flask --app server clock` on the app's database and VAPID key, small batches, fast ticks."""
    env = {
        **os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "PUSH_ALLOW_LOOPBACK_HTTP": "1",
        "VAPID_PRIVATE_KEY": app_vapid(app).private_pem().decode(), "PUSH_ENCRYPT_PROCESSES": "0",
        "CLOCK_INTERVAL_SECONDS": "0.5", "PUSH_BATCH_SIZE": "250",
        # On a loaded machine the local service, taking 500 connections at once, can read a request after its
        # sender's 10 s time-out and still record it. A message that timed out is rightly sent again (at least
        # once; the notification's tag shows it once), which this test would count as a second claim.
        "PUSH_TIMEOUT_SECONDS": "120",
    }
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "server", "clock"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def queue_due_reminders(db, push_service) -> None:
    """Give USERS parents one device each and PER_USER reminders each, all due now."""
    now = datetime.now(UTC)
    db.execute(insert(User), [{"email": f"clocks{n}@example.com", "password_hash": "x", "created_at": now}
                              for n in range(USERS)])
    user_ids = list(db.scalars(select(User.id).where(User.email.like("clocks%"))))
    db.execute(insert(PushSubscription), [{
        "user_id": user_id, "endpoint": sub.endpoint, "p256dh": sub.p256dh, "auth": sub.auth, "created_at": now,
        "failures": 0,
    } for user_id, sub in ((user_id, push_service.subscribe()) for user_id in user_ids)])
    db.execute(insert(Reminder), [{
        "user_id": user_id, "kind": "plan_slot", "status": "pending", "dedupe_key": f"slot:{n}",
        "due_at": now, "send_after": now, "expires_at": now + timedelta(minutes=30), "attempts": 0,
        "payload": {"title": "Time to pump"}, "created_at": now, "updated_at": now,
    } for user_id in user_ids for n in range(PER_USER)])
    db.commit()


def test_several_clocks_send_every_due_reminder_exactly_once(app, db, push_service):
    # SQLite serialises the claims through its one writer, so two clocks share it as safely.
    clocks = 3 if db.bind.dialect.name == "postgresql" else 2
    processes = [start_clock(app) for _ in range(clocks)]
    try:
        queue_due_reminders(db, push_service)
        deadline = time.monotonic() + 300
        sent = 0
        while sent < USERS * PER_USER and time.monotonic() < deadline:
            time.sleep(0.5)
            sent = db.scalar(select(func.count()).where(Reminder.status == "sent"))
            db.rollback()
            assert all(p.poll() is None for p in processes), [p.stderr.read() for p in processes]
    finally:
        for process in processes:
            process.terminate()
        logs = [process.communicate(timeout=30)[1] for process in processes]
    assert sent == USERS * PER_USER, logs
    deliveries = Counter(r.json()["reminder_id"] for r in push_service.delivered())
    twice = sorted(rid for rid, count in deliveries.items() if count > 1)
    claims = dict(db.execute(select(Reminder.id, Reminder.attempts).where(Reminder.id.in_(twice[:20]))).all())
    assert len(deliveries) == USERS * PER_USER and not twice, (len(twice), claims, logs)
