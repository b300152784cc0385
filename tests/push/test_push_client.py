"""push.py against the local push service: encryption, VAPID, headers, answers, safety."""

import email.utils
import threading
import time

import pytest
from py_vapid import Vapid

from server.domain.delivery import Outcome
from server.push import (
    DEFAULT_ALLOWED_HOSTS,
    Message,
    Subscription,
    endpoint_problem,
    keys_problem,
    topic_for,
)
from server.push.client import PushClient, VapidHeaders, parse_retry_after
from server.vapid import public_key_b64
from tests.pushservice import LocalPushService, Reply

SUBJECT = "mailto:ops@pumpwell.example"


@pytest.fixture(scope="module")
def vapid():
    """Make one VAPID key for the module."""
    key = Vapid()
    key.generate_keys()
    return key


@pytest.fixture
def service(vapid):
    """Run a local push service that trusts the module's VAPID key."""
    with LocalPushService(public_key_b64(vapid)) as svc:
        yield svc


@pytest.fixture
def client(vapid):
    """Make a client that may talk to loopback http with a short timeout."""
    c = PushClient(vapid, SUBJECT, allow_loopback_http=True, timeout=1.0)
    yield c
    c.close()


def message(sub, payload=b'{"title":"Pump"}', **kw):
    """Build a message for a test subscription."""
    return Message(sub.as_push(), payload, ttl=kw.pop("ttl", 60), **kw)


def test_message_arrives_decrypted_with_headers_and_valid_vapid(service, client):
    sub = service.subscribe()
    topic = topic_for("reminder-7")
    [result] = client.send([message(sub, b'{"title":"Pump now"}', ttl=900,
                                    urgency="high", topic=topic, handle=7)])
    assert result.outcome is Outcome.DELIVERED and result.status == 201 and result.message.handle == 7
    [got] = service.delivered(sub)
    assert got.json() == {"title": "Pump now"}
    assert got.headers["ttl"] == "900" and got.headers["urgency"] == "high"
    assert got.headers["topic"] == topic and got.headers["content-encoding"] == "aes128gcm"
    assert got.claims["aud"] == service.origin and got.claims["sub"] == SUBJECT
    assert time.time() < got.claims["exp"] <= time.time() + 12 * 3600 + 5


def test_many_messages_reuse_connections_and_fly_at_once(service, vapid):
    subs = [service.subscribe() for _ in range(40)]
    for sub in subs:
        service.answer(sub, Reply(201, delay=0.25))
    # A longer timeout than the other tests': on a machine busy with other tests, 40 encryptions and the service's
    # 40 decryptions took over a second.
    client = PushClient(vapid, SUBJECT, allow_loopback_http=True, timeout=8.0)
    try:
        started = time.monotonic()
        results = client.send([message(s) for s in subs])
        elapsed = time.monotonic() - started
        assert all(r.outcome is Outcome.DELIVERED for r in results)
        assert elapsed < 8.0  # 40 x 0.25 s one at a time would take 10 s
        client.send([message(s) for s in subs])
    finally:
        client.close()
    peers = {r.peer for r in service.requests}
    assert len(peers) <= 40  # 80 requests over at most 40 kept-alive connections


def test_encryption_in_a_worker_process_delivers_the_same_messages_in_order(service, vapid):
    subs = [service.subscribe() for _ in range(120)]
    pooled = PushClient(vapid, SUBJECT, allow_loopback_http=True, encrypt_processes=1)
    try:
        results = pooled.send([message(s, b'{"n":%d}' % n, handle=n) for n, s in enumerate(subs)]
                              + [message(subs[0], b"x" * 3000, handle="big")])
    finally:
        pooled.close()
    assert [r.message.handle for r in results] == [*range(120), "big"]
    assert [r.outcome for r in results] == [Outcome.DELIVERED] * 120 + [Outcome.REFUSED]
    assert sorted(r.json()["n"] for r in service.delivered()) == list(range(120))


def test_a_dead_encryption_worker_is_replaced_without_losing_messages(service, vapid):
    sub = service.subscribe()
    pooled = PushClient(vapid, SUBJECT, allow_loopback_http=True, encrypt_processes=1)
    try:
        pooled.send([message(sub)])
        for process in pooled._pool._processes.values():
            process.kill()
            process.join()
        results = pooled.send([message(sub)] * 3) + pooled.send([message(sub)])
    finally:
        pooled.close()
    assert [r.outcome for r in results] == [Outcome.DELIVERED] * 4


@pytest.mark.parametrize("status, outcome", [
    (404, Outcome.GONE), (410, Outcome.GONE),
    (400, Outcome.CONFIG_ERROR), (403, Outcome.CONFIG_ERROR), (413, Outcome.CONFIG_ERROR),
    (500, Outcome.RETRY), (503, Outcome.RETRY), (429, Outcome.RETRY),
])
def test_answers_are_classified(service, client, status, outcome):
    sub = service.subscribe()
    service.answer(sub, status)
    [result] = client.send([message(sub)])
    assert (result.outcome, result.status) == (outcome, status)


def test_429_reports_retry_after_seconds(service, client):
    sub = service.subscribe()
    service.answer(sub, Reply(429, {"Retry-After": "120"}))
    [result] = client.send([message(sub)])
    assert result.outcome is Outcome.RETRY and result.retry_after == 120


def test_slow_push_service_times_out_as_retry(service, client):
    sub = service.subscribe()
    service.answer(sub, Reply(201, delay=2.0))
    [result] = client.send([message(sub)])
    assert result.outcome is Outcome.RETRY and "Timeout" in result.error


def test_redirect_is_not_followed(service, client):
    sub, other = service.subscribe(), service.subscribe()
    service.answer(sub, Reply(307, {"Location": other.endpoint}))
    [result] = client.send([message(sub)])
    assert result.outcome is Outcome.CONFIG_ERROR and result.status == 307
    assert service.requests_for(other) == []


def test_disallowed_endpoint_is_never_contacted(service, vapid):
    sub = service.subscribe()
    strict = PushClient(vapid, SUBJECT)  # loopback http not allowed
    try:
        [result] = strict.send([message(sub)])
    finally:
        strict.close()
    assert result.outcome is Outcome.REFUSED and service.requests == []


def test_payload_over_2kb_is_refused(service, client):
    sub = service.subscribe()
    [result] = client.send([message(sub, b"x" * 2049)])
    assert result.outcome is Outcome.REFUSED and service.requests == []


def test_unknown_subscription_is_gone(service, client, vapid):
    sub = service.subscribe()
    bogus = Subscription(sub.endpoint + "x", sub.p256dh, sub.auth)
    [result] = client.send([Message(bogus, b"{}", ttl=0)])
    assert result.outcome is Outcome.GONE


def test_vapid_header_is_signed_once_per_origin_and_renewed_before_expiry(vapid):
    now = [1_800_000_000.0]
    headers = VapidHeaders(vapid, SUBJECT, clock=lambda: now[0])
    first = headers.for_endpoint("https://fcm.googleapis.com/fcm/send/a")
    assert headers.for_endpoint("https://fcm.googleapis.com/fcm/send/b") == first
    assert headers.for_endpoint("https://web.push.apple.com/x") != first
    now[0] += 10 * 3600
    assert headers.for_endpoint("https://fcm.googleapis.com/fcm/send/c") == first
    now[0] += 1.5 * 3600  # within the last hour of the 12 h lifetime
    assert headers.for_endpoint("https://fcm.googleapis.com/fcm/send/c") != first


@pytest.mark.parametrize("endpoint, loopback, ok", [
    ("https://fcm.googleapis.com/fcm/send/abc", False, True),
    ("https://updates.push.services.mozilla.com/wpush/v2/x", False, True),
    ("https://web.push.apple.com/QG9", False, True),
    ("https://wns2-db5p.notify.windows.com/w/?token=1", False, True),
    ("https://FCM.googleapis.com/fcm/send/abc", False, True),
    ("https://fcm.googleapis.com:443/fcm/send/abc", False, True),
    ("http://fcm.googleapis.com/fcm/send/abc", False, False),
    ("https://fcm.googleapis.com:8443/fcm/send/abc", False, False),
    ("https://user:pw@fcm.googleapis.com/fcm/send/abc", False, False),
    ("https://fcm.googleapis.com@evil.example/x", False, False),
    ("https://fcm.googleapis.com.evil.example/x", False, False),
    ("https://evilpush.apple.com/x", False, False),
    ("https://push.apple.com/x", False, False),
    ("https://169.254.169.254/latest", False, False),
    ("http://127.0.0.1:8080/wpush/x", False, False),
    ("http://127.0.0.1:8080/wpush/x", True, True),
    ("http://localhost:1/x", True, True),
    ("http://127.0.0.2:8080/x", True, False),
    ("https://127.0.0.1/x", True, False),
    ("ftp://fcm.googleapis.com/x", False, False),
    ("https://fcm.googleapis.com/a b", False, False),
    ("", False, False),
])
def test_endpoint_allowlist(endpoint, loopback, ok):
    assert (endpoint_problem(endpoint, DEFAULT_ALLOWED_HOSTS, loopback) is None) is ok


def test_key_checks(service):
    sub = service.subscribe()
    assert keys_problem(sub.p256dh, sub.auth) is None
    assert "65-byte" in keys_problem(sub.p256dh[:-4], sub.auth)
    off_curve = "BA" + "A" * 85  # 0x04 followed by zeros: not a point on P-256
    assert keys_problem(off_curve, sub.auth) is not None
    assert "16 bytes" in keys_problem(sub.p256dh, sub.auth[:-2])
    assert "base64url" in keys_problem(sub.p256dh, "a+b/")


def test_retry_after_accepts_seconds_and_http_dates():
    now = 1_800_000_000.0
    assert parse_retry_after("30", now) == 30
    assert parse_retry_after(email.utils.formatdate(now + 90, usegmt=True), now) == 90
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("999999", now) == 3600


def test_topic_is_at_most_32_base64url_characters():
    topic = topic_for("reminder-123456789")
    assert len(topic) <= 32 and topic.replace("-", "").replace("_", "").isalnum()


def test_a_message_holds_its_in_flight_slot_until_its_result_is_recorded(service, vapid):
    slow = PushClient(vapid, SUBJECT, allow_loopback_http=True, timeout=2.0, max_in_flight=3)
    subs = [service.subscribe() for _ in range(12)]
    recorded = []

    def record(arrived):
        """Check nothing went out beyond the window, then take a while to record."""
        assert len(service.requests) <= len(recorded) + 3
        time.sleep(0.05)
        recorded.extend(arrived)

    try:
        assert slow.deliver([message(s, handle=n) for n, s in enumerate(subs)], record) == 0
    finally:
        slow.close()
    assert sorted(index for index, _ in recorded) == list(range(12))
    assert {result.outcome for _, result in recorded} == {Outcome.DELIVERED}


def test_a_stop_posts_nothing_more_and_reports_what_got_no_result(service, vapid):
    slow = PushClient(vapid, SUBJECT, allow_loopback_http=True, timeout=2.0, max_in_flight=2)
    subs = [service.subscribe() for _ in range(10)]
    for sub in subs:
        service.answer(sub, Reply(201, delay=0.1))
    stop = threading.Event()
    recorded = []

    def record(arrived):
        """Keep the results and ask for a stop after the first."""
        recorded.extend(arrived)
        stop.set()

    try:
        unsent = slow.deliver([message(s) for s in subs], record, stop)
    finally:
        slow.close()
    assert unsent == 10 - len(recorded) and unsent >= 6
    assert len(service.requests) == len(recorded)


def test_callers_share_the_window_and_a_failed_record_gives_its_slots_back(service, vapid):
    shared = PushClient(vapid, SUBJECT, allow_loopback_http=True, timeout=2.0, max_in_flight=2)
    subs = [service.subscribe() for _ in range(6)]
    for sub in subs[:2]:
        service.answer(sub, Reply(201, delay=0.5))

    def fail(arrived):
        """Lose the database while keeping the lease, with both requests still open."""
        raise RuntimeError("database gone")

    try:
        with pytest.raises(RuntimeError):
            shared.deliver([message(s) for s in subs[:2]], fail)
        # Had the failed call kept its two slots, this one would wait for ever for a free one.
        done = threading.Thread(target=lambda: shared.send([message(s) for s in subs[2:]]))
        done.start()
        done.join(5)
        assert not done.is_alive()
    finally:
        shared.close()
    assert all(service.delivered(sub) for sub in subs[2:])
