"""The dispatcher: due reminder rows end as decrypted notifications, with retries, expiry and leases."""

import json
import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import clock
from server.models import Grant, PushSubscription, Reminder, User
from server.services import reminders
from server.services.access import Account
from server.services.dispatch import claim_due, dispatch_due
from server.timeutil import utcnow
from tests.pushservice import Reply

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def add_reminder(db, user_id, due_at=T0, kind="plan_slot", expires_at=None, key=None, title="Time to pump"):
    """Insert a pending reminder row as the plans service writes them."""
    reminder = Reminder(
        user_id=user_id, kind=kind, status="pending", dedupe_key=key or f"{kind}:{due_at.isoformat()}",
        due_at=due_at, send_after=due_at, expires_at=expires_at, attempts=0,
        payload={"title": title, "body": "Pump 15 min (both sides)", "url": "/#/plans/1"},
        created_at=T0 - timedelta(days=1), updated_at=T0 - timedelta(days=1),
    )
    db.add(reminder)
    db.commit()
    return reminder.id


def reminder(db, reminder_id):
    """Read a reminder row afresh."""
    db.expire_all()
    return db.get(Reminder, reminder_id)


def test_reminders_arrive_decrypted_when_due_and_not_before(db, make_user, device, push_service, push_client):
    user, headers = make_user()
    phone = device(headers)
    first = add_reminder(db, user["id"], T0, expires_at=T0 + timedelta(minutes=15))
    second = add_reminder(db, user["id"], T0 + timedelta(hours=2), key="later")

    assert dispatch_due(db, push_client, T0 - timedelta(seconds=1)).claimed == 0
    assert push_service.requests == []
    dispatch_due(db, push_client, T0)
    [got] = push_service.delivered(phone)
    note = got.json()
    assert note["reminder_id"] == first and note["kind"] == "plan_slot" and note["title"] == "Time to pump"
    assert note["body"] == "Pump 15 min (both sides)" and note["url"] == "/#/plans/1"
    assert [a["action"] for a in note["actions"]] == ["start", "snooze", "skip"]
    assert note["web_push"] == 8030 and note["notification"]["navigate"] == "/#/plans/1"
    assert note["notification"]["tag"] == note["tag"]
    assert got.headers["urgency"] == "high" and got.headers["ttl"] == "900"
    assert 0 < len(got.headers["topic"]) <= 32
    assert len(got.payload) < 2048
    # Sent when the push service's answer was recorded: after the claim, not at it.
    assert reminder(db, first).status == "sent" and T0 < reminder(db, first).sent_at < T0 + timedelta(seconds=5)
    assert reminder(db, second).status == "pending"

    dispatch_due(db, push_client, T0 + timedelta(hours=2))
    assert [r.json()["reminder_id"] for r in push_service.delivered(phone)] == [first, second]


def test_every_device_of_the_user_receives_it_and_nobody_else(db, make_user, device, push_service, push_client):
    user, headers = make_user()
    phone, laptop = device(headers), device(headers)
    stranger = device(make_user()[1])
    add_reminder(db, user["id"])
    dispatch_due(db, push_client, T0)
    assert len(push_service.delivered(phone)) == len(push_service.delivered(laptop)) == 1
    assert push_service.requests_for(stranger) == []


def test_stash_expiry_reaches_caregivers_and_partners_but_pumping_reminders_only_the_parent(
        db, make_user, device, push_service, push_client):
    parent, parent_headers = make_user()
    helpers = {}
    for role in ("caregiver", "partner", "consultant"):
        helper, helper_headers = make_user()
        db.add(Grant(owner_id=parent["id"], grantee_id=helper["id"], role=role, created_at=T0))
        helpers[role] = device(helper_headers)
    db.commit()
    mine, stranger = device(parent_headers), device(make_user()[1])
    expiry = add_reminder(db, parent["id"], kind="stash_expiry", key="stash:1", title="Bottle expires tomorrow")
    pump = add_reminder(db, parent["id"], kind="plan_slot", key="plan:1:slot:0:start")

    dispatch_due(db, push_client, T0)
    got = {name: [r.json() for r in push_service.delivered(phone)]
           for name, phone in {"parent": mine, **helpers}.items()}
    assert sorted(n["reminder_id"] for n in got["parent"]) == sorted([expiry, pump])
    for role in ("caregiver", "partner"):
        [note] = got[role]
        assert note["reminder_id"] == expiry and note["account_id"] == parent["id"]
    assert got["consultant"] == [] and push_service.requests_for(stranger) == []
    assert reminder(db, expiry).status == reminder(db, pump).status == "sent"


def test_410_and_404_delete_the_subscription(db, make_user, sender):
    user, _ = make_user()
    gone, missing, alive = (sender.subscribe(db, user["id"], T0) for _ in range(3))
    sender.answer(gone, 410)
    sender.answer(missing, 404)
    rid = add_reminder(db, user["id"])
    dispatch_due(db, sender, T0)
    endpoints = set(db.scalars(select(PushSubscription.endpoint)))
    assert endpoints == {alive}
    assert reminder(db, rid).status == "sent"


def test_429_waits_for_retry_after_then_delivers(db, make_user, sender):
    user, _ = make_user()
    phone = sender.subscribe(db, user["id"], T0)
    sender.answer(phone, (429, 120))
    rid = add_reminder(db, user["id"], expires_at=T0 + timedelta(minutes=30))
    dispatch_due(db, sender, T0)
    row = reminder(db, rid)
    assert (row.status, row.send_after, row.attempts) == ("pending", T0 + timedelta(seconds=120), 1)
    assert dispatch_due(db, sender, T0 + timedelta(seconds=119)).claimed == 0
    dispatch_due(db, sender, T0 + timedelta(seconds=120))
    assert sender.statuses(phone) == [429, 201]
    assert reminder(db, rid).status == "sent" and reminder(db, rid).attempts == 2


def test_500_and_time_outs_back_off_exponentially_then_deliver(db, make_user, sender):
    user, _ = make_user()
    phone = sender.subscribe(db, user["id"], T0)
    sender.answer(phone, 500, None, 503)
    rid = add_reminder(db, user["id"], expires_at=T0 + timedelta(hours=1))
    now = T0
    for wait in (30, 60, 120):
        dispatch_due(db, sender, now)
        row = reminder(db, rid)
        assert row.status == "pending" and row.send_after == now + timedelta(seconds=wait)
        now = row.send_after
    dispatch_due(db, sender, now)
    row = reminder(db, rid)
    assert row.status == "sent" and row.attempts == 4


def test_gives_up_after_max_attempts(db, make_user, sender):
    user, _ = make_user()
    phone = sender.subscribe(db, user["id"], T0)
    sender.answer(phone, *[500] * 5)
    rid = add_reminder(db, user["id"], kind="gap", expires_at=T0 + timedelta(days=1))
    now = T0
    for _ in range(5):
        dispatch_due(db, sender, now)
        now += timedelta(hours=1)
    row = reminder(db, rid)
    assert row.status == "failed" and row.attempts == 5 and "HTTP 500" in row.last_error
    assert db.scalar(select(PushSubscription.failures)) == 5


def test_one_permanent_refusal_fails_the_reminder_but_keeps_the_subscription(db, make_user, sender):
    user, _ = make_user()
    phone = sender.subscribe(db, user["id"], T0)
    sender.answer(phone, 413)
    rid = add_reminder(db, user["id"])
    dispatch_due(db, sender, T0)
    assert reminder(db, rid).status == "failed" and reminder(db, rid).last_error == "HTTP 413"
    assert db.scalar(select(PushSubscription.endpoint)) == phone


def test_a_reminder_past_its_slot_expires_instead_of_sending(db, make_user, sender):
    user, _ = make_user()
    sender.subscribe(db, user["id"], T0)
    rid = add_reminder(db, user["id"], expires_at=T0 + timedelta(minutes=15))
    report = dispatch_due(db, sender, T0 + timedelta(minutes=16))
    assert report.counts["expired"] == 1 and sender.sent == []
    assert reminder(db, rid).status == "expired"


def test_ttl_never_outlives_the_slot(db, make_user, device, push_service, push_client):
    user, headers = make_user()
    phone = device(headers)
    add_reminder(db, user["id"], expires_at=T0 + timedelta(minutes=15))
    dispatch_due(db, push_client, T0 + timedelta(minutes=10))
    assert push_service.delivered(phone)[0].headers["ttl"] == "300"


def test_user_without_devices_fails_the_reminder_quietly(db, make_user, sender):
    user, _ = make_user()
    rid = add_reminder(db, user["id"])
    dispatch_due(db, sender, T0)
    assert reminder(db, rid).status == "failed" and reminder(db, rid).last_error == "no push subscription"


def test_a_lapsed_lease_is_reclaimed_and_delivered_once(db, make_user, device, push_service, push_client):
    user, headers = make_user()
    phone = device(headers)
    rid = add_reminder(db, user["id"], expires_at=T0 + timedelta(minutes=15))
    claimed, _ = claim_due(db, T0, 10, timedelta(minutes=2))  # a clock that dies before sending
    assert [c.id for c in claimed] == [rid]
    assert dispatch_due(db, push_client, T0 + timedelta(minutes=1)).claimed == 0  # lease still held
    dispatch_due(db, push_client, T0 + timedelta(minutes=2, seconds=1))
    assert len(push_service.delivered(phone)) == 1
    row = reminder(db, rid)
    assert row.status == "sent" and row.attempts == 2


def test_a_result_after_the_lease_was_taken_over_is_not_recorded(db, make_user, device, push_service, push_client):
    user, headers = make_user()
    device(headers)
    rid = add_reminder(db, user["id"])
    claim_due(db, T0, 10, timedelta(minutes=2))
    # Another clock reclaims after the lease lapsed and records "sent"; the first clock's late write must not win.
    dispatch_due(db, push_client, T0 + timedelta(minutes=3))
    assert reminder(db, rid).status == "sent"
    assert dispatch_due(db, push_client, T0 + timedelta(minutes=10)).claimed == 0


def test_two_dispatchers_deliver_each_reminder_exactly_once(app, db, make_user, device, push_service):
    users = [make_user() for _ in range(6)]
    phones = {user["id"]: device(headers) for user, headers in users}
    for phone in phones.values():
        push_service.answer(phone, *[Reply(201, delay=0.01)] * 50)
    ids = [add_reminder(db, user["id"], T0 + timedelta(seconds=n), key=f"k{n}")
           for n in range(40) for user, _ in users]
    def run_dispatcher():
        """Dispatch in small batches until nothing is due, on its own session and client."""
        client = clock.push_client(app)
        with Session(app.extensions["engine"], expire_on_commit=False) as own:
            while dispatch_due(own, client, T0 + timedelta(minutes=1), batch_size=7).claimed:
                pass
        client.close()

    threads = [threading.Thread(target=run_dispatcher) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    delivered = sorted(r.json()["reminder_id"] for r in push_service.delivered())
    assert delivered == sorted(ids)
    db.expire_all()
    assert set(db.scalars(select(Reminder.status))) == {"sent"}
    assert set(db.scalars(select(Reminder.attempts))) == {1}


def test_a_subscription_no_longer_allowed_is_never_contacted(app, db, make_user, device, push_service):
    user, headers = make_user()
    device(headers)
    rid = add_reminder(db, user["id"])
    app.config["PUSH_ALLOW_LOOPBACK_HTTP"] = False  # the operator tightened the allowlist after it was saved
    strict = clock.push_client(app)
    try:
        dispatch_due(db, strict, T0)
    finally:
        strict.close()
    assert push_service.requests == []
    assert reminder(db, rid).status == "failed" and "https" in reminder(db, rid).last_error


def test_three_permanent_refusals_stop_a_phone_while_the_others_keep_receiving(db, make_user, sender):
    user, _ = make_user()
    dead, alive = sender.subscribe(db, user["id"], T0), sender.subscribe(db, user["id"], T0)
    sender.answer(dead, 403, 400, 403, 403)
    ids = [add_reminder(db, user["id"], T0 + timedelta(minutes=n), key=f"k{n}") for n in range(4)]
    reports = [dispatch_due(db, sender, T0 + timedelta(minutes=n)) for n in range(4)]
    assert [r.counts["subscriptions_stopped"] for r in reports] == [0, 0, 1, 0]
    assert sender.statuses(dead) == [403, 400, 403]  # never a fourth time
    assert sender.statuses(alive) == [201] * 4
    assert {reminder(db, rid).status for rid in ids} == {"sent"}
    stopped = db.scalar(select(PushSubscription).where(PushSubscription.endpoint == dead))
    db.refresh(stopped)
    assert stopped.stopped_at == T0 + timedelta(minutes=2) and stopped.refusals == 3
    assert "Reminders stopped on this phone" in stopped.stop_reason and "HTTP 403" in stopped.stop_reason


def test_a_delivery_between_refusals_starts_the_count_again(db, make_user, sender):
    user, _ = make_user()
    phone = sender.subscribe(db, user["id"], T0)
    sender.answer(phone, 403, 403, 201, 403, 403)
    for n in range(5):
        add_reminder(db, user["id"], T0 + timedelta(minutes=n), key=f"k{n}")
        dispatch_due(db, sender, T0 + timedelta(minutes=n))
    row = db.scalar(select(PushSubscription))
    db.refresh(row)
    assert row.stopped_at is None and row.refusals == 2


def test_a_user_whose_only_phone_is_stopped_gets_failed_reminders_without_a_request(db, make_user, sender):
    user, _ = make_user()
    phone = sender.subscribe(db, user["id"], T0)
    sender.answer(phone, 403, 403, 403)
    for n in range(4):
        rid = add_reminder(db, user["id"], T0 + timedelta(minutes=n), key=f"k{n}")
        dispatch_due(db, sender, T0 + timedelta(minutes=n))
    assert len(sender.statuses(phone)) == 3
    assert (reminder(db, rid).status, reminder(db, rid).last_error) == ("failed", "no push subscription")


def test_a_batch_longer_than_its_lease_renews_it_so_no_other_clock_takes_over(app, db, make_user, device,
                                                                            push_service, push_client):
    lease = timedelta(seconds=1)
    push_client.timeout = 3
    start = utcnow()
    ids = []
    for delay in (0.1, 0.7, 1.4, 2.0):  # answers keep coming for twice the lease
        user, headers = make_user()
        push_service.answer(device(headers), Reply(201, delay=delay))
        ids.append(add_reminder(db, user["id"], start))
    sender = threading.Thread(target=lambda: dispatch_due(Session(app.extensions["engine"]), push_client, start,
                                                          lease=lease))
    sender.start()
    # Once the answer at 0.7 s is on record, more than half the lease was spent: it must have been renewed.
    while sum(reminder(db, rid).status == "sent" for rid in ids) < 2:
        time.sleep(0.02)
    with Session(app.extensions["engine"]) as other:  # a clock looking after the first lease ended
        stolen, _ = claim_due(other, start + timedelta(seconds=1.2), 10, lease)
    sender.join()
    assert stolen == []
    assert {reminder(db, rid).status for rid in ids} == {"sent"}
    assert len(push_service.delivered()) == len(ids)


def test_a_batch_waiting_on_an_answer_longer_than_its_lease_keeps_the_lease(app, db, make_user, device,
                                                                           push_service, push_client):
    # Leases of 2 s: the batch renews at 1 s, and a renewal may come 1.4 s late on a loaded machine before the
    # first look at 2.4 s (with 1 s leases, 0.7 s late failed a fresh clone's run beside the browser tests).
    lease = timedelta(seconds=2)
    push_client.timeout = 8
    start = utcnow()
    user, headers = make_user()
    push_service.answer(device(headers), Reply(201, delay=5.0))  # no answer at all for two and a half leases
    rid = add_reminder(db, user["id"], start)
    sender = threading.Thread(target=lambda: dispatch_due(Session(app.extensions["engine"]), push_client, start,
                                                          lease=lease))
    sender.start()
    stolen = []
    for moment in (2.4, 4.4):  # clocks looking after the first lease ended, and after a second one would have
        time.sleep(max(0.0, (start + timedelta(seconds=moment) - utcnow()).total_seconds()))
        with Session(app.extensions["engine"]) as other:
            stolen += claim_due(other, start + timedelta(seconds=moment), 10, lease)[0]
    sender.join()
    assert stolen == []
    assert reminder(db, rid).status == "sent"
    assert len(push_service.delivered()) == 1


def test_a_claim_that_waited_on_the_database_counts_that_wait_against_its_lease(app, db, make_user, device,
                                                                               push_service, push_client,
                                                                               monkeypatch):
    lease = timedelta(seconds=4)
    push_client.timeout = 6
    start = utcnow()
    user, headers = make_user()
    push_service.answer(device(headers), Reply(201, delay=1.8))
    rid = add_reminder(db, user["id"], start)

    def slow_claim(*args, **kwargs):
        """Claim, then come back late, as a clock does that waited its turn to write."""
        claimed = claim_due(*args, **kwargs)
        time.sleep(2.8)
        return claimed

    monkeypatch.setattr("server.services.dispatch.claim_due", slow_claim)
    sender = threading.Thread(target=lambda: dispatch_due(Session(app.extensions["engine"]), push_client, start,
                                                          lease=lease))
    sender.start()
    # More than half the lease was gone when the claim came back at 2.8 s, so the batch renews at once. Counting
    # from the claim's return instead, it renews at 4.8 s, and the lease lapses at 4 s, before the answer at 4.6 s.
    time.sleep(max(0.0, (start + timedelta(seconds=4.2) - utcnow()).total_seconds()))
    with Session(app.extensions["engine"]) as other:
        stolen, _ = claim_due(other, start + timedelta(seconds=4.2), 10, lease)
    sender.join()
    assert stolen == []
    assert reminder(db, rid).status == "sent"
    assert len(push_service.delivered()) == 1


def test_a_stop_gives_back_what_was_not_sent_as_if_never_claimed(db, make_user, device, push_service, push_client):
    user, headers = make_user()
    device(headers)
    rid = add_reminder(db, user["id"])
    stop = threading.Event()
    stop.set()
    report = dispatch_due(db, push_client, T0, stop=stop)
    assert (report.claimed, report.counts["given_back"]) == (1, 1) and push_service.requests == []
    row = reminder(db, rid)
    assert (row.status, row.lease_until, row.attempts, row.send_after) == ("pending", None, 0, T0)
    dispatch_due(db, push_client, T0)
    assert reminder(db, rid).status == "sent"


def test_a_retry_after_a_time_out_is_the_same_sending_and_a_snooze_a_new_one(db, make_user, sender):
    """The first copy may have reached the phone before the time-out: the retry carries its delivery id, so the
    phone shows it silently; a snooze asks for the reminder again, so it alerts again."""
    user, _ = make_user()
    phone = sender.subscribe(db, user["id"], T0)
    sender.answer(phone, None)  # the push service takes too long: perhaps it got the message, perhaps not
    rid = add_reminder(db, user["id"], expires_at=T0 + timedelta(hours=1))
    dispatch_due(db, sender, T0)
    dispatch_due(db, sender, reminder(db, rid).send_after)
    first, retry = (json.loads(result.message.payload)["delivery_id"] for result in sender.sent)
    assert first == retry and reminder(db, rid).status == "sent"
    snoozed = reminders.snooze_reminder(db, Account.of(db.get(User, user["id"])), rid, 10, T0 + timedelta(minutes=5))
    dispatch_due(db, sender, snoozed.send_after)
    assert json.loads(sender.sent[-1].message.payload)["delivery_id"] != first
