"""A real `flask --app server clock` process, stopped mid-batch by signals: nothing lost, no orphans."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from server.models import PushSubscription, Reminder, User
from server.services.dispatch import DEFAULT_LEASE, dispatch_due
from server.timeutil import utcnow
from server.vapid import app_vapid
from tests.pushservice import Reply

ROOT = Path(__file__).resolve().parents[2]
USERS = 10
PER_USER = 100  # 1,000 reminders due at once
IN_FLIGHT = 20
ANSWER_DELAY = 0.02  # seconds the push service takes per message, so a batch lasts a few seconds


def _descendants(pid: int) -> set[int]:
    """Return the ids of every live process below pid, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    """Tell whether a process exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_until(condition, timeout: float, what: str) -> None:
    """Poll until condition() holds; fail naming what did not happen."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def due_backlog(app, db, push_service):
    """Queue 1,000 reminders, due now, for users with one slow phone each; return their ids."""
    now = utcnow()
    ids = []
    for n in range(USERS):
        user = User(email=f"clock{n}@example.com", password_hash="x", created_at=now)
        db.add(user)
        db.flush()
        sub = push_service.subscribe()
        push_service.answer(sub, *[Reply(201, delay=ANSWER_DELAY)] * (3 * PER_USER))
        db.add(PushSubscription(user_id=user.id, endpoint=sub.endpoint, p256dh=sub.p256dh, auth=sub.auth,
                                created_at=now, failures=0))
        for k in range(PER_USER):
            reminder = Reminder(
                user_id=user.id, kind="gap", status="pending", dedupe_key=f"gap:{k}", due_at=now, send_after=now,
                expires_at=now + timedelta(hours=1), attempts=0, payload={"title": "Time to pump"},
                created_at=now, updated_at=now)
            db.add(reminder)
            db.flush()
            ids.append(reminder.id)
    db.commit()
    return ids


@pytest.fixture
def start_clock(app, tmp_path):
    """Start real clock processes on the test's database; kill any left at the end."""
    started = []

    def start() -> subprocess.Popen:
        """Start one clock with an encryption worker and a small in-flight window."""
        env = {
            **os.environ,
            "DATABASE_URL": app.config["DATABASE_URL"],
            "VAPID_PRIVATE_KEY": app_vapid(app).private_pem().decode(),
            "PUSH_ALLOW_LOOPBACK_HTTP": "1",
            "PUSH_ENCRYPT_PROCESSES": "1",
            "PUSH_MAX_IN_FLIGHT": str(IN_FLIGHT),
            "PUSH_TIMEOUT_SECONDS": "5",
            "CLOCK_INTERVAL_SECONDS": "0.5",
        }
        log = open(tmp_path / f"clock{len(started)}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "server", "clock"], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()


def _delivered_per_reminder(push_service) -> Counter:
    """Count the messages the push service accepted, per reminder id."""
    return Counter(r.json()["reminder_id"] for r in push_service.delivered())


def _statuses(db) -> dict[str, int]:
    """Count reminders by status, read afresh."""
    db.expire_all()
    return dict(db.execute(select(Reminder.status, func.count()).group_by(Reminder.status)).all())


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_mid_batch_records_what_was_sent_gives_back_the_rest_and_ends_the_workers(
        db, push_service, due_backlog, start_clock, tmp_path, signum):
    clock = start_clock()
    _wait_until(lambda: len(push_service.delivered()) >= 200, 60, "the first deliveries")
    workers = _descendants(clock.pid)
    assert workers, "the clock should have started an encryption worker"
    clock.send_signal(signum)
    assert clock.wait(timeout=30) == 0, (tmp_path / "clock0.log").read_text()
    _wait_until(lambda: not any(_alive(pid) for pid in workers), 10, f"workers {workers} to exit")
    delivered = _delivered_per_reminder(push_service)
    assert 200 <= len(delivered) < len(due_backlog), "the signal should land mid-batch"
    db.expire_all()
    rows = {r.id: r for r in db.scalars(select(Reminder))}
    assert all(rows[rid].status == "sent" for rid in delivered)
    unsent = [rows[rid] for rid in due_backlog if rid not in delivered]
    assert {(r.status, r.lease_until, r.attempts) for r in unsent} <= {("pending", None, 0), ("pending", None, 1)}
    assert "gave back" in (tmp_path / "clock0.log").read_text()


def test_a_clock_killed_mid_batch_loses_nothing_and_repeats_at_most_what_was_in_flight(
        app, db, push_service, push_client, due_backlog, start_clock):
    clock = start_clock()
    _wait_until(lambda: len(push_service.delivered()) >= 300, 60, "the first deliveries")
    workers = _descendants(clock.pid)
    assert workers, "the clock should have started an encryption worker"
    clock.kill()
    killed_at = utcnow()
    clock.wait()
    _wait_until(lambda: not any(_alive(pid) for pid in workers), 10, f"workers {workers} to exit after SIGKILL")
    before = _delivered_per_reminder(push_service)
    assert len(before) < len(due_backlog), "the kill should land mid-batch"
    # Another clock takes over once the dead one's leases lapse: at most DEFAULT_LEASE after the kill.
    assert DEFAULT_LEASE <= timedelta(seconds=30)
    takeover = killed_at + DEFAULT_LEASE + timedelta(seconds=1)
    push_client.max_in_flight, push_client.timeout = IN_FLIGHT, 5  # as gentle as the dead clock
    while dispatch_due(db, push_client, takeover).claimed:
        pass
    # On a machine with every core busy a push can time out and wait out its retry's backoff: send those too.
    while dispatch_due(db, push_client, takeover + timedelta(hours=1)).claimed:
        pass
    delivered = _delivered_per_reminder(push_service)
    lost = [rid for rid in due_backlog if rid not in delivered]
    duplicated = sum(count - 1 for count in delivered.values())
    assert lost == []
    assert duplicated <= IN_FLIGHT, f"{duplicated} sent twice; at most {IN_FLIGHT} were in flight"
    assert _statuses(db) == {"sent": len(due_backlog)}
