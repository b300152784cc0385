"""Reminders reach the phone: a push shows a notification, and its actions call the API from the service worker."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import wait_for_service_worker, wait_until


def service_worker(page, context):
    """Wait until the page is controlled and return the active service worker."""
    wait_for_service_worker(page)
    return context.service_workers[0]


def notification_count(page) -> int:
    """How many notifications the app's registration shows now."""
    return page.evaluate("navigator.serviceWorker.ready.then(r => r.getNotifications()).then(n => n.length)")


def wait_for_notifications(page, count: int) -> None:
    """Poll getNotifications() until it shows `count` notifications."""
    wait_until(page, f"navigator.serviceWorker.ready.then(r => r.getNotifications()).then(n => n.length === {count})")


def registration_id(page, live_server, cdp) -> str:
    """The DevTools id of the app's service-worker registration (scope /)."""
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if registrations:
            break
        page.wait_for_timeout(100)
    [registration] = [r for r in registrations if r["scopeURL"] == f"{live_server.url}/" and not r["isDeleted"]]
    return registration["registrationId"]


def deliver_push(page, live_server, payload: dict) -> None:
    """Deliver a push message to the app's service worker through the DevTools protocol."""
    cdp = page.context.new_cdp_session(page)
    registration = registration_id(page, live_server, cdp)
    cdp.send("ServiceWorker.deliverPushMessage", {
        "origin": live_server.url, "registrationId": registration, "data": json.dumps(payload),
    })


def reminder_payload(reminder_id: int) -> dict:
    """A push payload in the contract's shape."""
    return {
        "title": "Time to pump", "body": "Power hour starts now.", "tag": f"reminder-{reminder_id}",
        "reminder_id": reminder_id, "kind": "plan_slot", "url": "/#/plans",
        "actions": [{"action": "start", "title": "Start"}, {"action": "snooze", "title": "Snooze 10 min"},
                    {"action": "skip", "title": "Skip"}],
    }


@pytest.fixture
def notifications_allowed(context, live_server):
    """Allow notifications before the first page opens, so the service worker never starts without them."""
    context.grant_permissions(["notifications"], origin=live_server.url)


def test_push_shows_a_notification_whose_snooze_action_posts_to_the_api(
    notifications_allowed, signed_in, context, live_server
):
    """A pushed reminder becomes a visible notification; Snooze from it moves the reminder 10 minutes."""
    page, token = signed_in
    worker = service_worker(page, context)
    reminder_id = live_server.api("POST", "/push/test", token).json["reminder_id"]
    deliver_push(page, live_server, reminder_payload(reminder_id))
    wait_for_notifications(page, 1)
    shown = page.evaluate("""navigator.serviceWorker.ready.then(r => r.getNotifications()).then(([n]) =>
        ({title: n.title, body: n.body, tag: n.tag, actions: n.actions.map(a => a.action), data: n.data}))""")
    assert shown["title"] == "Time to pump"
    assert shown["body"] == "Power hour starts now."
    assert shown["data"]["reminder_id"] == reminder_id
    assert shown["actions"][:2] == ["start", "snooze"]  # Chromium shows at most two actions
    before = datetime.now(UTC)
    # The notificationclick listener hands the notification and action to this function.
    status = worker.evaluate("""async () => {
        const [notification] = await self.registration.getNotifications();
        const response = await handleNotificationClick(notification, 'snooze');
        return response.status;
    }""")
    assert status == 200
    reminder = next(r for r in live_server.api("GET", "/reminders", token).json["items"] if r["id"] == reminder_id)
    due = datetime.fromisoformat(reminder["send_after"])
    assert before + timedelta(minutes=9) < due < before + timedelta(minutes=11)
    assert notification_count(page) == 0


def test_a_push_without_a_payload_still_shows_a_notification(notifications_allowed, signed_in, context, live_server):
    """Browsers punish silent pushes, so even an empty push shows something."""
    page, _ = signed_in
    service_worker(page, context)
    deliver_push(page, live_server, {})
    wait_for_notifications(page, 1)


def test_tapping_start_marks_the_reminder_done_and_starts_the_timer(
    notifications_allowed, signed_in, context, live_server
):
    """The Start action tells the API and opens Today with the session timer running."""
    page, token = signed_in
    worker = service_worker(page, context)
    reminder_id = live_server.api("POST", "/push/test", token).json["reminder_id"]
    deliver_push(page, live_server, reminder_payload(reminder_id))
    wait_for_notifications(page, 1)
    page.get_by_role("link", name="History").click()
    worker.evaluate("""async () => {
        const [notification] = await self.registration.getNotifications();
        await handleNotificationClick(notification, 'start');
    }""")
    expect(page.get_by_role("timer")).to_be_visible()
    pending = [r["id"] for r in live_server.api("GET", "/reminders", token).json["items"]]
    assert reminder_id not in pending


def shown_notifications(page) -> list[dict]:
    """The notifications shown now, with whether each alerted."""
    return page.evaluate("""navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns =>
        ns.map(n => ({tag: n.tag, renotify: n.renotify, silent: n.silent, id: n.data.reminder_id})))""")


def test_the_same_sending_delivered_twice_shows_one_notification_that_does_not_alert_again(
    notifications_allowed, signed_in, context, live_server
):
    """A clock that died mid-send sends a reminder again: the phone replaces the first silently."""
    page, _ = signed_in
    service_worker(page, context)
    payload = {**reminder_payload(41), "tag": "pumpwell:gap", "delivery_id": "41@2026-06-01T18:50:00+00:00"}
    deliver_push(page, live_server, payload)
    wait_for_notifications(page, 1)
    assert shown_notifications(page) == [{"tag": "pumpwell:gap", "renotify": True, "silent": False, "id": 41}]
    deliver_push(page, live_server, payload)
    wait_until(page, "navigator.serviceWorker.ready.then(r => r.getNotifications()).then(([n]) => n.silent)")
    assert shown_notifications(page) == [{"tag": "pumpwell:gap", "renotify": False, "silent": True, "id": 41}]
    # Snoozed, the same reminder is a new sending: it alerts again.
    deliver_push(page, live_server, {**payload, "delivery_id": "41@2026-06-01T19:00:00+00:00"})
    wait_until(page, "navigator.serviceWorker.ready.then(r => r.getNotifications()).then(([n]) => !n.silent)")
    assert shown_notifications(page) == [{"tag": "pumpwell:gap", "renotify": True, "silent": False, "id": 41}]


def test_a_renewed_push_subscription_is_made_with_the_same_key_and_replaces_the_old_one_on_the_server(
    notifications_allowed, signed_in, context, live_server
):
    """The browser renewed the subscription: the worker subscribes with the server key it had and tells the server."""
    page, token = signed_in
    worker = service_worker(page, context)
    keys = {"p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
            "auth": "tBHItJI5svbpez7KI4CCXg"}
    old = f"{live_server.url}/push-test/old"
    saved = live_server.api("POST", "/push/subscriptions", token, json={"endpoint": old, "keys": keys})
    assert saved.status_code == 201
    result = worker.evaluate("""async ([old, keys]) => {
        const key = new Uint8Array([4, 1, 2, 3]).buffer;
        let usedKey = null;
        self.registration.pushManager.subscribe = async (options) => {
            usedKey = Array.from(new Uint8Array(options.applicationServerKey));
            const endpoint = `${self.location.origin}/push-test/new`;
            return { endpoint, toJSON: () => ({ endpoint, keys }) };
        };
        const response = await resubscribe({ endpoint: old, options: { applicationServerKey: key } }, null);
        return { status: response.status, usedKey };
    }""", [old, keys])
    assert result == {"status": 201, "usedKey": [4, 1, 2, 3]}
    endpoints = [s["endpoint"] for s in live_server.api("GET", "/push/subscriptions", token).json["items"]]
    assert endpoints == [f"{live_server.url}/push-test/new"]
