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
